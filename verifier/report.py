"""Parse a group's exam report (`reports/README.md`): the checklist and the answers to the questions.

The parser reads what groups actually hand in: `* [x]`, `- [X]`, `+ [✓]` bullets, wrapped items,
module tags such as `(M2+M6)`, remarks after the tag, answers inside quote blocks, deleted hint
lines and `##` headings typed inside answers. It never raises anything but `ReportError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

# "## Overall project checklist" and renamed forms: "## Checklist", "#### 📋 Project check list", "**Checklist**".
CHECKLIST_HEADING = re.compile(
    r"^\s{0,3}(?:#{1,4}\s*|\*\*\s*)[^\w\n]*(?:overall\s+)?(?:project\s+)?check\s?list\b[^\n]*$", re.IGNORECASE
)
# CommonMark: a heading needs a space after its #s ("#12 closed by PR" is a paragraph).
HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
WEEK_HEADING = re.compile(r"^(week\s*\d+|extra|additional)\b", re.IGNORECASE)
# "* [x] ...", "1. [x] ...", "-[x] ...", and a box without a bullet ("[x] ...", marks of up to two characters).
BULLET = re.compile(
    r"^(?P<indent>\s*)(?:>\s*)?(?:(?:[-*+]|\d+[.)])\s*\[(?P<mark>[^\]]{0,4})\]|\[(?P<bare>[^\]^]{0,2})\](?=\s))"
    r"\s*(?P<text>.*)$"
)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
OTHER_BULLET = re.compile(r"^\s*(?:>\s*)?(?:[-*+]|\d+[.)])\s+")
MODULE_TAG = re.compile(r"\(\s*(M\s?\d+(?:\s*(?:[+,/&]|and)\s*M?\s?\d+)*)\s*\)", re.IGNORECASE)
MODULE_NUMBER = re.compile(r"\d+")
QUESTION_HEADING = re.compile(r"^\s{0,3}#{2,4}\s*[*_]*\s*(?:Question\s*|Q)(\d+)\b", re.IGNORECASE)
LENGTH_HINT = re.compile(r"answer\s+length\s*:?\s*(\d+)\s*(?:-|–|to)\s*(\d+)", re.IGNORECASE)
PLACEHOLDER = re.compile(r"-{2,}\s*question\s*\d+\s*fill\s*here\s*-{2,}", re.IGNORECASE)
ANSWER_MARKER = re.compile(r"^\s*(?:>\s*)*[*_]*\s*answer\s*:\s*[*_]*\s*(?P<rest>.*)$", re.IGNORECASE)
# ![alt](path), ![alt](path "title") and ![alt](<path with spaces>)
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*(?:<([^>\n]+)>|([^)\s]+))(?:\s+\"[^\"]*\")?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)

MIN_QUESTIONS_WITHOUT_CHECKLIST = 10
TICK_MARKS = frozenset({"x", "X", "Y", "y", "✓", "✔", "✅", "☑", "v", "V"})
EMPTY_MARKS = frozenset({"", " ", "  ", "n", "N"})
# A remark that takes the tick back: "(An attempt was made, failed ...)", "(doesn't work)", "(WIP)".
# Not a remark that describes the feature: "alert when requests fail", "tests for failure cases",
# "attempted with Vertex AI, then succeeded on Engine".
WITHDRAWAL = re.compile(
    r"\b(not\s+(fully\s+|yet\s+)?(work\w*|finish\w*|complet\w*|done|implemented|functional)|"
    r"(doesn't|does\s+not|didn't|did\s+not|don't|do\s+not)\s+(fully\s+)?work|failed|unsuccessful|unable\s+to|"
    r"(couldn't|could\s+not|didn't|did\s+not)\s+(get\s+it|make\s+it|finish|complete|deploy|manage)|"
    r"gave\s+up|abandoned|wip|work\s+in\s+progress|partially|incomplete|tried\s+but|an\s+attempt\s+was\s+made)\b",
    re.IGNORECASE,
)
SUCCEEDED = re.compile(r"\bsucceed\w*|\bnow\s+works\b|\bfixed\b", re.IGNORECASE)
# Remarks found elsewhere than after the tag (a sub-bullet, a bracket inside the text, a dash remark on an
# untagged item) take the tick back only when they open with the failure: "did not work due to ...", not
# "counts failed requests" or "Cloud Run, Functions did not work".
OPENS_WITH_FAILURE = re.compile(
    r"^\W*(failed|fails?\s+to|did\s+not|didn't|does\s+not|doesn't|not\s+(fully\s+)?(work\w*|done|finished|"
    r"completed|implemented)|unable|could\s+not|couldn't|tried\s+but|an\s+attempt|attempted\s+but|gave\s+up|"
    r"wip\b|work\s+in\s+progress|only\s+partially|partially|incomplete|unsuccessful)",
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
    checklist: list[ChecklistItem] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checklist_line: int | None = None

    def answer(self, number: int) -> Answer | None:
        return next((answer for answer in self.answers if answer.number == number), None)

    @property
    def ticked(self) -> list[ChecklistItem]:
        return [item for item in self.checklist if item.ticked]


def parse_report(text: str | bytes) -> Report:
    """Parse report text.

    Raises `ReportError` (one line) for empty, binary or HTML input and for Markdown that is neither a
    report with a checklist nor an early course report (no checklist, but `### Question N` answers).
    """
    text = _as_text(text)
    # Commented-out lines are invisible on GitHub: blank them, keeping the line numbers.
    text = HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    lines = text.splitlines()
    report = Report()
    report.answers = _parse_answers(lines)
    start = next((i for i, line in enumerate(lines) if CHECKLIST_HEADING.match(line)), None)
    if start is None:
        if len(report.answers) >= MIN_QUESTIONS_WITHOUT_CHECKLIST:
            report.warnings.append(
                "the report has no '## Overall project checklist' (the course template before "
                "2023-01-06 had none): only its answers are checked"
            )
            return report
        raise ReportError(
            "no '## Overall project checklist' section found; is this the course's report template?"
        )
    report.checklist_line = start + 1
    report.checklist = _parse_checklist(lines, start, report.warnings)
    if not report.checklist:
        raise ReportError(f"the checklist section at line {start + 1} contains no '* [ ]' items")
    return report


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


def _parse_checklist(lines: list[str], start: int, warnings: list[str]) -> list[ChecklistItem]:
    items: list[ChecklistItem] = []
    section = ""
    pending: dict[str, object] | None = None

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            items.append(_make_item(**pending))  # type: ignore[arg-type]
            pending = None

    indent = 0
    for index in range(start + 1, len(lines)):
        line = lines[index]
        heading = HEADING.match(line)
        if heading:
            flush()
            title = heading.group(2) or ""
            if len(heading.group(1)) <= 2 and not WEEK_HEADING.match(title.strip("*_ ")):
                break
            section = _section_name(title)
            continue
        bullet = BULLET.match(line)
        if bullet:
            flush()
            mark = bullet.group("mark") if bullet.group("mark") is not None else bullet.group("bare")
            indent = len(bullet.group("indent").expandtabs(4))
            pending = {
                "line": index + 1,
                "section": section,
                "mark": mark,
                "text": bullet.group("text").strip(),
            }
            continue
        stripped = line.strip().lstrip(">").strip()
        sub_bullet = OTHER_BULLET.match(line)
        if sub_bullet and (items or pending is not None) and len(line) - len(line.lstrip()) > indent:
            # A remark written as a sub-bullet of the item above ("  - Did not work due to permissions").
            flush()
            remark = line[sub_bullet.end() :].strip()
            if OPENS_WITH_FAILURE.search(remark) and items[-1].ticked:
                items[-1] = replace(items[-1], remark=remark, withdrawn=True)
        elif pending is not None and stripped and not sub_bullet:
            pending["text"] = f"{pending['text']} {stripped}"
        else:
            flush()
    flush()
    for item in items:
        if item.partial:
            warnings.append(
                f"line {item.line}: box marked '[{item.mark}]' is read as a partial claim, not a tick"
            )
    return items


def _section_name(title: str) -> str:
    title = title.strip().strip("*_ ").strip()
    return "Extra" if title.lower() in {"additional", "extra"} else title


def _make_item(line: int, section: str, mark: str, text: str) -> ChecklistItem:
    mark = mark.replace("\ufe0f", "").replace("\ufe0e", "")  # emoji presentation selectors: [✔️] is [✔]
    ticked = mark.strip() in TICK_MARKS
    partial = not ticked and mark not in EMPTY_MARKS and mark.strip() not in EMPTY_MARKS
    text = " ".join(text.split())
    struck = bool(re.match(r"~~[^~]+~~", text))  # a struck-through item is one the group took back
    text = text.replace("~~", "").strip() if struck else text
    modules: tuple[str, ...] = ()
    remark = ""
    tags = list(MODULE_TAG.finditer(text))
    if tags:
        tag = tags[-1]
        modules = tuple(f"M{int(number)}" for number in MODULE_NUMBER.findall(tag.group(1)))
        remark = text[tag.end() :].strip(" -–—:,;")
        text = text[: tag.end()].strip()
    else:
        trailing = re.search(r"\(([^()]*)\)\s*$", text)
        dashed = re.search(r"\s[-–—]\s+([^()]*)$", text)
        if trailing and WITHDRAWAL.search(trailing.group(1)):
            remark = trailing.group(1).strip()
            text = text[: trailing.start()].strip()
        elif dashed and OPENS_WITH_FAILURE.search(dashed.group(1)):
            remark = dashed.group(1).strip()
            text = text[: dashed.start()].strip()
    # A parenthesised remark inside the item text ("... API (failed due to permissions) (M27)").
    inner = next(
        (m.group(1) for m in re.finditer(r"\(([^()]*)\)", text) if OPENS_WITH_FAILURE.search(m.group(1))), ""
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
        text=text,
        mark=mark,
        ticked=ticked,
        modules=modules,
        remark=remark,
        partial=partial,
        withdrawn=withdrawn,
    )


def item_text_without_tag(text: str) -> str:
    """The item text without its module tag, for matching against rule texts."""
    return MODULE_TAG.sub(" ", text).strip()


def _parse_answers(lines: list[str]) -> list[Answer]:
    starts = [(i, int(m.group(1))) for i, line in enumerate(lines) if (m := QUESTION_HEADING.match(line))]
    answers: list[Answer] = []
    for position, (index, number) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        block = _trim_section_tail(lines[index + 1 : end])
        answers.append(_make_answer(number, index + 1, block))
    return answers


def _trim_section_tail(block: list[str]) -> list[str]:
    """Cut a following template section (`## Coding environment` and its intro) off an answer block."""
    for i, line in enumerate(block):
        heading = HEADING.match(line)
        if heading and len(heading.group(1)) <= 2 and heading.group(2).strip().lower() in TEMPLATE_SECTIONS:
            return block[:i]
    return block


def _make_answer(number: int, line: int, block: list[str]) -> Answer:
    marker = next((i for i, text in enumerate(block) if ANSWER_MARKER.match(text)), None)
    if marker is not None:
        inline = ANSWER_MARKER.match(block[marker]).group("rest")  # type: ignore[union-attr]
        prompt_lines, answer_lines = block[:marker], [inline, *block[marker + 1 :]]
    else:
        prompt_lines = [text for text in block if text.lstrip().startswith(">")]
        answer_lines = [text for text in block if not text.lstrip().startswith(">")]
    prompt = "\n".join(_unquote(text) for text in prompt_lines)
    question = " ".join(match.strip("* ") for match in re.findall(r"\*\*(.+?)\*\*", prompt, flags=re.DOTALL))
    question = " ".join(question.split())
    hint = LENGTH_HINT.search(prompt)
    length_range = (int(hint.group(1)), int(hint.group(2))) if hint else None
    placeholder = False
    kept: list[str] = []
    for text in answer_lines:
        if PLACEHOLDER.search(text):
            placeholder = True
            text = PLACEHOLDER.sub("", text).replace("```", "").replace("`", "")
            if not text.strip():
                continue
        kept.append(_unquote(text) if text.lstrip().startswith(">") else text)
    answer_text = "\n".join(kept).strip()
    markdown = [angled or plain for angled, plain in MARKDOWN_IMAGE.findall(answer_text)]
    images = tuple(dict.fromkeys(markdown + HTML_IMAGE.findall(answer_text)))
    return Answer(
        number=number,
        line=line,
        question=question,
        text=answer_text,
        length_range=length_range,
        images=images,
        placeholder=placeholder,
    )


def _unquote(text: str) -> str:
    return re.sub(r"^\s*(?:>\s?)+", "", text)
