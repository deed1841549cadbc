"""One repository can never hang or crash a cohort run (issue 14): every target is verified in its own
worker process within a time and a memory budget, the others' results stay intact in every format, and
SIGTERM/SIGINT end the run with nothing left behind."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from test_cli import REPORT, schema

from verifier import batch, cli
from verifier.batch import run_budgeted, run_many
from verifier.engine import verify
from verifier.report import ReportError

from conftest import git_init, write_tree

pytestmark = pytest.mark.skipif(
    batch.start_method() != "fork", reason="the misbehaving functions reach the workers by fork"
)


def address_space_mb() -> int:
    """This process's virtual memory size; a forked worker starts with the same."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmSize:\s+(\d+)", status).group(1)) // 1024  # type: ignore[union-attr]


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting to be reaped by init does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


# --- the mechanism ------------------------------------------------------------------------------------


def double(value: int) -> int:
    if value == 3:
        time.sleep(0.5)  # finishes last, is yielded in its place
    return 2 * value


def test_outcomes_come_in_the_order_of_the_targets() -> None:
    outcomes = list(run_many(double, [3, 1, 2], jobs=3, timeout=30))
    assert [(o.target, o.value, o.kind) for o in outcomes] == [("3", 6, "ok"), ("1", 2, "ok"), ("2", 4, "ok")]


def sleep_forever_with_a_child(marks: str) -> None:
    child = subprocess.Popen(["sleep", "300"], start_new_session=True)  # as git runs: its own session
    Path(marks, f"{os.getpid()}-{child.pid}").write_text(tempfile.gettempdir())
    Path(tempfile.gettempdir(), "half-done-clone").mkdir()
    time.sleep(300)


def test_a_run_over_its_time_budget_is_stopped_with_everything_it_started(tmp_path: Path) -> None:
    start = time.monotonic()
    outcome = run_budgeted(sleep_forever_with_a_child, str(tmp_path), timeout=1.5)
    assert outcome.kind == "timeout" and outcome.error == "over its time budget of 1.5 s"
    assert time.monotonic() - start < 1.5 + batch.GRACE + 5  # stopped at its budget, not after 300 s
    (mark,) = tmp_path.iterdir()
    worker, child = map(int, mark.name.split("-"))
    folder = Path(mark.read_text())
    assert wait_until_gone([worker, child], seconds=5)  # SIGKILL was sent; the system ends it at once
    assert not folder.exists() and folder.parent == Path(tempfile.gettempdir())


def test_only_a_folder_made_for_a_worker_is_ever_removed(tmp_path: Path) -> None:
    precious = write_tree(tmp_path / "precious", {"keep.txt": "x"})
    batch._remove_worker_folder(str(precious))
    assert (precious / "keep.txt").exists()
    made = Path(tempfile.mkdtemp(prefix="mlops-verifier-worker-", dir=tmp_path))
    batch._remove_worker_folder(str(made))
    assert not made.exists()


def allocate(megabytes: int) -> int:
    return len(bytes(megabytes << 20))  # calloc: without a limit the pages are never touched


def test_a_run_over_its_memory_budget_is_an_error_and_a_run_under_it_is_not() -> None:
    budget = address_space_mb() + 256
    over = run_budgeted(allocate, budget + 512, max_memory=budget)
    assert over.kind == "memory" and over.error == f"over its memory budget of {budget} MB"
    under = run_budgeted(allocate, 64, max_memory=budget)
    assert under.ok and under.value == 64 << 20
    unlimited = run_budgeted(allocate, budget + 512, max_memory=None)
    assert unlimited.ok  # the same allocation succeeds without the limit: the budget made the difference


def fail(kind: str) -> None:
    if kind == "expected":
        raise ReportError("no report at reports/README.md in x")
    if kind == "bug":
        raise ValueError("unexpected\nshape")
    if kind == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "exit":
        os._exit(3)
    if kind == "unpicklable":
        return lambda: None  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("kind", "outcome_kind", "error"),
    [
        ("expected", "error", "no report at reports/README.md in x"),
        ("bug", "crash", "the verification crashed: ValueError: unexpected shape"),
        ("kill", "crash", "the verification crashed: its worker process was killed by SIGKILL"),
        ("exit", "crash", "the verification crashed: its worker process ended with exit code 3"),
        ("unpicklable", "crash", "the verification crashed: its result could not be sent back"),
    ],
)
def test_a_failing_run_becomes_a_one_line_error(kind: str, outcome_kind: str, error: str) -> None:
    outcome = run_budgeted(fail, kind, timeout=30, expected=(ReportError,))
    assert outcome.kind == outcome_kind and outcome.value is None
    assert outcome.error is not None and outcome.error.startswith(error) and "\n" not in outcome.error


def test_run_many_works_outside_the_main_thread() -> None:
    found: list[object] = []
    thread = threading.Thread(target=lambda: found.extend(run_many(double, [1, 2], jobs=2, timeout=30)))
    thread.start()
    thread.join(30)
    assert [o.value for o in found] == [2, 4]  # type: ignore[attr-defined]


@pytest.mark.parametrize("arguments", [{"jobs": 0}, {"timeout": 0}, {"timeout": -1}])
def test_run_many_refuses_nonsense_budgets(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        list(run_many(double, [1], **arguments))  # type: ignore[arg-type]


# --- the command line ---------------------------------------------------------------------------------

BAD = {
    "slow": "over its time budget of 2 s",
    "hog": "over its memory budget of",
    "boom": "crashed: ValueError",
}


@pytest.fixture
def cohort(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Two normal repositories around three that misbehave in the engine: one sleeps, one allocates
    more than any budget the tests give, one raises an exception nobody expects."""
    normal = [
        git_init(
            write_tree(tmp_path / name, {"reports/README.md": REPORT, "Dockerfile": "FROM python:3.12\n"})
        )
        for name in ("g1", "g2")
    ]
    for name in BAD:
        (tmp_path / name).mkdir()
    real_verify = verify

    def misbehaving(path: str | Path, **options: object) -> object:
        name = Path(path).name
        if name == "slow":
            time.sleep(300)
        if name == "hog":
            allocate(address_space_mb() + 4096)
        if name == "boom":
            raise ValueError("a shape no rule expected")
        return real_verify(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "verify", misbehaving)
    return [str(normal[0]), *(str(tmp_path / name) for name in BAD), str(normal[1])]


def sections(fmt: str, out: str, order: list[str]) -> list[str]:
    """The output split into one piece per repository, in the order of the repositories given (`order`)."""
    if fmt == "json":
        data = json.loads(out)
        pieces = {
            entry["repo"]: json.dumps(entry, sort_keys=True) for entry in data["results"] + data["errors"]
        }
        assert list(pieces) == [repo for repo in order if repo in {e["repo"] for e in data["results"]}] + [
            repo for repo in order if repo in {e["repo"] for e in data["errors"]}
        ]  # each list in the order given
        return [pieces[repo] for repo in order]
    if fmt == "csv":
        return [",".join(row) for row in list(csv.reader(io.StringIO(out)))[1:]]
    if fmt == "junit":
        return [ET.tostring(s, encoding="unicode") for s in ET.fromstring(out.split("?>", 1)[1])]
    if fmt == "html":
        return out.split("<hr>")
    return re.split(r"\n(?=mlops-verifier )", out.strip("\n"))


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "junit", "html"])
def test_a_repository_over_its_budget_or_crashing_leaves_the_others_intact(
    cohort: list[str], fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([cohort[0], cohort[-1], "-f", fmt, "--no-color"]) == 0
    reference = sections(fmt, capsys.readouterr().out, [cohort[0], cohort[-1]])
    budget = str(address_space_mb() + 512)
    start = time.monotonic()
    code = cli.main([*cohort, "-f", fmt, "--no-color", "-j", "5", "--timeout", "2", "--max-memory", budget])
    elapsed = time.monotonic() - start
    out, err = capsys.readouterr()
    assert code == 2 and elapsed < 2 + batch.GRACE + 5  # the slow one was stopped at its budget
    found = sections(fmt, out, cohort)
    assert len(found) == 5 and [found[0], found[4]] == reference
    for piece, (name, error) in zip(found[1:4], BAD.items(), strict=True):
        assert name in piece and error in piece, piece
    lines = err.strip().splitlines()
    assert len(lines) == 3 and all(error in line for line, error in zip(lines, BAD.values(), strict=True))
    if fmt == "json":
        jsonschema.validate(json.loads(out), schema())


def test_a_single_path_has_the_same_budget(cohort: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    slow = cohort[1]
    assert cli.main([slow, "-f", "json", "--timeout", "1"]) == 2
    out, err = capsys.readouterr()
    data = json.loads(out)
    jsonschema.validate(data, schema())
    assert data["repo"] == slow and data["error"] == f"{slow}: over its time budget of 1 s"
    assert err.strip() == f"verify: {slow}: over its time budget of 1 s"


@pytest.mark.parametrize(
    "arguments",
    [
        ["-j", "0"],
        ["-j", "-3"],
        ["--jobs", "two"],
        ["--timeout", "0"],
        ["--timeout", "-5"],
        ["--timeout", "nan"],
        ["--timeout", "inf"],
        ["--max-memory", "0"],
        ["--min-score", "2"],
        ["--min-score", "-0.1"],
        ["--min-score", "nan"],
    ],
)
def test_nonsense_budgets_are_usage_errors_in_one_line(
    arguments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([str(tmp_path), *arguments]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("verify: error: argument") and arguments[0] in err[0]


def test_sensible_budgets_are_accepted(cohort: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        cli.main([cohort[0], "-j", "1", "--timeout", "30", "--max-memory", "4096", "--min-score", "1"]) == 0
    )


# --- signals, end to end ------------------------------------------------------------------------------

SLOW_VERIFY = """
import os, signal, subprocess, sys, tempfile, time, types
from pathlib import Path
import verifier
import verifier.cli as cli
import verifier.engine  # the CLI imports the engine on first use; it must see the real gitsafe

# Stands in for verifier.gitsafe, the registry of the git processes a worker started: the worker's
# clean-up calls its kill_all().
gitsafe = types.ModuleType("verifier.gitsafe")
gitsafe.started = []
gitsafe.kill_all = lambda: [os.killpg(p.pid, signal.SIGKILL) for p in gitsafe.started if p.poll() is None]
sys.modules["verifier.gitsafe"] = verifier.gitsafe = gitsafe

def slow(path, **options):
    # a "git" process the registry knows of, and a process nobody registered; both in their own session
    known = subprocess.Popen(["sleep", "300"], start_new_session=True)
    gitsafe.started.append(known)
    unknown = subprocess.Popen(["sleep", "301"], start_new_session=True)
    Path(sys.argv[1], f"{os.getpid()}-{known.pid}-{unknown.pid}").write_text(tempfile.gettempdir())
    time.sleep(300)

cli.verify = slow
sys.exit(cli.main(sys.argv[2:]))
"""


def start_slow_cohort(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """`verify` on three repositories whose verification hangs, two at a time; returns the process once
    both workers run, with the folder of their marks (worker-known-unknown pids) and its TMPDIR; its
    stdout and stderr go to the files `out` and `err` in tmp_path."""
    marks, temporary = tmp_path / "marks", tmp_path / "tmp"
    marks.mkdir()
    temporary.mkdir()
    repos = [write_tree(tmp_path / f"g{n}", {"reports/README.md": REPORT}) for n in range(3)]
    script = tmp_path / "slow_verify.py"
    script.write_text(textwrap.dedent(SLOW_VERIFY))
    with (tmp_path / "out").open("w") as out, (tmp_path / "err").open("w") as err:
        # files, not pipes: a process that outlives verify must not keep the test waiting for their end
        process = subprocess.Popen(
            [sys.executable, str(script), str(marks), *map(str, repos), "-j", "2", "-f", "csv"],
            env={**os.environ, "TMPDIR": str(temporary)},
            stdout=out,
            stderr=err,
        )
    deadline = time.monotonic() + 30
    while len(list(marks.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(list(marks.iterdir())) == 2, "two workers should be running"
    assert len(list(temporary.iterdir())) == 2  # one folder per worker
    return process, marks, temporary


def processes(marks: Path) -> tuple[list[int], list[int]]:
    """The workers and their registered processes; the processes nobody registered."""
    known, unknown = [], []
    for mark in marks.iterdir():
        worker, registered, unregistered = map(int, mark.name.split("-"))
        known += [worker, registered]
        unknown.append(unregistered)
    return known, unknown


def wait_until_gone(pids: list[int], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while any(map(alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(map(alive, pids))


def kill_leftovers(pids: list[int]) -> None:
    """Whatever a failed test left running."""
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_every_worker_and_leaves_nothing_behind(tmp_path: Path, signum: int) -> None:
    process, marks, temporary = start_slow_cohort(tmp_path)
    known, unknown = processes(marks)
    try:
        process.send_signal(signum)
        process.wait(timeout=30)
        out, err = (tmp_path / "out").read_text(), (tmp_path / "err").read_text()
        assert process.returncode == 128 + signum and out == ""
        assert err.strip() == (
            f"verify: stopped by {signal.Signals(signum).name}: the running verifications were ended and "
            "their temporary folders removed"
        )
        assert wait_until_gone(known + unknown), "a worker or a process it started outlived the run"
        assert list(temporary.iterdir()) == []
    finally:
        kill_leftovers([process.pid, *known, *unknown])


def test_workers_clean_up_after_themselves_when_verify_is_killed(tmp_path: Path) -> None:
    """SIGKILL cannot be caught: the system tells the workers (Linux), which stop, kill the git
    processes they registered and empty their temporary folders."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the parent-death signal is Linux only")
    process, marks, temporary = start_slow_cohort(tmp_path)
    known, unknown = processes(marks)
    try:
        process.kill()
        process.wait(timeout=30)
        assert wait_until_gone(known), "a worker or a git process it registered outlived verify"
        deadline = time.monotonic() + 10
        while list(temporary.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert list(temporary.iterdir()) == []
    finally:
        # what nobody registered can outlive a SIGKILL of verify (README, Security)
        kill_leftovers([*known, *unknown])
