"""Speed of `verify` on real repositories against the read-and-parse floor (not part of the test suite).

Give it folders of cloned student repositories (kept outside the project: never commit them):

    python benchmarks/bench_real.py /tmp/clones/* [--runs 5] [--json times.json] [--compare before.json]

For each repository, in one warm process (the measure of issue 17), it times paired runs (a floor, then a
verification, `--runs` times) and keeps the median of each. Each verification starts with the rules loaded
but no compiled pattern, glob or item match of an earlier run (`re.purge()` and the verifier's function
caches emptied), so a cache only counts for what it saves within one verification (`--warm-caches` keeps
them). `--forked` times each run in a child forked for it instead, as `verify A B ...` verifies each
repository in a worker forked from its parent (`verifier.batch`): the parent has loaded the rules, warmed
up on a project of its own (`verifier.warmup`) and frozen its objects (`gc.freeze`), and the child starts
with that and nothing of an earlier run; the floor is timed in a forked child too, so both pay what a
fresh worker pays (its first touches of memory), which the in-process floor, run again and again in warm
memory, does not.

    floor    list the tracked files (`git ls-files -z`), read every text file (the verifier's text
             suffixes; at most the verifier's read cap of each) and `ast.parse` every Python file
    verify   verifier.verify(path), answers included, as `verify PATH` runs it

It prints verify / floor per repository, then the median and the worst ratio over all of them (targets
of issue 17: median <= 3x, worst <= 6x). `--json` writes the times; `--compare` reads such a file of an
earlier run (for example one made with the code before a change) and prints both side by side.
A repository without a report (verify raises ReportError) is listed apart and not counted.
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import os
import re
import statistics
import struct
import subprocess
import sys
import time
import warnings
from pathlib import Path

from verifier import ReportError, verify
from verifier.repo import MAX_FILE_BYTES, TEXT_SUFFIXES

try:
    from verifier import warmup
except ImportError:  # code from before verifier.warmup (a run of an older commit): its cohort's warm-up
    from verifier import cohort as warmup  # type: ignore[no-redef]


def tracked(root: Path) -> list[str]:
    """The tracked files; those of the HEAD commit for a clone without an index (as the verifier lists them)."""
    for command in (("ls-files", "-z"), ("ls-tree", "-r", "-z", "--name-only", "HEAD")):
        listed = subprocess.run(["git", "-C", str(root), *command], capture_output=True, check=False).stdout
        names = [name for name in listed.decode("utf-8", "replace").split("\x00") if name]
        if names:
            return names
    return []


def floor(root: Path) -> None:
    """List, read the text files up to the read cap, parse the Python files."""
    for name in tracked(root):
        suffix = os.path.splitext(name)[1].lower()
        if suffix not in TEXT_SUFFIXES:
            continue
        path = root / name
        if path.is_symlink() or not path.is_file():
            continue
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            continue
        if suffix == ".py" and b"\x00" not in data:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ast.parse(data)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass


# Function caches the parent process fills before it forks a worker per repository: the rules, loaded once,
# and the template fingerprint table (`_table`, which does not depend on the repository: `cli._verify_all`
# and `cohort.warm_up` load it with `templates.prepare()` before they fork).
PARENT_CACHES = frozenset({"builtin_rules", "_rule_entry_points", "all_rules", "plugin_rules", "_table"})


def cold_caches() -> None:
    """Empty what a worker forked for one repository starts without (see the module docstring)."""
    re.purge()
    for name, module in list(sys.modules.items()):
        if name == "verifier" or name.startswith("verifier."):
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear) and getattr(value, "__name__", "") not in PARENT_CACHES:
                    clear()


def timed(action, root: Path) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action(root)
    return time.perf_counter() - start


def in_worker(action, root: Path) -> float:  # type: ignore[no-untyped-def]
    """`timed(action, root)` in a child forked for it (see the module docstring); its time comes back
    through a pipe, and it ends without any clean-up of the process, as a batch's worker does."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        try:
            os.write(write, struct.pack("d", timed(action, root)))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        data = answer.read()
    os.waitpid(pid, 0)
    if len(data) != struct.calcsize("d"):
        raise RuntimeError(f"the worker timing {root} ended without a time")
    return struct.unpack("d", data)[0]


def measure(
    root: Path, runs: int, warm_caches: bool = False, forked: bool = False
) -> tuple[float, float] | None:
    """(median floor, median verify) in seconds; None for a repository without a report."""
    try:
        verify(root)  # warm: caches of the file system
    except ReportError:
        return None
    if forked:  # the parent's state before it forks, built again as `verify A B ...` builds it
        cold_caches()  # nothing of the warming run above
        warmup._warm = False
        warmup.warm_up()
        gc.collect()
        gc.freeze()
    floors, verifies = [], []
    try:
        for _ in range(runs):
            if not forked:
                gc.collect()
                floors.append(timed(floor, root))
                gc.collect()
                if not warm_caches:
                    cold_caches()
                verifies.append(timed(verify, root))
            else:
                floors.append(in_worker(floor, root))
                verifies.append(in_worker(verify, root))
    finally:
        if forked:
            gc.unfreeze()
    return statistics.median(floors), statistics.median(verifies)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repositories", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write {repository: [floor, verify]} (seconds) here")
    parser.add_argument("--compare", type=Path, help="a --json file of an earlier run, shown beside this one")
    parser.add_argument("--warm-caches", action="store_true", help="keep function caches between runs")
    parser.add_argument("--forked", action="store_true", help="time each run in a worker forked for it")
    args = parser.parse_args()
    earlier = json.loads(args.compare.read_text()) if args.compare else {}
    times: dict[str, list[float]] = {}
    without_report = []
    for root in args.repositories:
        if not (root / ".git").exists():
            continue
        measured = measure(root, args.runs, args.warm_caches, args.forked)
        if measured is None:
            without_report.append(root.name)
            continue
        times[root.name] = list(measured)
        floor_s, verify_s = measured
        line = f"{root.name[:58]:58} floor {floor_s * 1000:7.1f} ms  verify {verify_s * 1000:7.1f} ms  {verify_s / floor_s:5.1f}x"
        if root.name in earlier:
            before_floor, before_verify = earlier[root.name]
            line += f"   before {before_verify * 1000:7.1f} ms {before_verify / before_floor:5.1f}x"
        print(line, flush=True)
    if not times:
        print("no repository with a report", file=sys.stderr)
        return 2
    ratios = {name: v / f for name, (f, v) in times.items()}
    worst = max(ratios, key=ratios.__getitem__)
    median = statistics.median(ratios.values())
    where = "each in a forked worker" if args.forked else "in this process"
    print(f"{len(times)} repositories, medians of {args.runs} paired runs, {where}")
    print(
        f"verify / floor: median {median:.2f}x (target <= 3), worst {ratios[worst]:.2f}x ({worst}; target <= 6)"
    )
    print(
        f"verify: median {statistics.median(v for _, v in times.values()) * 1000:.0f} ms, total "
        f"{sum(v for _, v in times.values()):.2f} s"
    )
    if earlier:
        common = [name for name in times if name in earlier]
        if common:
            before = statistics.median(earlier[n][1] / earlier[n][0] for n in common)
            print(
                f"before: median verify / floor {before:.2f}x over the {len(common)} repositories of both runs"
            )
    if without_report:
        print(f"{len(without_report)} without a report (not counted): {', '.join(without_report)}")
    if args.json:
        args.json.write_text(json.dumps(times, indent=1, sort_keys=True))
    return 0 if median <= 3 and ratios[worst] <= 6 else 1


if __name__ == "__main__":
    sys.exit(main())
