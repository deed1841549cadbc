"""Coverage never loads the group's code from committed data, and --measure-coverage contains what it runs.

Committed data: a `.coveragerc` plug-in is never imported (also from inside the repository as the
current folder, and whatever COVERAGE_* variables say), a `.coverage` that is a link or a named pipe is
refused, and no file outside the repository is ever read. Measurement: the group's tests run in a
temporary interpreter environment with a scrubbed environment, in a process group killed whole on the
time limit, with bounded output, and (where bubblewrap can start) with the file system read-only and no
network.
"""

from __future__ import annotations

import os
import shutil
import site
import socket
import sqlite3
import sys
import threading
import time
from pathlib import Path

import coverage
import pytest

from verifier import coverage_check
from verifier.answers import check_answers
from verifier.coverage_check import (
    OUTPUT_TAIL_BYTES,
    bubblewrap,
    committed_total,
    coverage_data,
    measure_coverage_total,
    run_contained,
)
from verifier.repo import Repo
from verifier.report import parse_report

from conftest import write_tree

SOURCE = "def add(a, b):\n    return a + b\n\n\ndef unused(x):\n    return x * 2\n"
PLUGIN = (
    "import pathlib\n"
    "pathlib.Path({marker!r}).write_text('plugin imported')\n"
    "def coverage_init(reg, options):\n"
    "    pass\n"
)
REPORT = (
    "# R\n\n## Overall project checklist\n\n* [x] Write unit tests (M16)\n\n"
    "### Question 8\n\n> Answer:\n\nOur total coverage is 75%.\n"
)


def _record(data_file: Path, files: dict[str, list[int]]) -> None:
    """Coverage data naming `files` (absolute paths, or relative ones when recorded with relative_files)."""
    data = coverage.CoverageData(basename=str(data_file))
    data.add_lines({name: lines for name, lines in files.items()})
    data.write()


def _group(tmp_path: Path, marker: Path) -> Path:
    """A repository with coverage data recorded in place and a .coveragerc naming a plug-in of its own."""
    root = write_tree(
        tmp_path / "group",
        {
            "src/calc.py": SOURCE,
            ".coveragerc": "[run]\nplugins = evilplugin\n[report]\nexclude_lines = add\n",
            "evilplugin.py": PLUGIN.format(marker=str(marker)),
            "reports/README.md": REPORT,
        },
    )
    _record(root / ".coverage", {str(root / "src" / "calc.py"): [1, 2, 5]})
    return root


# ------------------------------------------------------------------ committed data


def test_a_committed_coverage_plugin_is_never_loaded_from_inside_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "PLUGIN-IMPORTED"
    root = _group(tmp_path, marker)
    monkeypatch.chdir(root)
    monkeypatch.syspath_prepend(str(root))  # as `python -c` run from inside the repository has it
    for name in ("COVERAGE_RCFILE", "COVERAGE_FORCE_CONFIG"):
        monkeypatch.setenv(name, str(root / ".coveragerc"))
    monkeypatch.setenv("COVERAGE_FILE", str(tmp_path / "elsewhere.coverage"))
    repo = Repo(root)
    total, location = coverage_data(repo)  # type: ignore[misc]
    assert not marker.exists()
    assert "evilplugin" not in sys.modules
    # coverage.py's own total of the same data, with no configuration: 3 of 4 statements
    assert total == pytest.approx(75.0) and location.path == ".coverage"
    (finding,) = [f for f in check_answers(repo, parse_report(REPORT)) if f.check == "coverage"]
    assert finding.verdict == "consistent" and not marker.exists()


def test_reading_committed_data_writes_nothing_into_the_repository(tmp_path: Path) -> None:
    root = _group(tmp_path, tmp_path / "marker")
    before = sorted(path.name for path in root.rglob("*"))
    assert coverage_data(Repo(root)) is not None
    assert sorted(path.name for path in root.rglob("*")) == before  # no SQLite journal, no copy


def test_relative_file_names_are_read_as_repository_paths(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", {"src/calc.py": SOURCE})
    _record(root / ".coverage", {"src/calc.py": [1, 2]})
    assert committed_total(Repo(root), ".coverage") == pytest.approx(50.0)


def test_a_linked_coverage_file_to_another_project_gives_no_total_and_a_warning(tmp_path: Path) -> None:
    other = write_tree(tmp_path / "other", {"src/calc.py": SOURCE})
    _record(other / ".coverage", {str(other / "src" / "calc.py"): [1, 2, 5, 6]})
    root = write_tree(tmp_path / "group", {"src/calc.py": SOURCE})
    os.symlink(other / ".coverage", root / ".coverage")
    repo = Repo(root)
    assert committed_total(repo, ".coverage") is None
    assert any(".coverage: a symbolic link" in warning for warning in repo.warnings)
    # the same data as a regular file: recorded in another checkout, so no total either (and no warning)
    os.unlink(root / ".coverage")
    shutil.copyfile(other / ".coverage", root / ".coverage")
    plain = Repo(root)
    assert committed_total(plain, ".coverage") is None and not plain.warnings


def test_a_named_pipe_as_coverage_data_does_not_hang(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", {"src/calc.py": SOURCE})
    os.mkfifo(root / ".coverage")
    repo = Repo(root)
    start = time.perf_counter()
    assert committed_total(repo, ".coverage") is None
    assert coverage_data(repo) is None
    assert time.perf_counter() - start < 5
    assert any("not a regular file" in warning for warning in repo.warnings)


def test_a_measured_file_outside_the_repository_is_never_opened(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    os.mkfifo(outside)  # opening it to read would block: the test would not end
    root = write_tree(tmp_path / "group", {"src/calc.py": SOURCE})
    os.symlink(outside, root / "src" / "linked.py")
    cases = {
        "absolute path outside": {str(outside): [1]},
        "link inside that leaves": {str(root / "src" / "linked.py"): [1], str(root / "src" / "calc.py"): [1]},
        "climbing out": {"../outside.py": [1]},
    }
    for name, files in cases.items():
        (root / ".coverage").unlink(missing_ok=True)
        _record(root / ".coverage", files)
        results: list[float | None] = []
        worker = threading.Thread(target=_total_into, args=(root, results), daemon=True)
        worker.start()
        worker.join(timeout=10)
        assert results == [None], name


def _total_into(root: Path, results: list[float | None]) -> None:
    results.append(committed_total(Repo(root), ".coverage"))


def test_oversized_coverage_data_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path / "group", {"src/calc.py": SOURCE})
    _record(root / ".coverage", {str(root / "src" / "calc.py"): list(range(1, 7))})
    assert committed_total(Repo(root), ".coverage") == pytest.approx(100.0)
    monkeypatch.setattr(coverage_check, "MAX_LINE_BITS_BYTES", 0)
    assert committed_total(Repo(root), ".coverage") is None  # decodes to too many line numbers
    monkeypatch.setattr(coverage_check, "MAX_COVERAGE_DATA_BYTES", 100)
    repo = Repo(root)
    assert committed_total(repo, ".coverage") is None
    assert any("larger than" in warning for warning in repo.warnings)


def _refuse_the_copy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every call of `_total` (where the private copy is read and coverage.py is imported) and
    refuse the temporary folder the copy would be written to."""
    calls: list[str] = []

    def no_folder(*args: object, **kwargs: object) -> None:
        raise AssertionError("a temporary folder was made")

    def no_total(*args: object, **kwargs: object) -> None:
        calls.append("total")

    monkeypatch.setattr(coverage_check.tempfile, "TemporaryDirectory", no_folder)
    monkeypatch.setattr(coverage_check, "_total", no_total)
    return calls


@pytest.mark.skipif(
    not hasattr(sqlite3.Connection, "deserialize"), reason="Python < 3.11: the private copy decides"
)
def test_data_recorded_on_another_machine_gives_no_total_without_a_copy_or_coverage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "group", {"src/calc.py": SOURCE})
    cases = {
        "another checkout": {"/home/someone/project/src/calc.py": [1, 2]},
        "one file here, one elsewhere": {str(root / "src" / "calc.py"): [1], "C:\\project\\x.py": [1]},
        "a relative path not in the repository": {"src/gone.py": [1]},
        "no measured file": {},
    }
    calls = _refuse_the_copy(monkeypatch)
    for name, files in cases.items():
        (root / ".coverage").unlink(missing_ok=True)
        _record(root / ".coverage", files)
        before = sorted(path.name for path in root.rglob("*"))
        assert committed_total(Repo(root), ".coverage") is None, name
        assert sorted(path.name for path in root.rglob("*")) == before, name
    assert calls == []


def test_data_that_may_hold_a_total_is_still_read_by_coverage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "group", {"src/calc.py": SOURCE})
    _record(root / ".coverage", {str(root / "src" / "calc.py"): [1, 2]})
    assert committed_total(Repo(root), ".coverage") == pytest.approx(50.0)
    # what the in-memory reading cannot settle goes to coverage.py: no SQLite file, a `file` that is a view
    for data in (b"not a database" * 10, _with_file_as_view(tmp_path)):
        (root / ".coverage").write_bytes(data)
        monkeypatch.setattr(coverage_check, "_total", lambda *args: 12.5)
        assert committed_total(Repo(root), ".coverage") == 12.5
        monkeypatch.undo()


def _with_file_as_view(tmp_path: Path) -> bytes:
    made = tmp_path / "view.db"
    database = sqlite3.connect(made)
    database.executescript("create view file as select '/elsewhere/x.py' as path;")
    database.close()
    return made.read_bytes()


# ------------------------------------------------------------------ running the group's tests

needs_bubblewrap = pytest.mark.skipif(
    bubblewrap() is None, reason="bubblewrap (bwrap) is not installed or cannot start a sandbox here"
)


@pytest.fixture(params=["bubblewrap", "no bubblewrap"])
def sandbox(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each measurement test runs with bubblewrap and, with bwrap hidden from PATH, without it."""
    if request.param == "bubblewrap":
        if bubblewrap() is None:
            pytest.skip("bubblewrap (bwrap) is not installed or cannot start a sandbox here")
        return request.param
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("sleep", "sh", "env"):
        found = shutil.which(tool)
        if found:
            os.symlink(found, tools / tool)
    monkeypatch.setenv("PATH", str(tools))
    assert bubblewrap() is None
    return request.param


def _tested_group(tmp_path: Path, test: str) -> Repo:
    root = write_tree(
        tmp_path / "group",
        {
            "src/calc.py": SOURCE,
            "tests/test_calc.py": "import sys\nsys.path.insert(0, 'src')\nfrom calc import add\n\n\n"
            "def test_add():\n    assert add(1, 2) == 3\n",
            "tests/test_probe.py": test,
        },
    )
    return Repo(root)


def _processes_with(token: str) -> list[str]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\x00", b" ").decode()
        except OSError:
            continue
        if token in command:
            found.append(f"{pid}: {command}")
    return found


GRANDCHILDREN = """
import subprocess, time


def test_spawns_and_hangs():
    subprocess.Popen(["sleep", "1000.{token}1"])
    subprocess.Popen(["sleep", "1000.{token}2"], start_new_session=True)
    time.sleep(1000)
"""


def test_on_the_time_limit_the_tests_and_every_process_they_started_are_killed(
    tmp_path: Path, sandbox: str
) -> None:
    token = str(os.getpid()) + str(time.monotonic_ns() % 100_000)
    repo = _tested_group(tmp_path, GRANDCHILDREN.format(token=token))
    start = time.perf_counter()
    assert measure_coverage_total(repo, timeout=3) is None
    assert time.perf_counter() - start < 20
    assert any("stopped after 3 s" in warning for warning in repo.warnings)
    deadline = time.monotonic() + 5
    while _processes_with(f"1000.{token}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(f"1000.{token}") == []


ENVIRONMENT_PROBE = """
import os, site, sys, tempfile
from pathlib import Path

import pytest

ALLOWED = {{"PATH", "HOME", "TMPDIR", "TMP", "TEMP", "LC_ALL", "LANG", "VIRTUAL_ENV", "PYTHONNOUSERSITE",
           "PYTHONDONTWRITEBYTECODE", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
           "XDG_RUNTIME_DIR", "MLOPS_VERIFIER_TEST_RUN"}}


def check(condition, what):
    if not condition:  # an exit code the verifier reports as "did not run here", with this reason
        pytest.exit(f"PROBE FAILED: {{what}}", returncode=7)


def test_environment():
    check("GITHUB_TOKEN" not in os.environ, "the grader's token is visible")
    # set by pytest, coverage and bwrap themselves, not passed on from the grader
    extra = set(os.environ) - ALLOWED - {{"PYTEST_CURRENT_TEST", "PYTEST_VERSION", "COVERAGE_RUN", "PWD"}}
    check(not extra, f"unexpected variables {{sorted(extra)}}")
    check(os.environ["HOME"] != {real_home!r}, "HOME is the grader's")
    check(os.listdir(os.environ["HOME"]) == [], "HOME is not empty")
    check(tempfile.gettempdir() == os.environ["TMPDIR"], "temporary files go elsewhere")
    check(sys.prefix != {verifier_prefix!r}, "the tests run in the verifier's own environment")
    packages = site.getsitepackages()[0]
    check(packages not in {verifier_site!r}, "site-packages is the verifier's")
    Path(packages, "zz-planted.pth").write_text("import sys\\n")  # written into the temporary venv
    Path("written-by-the-tests.txt").write_text("relative writes go to the private copy")
"""


def test_the_tests_see_a_scrubbed_environment_and_a_temporary_interpreter(
    tmp_path: Path, sandbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_planted-by-the-test")
    probe = ENVIRONMENT_PROBE.format(
        real_home=os.path.expanduser("~"),
        verifier_prefix=sys.prefix,
        verifier_site=site.getsitepackages(),
    )
    repo = _tested_group(tmp_path, probe)
    before = {path: sorted(os.listdir(path)) for path in site.getsitepackages()}
    total = measure_coverage_total(repo, timeout=120)
    assert total is not None, repo.warnings
    assert not [warning for warning in repo.warnings if "did not run" in warning]
    assert {path: sorted(os.listdir(path)) for path in site.getsitepackages()} == before
    assert not (repo.root / "written-by-the-tests.txt").exists()
    if sandbox == "no bubblewrap":
        assert any("bubblewrap (bwrap) is not available" in warning for warning in repo.warnings)


OUTSIDE_PROBE = """
import socket
from pathlib import Path


def test_writes_outside_and_connects():
    for target in {targets!r}:
        try:
            Path(target).write_text("escaped")
        except OSError:
            pass
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=2).sendall(b"escaped")
    except OSError:
        pass
"""


@needs_bubblewrap
def test_with_bubblewrap_the_tests_cannot_write_outside_their_copy_or_reach_the_network(
    tmp_path: Path,
) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    port = server.getsockname()[1]
    outside = tmp_path / "outside"
    outside.mkdir()
    original = tmp_path / "group"
    targets = [
        str(outside / "marker"),
        str(original / "marker"),
        os.path.expanduser("~/.mlops-verifier-marker"),
    ]
    repo = _tested_group(tmp_path, OUTSIDE_PROBE.format(targets=targets, port=port))
    try:
        assert measure_coverage_total(repo, timeout=120) is not None, repo.warnings
        with pytest.raises(TimeoutError):
            server.accept()
    finally:
        server.close()
    assert [target for target in targets if Path(target).exists()] == []


def test_only_the_last_bytes_of_the_output_are_kept(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-c",
        "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 50_000)\nprint('last line')",
    ]
    done = run_contained(command, tmp_path, {"PATH": os.environ.get("PATH", "")}, timeout=60)
    assert done.returncode == 0
    assert len(done.output) == OUTPUT_TAIL_BYTES and done.last_line.endswith("last line")
