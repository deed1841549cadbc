"""Where a verification's time goes, per stage and per rule (not part of the test suite).

    python benchmarks/bench_stages.py /tmp/clones/* [--runs 3] [--rules 20] [--compiles 20]

Each verification runs as bench_real.py runs it: the rules loaded, every function cache and the `re`
cache emptied first (`cold_caches`), so a stage pays what it would pay in a worker forked for one
repository. Times are means per verification over every repository and run, in milliseconds.

Stages are timed exclusively: a stage's time is what was spent in it and not in a stage nested inside it
(git started by a rule counts as `git`, not as the rule's), so the stages add up to the verification.

    repo       Repo construction (the listing), git excepted
    report     finding and parsing the report (`engine.load_report`)
    match      pairing checklist items with rules (`registry.match_item`)
    rules      every `run_rule` (with the lazy reading and parsing the first rule to ask pays for)
    history    reading the history (`history.read_history`), git excepted
    witness    `Witness.testify`
    answers    `answers.check_answers`
    registry   loading and selecting the rules
    git        waiting for git (every `gitsafe` command) and validating the repository (`gitsafe.locate`)
    rest       the verification minus all of the above: verdicts, result assembly, glue

`--rules N` lists the N costliest rules (inclusive of the git and reading each pays for), `--compiles N`
the N places that compile the most regular-expression time (by the first frame in verifier/ or rules/).
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_real import cold_caches, floor

import verifier.engine as engine
import verifier.gitsafe as gitsafe
import verifier.history as history
import verifier.witness as witness
from verifier import ReportError
from verifier.repo import Repo

PROJECT = Path(engine.__file__).resolve().parent.parent


class StageClock:
    """Exclusive time per stage: entering a nested stage stops the clock of the one around it."""

    def __init__(self) -> None:
        self.exclusive: collections.Counter[str] = collections.Counter()
        self.inclusive: collections.Counter[str] = collections.Counter()
        self.calls: collections.Counter[str] = collections.Counter()
        self.stack: list[str] = []
        self.mark = 0.0

    def wrap(self, owner: Any, name: str, stage: str | Callable[..., str]) -> None:
        """Replace `owner.name` by a function that times every call under `stage` (or `stage(*args)`)."""
        original = getattr(owner, name)
        clock = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            key = stage(*args) if callable(stage) else stage
            clock.enter(key)
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                clock.inclusive[key] += time.perf_counter() - start
                clock.leave()

        timed.__name__ = getattr(original, "__name__", name)  # type: ignore[attr-defined]
        if hasattr(original, "cache_clear"):  # cold_caches() must still find and empty the cache
            timed.cache_clear = original.cache_clear  # type: ignore[attr-defined]
        setattr(owner, name, timed)

    def enter(self, key: str) -> None:
        now = time.perf_counter()
        if self.stack:
            self.exclusive[self.stack[-1]] += now - self.mark
        self.stack.append(key)
        self.calls[key] += 1
        self.mark = now

    def leave(self) -> None:
        now = time.perf_counter()
        self.exclusive[self.stack.pop()] += now - self.mark
        self.mark = now

    def clear(self) -> None:
        self.exclusive.clear()
        self.inclusive.clear()
        self.calls.clear()


def instrument(clock: StageClock) -> None:
    """Time the stages (see the module docstring) by wrapping the functions the engine calls."""
    clock.wrap(Repo, "__init__", "repo")
    clock.wrap(engine, "load_report", "report")
    clock.wrap(engine, "match_item", "match")
    clock.wrap(engine, "run_rule", lambda rule, repo: f"rule {rule.id}")
    clock.wrap(history, "read_history", "history")
    clock.wrap(witness.Witness, "testify", "witness")
    clock.wrap(engine, "check_answers", "answers")
    clock.wrap(engine, "all_rules", "registry")
    clock.wrap(engine, "select_rules", "registry")
    clock.wrap(gitsafe, "_run_side_by_side", "git")
    clock.wrap(gitsafe, "locate", "git")
    if hasattr(gitsafe, "Started"):  # git started early, collected later
        clock.wrap(gitsafe.Started, "__init__", "git")
        clock.wrap(gitsafe.Started, "_collect", "git")


class CompileClock:
    """Time of `re` compilation, by the first frame of the project up the stack."""

    def __init__(self) -> None:
        self.seconds: collections.Counter[str] = collections.Counter()
        self.count: collections.Counter[str] = collections.Counter()

    def install(self) -> None:
        try:
            import re._compiler as compiler  # type: ignore[import-not-found]
        except ImportError:  # Python 3.10
            import sre_compile as compiler

        original = compiler.compile

        def timed(pattern: Any, flags: int = 0) -> Any:
            start = time.perf_counter()
            compiled = original(pattern, flags)
            elapsed = time.perf_counter() - start
            key = "?"
            for frame in reversed(traceback.extract_stack()[:-1]):
                path = Path(frame.filename)
                if PROJECT in path.parents and ".venv" not in path.parts and "benchmarks" not in path.parts:
                    key = f"{path.relative_to(PROJECT)}:{frame.lineno} {frame.name}"
                    break
            self.seconds[key] += elapsed
            self.count[key] += 1
            return compiled

        compiler.compile = timed

    def clear(self) -> None:
        self.seconds.clear()
        self.count.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repositories", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rules", type=int, default=15, help="list this many of the costliest rules")
    parser.add_argument("--compiles", type=int, default=0, help="list this many regex compile sites")
    args = parser.parse_args()
    clock = StageClock()
    instrument(clock)
    compiles = CompileClock()
    if args.compiles:
        compiles.install()
    roots = []
    for root in args.repositories:
        try:
            engine.verify(root)  # warm: file system caches, the rules loaded
            roots.append(root)
        except (ReportError, NotADirectoryError):
            print(f"{root.name}: no report, left out", file=sys.stderr)
    if not roots:
        return 2
    clock.clear()
    compiles.clear()
    # samples[repository][stage]: one value per run; "verify" and "floor" too
    samples: dict[Path, dict[str, list[float]]] = {root: collections.defaultdict(list) for root in roots}
    for _ in range(args.runs):
        for root in roots:
            before = collections.Counter(clock.exclusive)
            cold_caches()
            start = time.perf_counter()
            engine.verify(root)
            elapsed = time.perf_counter() - start
            stages: collections.Counter[str] = collections.Counter()
            for key, seconds in (clock.exclusive - before).items():
                stages["rules" if key.startswith("rule ") else key] += seconds
            stages["rest"] = elapsed - sum(stages.values())
            for key, seconds in stages.items():
                samples[root][key].append(seconds)
            samples[root]["verify"].append(elapsed)
            start = time.perf_counter()
            floor(root)
            samples[root]["floor"].append(time.perf_counter() - start)
    count = len(roots) * args.runs

    def ms(seconds: float) -> str:
        return f"{seconds * 1000 / count:7.2f} ms"

    def typical(key: str) -> float:
        """The mean over repositories of each one's median run (robust to a busy machine's spikes)."""
        return statistics.mean(statistics.median(runs[key] or [0.0]) for runs in samples.values()) * 1000

    def mean(key: str) -> float:
        return sum(sum(runs[key]) for runs in samples.values()) * 1000 / count

    print(f"{len(roots)} repositories x {args.runs} runs; mean, and mean of each repository's median run")
    print(f"  {'verify':10} {mean('verify'):7.2f} ms {typical('verify'):7.2f} ms")
    print(f"  {'floor':10} {mean('floor'):7.2f} ms {typical('floor'):7.2f} ms")
    keys = {key for runs in samples.values() for key in runs} - {"verify", "floor"}
    print("stage (exclusive)")
    for key in sorted(keys, key=mean, reverse=True):
        print(f"  {key:10} {mean(key):7.2f} ms {typical(key):7.2f} ms")
    print(
        f"  git calls per verification: {clock.calls['git'] / count:.1f} (locate, each start and collection)"
    )
    if args.rules:
        print("\nrule (inclusive)")
        ranked = collections.Counter({k: v for k, v in clock.inclusive.items() if k.startswith("rule ")})
        for key, seconds in ranked.most_common(args.rules):
            print(f"  {key[5:]:28} {ms(seconds)}")
    if args.compiles:
        print(
            f"\nregex compiles: {ms(sum(compiles.seconds.values()))}, "
            f"{sum(compiles.count.values()) / count:.0f} per verification"
        )
        for key, seconds in compiles.seconds.most_common(args.compiles):
            print(f"  {ms(seconds)} {compiles.count[key] / count:5.0f}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
