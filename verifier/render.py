"""Render a Verification as text (for a grader's screen), JSON (the contract), Markdown, JUnit, CSV, HTML, or a
cohort table over many repositories."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from statistics import median
from xml.etree import ElementTree as ET

from . import __version__
from .engine import VERDICTS, ItemResult, Verification

HTML_HEAD = "<!doctype html><meta charset='utf-8'><title>mlops-verifier</title>"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x9b]")
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


def render_text(result: Verification, *, colour: bool = False, verbose: bool = False) -> str:
    """One screen for a grader: the summary, then problems first, each with its evidence or what was looked for."""

    def paint(text: str, verdict: str) -> str:
        code = COLOURS.get(verdict)
        return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text

    counts = result.counts
    ticked = sum(1 for item in result.items if item.item.ticked)
    commit = result.commit[:10] if result.commit else "no git history"
    lines = [
        f"mlops-verifier {__version__}  {result.repo}",
        f"report {result.report_path}: {len(result.items)} items, {ticked} ticked   commit {commit}",
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
            lines.append(
                f"  {paint(MARKS[verdict], verdict)} L{item.item.line:<4} {item.rule or '-':<28} {_short(item)}"
            )
            detail = "full" if verbose else DETAIL[verdict]
            if item.override is not None and detail not in ("full", "message"):
                lines.append(f"         {item.message}")
            if detail == "full":
                lines += _details(item, limit)
            elif detail == "message":
                lines.append(f"         {item.message}")
            elif detail == "first-location" and item.evidence and item.evidence.locations:
                more = len(item.evidence.locations) - 1
                lines.append(
                    f"           at {_clean(str(item.evidence.locations[0]))}"
                    + (f"  (+{more} more)" if more else "")
                )
    if result.answers:
        lines += ["", "ANSWERS"]
        for answer in result.answers:
            data = answer.to_dict() if hasattr(answer, "to_dict") else answer
            if data.get("verdict") != "consistent" or verbose:
                lines.append(
                    f"  Q{data.get('question')}: {data.get('verdict')}: {_clean(str(data.get('message', '')))}"
                )
    if result.warnings:
        lines += ["", f"WARNINGS ({len(result.warnings)})"] + [
            f"  ! {_clean(w)}" for w in result.warnings[:20]
        ]
        if len(result.warnings) > 20:
            lines.append(f"  ... {len(result.warnings) - 20} more (see --format json)")
    return "\n".join(lines) + "\n"


def _short(item: ItemResult, width: int = 80) -> str:
    text = _clean(item.item.text)
    return text if len(text) <= width else text[: width - 3] + "..."


def _details(item: ItemResult, limit: int) -> list[str]:
    lines = [f"         {_clean(item.message)}"]
    evidence = item.evidence
    if evidence is None:
        return lines
    for location in evidence.locations[:limit]:
        lines.append(f"           at {_clean(str(location))}")
    if len(evidence.locations) > limit:
        lines.append(f"           ... and {len(evidence.locations) - limit} more places")
    if evidence.looked_for and item.verdict in {
        "unsupported",
        "contradicted",
        "unverifiable",
        "template-only",
        "consistent",
    }:
        lines.append(f"           looked for: {'; '.join(evidence.looked_for)}")
    return lines


def render_json(results: Sequence[Verification] | Verification) -> str:
    if isinstance(results, Verification):
        return json.dumps(results.to_dict(), indent=2, ensure_ascii=False) + "\n"
    return json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False) + "\n"


def render_markdown(result: Verification) -> str:
    """A Markdown table per verdict group, for an issue comment or a grading note."""
    lines = [
        f"## mlops-verifier: {result.repo}",
        "",
        f"Score **{_fmt(result.score)}** (consistency), honesty **{_fmt(result.honesty)}** (claim precision).",
        "",
        "| verdict | line | rule | item | evidence |",
        "|---|---|---|---|---|",
    ]
    order = {verdict: index for index, (verdict, _) in enumerate(GROUPS)}
    for item in sorted(result.items, key=lambda i: (order[i.verdict], i.item.line)):
        places = "<br>".join(
            f"`{loc.path}{':' + str(loc.line) if loc.line else ''}`"
            for loc in (item.evidence.locations[:3] if item.evidence else ())
        )
        cell = _md(item.message) + (f"<br>{places}" if places else "")
        text = _md(item.item.text)
        lines.append(f"| {item.verdict} | {item.item.line} | {item.rule or '-'} | {text} | {cell} |")
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
            cells = [_md(str(data.get(k, ""))) for k in ("verdict", "question", "check", "claim", "message")]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Report text for a Markdown table cell: no raw HTML, no cell breaks, no control characters."""
    return html.escape(_clean(text), quote=False).replace("|", "\\|").replace("\n", " ")


def _clean(text: str) -> str:
    """Text from a report or a repository without control characters (a terminal escape sequence in a
    report must not recolour or hide the grader's screen)."""
    return CONTROL.sub("", text)


def _answer(answer: object) -> dict:
    return answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)  # type: ignore[call-overload]


def render_junit(results: Sequence[Verification]) -> str:
    """JUnit XML: one test suite per repository, one test case per checklist item."""
    suites = ET.Element("testsuites", name="mlops-verifier")
    for result in results:
        counts = result.counts
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=result.repo,
            tests=str(len(result.items)),
            failures=str(sum(counts[verdict] for verdict in FAILING)),
            skipped=str(counts["unverifiable"] + counts["unknown"] + counts["skipped"]),
        )
        for item in result.items:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=result.repo,
                name=f"{item.rule or 'unknown'} (line {item.item.line})",
            )
            detail = "\n".join(str(loc) for loc in (item.evidence.locations if item.evidence else ()))
            if item.verdict in FAILING:
                failure = ET.SubElement(case, "failure", message=item.message, type=item.verdict)
                failure.text = detail or "; ".join(item.evidence.looked_for if item.evidence else ())
            elif item.verdict in {"unverifiable", "unknown", "skipped"}:
                ET.SubElement(case, "skipped", message=item.message)
            else:
                ET.SubElement(case, "system-out").text = f"{item.verdict}: {item.message}\n{detail}".strip()
        for data in map(_answer, result.answers):
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{result.repo}::answers",
                name=f"Q{data['question']} {data['check']}",
            )
            if data["verdict"] == "inconsistent":
                ET.SubElement(case, "failure", message=data["message"], type="inconsistent").text = data.get(
                    "claim", ""
                )
            elif data["verdict"] == "unverifiable":
                ET.SubElement(case, "skipped", message=data["message"])
            elif data["verdict"] == "incomplete":
                ET.SubElement(case, "system-out").text = f"incomplete: {data['message']}"
        suite.set("tests", str(len(result.items) + len(result.answers)))
        answer_failures = sum(1 for a in map(_answer, result.answers) if a["verdict"] == "inconsistent")
        answer_skips = sum(1 for a in map(_answer, result.answers) if a["verdict"] == "unverifiable")
        suite.set(
            "skipped", str(counts["unverifiable"] + counts["unknown"] + counts["skipped"] + answer_skips)
        )
        suite.set("failures", str(sum(counts[verdict] for verdict in FAILING) + answer_failures))
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def render_csv(results: Sequence[Verification], failures: Sequence[tuple[str, str]] = ()) -> str:
    """One row per repository: the gradebook view. A repository that could not be verified (no report, a
    failed clone) gets a row too, with the reason in the last column, so no group goes missing."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["repo", "commit", "score", "honesty", *VERDICTS, "error"])
    for result in results:
        writer.writerow(
            [result.repo, result.commit or "", _fmt(result.score), _fmt(result.honesty)]
            + [result.counts[v] for v in VERDICTS]
            + [""]
        )
    for repo, error in failures:
        writer.writerow([repo, "", "", "", *([""] * len(VERDICTS)), error])
    return buffer.getvalue()


def render_html_pages(results: Sequence[Verification]) -> str:
    """One HTML document with a section per repository."""
    return HTML_HEAD + "<hr>".join(map(_html_section, results))


def render_html(result: Verification) -> str:
    """A standalone HTML page; every report or repository string is escaped."""
    return HTML_HEAD + _html_section(result)


def _html_section(result: Verification) -> str:
    rows = []
    for item in result.items:
        places = "<br>".join(
            html.escape(str(loc)) for loc in (item.evidence.locations if item.evidence else ())
        )
        rows.append(
            f"<tr class='{html.escape(item.verdict)}'><td>{html.escape(item.verdict)}</td><td>{item.item.line}</td>"
            f"<td>{html.escape(item.rule or '-')}</td><td>{html.escape(item.item.text)}</td>"
            f"<td>{html.escape(item.message)}<br>{places}</td></tr>"
        )
    answer_rows = "".join(
        f"<tr class='{html.escape(d['verdict'])}'><td>{html.escape(d['verdict'])}</td><td>Q{d['question']}</td>"
        f"<td>{html.escape(d['check'])}</td><td>{html.escape(str(d.get('claim', '')))}</td><td>{html.escape(d['message'])}</td></tr>"
        for d in map(_answer, result.answers)
    )
    if answer_rows:
        rows.append("<tr><th colspan='5'>Answers</th></tr>" + answer_rows)
    return (
        f"<h1>{html.escape(result.repo)}</h1><p>score {_fmt(result.score)}, honesty {_fmt(result.honesty)}</p>"
        "<table><tr><th>verdict</th><th>line</th><th>rule</th><th>item</th><th>evidence</th></tr>"
        + "".join(rows)
        + "</table>\n"
    )


def render_cohort(results: Sequence[Verification]) -> str:
    """Per rule over a cohort of repositories: how many groups ticked the item and how the ticks fared.

    A rule that calls many groups' ticks unsupported is either a hard item or a rule that misses a shape
    of evidence: the table lists those rules first so a grader checks a few of their groups by hand before
    trusting the verdicts.
    """
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
    for result in results:
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
        f"mlops-verifier {__version__}  cohort of {len(results)} repositories",
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
        lines.append(f"{rule:<30} {counts['ticked']:>6} {cells}  {share:>18.0%}{flag}")
    scores = sorted(r.score for r in results if r.score is not None)
    if scores:
        lines += [
            "",
            f"consistency score: min {scores[0]:.2f}, median {median(scores):.2f}, max {scores[-1]:.2f}",
        ]
    return "\n".join(lines) + "\n"
