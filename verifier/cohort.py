"""Grading a cohort: many repositories, as of a deadline, in parallel, cached, resumable.

    import verifier
    for graded in verifier.verify_many(verifier.read_groups("group_info.csv"), jobs=4,
                                       deadline="2026-01-23 23:59 Europe/Copenhagen", db="grades.sqlite"):
        print(graded.group, graded.commit, graded.commits_after, graded.score, graded.error)

`verify_many` works in three steps. It resolves every source first (threads: a URL is cloned into or
fetched in the clone cache, and the commit to verify is found, as of the deadline when one is given;
`verifier.cache`). It then looks each resolved state up in the results database (`verifier.db`) and
yields what is stored at once. What is left is verified in worker processes with their time and memory
budgets (`verifier.batch.run_many`), each result stored as it arrives and yielded as it finishes. Two
groups that hand in the same repository are verified once. One source that fails (a refused URL, a failed
clone, no commit before the deadline, no report, over its budget) is a `Failure` with its reason, and the
others go on.
"""

from __future__ import annotations

import copy
import os
import re
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from functools import partial
from pathlib import Path
from typing import Any

from . import gitsafe
from .batch import (
    DEFAULT_MAX_MEMORY,
    DEFAULT_TIMEOUT,
    Interrupted,
    _signals_raise_interrupted,
    run_many,
    start_method,
)
from .cache import CloneCache, Snapshot, SnapshotError, default_cache_folder, prepared, resolve
from .db import ResultsDB, options_key
from .engine import Verification, verify
from .groups import Target, as_targets
from .redact import redact_url
from .remote import RemoteError
from .report import ReportError
from .views import Failure
from .warmup import warm_up

EXPECTED_ERRORS = (ReportError, RemoteError, SnapshotError, NotADirectoryError, FileNotFoundError)
# Sources resolved at once at least: clones and fetches wait on the network, not on a core.
RESOLVERS = 8
_ZONE_NAME = re.compile(r"^(?:UTC|GMT|Z|[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+)$")


class DeadlineError(ValueError):
    """A deadline that cannot be read; the message says what is accepted."""


def parse_deadline(text: str) -> datetime:
    """A deadline with its time zone: `2026-01-23 23:59 Europe/Copenhagen` (an IANA zone name after the
    date and time), `2026-01-23 23:59 UTC`, or ISO 8601 with an offset (`2026-01-23T23:59+01:00`). A time
    without a zone is refused: a deadline read in the grader's own zone would move with the machine."""
    parts = text.strip().rsplit(None, 1)
    zone: tzinfo | None = None
    moment = text.strip()
    if len(parts) == 2 and _ZONE_NAME.match(parts[1]):
        moment, zone = parts[0], _zone(parts[1])
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00") if moment.endswith("Z") else moment)
    except ValueError:
        raise DeadlineError(
            f"cannot read the deadline {text!r}: give a date and time and a time zone, e.g. "
            "'2026-01-23 23:59 Europe/Copenhagen' or '2026-01-23T23:59+01:00'"
        ) from None
    if zone is not None:
        if parsed.tzinfo is not None:
            raise DeadlineError(f"the deadline {text!r} gives both an offset and a time zone; give one")
        parsed = parsed.replace(tzinfo=zone)
    if parsed.tzinfo is None:
        raise DeadlineError(
            f"the deadline {text!r} has no time zone: add one, e.g. '{moment} Europe/Copenhagen' or '{moment} UTC'"
        )
    return parsed


def _zone(name: str) -> tzinfo:
    if name in ("UTC", "GMT", "Z"):
        return timezone.utc
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    except ImportError as error:  # pragma: no cover - Python < 3.9
        raise DeadlineError(f"time zones need zoneinfo: {error}") from None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DeadlineError(
            f"unknown time zone {name!r} (an IANA name such as Europe/Copenhagen; "
            "on a system without a time zone database, pip install tzdata)"
        ) from None


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass
class CohortResult:
    """One source of a cohort run: what it was (`target`: source, group, students), its place in the
    sources given (`index`), and its `entry`: the `Verification`, or a `Failure` with the reason.

    `commit` is the commit verified (None for a folder without history or a failure before one was
    found); with a deadline, `commits_after` counts the commits of the branch that came after it and
    `deadline_warnings` say when author and committer dates disagree across the deadline. `cached`: the
    result came from the results database; `seconds`: how long its verification took (when stored)."""

    target: Target
    index: int
    entry: Verification | Failure
    commit: str | None = None
    branch: str | None = None
    deadline: datetime | None = None
    commits_after: int | None = None
    deadline_warnings: tuple[str, ...] = ()
    cached: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return isinstance(self.entry, Verification)

    @property
    def source(self) -> str:
        return self.target.source

    @property
    def group(self) -> str | None:
        return self.target.group

    @property
    def students(self) -> tuple[str, ...]:
        return self.target.students

    @property
    def score(self) -> float | None:
        return self.entry.score if isinstance(self.entry, Verification) else None

    @property
    def honesty(self) -> float | None:
        return self.entry.honesty if isinstance(self.entry, Verification) else None

    @property
    def error(self) -> str | None:
        return self.entry.error if isinstance(self.entry, Failure) else None

    def cohort_fields(self) -> dict[str, Any]:
        """What a cohort output adds to the per-repository JSON object (`$defs/cohort` of the schema)."""
        return {
            "group": self.group,
            "students": list(self.students),
            "source": self.source,
            "commit": self.commit,
            "branch": self.branch,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "commits_after_deadline": self.commits_after,
            "deadline_warnings": list(self.deadline_warnings),
            "cached": self.cached,
        }


@dataclass
class Progress:
    """How far a cohort run is: `total` sources, `done` verified (or read from the database), `failed`,
    and `cached` (of `done`); `line()` is the progress line."""

    total: int
    done: int = 0
    failed: int = 0
    cached: int = 0
    started: float = field(default_factory=time.monotonic)
    verifying_since: float | None = None
    verified: int = 0

    @property
    def finished(self) -> int:
        return self.done + self.failed

    def count(self, result: CohortResult) -> None:
        if not result.ok:
            self.failed += 1
        else:
            self.done += 1
        if result.cached:
            self.cached += 1
        elif self.verifying_since is not None:
            self.verified += 1

    def eta(self) -> float | None:
        """Seconds left at the pace of the verifications so far; None before the first one."""
        if self.verifying_since is None or not self.verified:
            return None
        pace = (time.monotonic() - self.verifying_since) / self.verified
        return pace * (self.total - self.finished)

    def line(self) -> str:
        eta = self.eta()
        left = f" · ETA {_duration(eta)}" if eta is not None and self.finished < self.total else ""
        phase = "" if self.verifying_since is not None or self.finished == self.total else " · resolving"
        return (
            f"[{self.finished}/{self.total}] done {self.done} · failed {self.failed} · cached {self.cached}"
            f"{phase}{left} · {_duration(time.monotonic() - self.started)} elapsed"
        )


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


@dataclass(frozen=True)
class _Job:
    report: str | None
    select: tuple[str, ...] | None
    ignore: tuple[tuple[str, str], ...]
    measure_coverage: bool
    include_untracked: bool
    timeout: float

    def options(self) -> str:
        return options_key(
            {
                "report": self.report,
                "select": list(self.select) if self.select is not None else None,
                "ignore": [list(pair) for pair in self.ignore],
                "measure_coverage": self.measure_coverage,
                "include_untracked": self.include_untracked,
            }
        )


def _verify_snapshot(snapshot: Snapshot, job: _Job) -> Verification | Failure:
    """Runs in a worker: verify the snapshot's folder. A report that cannot be read is the repository's own
    state, so it is answered as a Failure value (stored like a result); other errors are raised."""
    with prepared(snapshot, timeout=job.timeout) as path:
        try:
            result = verify(
                path,
                report=job.report,
                select=list(job.select) if job.select is not None else None,
                ignore=dict(job.ignore),
                measure_coverage=job.measure_coverage,
                include_untracked=job.include_untracked,
            )
        except ReportError as error:
            return Failure(snapshot.source, " ".join(str(error).split()))
        result.repo = snapshot.source
        return result


def verify_many(
    sources: Iterable[str | Target],
    *,
    jobs: int | None = None,
    deadline: datetime | str | None = None,
    db: str | Path | ResultsDB | None = None,
    cache: str | Path | None = None,
    report: str | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_memory: int | None = DEFAULT_MAX_MEMORY,
    measure_coverage: bool = False,
    include_untracked: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> Iterator[CohortResult]:
    """Verify every source (a path, a git URL, or a `Target` of `read_groups`) and yield a `CohortResult`
    for each as it is ready: stored results first, then verifications as they finish (`index` gives the
    place in `sources`; sort by it for the order given).

    `jobs` worker processes at once (default: the number of cores); `deadline` (a datetime with a time
    zone, or text for `parse_deadline`) verifies each repository at the last commit of its default branch
    at or before it by committer date; `db` (a path or an open `ResultsDB`) stores every result and reuses
    those of the same repository state, tool, rules and options; `cache` is the folder of kept clones
    (default `~/.cache/mlops-verifier/clones`). `timeout` (seconds) bounds each clone or fetch and each
    verification, `max_memory` (MB) each verification. `progress` is called with the `Progress` after
    every result. The other options are those of `verifier.verify`.

    Raises `Interrupted` on SIGTERM or Ctrl-C (every worker and git process is stopped; every result yielded
    so far is stored), `DeadlineError` for a deadline that cannot be read, `DatabaseError` when the
    database cannot be opened. Nothing else a source does stops the run.
    """
    targets = as_targets(sources)
    when = parse_deadline(deadline) if isinstance(deadline, str) else deadline
    if when is not None and when.tzinfo is None:
        raise DeadlineError("the deadline has no time zone")
    reasons = dict(ignore) if isinstance(ignore, Mapping) else dict.fromkeys(ignore or (), "")
    job = _Job(
        report,
        tuple(select) if select is not None else None,
        tuple(sorted(reasons.items())),
        measure_coverage,
        include_untracked,
        timeout,
    )
    database = ResultsDB(db) if isinstance(db, (str, Path)) else db
    try:
        yield from _run(
            targets,
            job,
            when,
            database,
            CloneCache(cache or default_cache_folder()),
            jobs,
            max_memory,
            progress,
        )
    finally:
        if database is not None and database is not db:
            database.close()


def _run(
    targets: list[Target],
    job: _Job,
    deadline: datetime | None,
    database: ResultsDB | None,
    cache: CloneCache,
    jobs: int | None,
    max_memory: int | None,
    report_progress: Callable[[Progress], None] | None,
) -> Iterator[CohortResult]:
    state = Progress(len(targets))

    def emit(result: CohortResult) -> CohortResult:
        state.count(result)
        if report_progress is not None:
            report_progress(state)
        return result

    if report_progress is not None:
        report_progress(state)
    snapshots: dict[int, Snapshot] = {}
    for index, target in enumerate(targets):
        if target.error is not None:
            yield emit(CohortResult(target, index, Failure(_name(target), target.error), deadline=deadline))
    pending = [index for index, target in enumerate(targets) if target.error is None]
    resolved, failures = _resolve_all(targets, pending, deadline, cache, job, jobs)
    for index, reason in failures.items():
        yield emit(
            CohortResult(targets[index], index, Failure(_name(targets[index]), reason), deadline=deadline)
        )
    snapshots.update(resolved)
    options = job.options()
    to_verify: dict[tuple[str, str], list[int]] = {}
    for index in sorted(snapshots):
        snapshot = snapshots[index]
        stored = (
            database.get(snapshot.source, snapshot.state, options)
            if database is not None and snapshot.state is not None
            else None
        )
        if stored is not None:
            yield emit(_result(targets[index], index, snapshot, deadline, stored.entry, True, stored.seconds))
            continue
        key = (
            (snapshot.source, snapshot.state)
            if snapshot.state is not None
            else (snapshot.source, f"#{index}")
        )
        to_verify.setdefault(key, []).append(index)
    if not to_verify:
        return
    groups = list(to_verify.values())
    if len(groups) > 1 and start_method() == "fork":
        warm_up()
    state.verifying_since = time.monotonic()
    outcomes = run_many(
        partial(_verify_snapshot, job=job),
        [snapshots[indexes[0]] for indexes in groups],
        jobs=jobs or default_jobs(),
        timeout=job.timeout,
        max_memory=max_memory,
        expected=EXPECTED_ERRORS,
        label=lambda snapshot: redact_url(snapshot.source),
        ordered=False,
    )
    try:
        for outcome in outcomes:
            indexes = groups[outcome.index]
            snapshot = snapshots[indexes[0]]
            entry: Verification | Failure
            if outcome.value is not None:
                entry = outcome.value
                if database is not None and snapshot.state is not None:
                    database.put(snapshot.source, snapshot.state, options, entry, outcome.seconds)
            else:
                error = outcome.error or "no result"
                source = redact_url(snapshot.source)
                entry = Failure(snapshot.source, error if source in error else f"{source}: {error}")
            for number, index in enumerate(indexes):
                shared = entry if number == 0 else copy.deepcopy(entry)
                yield emit(_result(targets[index], index, snapshot, deadline, shared, False, outcome.seconds))
    finally:
        outcomes.close()


def _name(target: Target) -> str:
    return target.source or target.label


def _result(
    target: Target,
    index: int,
    snapshot: Snapshot,
    deadline: datetime | None,
    entry: Verification | Failure,
    cached: bool,
    seconds: float,
) -> CohortResult:
    if isinstance(entry, Verification):
        entry.repo = target.source
        if deadline is not None and snapshot.commit:
            after = snapshot.commits_after or 0
            entry.warnings[:0] = [
                f"verified as of the deadline {_when(deadline)}: commit {snapshot.commit[:10]}, the last on "
                f"{snapshot.branch or 'its branch'} at or before it by committer date; "
                f"{after} commit{'' if after == 1 else 's'} came after it",
                *snapshot.deadline_warnings,
            ]
    elif isinstance(entry, Failure) and entry.repo != target.source:
        entry = Failure(target.source or entry.repo, entry.error)
    return CohortResult(
        target,
        index,
        entry,
        snapshot.commit,
        snapshot.branch,
        deadline,
        snapshot.commits_after,
        snapshot.deadline_warnings,
        cached,
        seconds,
    )


def _when(deadline: datetime) -> str:
    zone = getattr(deadline.tzinfo, "key", None) or deadline.strftime("%z")
    return f"{deadline.strftime('%Y-%m-%d %H:%M')} {zone}"


def _resolve_all(
    targets: Sequence[Target],
    pending: list[int],
    deadline: datetime | None,
    cache: CloneCache,
    job: _Job,
    jobs: int | None,
) -> tuple[dict[int, Snapshot], dict[int, str]]:
    """The snapshot of every pending target, or its one-line reason; each distinct source resolved once,
    several at a time (clones and fetches wait on the network, not on a core)."""
    by_source: dict[str, list[int]] = {}
    for index in pending:
        by_source.setdefault(targets[index].source, []).append(index)
    resolved: dict[int, Snapshot] = {}
    failures: dict[int, str] = {}
    if not by_source:
        return resolved, failures
    workers = min(len(by_source), max(RESOLVERS, 2 * (jobs or default_jobs())))
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mlops-verifier-resolve")
    try:
        with _signals_raise_interrupted():
            futures: dict[Future[Snapshot], str] = {
                executor.submit(
                    resolve,
                    source,
                    deadline=deadline,
                    cache=cache,
                    timeout=job.timeout,
                    include_untracked=job.include_untracked,
                ): source
                for source in by_source
            }
            for future in as_completed(futures):
                source = futures[future]
                try:
                    snapshot = future.result()
                except (SnapshotError, RemoteError, gitsafe.GitError, OSError) as error:
                    reason = " ".join(str(error).split()) or type(error).__name__
                    shown = redact_url(source)
                    for index in by_source[source]:
                        failures[index] = reason if shown in reason else f"{shown}: {reason}"
                    continue
                for index in by_source[source]:
                    resolved[index] = snapshot
    except KeyboardInterrupt:
        gitsafe.kill_all()
        raise Interrupted(signal.SIGINT) from None
    except BaseException:
        gitsafe.kill_all()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    return resolved, failures


__all__ = [
    "CohortResult",
    "DeadlineError",
    "Progress",
    "default_jobs",
    "parse_deadline",
    "verify_many",
]
