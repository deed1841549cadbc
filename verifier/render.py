"""Render a Verification as text (for a grader's screen), JSON (the contract), Markdown, JUnit, CSV, HTML, or a
cohort table over many repositories."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any
from xml.etree import ElementTree as ET

from . import __version__
from .engine import VERDICTS, ItemResult, Verification
from .sanitize import (
    escape_surrogates_in_json,
    for_csv,
    for_html,
    for_markdown,
    for_text,
    for_xml,
    markdown_code,
    redact_data,
)

HTML_HEAD = "<!doctype html><meta charset='utf-8'><title>mlops-verifier</title>"
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Failure:
    """A repository that could not be verified (no report, a failed clone, over its time or memory budget,
    a crash): it keeps its place in every output format with the one-line reason, so no group goes
    missing from a cohort's results."""

    repo: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of a failed repository (`$defs/failure` in the published schema)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "repo": self.repo,
            "error": self.error,
        }


Entry = Verification | Failure
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
    ("skipped", "SKIPPED by --select/--ignore"),
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
# Item verdicts that are a failing test case in JUnit (and in the pytest plugin).
FAILING = ("unsupported", "contradicted", "template-only")
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
    "skipped": "none",
}


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def render_text(result: Entry, *, colour: bool = False, verbose: bool = False) -> str:
    """One screen for a grader: the summary, then problems first, each with its evidence or what was looked for.

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
        f"report {for_text(result.report_path)}: {len(result.items)} items, {ticked} ticked   commit {commit}",
        f"score {_fmt(result.score)} (consistency)   honesty {_fmt(result.honesty)} (claim precision)",
        "   ".join(f"{verdict} {counts[verdict]}" for verdict in VERDICTS if counts[verdict])
        or "no checklist items",
    ]
    limit = 8 if verbose else 3
    for verdict, heading in GROUPS:
        members = [item for item in result.items if item.verdict == verdict]
        if not members:
            continue
        lines += ["", paint(f"{heading} ({len(members)})", verdict)]
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
    if result.answers:
        lines += ["", "ANSWERS"]
        for data in map(_answer, result.answers):
            if data.get("verdict") != "consistent" or verbose:
                lines.append(
                    f"  Q{for_text(data.get('question'))}: {for_text(data.get('verdict'))}: "
                    f"{for_text(data.get('message', ''))}"
                )
    if result.warnings:
        lines += ["", f"WARNINGS ({len(result.warnings)})"] + [
            f"  ! {for_text(w)}" for w in result.warnings[:20]
        ]
        if len(result.warnings) > 20:
            lines.append(f"  ... {len(result.warnings) - 20} more (see --format json)")
    return "\n".join(lines) + "\n"


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
        lines.append(f"           ... and {len(evidence.locations) - limit} more places")
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
    """The JSON contract: one object for one entry, a list for several. A failed repository is
    `{"repo": ..., "error": ...}` (with schema_version and tool_version). The data is exact except that
    credentials in URLs are redacted; lone surrogates (undecodable bytes of a file name) are written as
    `\\udcxx` escapes so the text is valid UTF-8."""
    data = (
        results.to_dict() if isinstance(results, (Verification, Failure)) else [r.to_dict() for r in results]
    )
    return escape_surrogates_in_json(json.dumps(redact_data(data), indent=2, ensure_ascii=False)) + "\n"


def render_markdown(result: Entry) -> str:
    """A Markdown table per verdict group, for an issue comment or a grading note. Repository text cannot
    open HTML, a code span or a new table cell (`sanitize.for_markdown`, `sanitize.markdown_code`)."""
    if isinstance(result, Failure):
        return (
            f"## mlops-verifier: {for_markdown(result.repo)}\n\n"
            f"**Not verified:** {for_markdown(result.error)}\n"
        )
    lines = [
        f"## mlops-verifier: {for_markdown(result.repo)}",
        "",
        f"Score **{_fmt(result.score)}** (consistency), honesty **{_fmt(result.honesty)}** (claim precision).",
        "",
        "| verdict | line | rule | item | evidence |",
        "|---|---|---|---|---|",
    ]
    order = {verdict: index for index, (verdict, _) in enumerate(GROUPS)}
    for item in sorted(result.items, key=lambda i: (order[i.verdict], i.item.line)):
        places = "<br>".join(
            markdown_code(f"{loc.path}{':' + str(loc.line) if loc.line else ''}")
            for loc in (item.evidence.locations[:3] if item.evidence else ())
        )
        cell = for_markdown(item.message) + (f"<br>{places}" if places else "")
        rule = for_markdown(item.rule or "-")
        lines.append(
            f"| {item.verdict} | {item.item.line} | {rule} | {for_markdown(item.item.text)} | {cell} |"
        )
    answers = [_answer(a) for a in result.answers]
    if answers:
        lines += [
            "",
            "### Answers",
            "",
            "| verdict | question | check | claim | what the repository shows |",
            "|---|---|---|---|---|",
        ]
        for data in sorted(answers, key=lambda d: (d["verdict"] == "consistent", d["question"])):
            cells = [
                for_markdown(data.get(k, "")) for k in ("verdict", "question", "check", "claim", "message")
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _answer(answer: object) -> dict[str, Any]:
    return answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)  # type: ignore[call-overload]


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
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def render_csv(results: Sequence[Entry]) -> str:
    """One row per repository, in the order given: the gradebook view. A repository that could not be
    verified (no report, a failed clone, over its budget) keeps its row, with the reason in the last
    column, so no group goes missing. No cell is split by a line break or read as a spreadsheet formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["repo", "commit", "score", "honesty", *VERDICTS, "error"])
    for result in results:
        if isinstance(result, Failure):
            writer.writerow(
                [for_csv(result.repo), "", "", "", *([""] * len(VERDICTS)), for_csv(result.error)]
            )
            continue
        writer.writerow(
            [for_csv(result.repo), for_csv(result.commit or ""), _fmt(result.score), _fmt(result.honesty)]
            + [result.counts[v] for v in VERDICTS]
            + [""]
        )
    return buffer.getvalue()


def render_html_pages(results: Sequence[Entry]) -> str:
    """One HTML document with a section per repository."""
    return HTML_HEAD + "<hr>".join(map(_html_section, results))


def render_html(result: Entry) -> str:
    """A standalone HTML page; every report or repository string is escaped (`sanitize.for_html`)."""
    return HTML_HEAD + _html_section(result)


def _html_section(result: Entry) -> str:
    if isinstance(result, Failure):
        return (
            f"<h1>{for_html(result.repo)}</h1>"
            f"<p class='not-verified'>not verified: {for_html(result.error)}</p>\n"
        )
    rows = []
    for item in result.items:
        places = "<br>".join(for_html(loc) for loc in (item.evidence.locations if item.evidence else ()))
        verdict = for_html(item.verdict)
        rows.append(
            f"<tr class='{verdict}'><td>{verdict}</td><td>{item.item.line}</td>"
            f"<td>{for_html(item.rule or '-')}</td><td>{for_html(item.item.text)}</td>"
            f"<td>{for_html(item.message)}<br>{places}</td></tr>"
        )
    answer_rows = "".join(
        f"<tr class='{for_html(d['verdict'])}'><td>{for_html(d['verdict'])}</td><td>Q{for_html(d['question'])}</td>"
        f"<td>{for_html(d['check'])}</td><td>{for_html(d.get('claim', ''))}</td><td>{for_html(d['message'])}</td></tr>"
        for d in map(_answer, result.answers)
    )
    if answer_rows:
        rows.append("<tr><th colspan='5'>Answers</th></tr>" + answer_rows)
    return (
        f"<h1>{for_html(result.repo)}</h1><p>score {_fmt(result.score)}, honesty {_fmt(result.honesty)}</p>"
        "<table><tr><th>verdict</th><th>line</th><th>rule</th><th>item</th><th>evidence</th></tr>"
        + "".join(rows)
        + "</table>\n"
    )


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
    rows: dict[str, Counter[str]] = {}
    for result in verified:
        for item in result.items:
            if item.rule and item.verdict not in ("unknown", "skipped"):
                counts = rows.setdefault(item.rule, Counter())
                if item.verdict != "unverifiable" or item.item.claimed:  # unver counts ticked items only
                    counts[item.verdict] += 1
                counts["ticked"] += item.item.claimed

    def unsupported_share(counts: Counter[str]) -> float:
        return counts["unsupported"] / counts["ticked"] if counts["ticked"] else 0.0

    ordered = sorted(rows.items(), key=lambda row: (-unsupported_share(row[1]), row[0]))
    lines = [
        f"mlops-verifier {__version__}  cohort of {len(verified)} repositories",
        "ticked: groups that ticked the item; "
        + ", ".join(f"{short} {verdict}" for verdict, short in columns.items()),
        "",
        f"{'rule':<30} {'ticked':>6} "
        + " ".join(f"{short:>5}" for short in columns.values())
        + "  unsupported/ticked",
    ]
    for rule, counts in ordered:
        share = unsupported_share(counts)
        flag = "  <- check a few groups by hand" if share >= 0.3 and counts["unsupported"] >= 3 else ""
        cells = " ".join(f"{counts[verdict]:>5}" for verdict in columns)
        lines.append(f"{for_text(rule):<30} {counts['ticked']:>6} {cells}  {share:>18.0%}{flag}")
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
