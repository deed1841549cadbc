"""Run a function once per target, each run in its own worker process with a time and a memory budget.

One repository must never hang or crash a cohort run: a run that goes over its wall-time budget is
stopped, one that goes over its memory budget fails with a `MemoryError` in its own process, and one
that raises anything or whose process dies becomes an `Outcome` with a one-line error; every other
target's result is unaffected. `run_many` keeps at most `jobs` workers busy and yields the outcomes in
the order of the targets (or as they finish); `run_budgeted` is the same for one target.

Workers are forked where `fork` exists and is safe (Linux and other POSIX systems but macOS), so
starting one costs a few milliseconds and the function needs not be picklable; elsewhere they are
spawned (the function and the target must then be picklable, and the result always must be). The
memory budget is `RLIMIT_AS`, the address space of the worker (it includes the interpreter and the
imported libraries, and it is inherited by the worker's child processes); Windows has no such limit
and runs without one.

Each worker gets its own temporary folder (`TMPDIR` and `tempfile.tempdir` point into it), made and
always removed by the parent, so whatever a stopped worker leaves behind (a half-done clone) goes with
it. A worker is stopped with SIGTERM, which runs its clean-up (`finally` blocks, context managers, the
git process registry's `kill_all()`, its temporary folder emptied), and SIGKILL after `GRACE` seconds;
on Linux its descendants (found through /proc before it is stopped) are killed too, so nothing it
started outlives it. On Linux a worker also gets SIGTERM from the system when the parent dies, even by
SIGKILL, and then cleans up the same way.

While `run_many` runs, SIGTERM and SIGINT in the parent raise `Interrupted`: every worker is stopped as
above, every temporary folder removed, and the caller exits with `Interrupted.exit_code` (128 + signal).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from types import FrameType
from typing import Any, Generic, TypeVar

try:
    import resource
except ImportError:  # Windows: no RLIMIT_AS
    resource = None  # type: ignore[assignment]

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_TIMEOUT = 600.0
DEFAULT_MAX_MEMORY = 4096
GRACE = 2.0
MEMORY_LIMIT_SUPPORTED = resource is not None and hasattr(resource, "RLIMIT_AS")
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_PR_SET_PDEATHSIG = 1
_FOLDER_PREFIX = "mlops-verifier-worker-"
_MAX_ERROR_CHARS = 400


class Interrupted(BaseException):
    """SIGTERM or SIGINT reached the parent while workers ran; they are stopped and cleaned up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports a process ended by that signal (130 for Ctrl-C)."""
        return 128 + self.signum

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signum).name


class _Stopped(SystemExit):
    """Raised in a worker by SIGTERM or SIGINT, so that its clean-up runs before it exits."""


@dataclass(frozen=True)
class Outcome(Generic[R]):
    """What became of one target: its `value`, or an `error` line saying why there is none.

    `kind` is "ok"; "error" for an exception of one of the expected types (its message is meant for the
    user as it is); "timeout" or "memory" for a run over its budget; "crash" for any other exception, or
    a worker that died without an answer. `index` is the target's position in the targets given.
    """

    target: str
    value: R | None = None
    error: str | None = None
    kind: str = "ok"
    seconds: float = 0.0
    index: int = 0

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


@dataclass
class _Worker:
    index: int
    target: str
    process: Any
    connection: Connection
    folder: str
    started: float
    deadline: float


def start_method() -> str:
    """'fork' where it exists and is safe (not on macOS, whose system libraries break after a fork)."""
    methods = multiprocessing.get_all_start_methods()
    return "fork" if "fork" in methods and sys.platform != "darwin" else "spawn"


def run_budgeted(
    function: Callable[[T], R],
    target: T,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
    expected: tuple[type[BaseException], ...] = (),
    label: Callable[[T], str] = str,
) -> Outcome[R]:
    """`function(target)` in a worker process within `timeout` seconds and `max_memory` MB."""
    outcomes = run_many(
        function, [target], jobs=1, timeout=timeout, max_memory=max_memory, expected=expected, label=label
    )
    with closing(outcomes):
        return next(outcomes)


def run_many(
    function: Callable[[T], R],
    targets: Sequence[T],
    *,
    jobs: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
    expected: tuple[type[BaseException], ...] = (),
    label: Callable[[T], str] = str,
    ordered: bool = True,
) -> Iterator[Outcome[R]]:
    """`function(target)` for every target, at most `jobs` at once, each in its own worker process within
    `timeout` seconds (wall time from its start) and `max_memory` MB (None: no memory limit).

    Yields one Outcome per target, in the order of `targets`, or with `ordered=False` as each finishes
    (its `index` says which target it is: for a progress line, or to store it at once). Exceptions of the `expected` types keep
    their message as the error; any other failure is described ("the verification crashed: ValueError:
    ..."). Raises `Interrupted` on SIGTERM/SIGINT (handled only when called from the main thread), after
    every worker was stopped and every temporary folder removed.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, not {timeout}")
    context = multiprocessing.get_context(start_method())
    running: dict[int, _Worker] = {}
    frozen = start_method() == "fork" and gc.get_freeze_count() == 0
    if frozen:  # forked workers then neither scan nor copy the parent's objects in their collections
        gc.freeze()
    finished: dict[int, Outcome[R]] = {}
    queued = iter(range(len(targets)))
    next_to_yield = 0
    with _signals_raise_interrupted():
        try:
            while next_to_yield < len(targets):
                while len(running) < jobs:
                    index = next(queued, None)
                    if index is None:
                        break
                    target = targets[index]
                    with _signals_deferred():  # a started worker is always in `running`
                        running[index] = _start(
                            context, function, target, index, label(target), timeout, max_memory, expected
                        )
                if not ordered and finished:
                    yield finished.pop(min(finished))
                    next_to_yield += 1
                    continue
                if next_to_yield in finished:
                    yield finished.pop(next_to_yield)
                    next_to_yield += 1
                    continue
                _collect(running, finished, timeout, max_memory)
        finally:
            with _signals_ignored():
                _stop(list(running.values()))
                for worker in running.values():
                    _remove_worker_folder(worker.folder)
            if frozen:
                gc.unfreeze()


def _start(
    context: Any,
    function: Callable[[Any], Any],
    target: Any,
    index: int,
    name: str,
    timeout: float,
    max_memory: int | None,
    expected: tuple[type[BaseException], ...],
) -> _Worker:
    folder = tempfile.mkdtemp(prefix=_FOLDER_PREFIX)
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_work,
        args=(sender, function, target, max_memory, folder, expected, os.getpid()),
        name=f"mlops-verifier worker {index}",
    )
    try:
        process.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        sender.close()  # only the worker writes; the parent sees end-of-file when the worker is gone
    started = time.monotonic()
    return _Worker(index, name, process, receiver, folder, started, started + timeout)


def _collect(
    running: dict[int, _Worker], finished: dict[int, Outcome[Any]], timeout: float, max_memory: int | None
) -> None:
    """Wait for the next worker to answer, die or reach its deadline; move what ended to `finished`."""
    now = time.monotonic()
    soonest = min(worker.deadline for worker in running.values())
    handles: list[Any] = [w.connection for w in running.values()] + [
        w.process.sentinel for w in running.values()
    ]
    ready = set(wait(handles, timeout=max(0.0, soonest - now)))
    now = time.monotonic()
    for index, worker in list(running.items()):
        if worker.connection in ready or worker.process.sentinel in ready:
            outcome = _answer(worker, max_memory)
        elif now >= worker.deadline:
            _stop([worker])
            outcome = Outcome(
                worker.target,
                error=f"over its time budget of {timeout:g} s",
                kind="timeout",
                seconds=now - worker.started,
            )
        else:
            continue
        _remove_worker_folder(worker.folder)
        worker.connection.close()
        del running[index]
        finished[index] = replace(outcome, index=index)


def _answer(worker: _Worker, max_memory: int | None) -> Outcome[Any]:
    """The outcome of a worker that sent its answer or ended."""
    message: tuple[str, Any] | None = None
    try:
        if worker.connection.poll():
            message = worker.connection.recv()
    except (EOFError, OSError):
        message = None
    except Exception as error:  # an answer that cannot be unpickled
        message = ("crash", f"its result could not be read: {_one_line(error)}")
    worker.process.join(GRACE)
    if worker.process.is_alive():
        _stop([worker])
    seconds = time.monotonic() - worker.started
    if message is None:
        return Outcome(worker.target, error=_death(worker.process.exitcode), kind="crash", seconds=seconds)
    kind, payload = message
    if kind == "ok":
        return Outcome(worker.target, value=payload, seconds=seconds)
    if kind == "memory":
        return Outcome(
            worker.target, error=f"over its memory budget of {max_memory} MB", kind="memory", seconds=seconds
        )
    if kind == "crash":
        payload = f"the verification crashed: {payload}"
    return Outcome(worker.target, error=payload, kind=kind, seconds=seconds)


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        how = f"was killed by {_signal_name(-exitcode)}"
        if -exitcode == getattr(signal, "SIGKILL", None):
            how += " (the system may have run out of memory)"
    elif exitcode is not None and exitcode > 128 and _signal_name(exitcode - 128) != str(exitcode - 128):
        how = f"was stopped by {_signal_name(exitcode - 128)}"
    else:
        how = f"ended with exit code {exitcode} without an answer"
    return f"the verification crashed: its worker process {how}"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _stop(workers: Sequence[_Worker]) -> None:
    """SIGTERM to every live worker (its clean-up runs), SIGKILL to those still alive after GRACE seconds,
    then SIGKILL to every process they had started that is still alive."""
    live = [worker for worker in workers if worker.process.is_alive()]
    if not live:
        for worker in workers:
            worker.process.join(0)
        return
    descendants = [process for worker in live for process in _descendants(worker.process.pid)]
    for worker in live:
        worker.process.terminate()
    deadline = time.monotonic() + GRACE
    for worker in live:
        worker.process.join(max(0.0, deadline - time.monotonic()))
    for worker in live:
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(GRACE)
    _kill_if_same(descendants)


def _descendants(pid: int) -> list[tuple[int, str]]:
    """Every process below `pid` with its start time (to recognise it later), read from /proc; empty where
    there is no /proc."""
    children: dict[int, list[int]] = {}
    started: dict[int, str] = {}
    try:
        entries = [name for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []
    for name in entries:
        stat = _stat_fields(int(name))
        if stat is not None:
            children.setdefault(int(stat[1]), []).append(int(name))
            started[int(name)] = stat[19]
    found: list[tuple[int, str]] = []
    stack = list(children.get(pid, ()))
    while stack:
        child = stack.pop()
        found.append((child, started[child]))
        stack += children.get(child, ())
    return found


def _stat_fields(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/PID/stat (state, ppid, ...; the command name, which may hold spaces, cut off)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields if len(fields) > 19 else None


def _kill_if_same(processes: Sequence[tuple[int, str]]) -> None:
    for pid, started in processes:
        stat = _stat_fields(pid)
        if stat is not None and stat[19] == started and stat[0] != "Z":
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def _work(
    connection: Connection,
    function: Callable[[Any], Any],
    target: Any,
    max_memory: int | None,
    folder: str,
    expected: tuple[type[BaseException], ...],
    parent: int,
) -> None:
    """The worker: run `function(target)` and send back ("ok", value) or (kind, one-line error); always
    kill its git processes and empty its temporary folder before it ends."""
    for signum in _STOP_SIGNALS:
        signal.signal(signum, _raise_stopped)
    if hasattr(signal, "pthread_sigmask"):  # the parent deferred them while it started this worker
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    for name in ("TMPDIR", "TEMP", "TMP"):
        os.environ[name] = folder
    tempfile.tempdir = folder
    message: tuple[str, Any]
    try:
        try:
            _stop_with(parent)
            _limit_memory(max_memory)
            message = ("ok", function(target))
        except _Stopped:
            raise
        except MemoryError:
            message = ("memory", None)
        except expected as error:
            message = ("error", _one_line(error, with_type=False))
        except BaseException as error:
            message = ("crash", _one_line(error))
        finally:
            _kill_git_processes()
        try:
            connection.send(message)
        except OSError:  # the parent is gone: nobody to answer
            pass
        except MemoryError:
            connection.send(("memory", None))
        except Exception as error:  # a result that cannot be pickled
            connection.send(("crash", f"its result could not be sent back: {_one_line(error)}"))
    finally:
        connection.close()
        _remove_worker_folder(folder)


def _remove_worker_folder(folder: str) -> None:
    """Remove a worker's temporary folder, and never anything else: only a folder `_start` made (its name
    says so) is removed, whatever path a caller passed."""
    if os.path.basename(folder).startswith(_FOLDER_PREFIX):
        shutil.rmtree(folder, ignore_errors=True)


def _stop_with(parent: int) -> None:
    """On Linux, have the system send this worker SIGTERM when the `verify` process dies (even by
    SIGKILL), so its clean-up runs instead of it working on alone; stop now if that already happened."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        raise _Stopped(128 + signal.SIGTERM)


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise _Stopped(128 + signum)


def _limit_memory(megabytes: int | None) -> None:
    if megabytes is None or not MEMORY_LIMIT_SUPPORTED:
        return
    limit = megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with suppress(ValueError, OSError):  # a system that does not let a process lower it runs without
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _kill_git_processes() -> None:
    """Kill every git process group this worker started and that is still alive (verifier.gitsafe keeps
    the registry)."""
    from . import gitsafe

    gitsafe.kill_all()


def _one_line(error: BaseException, *, with_type: bool = True) -> str:
    text = " ".join(str(error).split())
    if with_type:
        text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return text if len(text) <= _MAX_ERROR_CHARS else text[: _MAX_ERROR_CHARS - 3] + "..."


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def _signals_raise_interrupted() -> Iterator[None]:
    """SIGTERM and SIGINT raise Interrupted inside the block (main thread only; elsewhere unchanged)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise_interrupted) for signum in _STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGTERM and SIGINT are held back until the block is done (POSIX; elsewhere unchanged)."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def _signals_ignored() -> Iterator[None]:
    """SIGTERM and SIGINT wait until the block is done (the clean-up is not cut short by a second signal)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in _STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
