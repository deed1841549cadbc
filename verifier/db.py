"""The results database of a cohort run: one SQLite file, a row per verified state of a repository.

A row is keyed by the repository (as given, credentials redacted, plus a digest of the exact source), the
state verified (`cache.Snapshot.state`: the commit, and for a folder verified as it is its files' sizes and
times), the tool version, the rules version and the options that change a result (report, select, ignore,
coverage, untracked files). A re-run looks every source up first and verifies only what has no row; a
run stopped by Ctrl-C keeps every row written before it (each is committed as it arrives), so the next run
resumes where it stopped.

`rules_version()` is a digest of the source of every module that makes evidence or verdicts: each rule
class's module (built-in and third-party) and the package's modules other than those that only read
options or write outputs. Editing a rule (or the engine) makes every stored result stale; editing a
renderer does not.

A result is stored as its JSON object (credentials in URLs redacted, as in every output) with the few fields the JSON leaves derived (each item's evidence
message and tick marks), so that `verification_from_row` gives back a `Verification` that renders
exactly like the one verified. Failures whose reason is the repository's own (no readable report) are
stored too; time-outs, crashes and failed clones are not, and are tried again.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from . import __version__
from .answers import AnswerFinding
from .cache import DB_NAME
from .engine import ItemResult, Verdict, Verification
from .evidence import Evidence, Location, Status
from .redact import redact_url
from .registry import all_rules
from .report import ChecklistItem
from .sanitize import redact_data
from .views import Failure

STORAGE_VERSION = 1
# Modules of the package that never change a result: options, outputs, running and storing.
OUTPUT_ONLY_MODULES = frozenset(
    {
        "__init__",
        "__main__",
        "batch",
        "cache",
        "cli",
        "cohort",
        "config",
        "dashboard",
        "db",
        "exports",
        "groups",
        "html",
        "pytest_plugin",
        "render",
        "sarif",
        "style",
        "templates",
        "views",
    }
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    source_digest TEXT NOT NULL,
    state TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    options TEXT NOT NULL,
    repo TEXT NOT NULL,
    commit_sha TEXT,
    kind TEXT NOT NULL,
    result TEXT NOT NULL,
    seconds REAL NOT NULL,
    stored_at REAL NOT NULL,
    PRIMARY KEY (source_digest, state, tool_version, rules_version, options)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class DatabaseError(Exception):
    """The results database cannot be opened or written; the message is one line naming the file."""


@cache
def rules_version() -> str:
    """A 16-hex-digit digest of the package version and the source of every module that makes evidence or
    verdicts (see the module docstring)."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.glob("*.py")):
        if path.stem not in OUTPUT_ONLY_MODULES:
            digest.update(path.name.encode() + b"\x00" + path.read_bytes())
    modules = {rule.__module__: rule for rule in all_rules()}
    for name in sorted(modules):
        try:
            source = inspect.getsource(inspect.getmodule(modules[name]))  # type: ignore[arg-type]
        except (OSError, TypeError):
            source = name
        digest.update(name.encode() + b"\x00" + source.encode("utf-8", errors="surrogateescape"))
    return digest.hexdigest()[:16]


def options_key(options: Mapping[str, Any]) -> str:
    """The options that change a result, as one canonical string."""
    return json.dumps(options, sort_keys=True, default=str)


def source_digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", errors="surrogateescape")).hexdigest()


@dataclass(frozen=True)
class StoredResult:
    """A row read back: the entry, how long its verification took, and when it was stored."""

    entry: Verification | Failure
    seconds: float
    stored_at: float


class ResultsDB:
    """The SQLite file at `path` (made with its folder when missing). One writer (the process that runs the
    cohort); every row is committed as it is written."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(self.path, timeout=30)
            self._connection.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL never corrupts the file; a power cut may lose the last rows, which
            # the next run verifies again. It spares an fsync per stored result.
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.executescript(_SCHEMA)
            self._connection.execute(
                "INSERT OR IGNORE INTO meta VALUES ('storage_version', ?)", (str(STORAGE_VERSION),)
            )
            self._connection.commit()
        except (sqlite3.Error, OSError) as error:
            raise DatabaseError(f"{self.path}: cannot use the results database ({error})") from None

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> ResultsDB:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, source: str, state: str, options: str) -> StoredResult | None:
        """The stored result of `source` in `state` with `options` by this tool and rules version."""
        row = self._connection.execute(
            "SELECT result, seconds, stored_at FROM results WHERE source_digest=? AND state=? AND "
            "tool_version=? AND rules_version=? AND options=?",
            (source_digest(source), state, __version__, rules_version(), options),
        ).fetchone()
        if row is None:
            return None
        try:
            entry = entry_from_row(json.loads(row[0]))
        except (ValueError, KeyError, TypeError):
            return None  # a row this version cannot read is verified again
        return StoredResult(entry, float(row[1]), float(row[2]))

    def put(
        self, source: str, state: str, options: str, entry: Verification | Failure, seconds: float
    ) -> None:
        """Store (or replace) the result of `source` in `state` with `options`; committed at once."""
        commit = entry.commit if isinstance(entry, Verification) else None
        try:
            self._connection.execute(
                "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    source_digest(source),
                    state,
                    __version__,
                    rules_version(),
                    options,
                    redact_url(source),
                    commit,
                    "result" if isinstance(entry, Verification) else "failure",
                    json.dumps(redact_data(entry_to_row(entry)), ensure_ascii=False),
                    seconds,
                    time.time(),
                ),
            )
            self._connection.commit()
        except sqlite3.Error as error:
            raise DatabaseError(f"{self.path}: cannot store a result ({error})") from None

    def count(self) -> int:
        return int(self._connection.execute("SELECT COUNT(*) FROM results").fetchone()[0])


def entry_to_row(entry: Verification | Failure) -> dict[str, Any]:
    """The stored form of an entry: its JSON object, plus what the JSON leaves derived."""
    data = entry.to_dict()
    if isinstance(entry, Verification):
        for item_data, item in zip(data["items"], entry.items, strict=True):
            item_data["stored"] = {
                "evidence_message": item.evidence.message if item.evidence else None,
                "match_score": item.match_score,
            }
    return data


def entry_from_row(data: Mapping[str, Any]) -> Verification | Failure:
    """The entry `entry_to_row` stored (a `Failure` when the row has an `error`)."""
    if "error" in data:
        return Failure(str(data["repo"]), str(data["error"]))
    result = Verification(
        repo=str(data["repo"]),
        report_path=str(data["report"]),
        commit=data.get("commit"),
        items=[_item(item) for item in data["items"]],
        answers=[_answer(answer) for answer in data["answers"]],
        warnings=[str(warning) for warning in data["warnings"]],
        checklist_source=data.get("checklist_source"),
        project=str(data.get("project") or ""),
    )
    return result


def _locations(values: Iterable[Mapping[str, Any]]) -> tuple[Location, ...]:
    return tuple(Location(str(v["path"]), v.get("line"), str(v.get("snippet", ""))) for v in values)


def _item(data: Mapping[str, Any]) -> ItemResult:
    stored = data.get("stored") or {}
    checklist_item = ChecklistItem(
        line=int(data["line"]),
        section=str(data["section"]),
        text=str(data["text"]),
        mark=str(data.get("mark", "")),
        ticked=bool(data["ticked"]),
        modules=tuple(data.get("modules", ())),
        remark=str(data.get("remark", "")),
        partial=bool(data.get("partial", False)),
        withdrawn=bool(data.get("withdrawn", False)),
    )
    evidence = None
    if data.get("evidence") is not None:
        evidence = Evidence(
            Status(data["evidence"]),
            str(stored.get("evidence_message") or ""),
            _locations(data.get("locations", ())),
            tuple(data.get("looked_for", ())),
        )
    return ItemResult(
        checklist_item,
        data.get("rule"),
        evidence,
        Verdict(data.get("automatic_verdict") or data["verdict"]),  # stored before any override
        float(stored.get("match_score", 0.0)),
        skip_reason=data.get("skip_reason"),
    )


def _answer(data: Mapping[str, Any]) -> AnswerFinding:
    return AnswerFinding(
        question=data["question"],
        check=str(data["check"]),
        claim=str(data["claim"]),
        observed=str(data["observed"]),
        verdict=str(data["verdict"]),
        message=str(data["message"]),
        locations=_locations(data.get("locations", ())),
    )


__all__ = [
    "DB_NAME",
    "DatabaseError",
    "ResultsDB",
    "StoredResult",
    "entry_from_row",
    "entry_to_row",
    "options_key",
    "rules_version",
]
