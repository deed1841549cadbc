"""A cohort of already-cloned repositories through `verify -f gradebook` (not part of the test suite).

Builds N synthetic group repositories (default 200; each the bundled example project with its own
ticks, answers and a few files of its own, one commit), then times:

    per repository  one repository verified in its own worker process, as a cohort run does (fork, the
                    verification, the answer sent back; median of --samples repositories, one at a time):
                    the cost the first run cannot go below; in this process without a worker, for
                    information
    first run       `verify @repos.txt -f gradebook --jobs J` with an empty results database
    re-run          the same command again, nothing changed: every result read from the database

Targets (issue 15): the first run within 1.5x of N x per-repository / J (plus the interpreter's start),
and the re-run under 3 s. Exits 1 when a target is missed. The load average is printed: the machine may
be shared, and other work on its cores slows the first run, not the bound measured one at a time.

    python benchmarks/bench_cohort.py [--repos 200] [--jobs 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from verifier import verify
from verifier.batch import run_many
from verifier.cohort import warm_up

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "fixtures" / "example-project"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench Student",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "Bench Student",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_SYSTEM": os.devnull,
    "GIT_AUTHOR_DATE": "2026-01-20T12:00:00+01:00",
    "GIT_COMMITTER_DATE": "2026-01-20T12:00:00+01:00",
}


def build(folder: Path, count: int) -> list[Path]:
    """`count` group repositories under `folder`, each committed once."""
    report = (EXAMPLE / "reports" / "README.md").read_text(encoding="utf-8")
    repositories = []
    for number in range(count):
        target = folder / f"group-{number:03d}"
        shutil.copytree(EXAMPLE, target)
        text = report
        if number % 3 == 0:  # some groups untick an item, some tick one more
            text = text.replace("* [x]", "* [ ]", 1)
        if number % 5 == 0:
            text = text.replace("* [ ]", "* [x]", 1)
        (target / "reports" / "README.md").write_text(text, encoding="utf-8")
        (target / "src" / f"group_{number}.py").parent.mkdir(parents=True, exist_ok=True)
        (target / "src" / f"group_{number}.py").write_text(f"GROUP = {number}\n", encoding="utf-8")
        env = {**os.environ, **GIT_ENV}
        for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "hand-in"]):
            subprocess.run(["git", *command], cwd=target, env=env, check=True, capture_output=True)
        repositories.append(target)
    return repositories


def per_repository(repositories: list[Path], samples: int) -> tuple[float, float]:
    """Median seconds per repository in a worker process (as a cohort run) and in this process."""
    warm_up()  # what a cohort run does before its workers are forked
    sample = repositories[1 : samples + 1]
    in_worker = [outcome.value for outcome in run_many(_timed_verify, sample, jobs=1)]
    in_process = [_timed_verify(path) for path in sample]
    return statistics.median(v for v in in_worker if v is not None), statistics.median(in_process)


def _timed_verify(path: Path) -> float:
    """Seconds from the fork of a worker to its answer are what run_many adds; this is the verification."""
    start = time.perf_counter()
    verify(path)
    return time.perf_counter() - start


def worker_overhead(count: int = 20) -> float:
    """Median seconds to start a worker, get its answer and reap it (a function that does nothing)."""
    start = time.perf_counter()
    list(run_many(int, [str(n) for n in range(count)], jobs=1))
    return (time.perf_counter() - start) / count


def run_cli(listing: Path, output: Path, jobs: int, cache: Path) -> float:
    command = [
        sys.executable,
        "-m",
        "verifier.cli",
        f"@{listing}",
        "-f",
        "gradebook",
        "-o",
        str(output),
        "--jobs",
        str(jobs),
        "--cache",
        str(cache),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"verify failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds


def interpreter_start() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import verifier.cli"], check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--samples", type=int, default=9)
    parser.add_argument("--keep", metavar="DIR", help="build the repositories in DIR and keep them")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-cohort-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        repositories = build(folder / "repos", args.repos)
        print(f"built {len(repositories)} repositories in {time.perf_counter() - start:.1f} s")
        listing = folder / "repos.txt"
        listing.write_text("".join(f"{path}\n" for path in repositories), encoding="utf-8")
        in_worker, in_process = per_repository(repositories, args.samples)
        cost = in_worker + worker_overhead()
        startup = interpreter_start()
        bound = len(repositories) * cost / args.jobs
        output = folder / "out" / "grades.csv"
        output.parent.mkdir(exist_ok=True)
        first = run_cli(listing, output, args.jobs, folder / "cache")
        rerun = run_cli(listing, output, args.jobs, folder / "cache")
        rows = output.read_text(encoding="utf-8").count("\n") - 1
        print(
            f"per repository: {cost * 1000:.0f} ms in a worker (the verification {in_worker * 1000:.0f} ms, "
            f"{in_process * 1000:.0f} ms in this process; median of {args.samples})"
        )
        print(f"interpreter start and imports: {startup:.2f} s; load average {os.getloadavg()[0]:.2f}")
        print(
            f"first run: {first:.1f} s for {rows} groups on {args.jobs} jobs "
            f"(bound N x per-repository / jobs = {bound:.1f} s; ratio {first / (bound + startup):.2f})"
        )
        print(f"re-run, nothing changed: {rerun:.2f} s")
        missed = []
        if first > 1.5 * bound + startup:
            missed.append("first run over 1.5x its bound")
        if rerun >= 3.0:
            missed.append("re-run not under 3 s")
        if rows != len(repositories):
            missed.append(f"{rows} gradebook rows for {len(repositories)} repositories")
        for message in missed:
            print(f"MISSED: {message}")
        return 1 if missed else 0
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
