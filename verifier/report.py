"""Parse a group's exam report (`reports/README.md`): the checklist and the answers to the questions.

The parser reads what groups actually hand in: `* [x]`, `- [X]`, `+ [✓]` bullets, wrapped items,
module tags such as `(M2+M6)`, remarks after the tag, answers inside quote blocks, deleted hint
lines and `##` headings typed inside answers. It never raises anything but `ReportError`.

Whatever the text holds, the work is bounded and linear: at most MAX_REPORT_CHARS are read, every pattern
sees one line cut to MAX_LINE_CHARS (or an answer, with bounded repeats), items keep MAX_ITEM_CHARS and
join MAX_CONTINUATION_LINES wrapped lines, and a checklist keeps MAX_ITEMS items, a report MAX_ANSWERS.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

# Every pattern below runs on one line cut to MAX_LINE_CHARS (or on an answer, with bounded repeats and no two
# quantifiers that can match the same characters next to each other): time grows linearly with the text.
# "## Overall project checklist" and renamed forms: "## Checklist", "#### 📋 Project check list", "**Checklist**".
CHECKLIST_HEADING = re.compile(
    r"^\s{0,3}(?:#{1,4}|\*\*)[^\w\n]{0,20}(?:overall\s{1,3})?(?:project\s{1,3})?check\s?list\b", re.IGNORECASE
)
# CommonMark: a heading needs a space after its #s ("#12 closed by PR" is a paragraph). The closing #s are
# stripped in Python (`_heading_title`), not by the pattern.
HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*))?$")
WEEK_HEADING = re.compile(r"^(week\s{0,3}\d{1,3}|extra|additional)\b", re.IGNORECASE)
# A line that is bold and nothing else names a section too ("**Week 1**" under "## Project progress").
BOLD_LINE = re.compile(r"^\s{0,3}(\*\*|__)(?P<title>[^*_]{1,80})\1\s{0,3}:?\s{0,3}$")
# "* [x] ...", "1. [x] ...", "-[x] ...", and a box without a bullet ("[x] ...", marks of up to two characters).
BULLET = re.compile(
    r"^(?P<indent>\s*)(?:>\s*)?(?:(?:[-*+]|\d{1,3}[.)])\s*\[(?P<mark>[^\]]{0,4})\]|\[(?P<bare>[^\]^]{0,2})\](?=\s))"
    r"\s*(?P<text>.*)$"
)
TICK_EMOJI = "\u2705\u2714\u2713\u2611\U0001f7e2"  # ✅ ✔ ✓ ☑ 🟢
CROSS_EMOJI = "\u274c\u274e\u2716\u2717\u2718\u2b1c\u2610\U0001f532\U0001f534"  # ❌ ❎ ✖ ✗ ✘ ⬜ ☐ 🔲 🔴
PARTIAL_EMOJI = "\U0001f7e1\U0001f7e0\U0001f7e8\u26a0\U0001f6a7\u23f3\U0001f536"  # 🟡 🟠 🟨 ⚠ 🚧 ⏳ 🔶
# "1. ✅ Create a git repository (M5)", "- ❌ Deploy ...": a bullet or a number, a mark emoji, then the item.
EMOJI_ITEM = re.compile(
    rf"^(?P<indent>\s*)(?:>\s*)?(?:[-*+]|\d{{1,3}}[.)])\s+(?P<mark>[{TICK_EMOJI}{CROSS_EMOJI}{PARTIAL_EMOJI}])"
    r"[\ufe0e\ufe0f]?(?=\s)\s*(?P<text>\S.*)$"
)
OTHER_BULLET = re.compile(r"^\s*(?:>\s*)?(?:[-*+]|\d{1,9}[.)])\s+")
# One way to read every tag: after a separator, either "M" or the digits come next, never spaces that two
# quantifiers could share (the old `\s*M?\s?\d+` backtracked exponentially on "(M8 + 8 + 8 ...").
MODULE_TAG = re.compile(
    r"\(\s{0,3}(M\s?\d{1,3}(?:\s{0,3}(?:[+,/&]|and)\s{0,3}(?:M\s?)?\d{1,3}){0,12})\s{0,3}\)", re.IGNORECASE
)
MODULE_NUMBER = re.compile(r"\d{1,3}")
QUESTION_HEADING = re.compile(r"^\s{0,3}#{2,4}[\s*_]{0,12}(?:Question\s{0,3}|Q)(\d{1,3})\b", re.IGNORECASE)
LENGTH_HINT = re.compile(
    r"answer\s{1,5}length\s{0,5}(?::\s{0,5})?(\d{1,5})\s{0,5}(?:-|–|to)\s{0,5}(\d{1,5})", re.IGNORECASE
)
PLACEHOLDER = re.compile(
    r"(?<!-)-{2,}\s{0,5}question\s{0,5}\d{1,3}\s{0,5}fill\s{0,5}here\s{0,5}-{2,}", re.IGNORECASE
)
# Quote marks and indentation are one class, so the only ways to split the start of a line are linear.
ANSWER_MARKER = re.compile(r"^[\s>]*(?:[*_]{1,6}\s*)?answer\s*:\s*[*_]*\s*(?P<rest>.*)$", re.IGNORECASE)
# ![alt](path), ![alt](path "title") and ![alt](<path with spaces>). No part after "![" may hold "[", so the
# scans that start at successive "![" never overlap.
MARKDOWN_IMAGE = re.compile(
    r"!\[[^\[\]]{0,1000}\]\(\s{0,20}(?:<([^>\n\[]{1,2000})>|([^)\s\[]{1,2000}))"
    r"(?:\s{1,20}\"[^\"\[]{0,1000}\")?\s{0,20}\)"
)
HTML_IMAGE = re.compile(r"<img\b[^<>]{0,2000}\bsrc\s*=\s*[\"']([^\"'<>]{1,2000})[\"']", re.IGNORECASE)
# Every checklist line holds one of these: lines without any are skipped before the item patterns run.
BOX_HINT = re.compile(rf"[\[{TICK_EMOJI}{CROSS_EMOJI}{PARTIAL_EMOJI}]")
DASHED_REMARK = re.compile(r"\s[-–—]\s+")
# "Used Hydra to load the configurations -> Comment: We used Weights and Biases": an arrow starts a remark
ARROW_REMARK = re.compile(r"\s(?:-+>|=>|→|⇒)\s*")
STRUCK = re.compile(r"~~[^~]+~~")
PARENTHESIZED = re.compile(r"\(([^()]*)\)")
MAX_BOLD_CHARS = 2_000
BOLD_QUESTION = re.compile(rf"\*\*(.{{1,{MAX_BOLD_CHARS}}}?)\*\*", re.DOTALL)  # read by `_bold_texts`

MAX_REPORT_CHARS = 5_000_000
MAX_LINE_CHARS = 4_000
MAX_ITEM_CHARS = 500
MAX_CONTINUATION_LINES = 8
MAX_PROMPT_CHARS = 20_000
MIN_COURSE_ITEMS_WITHOUT_HEADING = 5
MAX_ITEMS = 500
MAX_RUN_LINES = 20_000  # non-blank lines read for the checklist in one stretch (a real one has about 150)
MAX_ANSWERS = 200
MIN_QUESTIONS_WITHOUT_CHECKLIST = 10
# QUOTE_PREFIX after a line break, when its ">" is within the line's first MAX_LINE_CHARS (a line blank there is
# no line of an answer); its white space never holds a line break. The literal "\n" it starts with is looked for
# as fast as a character is; a pattern that starts with a multi-line "^" is tried at every character.
QUOTE_PREFIX_AFTER_BREAK = re.compile(rf"\n[^\S\n]{{0,{MAX_LINE_CHARS - 1}}}(?:>[^\S\n]?)+")
TICK_MARKS = frozenset({"x", "X", "Y", "y", "✓", "✔", "✅", "☑", "v", "V"})
EMPTY_MARKS = frozenset({"", " ", "  ", "n", "N"})
# A remark that takes the tick back: "(An attempt was made, failed ...)", "(doesn't work)", "(WIP)", and
# "- Not applicable" / "(N/A)": the group says the item did not apply to its project, so nothing was done.
# Not a remark that describes the feature: "alert when requests fail", "tests for failure cases",
# "attempted with Vertex AI, then succeeded on Engine".
WITHDRAWAL = re.compile(
    r"\b(not\s+(fully\s+|yet\s+)?(work\w*|finish\w*|complet\w*|done|implemented|functional)|"
    r"(doesn't|does\s+not|didn't|did\s+not|don't|do\s+not)\s+(fully\s+)?work|failed|unsuccessful|unable\s+to|"
    r"(couldn't|could\s+not|didn't|did\s+not)\s+(get\s+it|make\s+it|finish|complete|deploy|manage)|"
    r"gave\s+up|abandoned|wip|work\s+in\s+progress|partially|incomplete|tried\s+but|an\s+attempt\s+was\s+made|"
    r"not\s+applicable|n/a)\b",
    re.IGNORECASE,
)
SUCCEEDED = re.compile(r"\bsucceed\w*|\bnow\s+works\b|\bfixed\b", re.IGNORECASE)
# Remarks found elsewhere than after the tag (a sub-bullet, a bracket inside the text, a dash remark on an
# untagged item) take the tick back only when they open with the failure: "did not work due to ...", not
# "counts failed requests" or "Cloud Run, Functions did not work".
OPENS_WITH_FAILURE = re.compile(
    r"^\W*(failed|fails?\s+to|did\s+not|didn't|does\s+not|doesn't|not\s+(fully\s+)?(work\w*|done|finished|"
    r"completed|implemented)|unable|could\s+not|couldn't|tried\s+but|an\s+attempt|attempted\s+but|gave\s+up|"
    r"wip\b|work\s+in\s+progress|only\s+partially|partially|incomplete|unsuccessful|not\s+applicable\b|n/a\b)",
    re.IGNORECASE,
)
TEMPLATE_SECTIONS = frozenset(
    {
        "group information",
        "coding environment",
        "version control",
        "running code and tracking experiments",
        "working in the cloud",
        "deployment",
        "overall discussion of project",
    }
)
TEMPLATE_SECTION = re.compile(
    r"^\s{0,3}#{1,2}\s+(?:" + "|".join(sorted(TEMPLATE_SECTIONS)) + r")[ \t]*(?:#+[ \t]*)?$", re.IGNORECASE
)
# Where a stretch that may hold the checklist ends: a checklist heading, a question heading, a template section.
STRETCH_END = re.compile(
    "|".join(
        f"(?P<{name}>{pattern.pattern})"
        for name, pattern in (
            ("checklist", CHECKLIST_HEADING),
            ("question", QUESTION_HEADING),
            ("section", TEMPLATE_SECTION),
        )
    ),
    re.IGNORECASE,
)
# The number of a question heading in a `STRETCH_END` match: the first group inside its "question" branch.
QUESTION_NUMBER_GROUP = STRETCH_END.groupindex["question"] + 1
QUOTE_PREFIX = re.compile(r"^\s*(?:>\s?)+")


class ReportError(ValueError):
    """The text cannot be read as an exam report; the message is one line a user can act on."""


@dataclass(frozen=True)
class ChecklistItem:
    """One checklist bullet as the group left it."""

    line: int
    section: str
    text: str
    mark: str
    ticked: bool
    modules: tuple[str, ...] = ()
    remark: str = ""
    partial: bool = False
    withdrawn: bool = False

    @property
    def claimed(self) -> bool:
        """A tick the group did not take back in a remark ("(An attempt was made, failed ...)")."""
        return self.ticked and not self.withdrawn


@dataclass(frozen=True)
class Answer:
    """The group's answer to one `### Question N` of the report."""

    number: int
    line: int
    question: str
    text: str
    length_range: tuple[int, int] | None = None
    images: tuple[str, ...] = ()
    placeholder: bool = False

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class Report:
    """A parsed report. `course_items` counts the checklist items that match a course item; `source` and
    `checklist_source` name the files the answers and the checklist came from, when a caller read them
    from files (`checklist_source` only when it differs from `source`)."""

    checklist: list[ChecklistItem] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checklist_line: int | None = None
    course_items: int = 0
    source: str | None = None
    checklist_source: str | None = None

    def answer(self, number: int) -> Answer | None:
        return next((answer for answer in self.answers if answer.number == number), None)

    @property
    def ticked(self) -> list[ChecklistItem]:
        return [item for item in self.checklist if item.ticked]


CourseItem = Callable[[ChecklistItem], bool]


def parse_report(text: str | bytes, *, course_item: CourseItem | None = None) -> Report:
    """Parse report text.

    Raises `ReportError` (one line) for empty, binary or HTML input and for Markdown that is neither a
    report with a checklist nor an early course report (no checklist, but `### Question N` answers).
    `course_item` tells a course checklist item from a group's own line (default: it matches a rule,
    `verifier.registry.match_item`); see `scan_report` for where the checklist is looked for.
    """
    report, heading_line = _scan(text, course_item)
    if report.checklist:
        return report
    if heading_line is not None:
        raise ReportError(f"the checklist section at line {heading_line} contains no '* [ ]' items")
    if len(report.answers) >= MIN_QUESTIONS_WITHOUT_CHECKLIST:
        report.warnings.append(
            "the report has no '## Overall project checklist' (the course template before "
            "2023-01-06 had none): only its answers are checked"
        )
        return report
    raise ReportError(
        "no '## Overall project checklist' section found; is this the course's report template?"
    )


def scan_report(text: str | bytes, *, course_item: CourseItem | None = None) -> Report:
    """Read whatever the text holds of a report, without asking for a whole one: the checklist (maybe
    none) and the answers (maybe none). Raises `ReportError` only for text that is no Markdown at all
    (empty, binary, an HTML page).

    The checklist is the run of checkbox lines that match course items, wherever it sits; headings only
    name sections. A run is cut only where the answers begin (a `### Question N` heading or a template
    section such as `## Group information`) or where a new checklist heading starts. Under a checklist
    heading the run is the checklist even when no line matches a course item (a group's own wording);
    elsewhere it needs `MIN_COURSE_ITEMS_WITHOUT_HEADING` course items, and it ends with the last
    top-level section (`#`/`##` heading other than a week) that holds one. Legends that only explain the
    marks (`- [x] = Done`) are no items.
    """
    return _scan(text, course_item)[0]


def _scan(text: str | bytes, course_item: CourseItem | None) -> tuple[Report, int | None]:
    text = _as_text(text)
    report = Report()
    if len(text) > MAX_REPORT_CHARS:
        text = text[:MAX_REPORT_CHARS]
        report.warnings.append(
            f"the report is longer than {MAX_REPORT_CHARS:,} characters: only its start was read"
        )
    # Commented-out lines are invisible on GitHub: blank them, keeping the line numbers.
    lines = _Lines.of(_without_comments(text))
    report.answers = _parse_answers(lines)
    if len(report.answers) >= MAX_ANSWERS:
        report.warnings.append(
            f"the report has {MAX_ANSWERS} or more question headings: only the first {MAX_ANSWERS} were read"
        )
    is_course = course_item or _registry_course_item()
    run = _checklist_run(lines, is_course)
    if run is None:
        return report, None
    report.checklist, report.checklist_line, report.course_items = run.items, run.first_line, run.course_items
    if run.cut:
        report.warnings.append(
            f"the checklist has more than {MAX_ITEMS} items: only the first {MAX_ITEMS} were read"
        )
    for item in report.checklist:
        if item.partial:
            report.warnings.append(
                f"line {item.line}: box marked '[{item.mark}]' is read as a partial claim, not a tick"
            )
    return report, run.heading_line


def _registry_course_item() -> CourseItem:
    """Whether an item matches a rule's item text (`verifier.registry.is_course_item`), cached per text."""
    from .registry import all_rules, is_course_item  # registry imports this module

    rules = all_rules()
    known: dict[tuple[str, tuple[str, ...]], bool] = {}

    def is_course(item: ChecklistItem) -> bool:
        key = (item.text, item.modules)
        if key not in known:
            known[key] = is_course_item(item, rules)
        return known[key]

    return is_course


def _as_text(text: str | bytes) -> str:
    if isinstance(text, bytes):
        if text.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 (Notepad "Unicode", PowerShell >)
            text = text.decode("utf-16", errors="replace")
        elif b"\x00" in text[:8192]:
            raise ReportError("the report is a binary file, not Markdown")
        else:
            text = text.decode("utf-8", errors="replace")
    if "\x00" in text[:8192]:
        raise ReportError("the report is a binary file, not Markdown")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ReportError("the report is empty")
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")):
        raise ReportError("the report is an HTML page, not the Markdown report (reports/README.md)")
    return text


def _without_comments(text: str) -> str:
    """`text` with every closed HTML comment replaced by its newlines (one pass of `str.find`)."""
    parts: list[str] = []
    position = 0
    while (start := text.find("<!--", position)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break
        parts.append(text[position:start])
        parts.append("\n" * text.count("\n", start, end))
        position = end + 3
    parts.append(text[position:])
    return "".join(parts)


@dataclass
class _Lines:
    """The report's lines as written, cut to MAX_LINE_CHARS for matching, and the indexes of the lines that
    are not blank, of those that may be a heading and of those that start a checklist item (every pass but
    one skips blank lines). `ends` holds the `STRETCH_END` match of each line it matches, in line order:
    the checklist's stretches and the answers are both cut there, and one pass finds them for both."""

    raw: list[str]
    cut: list[str]
    filled: list[int]
    marked: list[int]
    boxes: set[int]
    ends: dict[int, re.Match[str]]

    @classmethod
    def of(cls, text: str) -> _Lines:
        raw = text.splitlines()
        cut = raw  # never changed in place: a report without a longer line shares its lines
        if max(map(len, raw), default=0) > MAX_LINE_CHARS:
            cut = [line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] for line in raw]
        filled = [i for i, line in enumerate(cut) if line and not line.isspace()]
        marked = [i for i in filled if cut[i].lstrip()[:1] in ("#", "*", "_")]
        # `_opens_item` is asked only of lines that may hold a box: an ASCII line needs a "[".
        boxes = {i for i in filled if ("[" in cut[i] or not cut[i].isascii()) and _opens_item(cut[i])}
        # Every branch of STRETCH_END starts with "#" or "**" after at most 3 white spaces: a bullet is no end.
        ends = {
            i: end
            for i in marked
            if cut[i].lstrip().startswith(("#", "**")) and (end := STRETCH_END.match(cut[i])) is not None
        }
        return cls(raw, cut, filled, marked, boxes, ends)

    def between(self, indexes: list[int], start: int, end: int) -> list[int]:
        return indexes[bisect.bisect_left(indexes, start) : bisect.bisect_left(indexes, end)]


def _may_hold_box(line: str) -> bool:
    """The line holds a `BOX_HINT`: for an ASCII line, a "[" (every other hint is an emoji)."""
    return "[" in line if line.isascii() else BOX_HINT.search(line) is not None


def _opens_item(line: str) -> bool:
    """The line starts a checklist item (`BULLET` or `EMOJI_ITEM` matches it), tried only on a line with a
    box hint. A link or an image in an answer holds "[" too: the stretch of the answers around such a line
    holds no item, and a stretch without an item line is not read for a checklist at all."""
    if not _may_hold_box(line):
        return False
    return BULLET.match(line) is not None or (not line.isascii() and EMOJI_ITEM.match(line) is not None)


def _heading_title(match: re.Match[str]) -> str:
    """A heading's text without its closing sequence of #s."""
    return (match.group(2) or "").rstrip().rstrip("#").rstrip()


@dataclass
class _Run:
    """The checklist items of one stretch of the report between two places where answers begin."""

    items: list[ChecklistItem]
    blocks: list[int]
    heading_line: int | None
    first_line: int | None = None
    course_items: int = 0
    cut: bool = False


def _checklist_run(lines: _Lines, is_course: CourseItem) -> _Run | None:
    """The run of the report that is its checklist (see `scan_report`), or None."""
    boxes = sorted(lines.boxes)
    runs = [
        _read_run(lines, start, end, heading)
        if bisect.bisect_left(boxes, start) < bisect.bisect_left(boxes, end)
        else _Run([], [], heading)
        for start, end, heading in _stretches(lines)
    ]
    anchored = None
    for run in runs:
        if run.heading_line is not None:
            _keep_course_sections(run, is_course, anchored=True)
            if anchored is None or run.course_items > anchored.course_items:
                anchored = run
    loose = None
    for run in runs:
        if run.heading_line is None:
            _keep_course_sections(run, is_course, anchored=False)
            if run.course_items >= MIN_COURSE_ITEMS_WITHOUT_HEADING and (
                loose is None or run.course_items > loose.course_items
            ):
                loose = run
    if loose is not None and (anchored is None or loose.course_items > anchored.course_items):
        return loose
    return anchored


def _stretches(lines: _Lines) -> Iterator[tuple[int, int, int | None]]:
    """(start, end, checklist heading line) of each stretch a checklist may fill: cut at a question heading,
    a template section heading and a checklist heading (which opens a stretch of its own)."""
    start, heading = 0, None
    for index, cut in lines.ends.items():
        yield start, index, heading
        start, heading = index + 1, (index + 1 if cut.lastgroup == "checklist" else None)
    yield start, len(lines.cut), heading


def _read_run(lines: _Lines, start: int, end: int, heading_line: int | None) -> _Run:
    """Every checklist item between `start` and `end`, with the top-level section (block) each sits in."""
    items: list[ChecklistItem] = []
    blocks: list[int] = []
    section = ""
    block = 0
    pending: dict[str, Any] | None = None
    indent = 0

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            item = _make_item(pending["line"], pending["section"], pending["mark"], " ".join(pending["text"]))
            if item is not None:
                items.append(item)
                blocks.append(pending["block"])
            pending = None

    filled = lines.between(lines.filled, start, end)[:MAX_RUN_LINES]
    marked = set(lines.between(lines.marked, start, end))
    previous = start - 1
    for index in filled:
        if index != previous + 1:
            flush()  # a blank line ends an item
        previous = index
        line = lines.cut[index]
        quiet = pending is None and index not in lines.boxes and index not in marked
        if quiet and (not items or not line[:1].isspace()):
            continue  # neither an item, a heading, a continuation nor a remark under an item
        if len(items) > MAX_ITEMS:
            break
        heading = HEADING.match(line) if "#" in line else None
        bold = None if heading or ("**" not in line and "__" not in line) else BOLD_LINE.match(line)
        if heading or bold:
            flush()
            title = _heading_title(heading) if heading else bold.group("title")  # type: ignore[union-attr]
            if heading and len(heading.group(1)) <= 2 and not WEEK_HEADING.match(title.strip("*_ ")):
                block += 1
            section = _section_name(title)
            continue
        bullet = (BULLET.match(line) or EMOJI_ITEM.match(line)) if index in lines.boxes else None
        if bullet:
            flush()
            groups = bullet.groupdict()
            mark = groups["mark"] if groups["mark"] is not None else groups.get("bare") or ""
            indent = len(bullet.group("indent").expandtabs(4))
            pending = {
                "line": index + 1,
                "section": section,
                "block": block,
                "mark": mark,
                "text": [bullet.group("text").strip()],
            }
            continue
        stripped = line.strip().lstrip(">").strip()
        sub_bullet = OTHER_BULLET.match(line)
        if sub_bullet and (items or pending is not None) and len(line) - len(line.lstrip()) > indent:
            # A remark written as a sub-bullet of the item above ("  - Did not work due to permissions").
            flush()
            if not items:
                continue
            remark = line[sub_bullet.end() :].strip()[:MAX_ITEM_CHARS]
            if OPENS_WITH_FAILURE.search(remark) and items[-1].ticked:
                items[-1] = replace(items[-1], remark=remark, withdrawn=True)
        elif pending is not None and stripped and not sub_bullet:
            if len(pending["text"]) <= MAX_CONTINUATION_LINES:
                pending["text"].append(stripped)
        else:
            flush()
    flush()
    return _Run(items[:MAX_ITEMS], blocks[:MAX_ITEMS], heading_line, cut=len(items) > MAX_ITEMS)


def _keep_course_sections(run: _Run, is_course: CourseItem, *, anchored: bool) -> None:
    """Keep the items from the first to the last top-level section that holds a course item (from the
    checklist heading, under one); count the course items kept."""
    if not run.items:
        run.first_line = run.heading_line
        return
    course = [is_course(item) for item in run.items]
    blocks = [block for block, matched in zip(run.blocks, course, strict=True) if matched]
    if blocks:
        first, last = (0 if anchored else blocks[0]), blocks[-1]
    elif anchored:
        first, last = 0, 0  # nothing the course names: the checklist ends where today's template ends it
    else:
        first, last = 1, 0
    kept = [i for i, block in enumerate(run.blocks) if first <= block <= last]
    run.items = [run.items[i] for i in kept]
    run.blocks = [run.blocks[i] for i in kept]
    run.course_items = sum(course[i] for i in kept)
    run.first_line = (
        run.heading_line if run.heading_line is not None else (run.items[0].line if run.items else None)
    )


def _section_name(title: str) -> str:
    title = title.strip().strip("*_ ").strip().rstrip(":").strip()
    lowered = title.lower()
    if lowered in {"additional", "extra"} or (
        lowered[:1] in ("a", "e")
        and max(difflib.SequenceMatcher(None, lowered[:20], name).ratio() for name in ("additional", "extra"))
        >= 0.8
    ):
        return "Extra"
    return title[:200]


# Marks that groups use for a tick besides the ones in TICK_MARKS: "[ok]", and a mark in parentheses "[(x)]".
WORD_TICKS = frozenset({"ok", "done"})
TICK_EMOJI_MARKS = frozenset(TICK_EMOJI)
CROSS_MARKS = frozenset(CROSS_EMOJI) | {"\u00d7"}  # and the multiplication sign


def _mark_state(mark: str) -> tuple[bool, bool]:
    """(ticked, partial) for a box's mark as written."""
    bare = mark.replace("\ufe0f", "").replace("\ufe0e", "").strip()
    if len(bare) >= 2 and bare[0] == "(" and bare[-1] == ")":
        bare = bare[1:-1].strip()
    ticked = bare in TICK_MARKS or bare in TICK_EMOJI_MARKS or bare.lower() in WORD_TICKS
    empty = mark in EMPTY_MARKS or bare in EMPTY_MARKS or bare in CROSS_MARKS
    return ticked, not ticked and not empty


# A line that only explains the marks: "- [x] = Done", "- [ ] : not done", "- [~] Partially done".
LEGEND_WORDS = frozenset(
    [
        "done",
        "not",
        "needed",
        "implemented",
        "completed",
        "complete",
        "partially",
        "partial",
        "in",
        "progress",
        "todo",
        "to",
        "do",
        "yes",
        "no",
        "skipped",
        "n/a",
        "na",
        "working",
        "attempted",
        "started",
        "finished",
        "planned",
        "applicable",
        "relevant",
        "required",
    ]
)


def _is_legend(text: str) -> bool:
    """A line that explains a mark: "= Done", "= Not needed for the submission", "Partially done". An item
    with a module tag, or one that says more than a few status words, is never one."""
    if "(" in text and MODULE_TAG.search(text):
        return False
    words = text.lower().replace(",", " ").replace(".", " ").replace("/", " ").split()
    if not words:
        return True
    if words[0] in {"=", "->", "→"}:
        return len(words) <= 10
    words = words[1:] if words[0] in {":", "-", "–"} else words
    return len(words) <= 4 and all(word.strip("()*_:") in LEGEND_WORDS for word in words)


def _make_item(line: int, section: str, mark: str, text: str) -> ChecklistItem | None:
    """The item of a checkbox line, or None for a legend that only explains the marks."""
    text = " ".join(text[: 2 * MAX_ITEM_CHARS].split())
    if _is_legend(text):
        return None
    mark = mark.replace("\ufe0f", "").replace("\ufe0e", "")  # emoji presentation selectors: [✔️] is [✔]
    ticked, partial = _mark_state(mark)
    # A struck-through item is one the group took back.
    struck = text.startswith("~~") and STRUCK.match(text) is not None
    text = text.replace("~~", "").strip() if struck else text
    modules: tuple[str, ...] = ()
    remark = ""
    tags = list(MODULE_TAG.finditer(text)) if "(" in text else []
    if tags:
        tag = tags[-1]
        modules = tuple(f"M{int(number)}" for number in MODULE_NUMBER.findall(tag.group(1)))
        remark = text[tag.end() :].strip(" -–—:,;")
        text = text[: tag.end()].strip()
    elif (">" in text or "→" in text or "⇒" in text) and (arrow := ARROW_REMARK.search(text)):
        remark = text[arrow.end() :].strip()
        text = text[: arrow.start()].strip()
    else:
        trailing = _trailing_parenthesis(text)
        dashed = _dashed_remark(text)
        if trailing and WITHDRAWAL.search(trailing[1]):
            remark = trailing[1].strip()
            text = text[: trailing[0]].strip()
        elif dashed and OPENS_WITH_FAILURE.search(dashed[1]):
            remark = dashed[1].strip()
            text = text[: dashed[0]].strip()
    # A parenthesised remark inside the item text ("... API (failed due to permissions) (M27)").
    inner = (
        next((m.group(1) for m in PARENTHESIZED.finditer(text) if OPENS_WITH_FAILURE.search(m.group(1))), "")
        if "(" in text
        else ""
    )
    if inner and not remark:
        remark = inner.strip()
    withdrawn = ticked and (
        struck or (bool(remark) and bool(WITHDRAWAL.search(remark)) and not SUCCEEDED.search(remark))
    )
    if struck and not remark:
        remark = "struck through"
    return ChecklistItem(
        line=line,
        section=section,
        text=text[:MAX_ITEM_CHARS],
        mark=mark,
        ticked=ticked,
        modules=modules,
        remark=remark[:MAX_ITEM_CHARS],
        partial=partial,
        withdrawn=withdrawn,
    )


def _trailing_parenthesis(text: str) -> tuple[int, str] | None:
    """(start, inside) of a last "( ... )" with no parenthesis inside that ends the text."""
    stripped = text.rstrip()
    if not stripped.endswith(")"):
        return None
    opening = stripped.rfind("(", 0, len(stripped) - 1)
    if opening == -1 or stripped.rfind(")", 0, len(stripped) - 1) > opening:
        return None
    return opening, stripped[opening + 1 : -1]


def _dashed_remark(text: str) -> tuple[int, str] | None:
    """(start, remark) of the first " - remark" after the last parenthesis that runs to the end."""
    last_parenthesis = max(text.rfind("("), text.rfind(")"))
    dash = DASHED_REMARK.search(text, last_parenthesis + 1)
    return (dash.start(), text[dash.end() :]) if dash else None


def item_text_without_tag(text: str) -> str:
    """The item text without its module tag, for matching against rule texts."""
    return MODULE_TAG.sub(" ", text[: 2 * MAX_ITEM_CHARS]).strip()


def _parse_answers(lines: _Lines) -> list[Answer]:
    # A line QUESTION_HEADING matches is one STRETCH_END's "question" branch matches: the other branches need
    # a checklist word or a template section name right after the #s, where a question heading has "Q".
    starts = [
        (i, int(end.group(QUESTION_NUMBER_GROUP)))
        for i, end in lines.ends.items()
        if end.lastgroup == "question"
    ]
    starts = starts[: MAX_ANSWERS + 1]  # the first MAX_ANSWERS, each ending where the next begins
    answers: list[Answer] = []
    for position, (index, number) in enumerate(starts[:MAX_ANSWERS]):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines.cut)
        end = _section_tail(lines, index + 1, end)
        answers.append(_make_answer(number, index + 1, lines, index + 1, end))
    return answers


def _section_tail(lines: _Lines, start: int, end: int) -> int:
    """Where a following template section (`## Coding environment` and its intro) or checklist cuts the block."""
    for i in lines.between(lines.marked, start, end):
        cut = lines.ends.get(i)
        if cut is not None and cut.lastgroup != "question":
            return i
    return end


def _make_answer(number: int, line: int, lines: _Lines, start: int, end: int) -> Answer:
    """The answer in lines `start`..`end`: the prompt is the quoted part up to `Answer:` (or every quoted line),
    the answer the rest. Blank lines count only in the answer's text."""
    filled = lines.between(lines.filled, start, end)
    marker = next((i for i in filled if ":" in lines.cut[i] and ANSWER_MARKER.match(lines.cut[i])), None)
    if marker is not None:
        found = ANSWER_MARKER.match(lines.cut[marker])
        inline = lines.raw[marker][found.start("rest") :] if found else ""
        prompt_lines = [lines.cut[i] for i in filled if i < marker]
        answer_lines = [inline, *lines.raw[marker + 1 : end]]
        answer_filled = [0] + [i - marker for i in filled if i > marker]
    else:
        quoted = {i for i in filled if lines.cut[i].lstrip().startswith(">")}
        prompt_lines = [lines.cut[i] for i in filled if i in quoted]
        answer_lines = [text for i, text in enumerate(lines.raw[start:end], start) if i not in quoted]
        answer_filled = [n for n, text in enumerate(answer_lines) if text and not text.isspace()]
    prompt = _unquote_lines("\n".join(prompt_lines))[:MAX_PROMPT_CHARS]
    question = " ".join(match.strip("* ") for match in _bold_texts(prompt))
    question = " ".join(question.split())
    hint = _length_hint(prompt)
    length_range = (int(hint.group(1)), int(hint.group(2))) if hint else None
    placeholder = False
    body = "\n".join(answer_lines)
    if "--" in body and (without := _without_placeholders(answer_lines, answer_filled)) is not None:
        placeholder, body = True, without
    answer_text = _unquote_lines(body).strip()
    markdown = (
        [angled or plain for angled, plain in MARKDOWN_IMAGE.findall(answer_text)]
        if "![" in answer_text
        else []
    )
    html = HTML_IMAGE.findall(answer_text) if "<" in answer_text else []
    images = tuple(dict.fromkeys(markdown + html))
    return Answer(
        number=number,
        line=line,
        question=question,
        text=answer_text,
        length_range=length_range,
        images=images,
        placeholder=placeholder,
    )


def _bold_texts(prompt: str) -> list[str]:
    """`BOLD_QUESTION.findall(prompt)`, found with `str.find`: the lazy pattern tries its closing "**" after
    every character of a bold text, which costs more than the rest of an answer's reading. At each "**" the
    text runs to the first "**" at least one character later, at most MAX_BOLD_CHARS on; without one, the
    next "**" is tried from the following character, as the pattern's search goes on."""
    found: list[str] = []
    position = 0
    while (start := prompt.find("**", position)) != -1:
        end = prompt.find("**", start + 3, start + 4 + MAX_BOLD_CHARS)
        if end == -1:
            position = start + 1
            continue
        found.append(prompt[start + 2 : end])
        position = end + 2
    return found


def _unquote(text: str) -> str:
    if ">" not in text:
        return text
    quote = QUOTE_PREFIX.match(text)
    return text[quote.end() :] if quote else text


def _unquote_lines(text: str) -> str:
    """`_unquote` of every line of `text`, in one pass of `QUOTE_PREFIX_AFTER_BREAK` (none for a text without
    ">": most answers are not quoted), instead of a call a line."""
    return QUOTE_PREFIX_AFTER_BREAK.sub("\n", "\n" + text)[1:] if ">" in text else text


def _without_placeholders(lines: list[str], filled: list[int]) -> str | None:
    """The answer's lines joined without the template's placeholder ("-- question 3 fill here --"; a line
    left empty by it is dropped), or None when none of its `filled` lines holds one."""
    found = [
        n for n in filled if _may_hold_placeholder(lines[n]) and PLACEHOLDER.search(lines[n][:MAX_LINE_CHARS])
    ]
    if not found:
        return None
    lines = list(lines)
    dropped: set[int] = set()
    for n in found:
        text = PLACEHOLDER.sub("", lines[n]).replace("```", "").replace("`", "")
        if not text.strip():
            dropped.add(n)
            continue
        lines[n] = text
    return "\n".join(text for n, text in enumerate(lines) if n not in dropped)


def _may_hold_placeholder(line: str) -> bool:
    """Whether PLACEHOLDER may match the line: it holds "--" and, when ASCII (where case-insensitive matching
    is lower-casing), "question". Most answer lines with "--" are table rules, arrows and comments, and the
    pattern, with no literal to look for first, is tried at every character of them."""
    return "--" in line and (not line.isascii() or "question" in line.lower())


def _length_hint(prompt: str) -> re.Match[str] | None:
    """`LENGTH_HINT.search(prompt)`, started at the first "answer" of an ASCII prompt (where case-insensitive
    matching is lower-casing): a case-insensitive pattern without a literal prefix is tried at every
    character, and the hint stands at the prompt's end."""
    if not prompt.isascii():
        return LENGTH_HINT.search(prompt)
    start = prompt.lower().find("answer")
    return LENGTH_HINT.search(prompt, start) if start != -1 else None
