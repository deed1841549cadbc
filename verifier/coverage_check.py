"""Coverage totals: committed coverage data read without running anything, and the opt-in measurement
that runs the group's tests in a contained process.

Committed data. `coverage.xml` and `htmlcov/index.html` are read through `Repo.read` (size-capped, never
through a link that leaves the repository). A `.coverage` SQLite file is only read when it is a regular
file inside the repository (no link, named pipe or device), at most `MAX_COVERAGE_DATA_BYTES`, and only
from its bytes in memory (which settle data recorded on another machine) or a private copy, so SQLite
writes no journal into the group's folder. Coverage.py computes the total
with a configuration of its own: no `.coveragerc`, `setup.cfg`, `tox.ini` or `pyproject.toml` is read
(from the repository or the current folder), no `COVERAGE_*` variable counts, no plugin is imported. The
sources it analyses are private copies of the measured files, taken through `Repo.read`; a measured file
that is not in the repository (data recorded on another machine) means no total, and nothing outside
the repository is read.

Measurement (`--measure-coverage`, which runs the group's code). See `measure_coverage_total` and the
README for what is isolated and what is not.
"""

from __future__ import annotations

import contextlib
import io
import os
import posixpath
import re
import secrets
import shutil
import signal
import site
import sqlite3
import stat
import subprocess
import sys
import sysconfig
import tempfile
import threading
import venv
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .evidence import Location

if TYPE_CHECKING:
    from .repo import Repo

MAX_COVERAGE_DATA_BYTES = 20_000_000
MAX_MEASURED_FILES = 5_000
MAX_LINE_BITS_BYTES = 250_000  # recorded line numbers, 8 per byte: 2 million lines
MAX_ARCS = 2_000_000
DEFAULT_TEST_TIMEOUT = 600
REPORT_TIMEOUT = 120
OUTPUT_TAIL_BYTES = 64_000
MAX_COPY_BYTES = 1_000_000_000
RUN_MARKER = "MLOPS_VERIFIER_TEST_RUN"

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
# The scan for line-rate stops at the next tag, so a file of `<coverage` repeated is read once.
LINE_RATE = re.compile(r"<coverage[^<>]*\bline-rate=\"([\d.]+)\"")
HTML_TOTAL = re.compile(r"class=\"pc_cov\">\s*(\d+(?:\.\d+)?)%")
TOTAL_OUTPUT = re.compile(r"\A\s*(\d{1,3}(?:\.\d{1,6})?)\s*\Z")


# ----------------------------------------------------------------------------------- committed data


def coverage_data(repo: Repo) -> tuple[float, Location] | None:
    """Total coverage from committed coverage.xml, htmlcov/index.html or a .coverage data file."""
    for path in repo.glob("coverage.xml"):
        match = LINE_RATE.search(repo.read(path) or "")
        rate = _number(match.group(1)) if match else None
        if rate is not None and 0 <= rate <= 1:
            return rate * 100, Location(path, 1, f"line-rate {match.group(1)}")  # type: ignore[union-attr]
    for path in repo.glob("htmlcov/index.html"):
        match = HTML_TOTAL.search(repo.read(path) or "")
        if match:
            return float(match.group(1)), Location(path, None, f"{match.group(1)}%")
    for path in repo.glob(".coverage"):
        total = committed_total(repo, path)
        if total is not None:
            return total, Location(path, None, f"{total:.0f}%")
    return None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def committed_total(repo: Repo, path: str) -> float | None:
    """Total of a committed .coverage data file whose measured files are all in this repository; None
    (with a warning when the file itself is refused) otherwise. Never runs anything from the repository."""
    data = _regular_file_bytes(repo, path)
    if data is None or _recorded_elsewhere(repo, data):
        return None
    with tempfile.TemporaryDirectory(
        prefix="mlops-verifier-coverage-", ignore_cleanup_errors=True
    ) as scratch:
        folder = Path(scratch)
        copy = folder / "committed.coverage"
        copy.write_bytes(data)
        return _total(repo, copy, folder, lambda name: _recorded_here(repo, name))


def _regular_file_bytes(repo: Repo, path: str) -> bytes | None:
    """The bytes of `path` when it is a regular file inside the repository within the size cap."""
    full = repo.root / path
    try:
        parent = Path(os.path.realpath(full.parent))
        if parent != repo.root and repo.root not in parent.parents:
            repo.warn(f"{path}: in a folder that links outside the repository; coverage data not read")
            return None
        before = os.lstat(full)
        if stat.S_ISLNK(before.st_mode):
            repo.warn(
                f"{path}: a symbolic link; coverage data is only read from a regular file in the repository"
            )
            return None
        if not stat.S_ISREG(before.st_mode):
            repo.warn(f"{path}: not a regular file (a named pipe or a device); coverage data not read")
            return None
        if before.st_size > MAX_COVERAGE_DATA_BYTES:
            repo.warn(
                f"{path}: larger than {MAX_COVERAGE_DATA_BYTES // 1_000_000} MB; coverage data not read"
            )
            return None
        descriptor = os.open(full, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as handle:
            opened = os.fstat(handle.fileno())
            if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino) or not stat.S_ISREG(
                opened.st_mode
            ):
                repo.warn(f"{path}: changed while it was read; coverage data not read")
                return None
            data = handle.read(MAX_COVERAGE_DATA_BYTES + 1)
    except OSError as error:
        repo.warn(f"{path}: unreadable ({error.strerror or error}); coverage data not read")
        return None
    if len(data) > MAX_COVERAGE_DATA_BYTES:
        return None
    return data


def _recorded_elsewhere(repo: Repo, data: bytes) -> bool:
    """Whether the coverage data names a measured file that is no file of this repository (data recorded
    on another machine, the usual case for a committed `.coverage`): it then has no total (`_total`).

    Settled before the private copy is written and before coverage.py is imported: the bytes already read
    become an in-memory database (`sqlite3.Connection.deserialize`, Python 3.11+), so nothing is written
    and no file is opened again by name. Only a `file` table is read, at most `MAX_MEASURED_FILES` + 1
    rows of it. False whenever this cannot tell (an older Python, no SQLite database, a schema of another
    kind, a path that is no text): coverage.py's own reading decides then."""
    database = sqlite3.connect(":memory:")
    try:
        if not hasattr(database, "deserialize"):
            return False
        database.deserialize(data)
        tables = database.execute("select 1 from sqlite_master where type = 'table' and name = 'file'")
        if tables.fetchone() is None:
            return False
        rows = database.execute("select path from file limit ?", (MAX_MEASURED_FILES + 1,)).fetchall()
    except sqlite3.Error:
        return False
    finally:
        database.close()
    if not rows or len(rows) > MAX_MEASURED_FILES:
        return True  # no measured file, or more than are read: no total either way
    names = [name for (name,) in rows]
    if not all(isinstance(name, str) for name in names):
        return False
    return any((path := _recorded_here(repo, name)) is None or not repo.has(path) for name in names)


def _recorded_here(repo: Repo, name: str) -> str | None:
    """The repository path of a measured file recorded in this checkout (an absolute path below the
    repository root, or a relative one from `relative_files = true`); None for anything else."""
    root = str(repo.root)
    if name.startswith(root + os.sep):
        relative = name[len(root) + 1 :]
    elif os.path.isabs(name) or re.match(r"[A-Za-z]:[\\/]", name):
        return None
    else:
        relative = name
    relative = posixpath.normpath(relative.replace(os.sep, "/"))
    if relative.startswith(("../", "/")) or relative in (".", ".."):
        return None
    return relative


def _total(
    repo: Repo, data_file: Path, folder: Path, to_repository: Callable[[str], str | None]
) -> float | None:
    """Coverage.py's total for `data_file`, computed over private copies of the measured sources.

    `to_repository` maps each measured file name to its path in the repository; when any file does not
    map onto a readable, untruncated file of the repository (or was measured through a plug-in), there is
    no total: the data then describes other sources than the ones here."""
    if not _within_bounds(data_file):
        return None
    try:
        import coverage
        from coverage.config import CoverageConfig

        recorded = coverage.CoverageData(basename=str(data_file))
        recorded.read()
        measured = sorted(recorded.measured_files())
        if not measured or len(measured) > MAX_MEASURED_FILES:
            return None
        remapped = coverage.CoverageData(basename=str(folder / "remapped.coverage"))
        arcs = recorded.has_arcs()
        for name in measured:
            path = to_repository(name)
            if path is None or not repo.has(path) or recorded.file_tracer(name):
                return None
            text = repo.read(path)
            if text is None or path in repo.truncated:
                return None
            source = folder / "sources" / path
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_text(text, encoding="utf-8")
            if arcs:
                remapped.add_arcs({str(source): recorded.arcs(name) or []})
            else:
                remapped.add_lines({str(source): recorded.lines(name) or []})
        remapped.write()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cov = coverage.Coverage(data_file=str(folder / "remapped.coverage"), config_file=False)
            # A configuration of our own, built after the constructor read the environment: no plug-ins,
            # no COVERAGE_DEBUG, COVERAGE_FORCE_CONFIG or other settings from outside.
            config = CoverageConfig()
            config.from_args(data_file=str(folder / "remapped.coverage"))
            config.post_process()
            cov.config = config
            cov.load()
            return float(cov.report(file=io.StringIO(), ignore_errors=True))
    except Exception:
        return None


def _within_bounds(data_file: Path) -> bool:
    """The data decodes to at most MAX_LINE_BITS_BYTES of line numbers and MAX_ARCS arcs (a 20 MB file
    of set bits would decode to 160 million line numbers); a file that is no SQLite database passes, and
    fails in coverage.py's own reader."""
    try:
        database = sqlite3.connect(f"{data_file.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return True
    try:
        tables = {row[0] for row in database.execute("select name from sqlite_master where type = 'table'")}
        if "line_bits" in tables:
            (size,) = database.execute("select coalesce(sum(length(numbits)), 0) from line_bits").fetchone()
            if size > MAX_LINE_BITS_BYTES:
                return False
        if "arc" in tables:
            (count,) = database.execute("select count(*) from arc").fetchone()
            if count > MAX_ARCS:
                return False
        return True
    except sqlite3.Error:
        return True
    finally:
        database.close()


# ----------------------------------------------------------------------------------- measurement


@dataclass(frozen=True)
class SandboxedRun:
    """How one sandboxed command ended: its exit code (None when it was stopped at its time limit) and
    the last `OUTPUT_TAIL_BYTES` of its output."""

    returncode: int | None
    output: bytes

    @property
    def last_line(self) -> str:
        lines = self.output.decode("utf-8", errors="replace").strip().splitlines()
        return lines[-1][-200:] if lines else "no output"


def measure_coverage_total(repo: Repo, timeout: int = DEFAULT_TEST_TIMEOUT) -> float | None:
    """Run the group's tests under coverage and return the total; None (with a warning) on failure.

    This executes the group's code. What contains it:
    - a private copy of the repository's files (the group's folder is never written to) and a private
      temporary folder that is HOME, TMPDIR and every XDG_* folder, all deleted afterwards;
    - a scrubbed environment: PATH (the temporary interpreter first), locale and the folders above; no
      other variable of the grader's (tokens, credentials, proxies) is passed on;
    - a temporary virtual environment, never the verifier's own: the tests see the verifier's installed
      packages (pytest, coverage, the group's dependencies if the grader installed them) through a .pth
      file in the temporary environment's site-packages, which comes first and receives what the tests
      install or write into `site.getsitepackages()[0]`;
    - a new session: on the time limit, and after the tests end, the whole process group is killed, and
      so is every process that still carries this run's marker variable (a grandchild that left the
      group with setsid);
    - only the last `OUTPUT_TAIL_BYTES` of the output are kept;
    - where bubblewrap (`bwrap`) can start: the whole file system read-only, /tmp and the grader's home
      folder replaced by empty ones (the interpreter's folders are mounted back read-only), the private
      folder the only writable place, no network, and separate PID, IPC and UTS namespaces
      (`--unshare-all --die-with-parent --new-session`). Without it (a warning says so) the tests can
      read and write whatever the grader's account can, and open network connections.
    """
    with tempfile.TemporaryDirectory(prefix="mlops-verifier-tests-", ignore_cleanup_errors=True) as scratch:
        try:
            sandbox = _Sandbox.create(Path(scratch), repo)
        except (OSError, subprocess.SubprocessError) as error:
            repo.warn(f"--measure-coverage: could not prepare the tests' folder ({error})")
            return None
        if sandbox is None:
            return None
        if sandbox.bubblewrap is None:
            repo.warn(
                "--measure-coverage: bubblewrap (bwrap) is not available here, so the group's tests ran "
                "without a file-system and network sandbox (only a scrubbed environment, a temporary "
                "interpreter environment and a process group)"
            )
        data = sandbox.scratch / "coverage-data"
        tests = sandbox.run(
            [
                "-m",
                "coverage",
                "run",
                f"--data-file={data}",
                f"--include={sandbox.copy}{os.sep}*",
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
            ],
            timeout,
        )
        if tests.returncode is None:
            repo.warn(f"--measure-coverage: the group's tests were stopped after {timeout} s")
            return None
        # Exit code 1 is "some tests failed": the run still measured the code. Any other failure (an
        # import error from a missing dependency, a usage error, no tests) measured nothing worth comparing.
        if tests.returncode not in (0, 1):
            repo.warn(
                f"--measure-coverage: the group's tests did not run here (pytest exit {tests.returncode}: "
                f"{tests.last_line})"
            )
            return None
        report = sandbox.run(
            ["-m", "coverage", "report", f"--data-file={data}", "--format=total"],
            min(timeout, REPORT_TIMEOUT),
        )
        # the total is coverage's last line of output; warnings (merged into the output) come before it
        lines = report.output.decode("utf-8", errors="replace").splitlines()
        match = next((m for line in reversed(lines) if (m := TOTAL_OUTPUT.match(line))), None)
        if match is None:
            repo.warn(f"--measure-coverage: coverage gave no total ({report.last_line})")
            return None
        return float(match.group(1))


@dataclass
class _Sandbox:
    scratch: Path
    copy: Path
    home: Path
    temporary: Path
    python: Path
    environment: dict[str, str]
    bubblewrap: str | None

    @classmethod
    def create(cls, scratch: Path, repo: Repo) -> _Sandbox | None:
        copy, home, temporary = scratch / "repository", scratch / "home", scratch / "tmp"
        for folder in (copy, home, temporary):
            folder.mkdir(mode=0o700)
        if not _copy_repository(repo, copy):
            return None
        python = _temporary_interpreter(scratch / "venv")
        marker = secrets.token_hex(16)
        environment = {
            "PATH": os.pathsep.join([str(python.parent), os.environ.get("PATH", os.defpath)]),
            "HOME": str(home),
            "TMPDIR": str(temporary),
            "TMP": str(temporary),
            "TEMP": str(temporary),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_RUNTIME_DIR": str(temporary),
            "LC_ALL": "C.UTF-8",
            "LANG": "C.UTF-8",
            "VIRTUAL_ENV": str(scratch / "venv"),
            "PYTHONNOUSERSITE": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            RUN_MARKER: marker,
        }
        return cls(scratch, copy, home, temporary, python, environment, bubblewrap())

    def run(self, arguments: list[str], timeout: float) -> SandboxedRun:
        """The temporary interpreter with `arguments`, in the copy of the repository, contained."""
        command = [str(self.python), *arguments]
        if self.bubblewrap is not None:
            command = [*_bubblewrap_arguments(self.bubblewrap, self.scratch, self.copy), *command]
        return run_contained(command, self.copy, self.environment, timeout)


def run_contained(command: list[str], cwd: Path, environment: dict[str, str], timeout: float) -> SandboxedRun:
    """Run `command` in a new session with `environment`; kill its whole process group (and every process
    carrying the environment's run marker) when it ends or at `timeout`; keep the output's last bytes."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    tail = _OutputTail(process.stdout)  # type: ignore[arg-type]
    returncode: int | None
    try:
        returncode = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        returncode = None
    finally:
        _kill_group(process)
        process.wait()
        if RUN_MARKER in environment:
            _kill_marked(environment[RUN_MARKER])
        tail.join(timeout=5)
    return SandboxedRun(returncode, tail.bytes())


class _OutputTail(threading.Thread):
    """Reads a pipe to its end, keeping only the last OUTPUT_TAIL_BYTES in memory."""

    def __init__(self, pipe: io.BufferedReader) -> None:
        super().__init__(daemon=True)
        self.pipe = pipe
        self.kept = bytearray()
        self.lock = threading.Lock()
        self.start()

    def run(self) -> None:
        with self.pipe:
            while chunk := self.pipe.read1(OUTPUT_TAIL_BYTES):
                with self.lock:
                    self.kept += chunk
                    del self.kept[:-OUTPUT_TAIL_BYTES]

    def bytes(self) -> bytes:
        with self.lock:
            return bytes(self.kept)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass


def _kill_marked(marker: str, rounds: int = 3) -> None:
    """SIGKILL every process whose environment holds `RUN_MARKER=marker` (Linux /proc; elsewhere nothing)."""
    needle = f"{RUN_MARKER}={marker}".encode()
    for _ in range(rounds):
        found = [pid for pid in _process_ids() if needle in _environment_of(pid)]
        if not found:
            return
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def _process_ids() -> Iterator[int]:
    try:
        names = os.listdir("/proc")
    except OSError:
        return
    yield from (int(name) for name in names if name.isdigit() and int(name) != os.getpid())


def _environment_of(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return handle.read(1_000_000)
    except OSError:
        return b""


def _copy_repository(repo: Repo, target: Path) -> bool:
    """Copy the repository's listed files into `target`: regular files, and links that resolve to a regular
    file inside the repository (as that file's content); never a named pipe, a device or anything outside."""
    copied = 0
    folders: dict[str, bool] = {}
    for path in repo.files:
        source = repo.root / path
        folder = path.rpartition("/")[0]
        if folder not in folders:
            resolved_folder = Path(os.path.realpath(repo.root / folder))
            folders[folder] = resolved_folder == repo.root or repo.root in resolved_folder.parents
        if not folders[folder]:
            continue
        try:
            info = os.lstat(source)
            if stat.S_ISLNK(info.st_mode):
                resolved = Path(os.path.realpath(source))
                if repo.root not in resolved.parents:
                    continue
                info = os.stat(resolved)
                source = resolved
            if not stat.S_ISREG(info.st_mode):
                continue
            copied += info.st_size
            if copied > MAX_COPY_BYTES:
                repo.warn(
                    f"--measure-coverage: the repository holds more than {MAX_COPY_BYTES // 1_000_000_000} GB "
                    "of files; its tests were not run"
                )
                return False
            destination = target / path
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            os.chmod(destination, 0o755 if info.st_mode & 0o111 else 0o644)
        except OSError:
            continue
    return True


def _temporary_interpreter(folder: Path) -> Path:
    """A new virtual environment in `folder` (no pip) that sees the verifier's own installed packages
    after its own site-packages, through a .pth file; its python."""
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(folder)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(folder), "platbase": str(folder)}))
    lines = [f"import site; site.addsitedir({directory!r})\n" for directory in verifier_site_packages()]
    (purelib / "zz-mlops-verifier-packages.pth").write_text("".join(lines), encoding="utf-8")
    python = (
        folder / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")
    )
    return python


def verifier_site_packages() -> list[str]:
    """The folders the verifier's own interpreter imports installed packages from (its site-packages and,
    when enabled, the user's)."""
    folders = [folder for folder in site.getsitepackages() if os.path.isdir(folder)]
    user = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user and user in sys.path and os.path.isdir(user):
        folders.append(user)
    return list(dict.fromkeys(folders))


_BUBBLEWRAP_WORKS: dict[str, bool] = {}


def bubblewrap() -> str | None:
    """The `bwrap` on PATH when it can start a sandbox here (checked once per executable), else None."""
    found = shutil.which("bwrap")
    if found is None:
        return None
    if found not in _BUBBLEWRAP_WORKS:
        try:
            done = subprocess.run(
                [found, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev", "true"],
                capture_output=True,
                timeout=30,
                check=False,
            )
            _BUBBLEWRAP_WORKS[found] = done.returncode == 0
        except (OSError, subprocess.SubprocessError):
            _BUBBLEWRAP_WORKS[found] = False
    return found if _BUBBLEWRAP_WORKS[found] else None


def _bubblewrap_arguments(executable: str, scratch: Path, copy: Path) -> list[str]:
    """bwrap options: everything read-only, /tmp and the grader's home replaced by empty folders, the
    interpreter's folders mounted back read-only, `scratch` writable, every namespace unshared."""
    masked = ["/tmp"]
    home = os.path.expanduser("~")
    if home not in ("/", "") and os.path.isdir(home):
        masked.append(os.path.realpath(home))
    arguments = [executable, "--unshare-all", "--die-with-parent", "--new-session"]
    arguments += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for folder in masked:
        arguments += ["--tmpfs", folder]
    for folder in _interpreter_folders():
        if any(folder == mask or folder.startswith(mask.rstrip("/") + "/") for mask in masked):
            arguments += ["--ro-bind", folder, folder]
    arguments += ["--bind", str(scratch), str(scratch), "--chdir", str(copy), "--"]
    return arguments


def _interpreter_folders() -> list[str]:
    """Folders the temporary interpreter needs to start and import the verifier's packages."""
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *verifier_site_packages()}
    folders.add(str(Path(__file__).resolve().parent.parent))  # the verifier's own tree (editable installs)
    for executable in (sys.executable, getattr(sys, "_base_executable", sys.executable)):
        folders.add(os.path.dirname(os.path.realpath(executable)))
    resolved = {os.path.realpath(folder) for folder in folders if folder and os.path.isdir(folder)}
    # outermost first, and no folder inside another one already listed
    kept: list[str] = []
    for folder in sorted(resolved, key=len):
        if not any(folder.startswith(outer.rstrip("/") + "/") for outer in kept):
            kept.append(folder)
    return kept
