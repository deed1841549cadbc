"""Where a group's report is: `reports/README.md` first, then the tracked Markdown files most like a report.

Groups move the report: `reports/readme.md`, `reports/reports.md`, `report/README.md`, the whole project in
a subfolder (`<folder>/reports/README.md`), the top-level `README.md`, `CHECKLIST.md`,
`checklist/checklist.md`, or a checklist and the answers in two files. `find_report` looks in this order:

1. `reports/README.md` (also when it is not committed yet). When it holds a checklist and answers, it is
   the report and nothing else is read; a part it holds (its checklist, its answers) is never replaced
   by another file's, only a missing part is looked for elsewhere.
2. Tracked Markdown files whose name or folder looks like a report (report, checklist, exam, a README at
   the top or in a report folder), at most `MAX_NAMED_CANDIDATES` of them, shallow paths first.
3. Only when these hold no checklist or no answers: every other tracked Markdown file, at most
   `MAX_OTHER_CANDIDATES` of them and `MAX_SCANNED_BYTES` in all.

Candidates are ranked by the course checklist items they hold (checkbox lines whose text matches a rule's
item text, `verifier.registry.match_item`) and by their `### Question N` answers. The checklist and the
answers may come from two files; a checklist found outside the answers' file must have at least one tick
(an untouched copy of the course's list is course material, not a claim). The copies the course ships to
every group (`.github/agents/`, `AGENTS.md`, `CLAUDE.md`, `docs/course/`, `dtu_mlops/`) are never a report.

Every read goes through the `Repo` view (no link out of the repository, no named pipe or device) with its
own cap, `MAX_REPORT_BYTES`; an explicit `--report FILE` outside the repository is the grader's choice and
is read with the same cap.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .repo import Repo
from .report import MIN_QUESTIONS_WITHOUT_CHECKLIST, Report, ReportError, parse_report, scan_report

DEFAULT_REPORT = "reports/README.md"
MAX_REPORT_BYTES = 5_000_000
MIN_QUESTIONS = 3
MAX_NAMED_CANDIDATES = 40
MAX_OTHER_CANDIDATES = 300
MAX_SCANNED_BYTES = 20_000_000
MARKDOWN = (".md", ".markdown")
REPORT_WORDS = re.compile(r"report|checklist|check_list|check-list|exam", re.IGNORECASE)
COURSE_COPIES = re.compile(
    r"^(\.github/(agents|prompts)/|AGENTS\.md$|CLAUDE\.md$|(.*/)?docs?/course/|(.*/)?dtu_mlops/)",
    re.IGNORECASE,
)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass
class Candidate:
    """One Markdown file read as a possible report: how many course items and answers it holds."""

    path: str
    report: Report | None
    course_items: int = 0
    ticked: int = 0
    questions: int = 0
    error: str = ""

    @property
    def has_checklist(self) -> bool:
        return self.report is not None and bool(self.report.checklist)


@dataclass
class Found:
    """The report as read: `path` holds the answers (and the checklist unless `checklist_path` is set)."""

    report: Report
    path: str
    checklist_path: str | None = None
    searched: list[str] = field(default_factory=list)


def read_bounded(repo: Repo, path: str, limit: int | None = None) -> bytes:
    """The first `limit` bytes of the repository file `path`, read through the repository view: never
    through a link that leaves the repository, never from a named pipe or a device.

    Raises `ReportError` (one line) when it cannot be read; the caller adds a warning when it was cut
    (the result is then `limit` + 1 bytes long)."""
    try:
        handle = repo._open(path)
    except OSError as error:
        raise ReportError(f"cannot read the report {path}: {error.strerror or error}") from None
    if handle is None:
        raise ReportError(f"{path} is a symbolic link pointing outside the repository; it was not read")
    return _read_handle(handle, path, limit)


def read_outside(path: Path, limit: int | None = None) -> bytes:
    """The first `limit` + 1 bytes of a file the grader named (`--report FILE`), wherever it is; never a
    named pipe or a device."""
    try:
        descriptor = os.open(path, os.O_RDONLY | _O_NONBLOCK)
        handle = os.fdopen(descriptor, "rb")
    except OSError as error:
        raise ReportError(f"cannot read the report {path}: {error.strerror or error}") from None
    return _read_handle(handle, str(path), limit)


def _read_handle(handle: BinaryIO, shown: str, limit: int | None) -> bytes:
    limit = MAX_REPORT_BYTES if limit is None else limit
    with handle:
        try:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ReportError(
                    f"{shown} is not a regular file (a named pipe, a device or a folder); not read"
                )
            return handle.read(limit + 1)
        except OSError as error:
            raise ReportError(f"cannot read the report {shown}: {error.strerror or error}") from None


def parse_bounded(data: bytes, shown: str, limit: int | None = None, *, whole: bool = True) -> Report:
    """Parse report bytes read with a cap of `limit`; a warning names a cut. `whole=False` scans (no error
    for a file without a checklist)."""
    limit = MAX_REPORT_BYTES if limit is None else limit
    cut = len(data) > limit
    data = data[:limit]
    if cut:
        # Never split a UTF-8 character: drop an incomplete last one.
        data = data[: len(data) - _incomplete_tail(data)]
    try:
        report = parse_report(data) if whole else scan_report(data)
    except ReportError as error:
        raise ReportError(f"{shown}: {error}") from None
    if cut:
        report.warnings.insert(
            0, f"{shown}: larger than {limit / 1e6:g} MB; only its first {limit / 1e6:g} MB were read"
        )
    return report


def _incomplete_tail(data: bytes) -> int:
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # the first byte of the last character
            needed = 2 if byte >= 0xC0 else 1
            needed = 3 if byte >= 0xE0 else needed
            needed = 4 if byte >= 0xF0 else needed
            return back if needed > back else 0
    return 0


@dataclass
class Prescan:
    """`reports/README.md` read and scanned while git lists the files (`Repo(..., while_listing=run)`):
    the scan fills a wait. `find_report` uses it only for bytes equal to what it then reads through the
    repository view, so the prescan never decides anything: it can only save the second scan.

    Read only where no link can lead out of the repository: `reports` a folder (no link) of the verified
    directory, the file opened without following a link, never a named pipe or a device, at most
    MAX_REPORT_BYTES + 1 bytes. Any failure leaves it empty: the view's read and scan then meet it and report
    it where they always do."""

    data: bytes | None = None
    report: Report | None = None

    def run(self, root: Path) -> None:
        """Read and scan the report of the verified directory `root`."""
        folder, _, name = DEFAULT_REPORT.rpartition("/")
        try:
            if not stat.S_ISDIR(os.lstat(root / folder).st_mode):
                return
            descriptor = os.open(root / folder / name, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK)
            data = _read_handle(os.fdopen(descriptor, "rb"), DEFAULT_REPORT, None)
            report = parse_bounded(data, DEFAULT_REPORT, whole=False)
        except Exception:  # see the class docstring
            return
        self.data, self.report = data, report

    def take(self, data: bytes) -> Report | None:
        """The scan of `data` when the prescan read the same bytes (once: the report is the caller's now)."""
        report, self.report = self.report, None
        return report if report is not None and data == self.data else None


def _candidate(repo: Repo, path: str, budget: list[int], prescan: Prescan | None = None) -> Candidate:
    try:
        data = read_bounded(repo, path)
    except ReportError as error:
        return Candidate(path, None, error=str(error))
    budget[0] -= len(data)
    try:
        report = (prescan and prescan.take(data)) or parse_bounded(data, path, whole=False)
    except ReportError as error:
        return Candidate(path, None, error=str(error))
    ticked = sum(item.ticked for item in report.checklist)
    questions = len({answer.number for answer in report.answers})
    return Candidate(path, report, report.course_items, ticked, questions)


def _markdown(repo: Repo) -> list[str]:
    return [
        path
        for suffix in MARKDOWN
        for path in repo.paths_containing(suffix, ignore_case=True)
        if path.lower().endswith(suffix) and not COURSE_COPIES.match(path)
    ]


def _name_rank(path: str) -> tuple[int, int, str] | None:
    """How report-like a path is (lower first), or None for a name that is not."""
    parts = PurePosixPath(path.lower()).parts
    name, folders = parts[-1], parts[:-1]
    stem = name.rsplit(".", 1)[0]
    in_report_folder = any(REPORT_WORDS.search(folder) for folder in folders)
    if path.lower() == DEFAULT_REPORT.lower():
        rank = 0
    elif in_report_folder and stem == "readme":
        rank = 1
    elif in_report_folder or (REPORT_WORDS.search(stem) and len(folders) <= 1):
        rank = 2
    elif stem == "readme" and not folders:
        rank = 3
    elif REPORT_WORDS.search(stem):
        rank = 4
    elif stem == "readme" and len(folders) == 1:
        rank = 5
    else:
        return None
    return rank, len(folders), path


def _best(candidates: list[Candidate]) -> tuple[Candidate | None, Candidate | None]:
    """The candidate with the most course checklist items and the one with the most answers; the part
    that reports/README.md holds is always its own."""
    default = next((c for c in candidates if c.path == DEFAULT_REPORT), None)
    if default is not None and default.has_checklist and default.questions:
        return default, default
    # reports/README.md is the report's own place: a checklist there counts in any wording.
    with_checklist = [
        c for c in candidates if c.has_checklist and (c.course_items > 0 or c.path == DEFAULT_REPORT)
    ]
    checklist = max(
        with_checklist,
        key=lambda c: (c.course_items, c.path == DEFAULT_REPORT, c.questions, c.ticked, -candidates.index(c)),
        default=None,
    )
    with_answers = [
        c for c in candidates if c.questions >= (1 if c.path == DEFAULT_REPORT else MIN_QUESTIONS)
    ]
    answers = max(
        with_answers,
        key=lambda c: (c.questions, c is checklist, c.path == DEFAULT_REPORT, -candidates.index(c)),
        default=None,
    )
    if default is not None and default.has_checklist:
        checklist = default
    if default is not None and default.questions:
        answers = default
    if checklist is not None and answers is not None and checklist is not answers and checklist.ticked == 0:
        checklist = None  # an untouched course checklist beside the answers: course material
    return checklist, answers


def find_report(repo: Repo, prescan: Prescan | None = None) -> Found:
    """The report of the repository (see the module docstring). Raises `ReportError` (one line) naming what
    was searched when no tracked Markdown file holds a course checklist or course questions. `prescan`:
    `reports/README.md` as scanned while git listed the files (`Prescan`)."""
    searched: list[str] = []
    candidates: list[Candidate] = []
    budget = [MAX_SCANNED_BYTES]
    refused: list[str] = []
    if (
        repo.has(DEFAULT_REPORT)
        or (repo.root / DEFAULT_REPORT).exists()
        or os.path.islink(repo.root / DEFAULT_REPORT)
    ):
        default = _candidate(repo, DEFAULT_REPORT, budget, prescan)
        searched.append(DEFAULT_REPORT)
        if default.report is None:
            refused.append(default.error)
        elif not default.has_checklist and not default.questions:
            refused.append(_why_not_a_report(repo, DEFAULT_REPORT))
            candidates.append(default)
        else:
            candidates.append(default)
            if default.has_checklist and default.questions:
                return _found(default, default, searched, refused)
    markdown = _markdown(repo)
    named = sorted(rank for path in markdown if path != DEFAULT_REPORT and (rank := _name_rank(path)))
    for _, _, path in named[:MAX_NAMED_CANDIDATES]:
        candidates.append(_candidate(repo, path, budget))
        searched.append(path)
    checklist, answers = _best(candidates)
    if checklist is None or answers is None:
        seen = set(searched)
        others = sorted((p for p in markdown if p not in seen), key=lambda p: (p.count("/"), p))
        for path in others[:MAX_OTHER_CANDIDATES]:
            if budget[0] <= 0:
                break
            candidates.append(_candidate(repo, path, budget))
            searched.append(path)
        checklist, answers = _best(candidates)
    if checklist is None and (answers is None or answers.questions < MIN_QUESTIONS_WITHOUT_CHECKLIST):
        # Answers alone are a report only when they are many: an early course report, not a FAQ.
        raise ReportError(_nothing_found(repo, searched, refused))
    return _found(checklist, answers, searched, refused)


def _found(
    checklist: Candidate | None, answers: Candidate | None, searched: list[str], refused: list[str]
) -> Found:
    """Merge the checklist of one candidate and the answers of another into one report, with warnings."""
    main = answers or checklist
    assert main is not None and main.report is not None
    report = main.report
    checklist_path = None
    if checklist is not None and checklist is not main:
        assert checklist.report is not None
        report.checklist = checklist.report.checklist
        report.checklist_line = checklist.report.checklist_line
        report.course_items = checklist.report.course_items
        report.warnings = [f"{checklist.path}: {w}" for w in checklist.report.warnings] + [
            f"{main.path}: {w}" for w in report.warnings
        ]
        checklist_path = checklist.path
    elif checklist is None:
        report.checklist = []
        report.checklist_line = None
        report.course_items = 0
    report.source, report.checklist_source = main.path, checklist_path
    notes = []
    if main.path != DEFAULT_REPORT or checklist_path is not None:
        where = (
            f"the checklist from {checklist_path} and the answers from {main.path}"
            if checklist_path
            else main.path
        )
        if DEFAULT_REPORT not in searched:
            reason = "does not exist"
        elif refused:
            reason = f"was not read ({refused[0]})"
        elif main.path == DEFAULT_REPORT:
            reason = "has no course checklist"
        elif checklist_path == DEFAULT_REPORT:
            reason = "has no answers"
        else:
            reason = "holds neither a course checklist nor answers"
        notes.append(
            f"{DEFAULT_REPORT} {reason}: read {where} ({report.course_items} course checklist items, "
            f"{len(report.answers)} answers)"
        )
    if not report.checklist and report.answers:
        notes.append(
            "the report has no '## Overall project checklist' (the course template before 2023-01-06 had none), "
            "and no other tracked Markdown file holds one: only its answers are checked"
        )
    report.warnings = notes + report.warnings
    return Found(report, main.path, checklist_path, searched)


def _why_not_a_report(repo: Repo, path: str) -> str:
    """What the full parser says of a file that holds neither checklist items nor answers."""
    try:
        parse_bounded(read_bounded(repo, path), path)
    except ReportError as error:
        return str(error)
    return f"{path} holds no checklist items and no answers"


def _nothing_found(repo: Repo, searched: list[str], refused: list[str]) -> str:
    shown = ", ".join(searched[:4]) + (f" and {len(searched) - 4} more" if len(searched) > 4 else "")
    where = (
        f"searched {len(searched)} tracked Markdown files ({shown})"
        if searched
        else "the repository has no tracked Markdown file"
    )
    note = f" ({refused[0]})" if refused else ""
    return (
        f"no report at {DEFAULT_REPORT} in {repo.root}{note}: no tracked Markdown file holds a course checklist or "
        f"course questions; {where} (use --report FILE to point at it)"
    )


def load_explicit(repo: Repo, report: str | Path) -> tuple[Report, str]:
    """The report the user named: a path relative to the repository is its own file (read through the
    repository view), anything else a file of the grader's (read bounded)."""
    shown = str(report)
    relative = Path(report)
    if not relative.is_absolute() and (repo.root / relative).is_file():
        data = read_bounded(repo, relative.as_posix())
    else:
        if not relative.exists() and not relative.is_symlink():
            raise ReportError(f"report file not found: {report}")
        data = read_outside(relative)
    parsed = parse_bounded(data, shown)
    parsed.source = shown
    return parsed, shown
