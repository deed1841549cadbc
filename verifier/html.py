"""The HTML page of `verify -f html`: one self-contained document, a section per repository.

A section reads top-down as a grader works: the summary and both scores, then the ticks that need a look
(unsupported, contradicted, template-only, then weakly supported) with their evidence or what was looked
for, evidence for boxes left unticked, the checklist grouped by the report's weeks with a verdict badge
per item, the answers in their own section (problems first), the warnings. A repository that could not
be verified keeps a section with the reason. Every report or repository string goes through
`sanitize.for_html`; the look lives in `verifier.style`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import __version__
from .engine import ItemResult, Verification
from .evidence import Location
from .sanitize import for_html
from .style import badge, document, verdict_class
from .views import (
    ANSWER_PROBLEMS,
    ORDER,
    PROBLEMS,
    Entry,
    Failure,
    Show,
    count_by,
    fmt_score,
    plural,
    shown_answers,
)

EVIDENCE_SHOWN = 1  # locations shown in a checklist or answer row before "n more places"
LOOKED_FOR_VERDICTS = ("unsupported", "contradicted", "template-only", "unverifiable")


def render_html(result: Entry, *, show: Show = "all") -> str:
    """A standalone HTML page for one repository; every report or repository string is escaped
    (`sanitize.for_html`). `show="problems"` keeps the summary, the ticks that need a look, the answers'
    problems and the warnings."""
    title = f"mlops-verifier: {result.repo}"
    return document(title, section(result, show=show))


def render_html_pages(results: Sequence[Entry], *, show: Show = "all") -> str:
    """One HTML document with a section per repository, in the order given (a failed one included)."""
    if len(results) == 1:
        return render_html(results[0], show=show)
    return document("mlops-verifier", "<hr>\n".join(section(result, show=show) for result in results))


def section(result: Entry, *, show: Show = "all") -> str:
    """The `<section>` of one repository (or of one that could not be verified)."""
    if isinstance(result, Failure):
        return (
            "<section class='repo failed'>\n"
            f"<h1>{for_html(result.repo)}</h1>\n"
            f"<p class='meta'>mlops-verifier {for_html(__version__)}</p>\n"
            f"<p class='not-verified'>not verified: {for_html(result.error)}</p>\n</section>\n"
        )
    parts = [_header(result), _summary(result), _problems(result)]
    if show == "all":
        parts += [_unclaimed(result), _checklist(result)]
    parts += [_answers(result, show), _warnings(result)]
    return "<section class='repo'>\n" + "".join(part for part in parts if part) + "</section>\n"


def _header(result: Verification) -> str:
    ticked = sum(1 for item in result.items if item.item.ticked)
    commit = f"commit <code>{for_html(result.commit[:10])}</code>" if result.commit else "no git history"
    return (
        f"<h1>{for_html(result.repo)}</h1>\n<p class='meta'>report <code>{for_html(result.report_path)}</code>"
        f" · {plural(len(result.items), 'item')}, {ticked} ticked · {commit} · mlops-verifier "
        f"{for_html(__version__)}</p>\n"
    )


def _summary(result: Verification) -> str:
    counts = result.counts
    chips = "".join(
        f"<li>{badge(verdict, _chip(verdict, counts[verdict]))}</li>" for verdict in ORDER if counts[verdict]
    )
    answers = count_by(str(a.get("verdict")) for a in shown_answers(result, "all"))
    notes = []
    if answers:
        notes.append("answers: " + ", ".join(f"{n} {for_html(verdict)}" for verdict, n in answers.items()))
    if result.warnings:
        notes.append(plural(len(result.warnings), "warning"))
    return (
        "<div class='summary'>\n"
        + _score("consistency", result.score, "how far the ticks agree with the repository")
        + _score("honesty", result.honesty, "claim precision: how many ticks hold")
        + f"<ul class='counts'>{chips or '<li>no checklist items</li>'}</ul>\n</div>\n"
        + (f"<p class='notes'>{' · '.join(notes)}</p>\n" if notes else "")
    )


def _chip(verdict: str, count: int) -> str:
    return f"{verdict} {count}"


def _score(name: str, value: float | None, meaning: str) -> str:
    width = 0 if value is None else round(value * 100)
    level = "low" if value is not None and value < 0.5 else "mid" if value is not None and value < 0.8 else ""
    return (
        f"<div class='score' title='{for_html(meaning)}'><span class='num'>{fmt_score(value)}</span>"
        f"<span class='label'>{name}</span>"
        f"<span class='bar {level}'><span style='width:{width}%'></span></span></div>\n"
    )


def _problems(result: Verification) -> str:
    problems = sorted(
        (item for item in result.items if item.verdict in PROBLEMS),
        key=lambda item: (PROBLEMS.index(item.verdict), item.item.line),
    )
    heading = f"<h2>Ticks that need a look ({len(problems)})</h2>\n"
    if not problems:
        return heading + "<p class='none'>Every ticked item is supported or cannot be checked here.</p>\n"
    return heading + "".join(_card(item) for item in problems)


def _card(item: ItemResult) -> str:
    evidence = item.evidence
    locations = evidence.locations if evidence else ()
    looked_for = evidence.looked_for if evidence and item.verdict in LOOKED_FOR_VERDICTS else ()
    lines = [
        f"<div class='card {verdict_class(item.verdict)}'>\n<div class='head'>{badge(item.verdict)}"
        f"<span class='mono'>line {item.item.line}</span><code class='rule'>{for_html(item.rule or '-')}</code></div>\n"
        f"<p class='text'>{for_html(item.item.text)}</p>\n<p class='message'>{for_html(item.message)}</p>\n"
    ]
    if locations:
        lines.append(_locations(locations))
    if looked_for:
        lines.append(
            f"<p class='looked'><strong>looked for:</strong> {for_html('; '.join(looked_for))}</p>\n"
        )
    lines.append("</div>\n")
    return "".join(lines)


def _locations(locations: Sequence[Location], limit: int | None = None) -> str:
    shown = locations if limit is None else locations[:limit]
    rows = "".join(f"<li>{_location(location)}</li>" for location in shown)
    text = f"<ul class='evidence'>{rows}</ul>"
    rest = locations[len(shown) :]
    if rest:
        more = "".join(f"<li>{_location(location)}</li>" for location in rest)
        text += (
            f"<details><summary>{plural(len(rest), 'more place')}</summary>"
            f"<ul class='evidence'>{more}</ul></details>"
        )
    return text + "\n"


def _location(location: Location) -> str:
    where = location.where
    snippet = f"<code class='snippet'>{for_html(location.snippet)}</code>" if location.snippet else ""
    return f"<code class='where'>{for_html(where)}</code>{snippet}"


def _unclaimed(result: Verification) -> str:
    unclaimed = [item for item in result.items if item.verdict == "unclaimed"]
    if not unclaimed:
        return ""
    return f"<h2>Not ticked, but the repository shows it ({len(unclaimed)})</h2>\n" + "".join(
        _card(item) for item in unclaimed
    )


def _checklist(result: Verification) -> str:
    weeks: dict[str, list[ItemResult]] = {}
    for item in result.items:
        weeks.setdefault(item.item.section or "Checklist", []).append(item)
    parts = ["<h2>Checklist by week</h2>\n"]
    for week, items in weeks.items():
        ticked = sum(1 for item in items if item.item.ticked)
        parts.append(f"<h3>{for_html(week)} · {plural(len(items), 'item')}, {ticked} ticked</h3>\n")
        parts.append(
            "<table class='items'><thead><tr><th>verdict</th><th>line</th><th>tick</th><th>item</th>"
            "<th>evidence</th></tr></thead><tbody>\n"
        )
        parts += [_row(item) for item in items]
        parts.append("</tbody></table>\n")
    return "".join(parts)


def _row(item: ItemResult) -> str:
    evidence = item.evidence
    locations = evidence.locations if evidence else ()
    mark = f"[{item.item.mark}]"
    tick = "tick-yes" if item.item.ticked else "tick-no"
    problem = " class='problem'" if item.verdict in PROBLEMS else ""
    detail = for_html(item.message)
    if locations:
        detail += _locations(locations, EVIDENCE_SHOWN)
    if evidence and evidence.looked_for and item.verdict in LOOKED_FOR_VERDICTS:
        detail += (
            f"<p class='looked'><strong>looked for:</strong> {for_html('; '.join(evidence.looked_for))}</p>"
        )
    return (
        f"<tr{problem}><td class='verdict'>{badge(item.verdict)}</td><td class='line'>{item.item.line}</td>"
        f"<td class='tick mono {tick}'>{for_html(mark)}</td>"
        f"<td class='item'>{for_html(item.item.text)}<code class='rule'>{for_html(item.rule or 'no rule')}</code></td>"
        f"<td>{detail}</td></tr>\n"
    )


def _answers(result: Verification, show: Show) -> str:
    """The answer findings in a table, problems first; consistent findings folded away under a summary."""
    if not result.answers:
        return ""
    findings = shown_answers(result, show)
    heading = "Answers" if show == "all" else "Answers that need a look"
    parts = [f"<h2>{heading} ({len(findings)})</h2>\n"]
    if not findings:
        return parts[0] + "<p class='none'>No answer contradicts the repository or is unfinished.</p>\n"
    open_findings = [f for f in findings if f.get("verdict") != "consistent"]
    consistent = [f for f in findings if f.get("verdict") == "consistent"]
    if open_findings:
        parts.append(_answer_table(open_findings))
    if consistent:
        parts.append(
            f"<details><summary>{plural(len(consistent), 'consistent finding')}</summary>"
            + _answer_table(consistent)
            + "</details>\n"
        )
    return "".join(parts)


def _answer_table(findings: list[dict[str, Any]]) -> str:
    return (
        "<table class='answers'><thead><tr><th>verdict</th><th>question</th><th>check</th><th>claim</th>"
        "<th>what the repository shows</th></tr></thead><tbody>\n"
        + "".join(_answer_row(finding) for finding in findings)
        + "</tbody></table>\n"
    )


def _answer_row(finding: dict[str, Any]) -> str:
    verdict = finding.get("verdict", "")
    problem = " class='problem'" if verdict in ANSWER_PROBLEMS else ""
    locations = [
        Location(str(loc.get("path", "")), loc.get("line"), str(loc.get("snippet", "")), loc.get("cell"))
        for loc in finding.get("locations") or ()
        if isinstance(loc, dict)
    ]
    detail = for_html(finding.get("message", ""))
    if locations:
        detail += _locations(locations, EVIDENCE_SHOWN)
    return (
        f"<tr{problem}><td class='verdict'>{badge(verdict)}</td><td class='line'>Q{for_html(finding.get('question'))}</td>"
        f"<td class='check'><code>{for_html(finding.get('check', ''))}</code></td>"
        f"<td>{for_html(finding.get('claim', ''))}</td><td>{detail}</td></tr>\n"
    )


def _warnings(result: Verification) -> str:
    if not result.warnings:
        return ""
    rows = "".join(f"<li>{for_html(warning)}</li>" for warning in result.warnings)
    return f"<h2>Warnings ({len(result.warnings)})</h2>\n<ul class='warnings'>{rows}</ul>\n"
