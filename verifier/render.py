"""Render a Verification as text (for a grader's screen), JSON (the contract), Markdown, JUnit, CSV, or a
cohort table over many repositories; HTML (`verifier.html`) and SARIF (`verifier.sarif`) are imported from
their own modules, so every renderer is importable from here."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from statistics import median
from xml.etree import ElementTree as ET

from . import __version__
from .engine import SCHEMA_VERSION, VERDICTS, ItemResult, Verification
from .html import render_html, render_html_pages
from .sanitize import (
    escape_surrogates_in_json,
    for_csv,
    for_markdown,
    for_text,
    for_xml,
    markdown_code,
    redact_data,
)
from .sarif import render_sarif
from .views import (
    FAILING,
    SHOW,
    Entry,
    Failure,
    Show,
    answer_dict,
    fmt_score,
    plural,
    shown_answers,
    shown_items,
)

__all__ = [
    "SHOW",
    "Entry",
    "Failure",
    "Show",
    "render_cohort",
    "render_csv",
    "render_html",
    "render_html_pages",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_sarif",
    "render_text",
]
GROUPS = (
    ("unsupported", "UNSUPPORTED: ticked, but nothing found where it would be"),
    ("contradicted", "CONTRADICTED: ticked, but the group's own answer says it was not done"),
    ("template-only", "TEMPLATE-ONLY: ticked, only the course template's defaults support it"),
    ("weakly-supported", "WEAKLY SUPPORTED: ticked, only a trace that may not be real use"),
    ("unclaimed", "UNCLAIMED: evidence found, box not ticked"),
    ("confirmed", "CONFIRMED"),
    ("unverifiable", "UNVERIFIABLE: the repository cannot show this"),
    ("consistent", "CONSISTENT: not ticked, nothing found"),
    ("unknown", "UNKNOWN ITEMS: match no checklist item of any course year"),
    ("skipped", "SKIPPED: left out by select/ignore, with the reason"),
)
MARKS = {
    "unsupported": "✗",
    "contradicted": "≠",
    "template-only": "T",
    "weakly-supported": "~",
    "unclaimed": "+",
    "confirmed": "✓",
    "unverifiable": "?",
    "consistent": "·",
    "unknown": "!",
    "skipped": "-",
}
COLOURS = {
    "unsupported": "31",
    "contradicted": "31",
    "template-only": "33",
    "weakly-supported": "33",
    "unclaimed": "36",
    "confirmed": "32",
}
# How much a verdict shows by default: problems in full, the rest in one line (all with --verbose).
DETAIL = {
    "unsupported": "full",
    "contradicted": "full",
    "template-only": "full",
    "weakly-supported": "full",
    "unclaimed": "full",
    "confirmed": "first-location",
    "unverifiable": "message",
    "unknown": "message",
    "consistent": "none",
    "skipped": "message",  # once per reason, under the items it left out
}
_fmt = fmt_score
_answer = answer_dict


def render_text(result: Entry, *, colour: bool = False, verbose: bool = False, show: Show = "all") -> str:
    """One screen for a grader: the summary, then problems first, each with its evidence or what was looked for.
    `show="problems"` keeps the summary, the ticks that need a look, the answers' problems and the warnings.

    Every repository or report string is shown through `sanitize.for_text` (one line, no control or bidi
    character); only the verdict colours of this function reach the terminal as escape sequences."""
    if isinstance(result, Failure):
        return (
            f"mlops-verifier {__version__}  {for_text(result.repo)}\nNOT VERIFIED: {for_text(result.error)}\n"
        )

    def paint(text: str, verdict: str) -> str:
        code = COLOURS.get(verdict)
        return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text

    counts = result.counts
    ticked = sum(1 for item in result.items if item.item.ticked)
    commit = for_text(result.commit[:10]) if result.commit else "no git history"
    lines = [
        f"mlops-verifier {__version__}  {for_text(result.repo)}",
        f"report {for_text(result.report_path)}: {plural(len(result.items), 'item')}, {ticked} ticked   commit {commit}",
        f"score {_fmt(result.score)} (consistency)   honesty {_fmt(result.honesty)} (claim precision)",
        "   ".join(f"{verdict} {counts[verdict]}" for verdict in VERDICTS if counts[verdict])
        or "no checklist items",
    ]
    limit = 8 if verbose else 3
    items = shown_items(result, show)
    for verdict, heading in GROUPS:
        members = [item for item in items if item.verdict == verdict]
        if not members:
            continue
        lines += ["", paint(f"{heading} ({len(members)})", verdict)]
        if verdict == "skipped":
            lines += _skipped_lines(members, paint(MARKS[verdict], verdict))
            continue
        for item in members:
            rule = for_text(item.rule or "-")
            lines.append(f"  {paint(MARKS[verdict], verdict)} L{item.item.line:<4} {rule:<28} {_short(item)}")
            detail = "full" if verbose else DETAIL[verdict]
            if item.override is not None and detail not in ("full", "message"):
                lines.append(f"         {for_text(item.message)}")
            if detail == "full":
                lines += _details(item, limit)
            elif detail == "message":
                lines.append(f"         {for_text(item.message)}")
            elif detail == "first-location" and item.evidence and item.evidence.locations:
                more = len(item.evidence.locations) - 1
                lines.append(
                    f"           at {for_text(item.evidence.locations[0])}"
                    + (f"  (+{more} more)" if more else "")
                )
    if show == "problems" and not items:
        lines += ["", "No tick needs a look."]
    answers = [
        data
        for data in shown_answers(result, show)
        if verbose or show == "problems" or data.get("verdict") != "consistent"
    ]
    if answers:
        lines += ["", "ANSWERS" if show == "all" else f"ANSWERS THAT NEED A LOOK ({len(answers)})"]
        for data in sorted(
            answers, key=lambda d: d.get("question") if isinstance(d.get("question"), int) else 0
        ):
            lines.append(
                f"  Q{for_text(data.get('question'))}: {for_text(data.get('verdict'))}: "
                f"{for_text(data.get('message', ''))}"
            )
    if verbose and result.not_searched:
        lines += ["", "NOT SEARCHED (generated files are read only when a rule names them)"] + [
            f"  {plural(files, 'file')} ({size / 1_000_000:.1f} MB): {for_text(reason)}"
            for reason, (files, size) in result.not_searched.items()
        ]
    if result.warnings:
        lines += ["", f"WARNINGS ({len(result.warnings)})"] + [
            f"  ! {for_text(w)}" for w in result.warnings[:20]
        ]
        if len(result.warnings) > 20:
            lines.append(f"  ... {len(result.warnings) - 20} more (see --format json)")
    return "\n".join(lines) + "\n"


def _skipped_lines(items: list[ItemResult], mark: str) -> list[str]:
    """Skipped items grouped by their reason: each reason once, under the items it left out."""
    reasons: dict[str, list[ItemResult]] = {}
    for item in items:
        reasons.setdefault(item.message, []).append(item)
    lines = []
    for reason, group in reasons.items():
        lines += [
            f"  {mark} L{item.item.line:<4} {for_text(item.rule or '-'):<28} {_short(item)}" for item in group
        ]
        lines.append(f"         {for_text(reason)}")
    return lines


def _short(item: ItemResult, width: int = 80) -> str:
    text = for_text(item.item.text)
    return text if len(text) <= width else text[: width - 3] + "..."


def _details(item: ItemResult, limit: int) -> list[str]:
    lines = [f"         {for_text(item.message)}"]
    evidence = item.evidence
    if evidence is None:
        return lines
    for location in evidence.locations[:limit]:
        lines.append(f"           at {for_text(location)}")
    if len(evidence.locations) > limit:
        lines.append(f"           ... and {plural(len(evidence.locations) - limit, 'more place')}")
    if evidence.looked_for and item.verdict in {
        "unsupported",
        "contradicted",
        "unverifiable",
        "template-only",
        "consistent",
    }:
        lines.append(f"           looked for: {'; '.join(map(for_text, evidence.looked_for))}")
    return lines


def render_json(results: Sequence[Entry] | Entry) -> str:
    """The JSON contract (`verifier/schema/result.schema.json`). One entry gives one object: a result, or for
    a repository that could not be verified `{"repo": ..., "error": ...}`. A sequence (several paths) gives
    one object, `{"schema_version", "tool_version", "results": [...], "errors": [...]}`, each list in the
    order given: a grading script reads the results without checking each for an error, and no failed
    repository goes missing. An empty sequence is that object with two empty lists.

    The data is exact except that credentials in URLs are redacted; lone surrogates (undecodable bytes of a
    file name) are written as `\\udcxx` escapes so the text is valid UTF-8."""
    if isinstance(results, (Verification, Failure)):
        data = results.to_dict()
    else:
        data = {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "results": [entry.to_dict() for entry in results if isinstance(entry, Verification)],
            "errors": [entry.to_dict() for entry in results if isinstance(entry, Failure)],
        }
    return escape_surrogates_in_json(json.dumps(redact_data(data), indent=2, ensure_ascii=False)) + "\n"


def render_markdown(result: Entry, *, show: Show = "all") -> str:
    """A Markdown table of the items, problems first, then the answers and the warnings: for an issue
    comment, a grading note or a GitHub step summary. `show="problems"` keeps the ticks that need a look
    and the answers' problems. Repository text cannot open HTML, a code span or a new table cell
    (`sanitize.for_markdown`, `sanitize.markdown_code`)."""
    if isinstance(result, Failure):
        return (
            f"## mlops-verifier: {for_markdown(result.repo)}\n\n"
            f"**Not verified:** {for_markdown(result.error)}\n"
        )
    ticked = sum(1 for item in result.items if item.item.ticked)
    counts = " · ".join(f"{verdict} {n}" for verdict, n in result.counts.items() if n)
    lines = [
        f"## mlops-verifier: {for_markdown(result.repo)}",
        "",
        f"Score **{_fmt(result.score)}** (consistency), honesty **{_fmt(result.honesty)}** (claim precision). "
        f"{plural(len(result.items), 'item')}, {ticked} ticked: {counts or 'no checklist items'}.",
        "",
    ]
    order = {verdict: index for index, (verdict, _) in enumerate(GROUPS)}
    items = sorted(shown_items(result, show), key=lambda i: (order[i.verdict], i.item.line))
    if items:
        lines += ["| verdict | line | rule | item | evidence |", "|---|---|---|---|---|"]
    elif show == "problems":
        lines.append("No tick needs a look.")
    for item in items:
        places = "<br>".join(
            markdown_code(loc.where) for loc in (item.evidence.locations[:3] if item.evidence else ())
        )
        cell = for_markdown(item.message) + (f"<br>{places}" if places else "")
        rule = for_markdown(item.rule or "-")
        lines.append(
            f"| {item.verdict} | {item.item.line} | {rule} | {for_markdown(item.item.text)} | {cell} |"
        )
    answers = shown_answers(result, show)
    if answers:
        lines += [
            "",
            "### Answers" if show == "all" else "### Answers that need a look",
            "",
            "| verdict | question | check | claim | what the repository shows |",
            "|---|---|---|---|---|",
        ]
        for data in answers:
            cells = [
                for_markdown(data.get(k, "")) for k in ("verdict", "question", "check", "claim", "message")
            ]
            lines.append("| " + " | ".join(cells) + " |")
    if result.warnings:
        lines += ["", f"### Warnings ({len(result.warnings)})", ""]
        lines += [f"- {_markdown_block(warning)}" for warning in result.warnings]
    return "\n".join(lines) + "\n"


_BLOCK_START = re.compile(r"^(?:[#+=-]|\d+(?=[.)]))")


def _markdown_block(text: object) -> str:
    """`for_markdown` text that cannot start a heading, list or setext line where it begins a block (a
    list item's text): a leading `#`, `+`, `-`, `=` or `1.` is backslash-escaped."""
    value = for_markdown(text)
    match = _BLOCK_START.match(value)
    if match is None:
        return value
    if match.group()[0].isdigit():
        end = match.end()
        return value[:end] + "\\" + value[end:]
    return "\\" + value


def render_junit(results: Sequence[Entry]) -> str:
    """JUnit XML: one test suite per repository, one test case per checklist item; a repository that could
    not be verified is a suite with one `error` test case. Every string is made valid XML 1.0 text
    (`sanitize.for_xml`), so the document always parses."""
    suites = ET.Element("testsuites", name="mlops-verifier")
    for result in results:
        if isinstance(result, Failure):
            suite = ET.SubElement(
                suites,
                "testsuite",
                name=for_xml(result.repo),
                tests="1",
                failures="0",
                errors="1",
                skipped="0",
            )
            case = ET.SubElement(suite, "testcase", classname=for_xml(result.repo), name="verification")
            ET.SubElement(case, "error", message=for_xml(result.error), type="not-verified").text = for_xml(
                result.error
            )
            continue
        counts = result.counts
        repo = for_xml(result.repo)
        suite = ET.SubElement(suites, "testsuite", name=repo, tests="0", failures="0", skipped="0")
        properties = ET.SubElement(suite, "properties")
        for name, value in (("score", _fmt(result.score)), ("honesty", _fmt(result.honesty))):
            ET.SubElement(properties, "property", name=name, value=value)
        ET.SubElement(properties, "property", name="commit", value=for_xml(result.commit or ""))
        for item in result.items:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=repo,
                name=f"{for_xml(item.rule or 'unknown')} (line {item.item.line})",
            )
            locations = item.evidence.locations if item.evidence else ()
            detail = "\n".join(for_xml(loc) for loc in locations)
            message = for_xml(item.message)
            if item.verdict in FAILING:
                failure = ET.SubElement(case, "failure", message=message, type=item.verdict)
                looked_for = item.evidence.looked_for if item.evidence else ()
                failure.text = detail or "; ".join(map(for_xml, looked_for))
            elif item.verdict in {"unverifiable", "unknown", "skipped"}:
                ET.SubElement(case, "skipped", message=message)
            else:
                ET.SubElement(case, "system-out").text = f"{item.verdict}: {message}\n{detail}".strip()
        answers = list(map(_answer, result.answers))
        for data in answers:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{repo}::answers",
                name=f"Q{for_xml(data['question'])} {for_xml(data['check'])}",
            )
            message = for_xml(data["message"])
            if data["verdict"] == "inconsistent":
                ET.SubElement(case, "failure", message=message, type="inconsistent").text = for_xml(
                    data.get("claim", "")
                )
            elif data["verdict"] == "unverifiable":
                ET.SubElement(case, "skipped", message=message)
            elif data["verdict"] == "incomplete":
                ET.SubElement(case, "system-out").text = f"incomplete: {message}"
        suite.set("tests", str(len(result.items) + len(answers)))
        answer_failures = sum(1 for a in answers if a["verdict"] == "inconsistent")
        answer_skips = sum(1 for a in answers if a["verdict"] == "unverifiable")
        suite.set(
            "skipped", str(counts["unverifiable"] + counts["unknown"] + counts["skipped"] + answer_skips)
        )
        suite.set("failures", str(sum(counts[verdict] for verdict in FAILING) + answer_failures))
        if result.warnings:
            ET.SubElement(suite, "system-err").text = "\n".join(
                f"warning: {for_xml(warning)}" for warning in result.warnings
            )
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


CSV_ANSWER_COLUMNS = ("inconsistent", "incomplete", "unverifiable")


def render_csv(results: Sequence[Entry]) -> str:
    """One row per repository, in the order given: the gradebook view. A repository that could not be
    verified (no report, a failed clone, over its budget) keeps its row, with the reason in the `error`
    column, so no group goes missing. Columns are only ever added at the end: after `error` come the
    answer findings per verdict, the number and the text of the warnings, and the reasons of skipped
    items. No cell is split by a line break or read as a spreadsheet formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    answer_columns = [f"answers_{verdict}" for verdict in CSV_ANSWER_COLUMNS]
    writer.writerow(
        [
            *("repo", "commit", "score", "honesty", *VERDICTS, "error"),
            *(*answer_columns, "warnings", "warning_texts", "skip_reasons"),
        ]
    )
    for result in results:
        if isinstance(result, Failure):
            writer.writerow(
                [for_csv(result.repo), "", "", "", *([""] * len(VERDICTS)), for_csv(result.error)]
                + [""] * (len(answer_columns) + 3)
            )
            continue
        answers = Counter(str(answer_dict(a).get("verdict")) for a in result.answers)
        skipped = [
            f"{item.rule}: {item.skip_reason or 'left out'}"
            for item in result.items
            if item.verdict == "skipped"
        ]
        writer.writerow(
            [for_csv(result.repo), for_csv(result.commit or ""), _fmt(result.score), _fmt(result.honesty)]
            + [result.counts[v] for v in VERDICTS]
            + [""]
            + [answers[verdict] for verdict in CSV_ANSWER_COLUMNS]
            + [len(result.warnings), for_csv(" | ".join(result.warnings)), for_csv(" | ".join(skipped))]
        )
    return buffer.getvalue()


def cohort_rule_counts(verified: Sequence[Verification]) -> dict[str, Counter[str]]:
    """Per rule over the cohort: the items per verdict (unverifiable ones only when ticked) and `ticked`,
    the groups that ticked it (what `-f cohort` and the dashboard show)."""
    rows: dict[str, Counter[str]] = {}
    for result in verified:
        for item in result.items:
            if item.rule and item.verdict not in ("unknown", "skipped"):
                counts = rows.setdefault(item.rule, Counter())
                if item.verdict != "unverifiable" or item.item.claimed:  # unver counts ticked items only
                    counts[item.verdict] += 1
                counts["ticked"] += item.item.claimed
    return rows


def unsupported_share(counts: Counter[str]) -> float:
    """The share of a rule's ticks that it calls unsupported (0 when nobody ticked it)."""
    return counts["unsupported"] / counts["ticked"] if counts["ticked"] else 0.0


def needs_a_look(counts: Counter[str]) -> bool:
    """A rule that calls at least three groups and 30 % of the ticks unsupported: a hard item, or a rule
    that misses a shape of evidence; a grader checks a few of its groups by hand."""
    return unsupported_share(counts) >= 0.3 and counts["unsupported"] >= 3


def render_cohort(results: Sequence[Entry]) -> str:
    """Per rule over a cohort of repositories: how many groups ticked the item and how the ticks fared.

    A rule that calls many groups' ticks unsupported is either a hard item or a rule that misses a shape
    of evidence: the table lists those rules first so a grader checks a few of their groups by hand before
    trusting the verdicts. Repositories that could not be verified are named at the end.
    """
    failures = [r for r in results if isinstance(r, Failure)]
    verified = [r for r in results if isinstance(r, Verification)]
    columns = {
        "confirmed": "conf",
        "weakly-supported": "weak",
        "template-only": "tmpl",
        "unsupported": "unsup",
        "unverifiable": "unver",
        "unclaimed": "uncl",
        "contradicted": "contr",
    }
    rows = cohort_rule_counts(verified)
    ordered = sorted(rows.items(), key=lambda row: (-unsupported_share(row[1]), row[0]))
    lines = [
        f"mlops-verifier {__version__}  cohort of {plural(len(verified), 'repository', 'repositories')}",
        "ticked: groups that ticked the item; "
        + ", ".join(f"{short} {verdict}" for verdict, short in columns.items()),
        "",
        f"{'rule':<30} {'ticked':>6} "
        + " ".join(f"{short:>5}" for short in columns.values())
        + "  unsupported/ticked",
    ]
    for rule, counts in ordered:
        share = unsupported_share(counts)
        flag = "  <- check a few groups by hand" if needs_a_look(counts) else ""
        cells = " ".join(f"{counts[verdict]:>5}" for verdict in columns)
        shown = f"{share:>18.0%}" if counts["ticked"] else f"{'-':>18}"  # no tick: no share to give
        lines.append(f"{for_text(rule):<30} {counts['ticked']:>6} {cells}  {shown}{flag}")
    lines += _cohort_answers(verified)
    scores = sorted(r.score for r in verified if r.score is not None)
    if scores:
        lines += [
            "",
            f"consistency score: min {scores[0]:.2f}, median {median(scores):.2f}, max {scores[-1]:.2f}",
        ]
    if failures:
        lines += ["", f"NOT VERIFIED ({len(failures)})"]
        lines += [f"  {for_text(f.repo)}: {for_text(f.error)}" for f in failures]
    return "\n".join(lines) + "\n"


_VERSION_SUFFIX = re.compile(r"-\d+(?:\.\d+)*$")
ANSWER_COLUMNS = {
    "inconsistent": "incon",
    "incomplete": "incom",
    "unverifiable": "unver",
    "consistent": "cons",
}


def _cohort_answers(verified: Sequence[Verification]) -> list[str]:
    """The answer findings per check over the cohort (`ci-python-3.11` counted as `ci-python`): in how many
    groups the check found something, and its findings per verdict; checks that find the most
    inconsistent answers first."""
    rows: dict[str, Counter[str]] = {}
    for result in verified:
        seen: set[str] = set()
        for finding in map(answer_dict, result.answers):
            check = _VERSION_SUFFIX.sub("", str(finding.get("check", "?")))
            counts = rows.setdefault(check, Counter())
            counts[str(finding.get("verdict"))] += 1
            if check not in seen:
                seen.add(check)
                counts["groups"] += 1
    if not rows:
        return []
    lines = [
        "",
        "answers: findings per check; groups: repositories where the check found something; "
        + ", ".join(f"{short} {verdict}" for verdict, short in ANSWER_COLUMNS.items()),
        "",
        f"{'check':<30} {'groups':>6} " + " ".join(f"{short:>5}" for short in ANSWER_COLUMNS.values()),
    ]
    for check, counts in sorted(rows.items(), key=lambda row: (-row[1]["inconsistent"], row[0])):
        cells = " ".join(f"{counts[verdict]:>5}" for verdict in ANSWER_COLUMNS)
        lines.append(f"{for_text(check):<30} {counts['groups']:>6} {cells}")
    return lines
