"""`-f dashboard`: one self-contained HTML page for a whole cohort.

From the top: the cohort in numbers (groups verified and not, the scores), the heat map (a row per group,
a column per checklist rule in course-module order, each cell coloured and marked by the verdict of the
group's item), the rules that call many groups unsupported (flagged for a look, as `-f cohort` does), the
per-module rates, and a section per group with every item's verdict, message and evidence. A heat-map
cell is a link to that item's row in its group's section, so the page reads without script; a little
inline script (allowed by its hash in the Content-Security-Policy, nothing else may load or run) sorts
the rows by group, score or honesty and opens a cell's evidence in a panel beside the map.

The look is `verifier.style`'s: the same verdict colours and badges as the per-repository page. Every
repository and group-list string goes through `sanitize.for_html`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timezone
from statistics import median

from . import __version__
from .cohort import CohortResult
from .engine import ItemResult, Verification
from .exports import answer_problems
from .registry import all_rules
from .render import MARKS, cohort_rule_counts, needs_a_look, unsupported_share
from .sanitize import for_html
from .style import CONTENT_SECURITY_POLICY, CSS, VERDICT_COLOURS, badge, verdict_class
from .views import ORDER, fmt_score, plural

LOCATIONS_SHOWN = 3
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_MODULE_NUMBER = re.compile(r"\d+")
# Verdicts a module rate is given for, in this order (of the ticked items of the module's rules).
RATE_VERDICTS = (
    "confirmed",
    "weakly-supported",
    "template-only",
    "unsupported",
    "contradicted",
    "unverifiable",
)

SCRIPT = """
(function () {
  var table = document.getElementById('heat');
  var panel = document.getElementById('panel');
  var body = document.getElementById('panel-body');
  function key(row, column) {
    var value = row.getAttribute('data-' + column) || '';
    if (column === 'group') { var n = parseFloat(value); return isNaN(n) ? value : n; }
    return value === '' ? -1 : parseFloat(value);
  }
  table.querySelectorAll('button.sort').forEach(function (button) {
    button.addEventListener('click', function () {
      var column = button.getAttribute('data-column');
      var descending = button.getAttribute('aria-sort') === 'ascending';
      table.querySelectorAll('button.sort').forEach(function (b) { b.removeAttribute('aria-sort'); });
      button.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      var tbody = table.tBodies[0];
      var rows = Array.prototype.slice.call(tbody.rows);
      rows.sort(function (a, b) {
        var x = key(a, column), y = key(b, column);
        var order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return descending ? -order : order;
      });
      rows.forEach(function (row) { tbody.appendChild(row); });
    });
  });
  table.addEventListener('click', function (event) {
    var link = event.target.closest('a.cell-link');
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute('href').slice(1));
    if (!target) { return; }
    event.preventDefault();
    body.innerHTML = '';
    var heading = document.createElement('p');
    heading.className = 'panel-group';
    heading.textContent = link.getAttribute('data-group') || '';
    body.appendChild(heading);
    var copy = target.cloneNode(true);
    copy.removeAttribute('id');
    var holder = document.createElement('table');
    var tbody = document.createElement('tbody');
    tbody.appendChild(copy);
    holder.appendChild(tbody);
    body.appendChild(holder);
    panel.hidden = false;
    table.querySelectorAll('a.cell-link.open').forEach(function (a) { a.classList.remove('open'); });
    link.classList.add('open');
  });
  document.getElementById('panel-close').addEventListener('click', function () { panel.hidden = true; });
  document.addEventListener('keydown', function (event) { if (event.key === 'Escape') { panel.hidden = true; } });
  document.body.classList.add('scripted');
})();
""".strip()

DASHBOARD_CSS = (
    """
main{max-width:none}
section.repo{max-width:1500px;margin-left:auto;margin-right:auto}
.heat-wrap{overflow:auto;max-height:80vh;border:1px solid var(--line);border-radius:8px;background:var(--paper)}
table.heat{border-collapse:separate;border-spacing:0;width:auto;margin:0;font-size:.82rem}
table.heat th,table.heat td{padding:0;border-bottom:1px solid var(--line)}
table.heat thead th{position:sticky;top:0;background:var(--paper);z-index:2;vertical-align:bottom;
text-transform:none;letter-spacing:0;color:var(--ink);font-weight:600}
table.heat th.rule{height:150px;width:26px;min-width:26px}
table.heat th.rule span{display:block;writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;
font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:500;font-size:.76rem;padding:4px 0;margin:0 auto}
table.heat th.group,table.heat td.group{position:sticky;left:0;background:var(--paper);z-index:1;
min-width:190px;max-width:260px;padding:4px 10px;text-align:left;border-right:1px solid var(--line)}
table.heat thead th.group{z-index:3}
table.heat td.group small{display:block;color:var(--muted);font-weight:400;overflow-wrap:anywhere}
table.heat td.num,table.heat th.num{padding:4px 8px;text-align:right;white-space:nowrap;min-width:62px}
table.heat td.cell{width:26px;min-width:26px;height:26px;text-align:center;border-left:1px solid #fff}
table.heat td.cell a{display:block;line-height:26px;color:inherit;text-decoration:none;font-weight:700}
table.heat td.cell a:hover,table.heat td.cell a.open{outline:2px solid var(--ink);outline-offset:-2px}
table.heat td.none{background:repeating-linear-gradient(45deg,#fff,#fff 3px,#f1f2f4 3px,#f1f2f4 6px)}
table.heat td.failed{background:repeating-linear-gradient(-45deg,#fff,#fff 4px,#f6e0e1 4px,#f6e0e1 8px)}
table.heat td.group .why{display:block;color:#8c1d22;font-size:.8rem;overflow-wrap:anywhere}
#panel td.line::before{content:"line "}
#panel td.verdict{margin-bottom:2px}
button.sort{font:inherit;font-weight:600;border:0;background:none;color:var(--accent);cursor:pointer;padding:0}
button.sort::after{content:" \\2195";color:var(--muted)}
button.sort[aria-sort=ascending]::after{content:" \\2191"}button.sort[aria-sort=descending]::after{content:" \\2193"}
body:not(.scripted) button.sort{color:var(--ink);cursor:default}body:not(.scripted) button.sort::after{content:""}
.facts{flex:1 1 320px;color:var(--muted);margin:0}
.legend{display:flex;flex-wrap:wrap;gap:6px 10px;list-style:none;padding:0;margin:8px 0 10px}
.legend .mark{font-weight:700;margin-right:3px}
#panel{position:fixed;right:16px;bottom:16px;width:min(560px,calc(100vw - 32px));max-height:60vh;overflow:auto;
background:var(--paper);border:1px solid var(--line);border-left:5px solid var(--accent);border-radius:8px;
box-shadow:0 8px 30px rgba(20,30,50,.18);padding:10px 14px;z-index:10}
#panel[hidden]{display:none}
#panel .panel-head{display:flex;justify-content:space-between;align-items:center}
#panel .panel-group{font-weight:700;margin:4px 0}
#panel td{display:block;border:0;padding:2px 0}
#panel-close{font:inherit;border:1px solid var(--line);background:var(--wash);border-radius:6px;cursor:pointer}
tr.flagged td{background:#fff4f4}
.flag{color:#c0262d;font-weight:700;white-space:nowrap}
details.group{border:1px solid var(--line);border-radius:8px;margin:8px 0;padding:6px 12px;background:var(--paper)}
details.group>summary{font-size:.95rem;color:var(--ink)}
details.group>summary .meta{margin-left:8px}
tr:target td{background:#fff7d6}
td.zero{color:#b4bac4}
@media print{.heat-wrap{max-height:none;overflow:visible}#panel{display:none}}
@media (max-width:720px){table.heat{display:table;width:auto!important}table.heat thead{display:table-header-group}
table.heat tbody{display:table-row-group}table.heat tr{display:table-row;padding:0;border:0}
table.heat th,table.heat td{display:table-cell;border-bottom:1px solid var(--line)}
table.heat td.cell,table.heat th.rule{width:26px!important}
table.heat th.group,table.heat td.group{min-width:120px;max-width:150px}}
"""
    + "\n".join(
        f".cell.v-{verdict}{{background:{background};color:{text}}}"
        for verdict, (text, background, _border) in VERDICT_COLOURS.items()
    )
    + "\n"
)


def script_hash(script: str = SCRIPT) -> str:
    """The CSP source of the inline script: `'sha256-<base64 digest>'`."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def content_security_policy() -> str:
    """The per-repository page's policy with the one inline script allowed by its hash."""
    return f"{CONTENT_SECURITY_POLICY}; script-src {script_hash()}"


def _anchor(*parts: object) -> str:
    return "-".join(_ID_UNSAFE.sub("_", str(part)) for part in parts)


def _rule_order() -> dict[str, tuple[int, str]]:
    order: dict[str, tuple[int, str]] = {}
    for rule in all_rules():
        numbers = [int(m.group()) for module in rule.modules if (m := _MODULE_NUMBER.search(module))]
        order[rule.id] = (min(numbers) if numbers else 999, rule.id)
    return order


def _columns(verified: Sequence[Verification]) -> list[str]:
    """Every rule some group's item was verified with, in course-module order."""
    seen = {item.rule for result in verified for item in result.items if item.rule and item.evidence}
    order = _rule_order()
    return sorted(seen, key=lambda rule: order.get(rule, (999, rule)))


def _first_items(result: Verification) -> dict[str, ItemResult]:
    items: dict[str, ItemResult] = {}
    for item in result.items:
        if item.rule and item.evidence is not None:
            items.setdefault(item.rule, item)
    return items


def _label(graded: CohortResult) -> str:
    """`group 7`, or the last part of the path or URL (`group-007`) when the target has no group."""
    if graded.group or not graded.source:
        return graded.target.label
    return graded.source.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or graded.target.label


def render_dashboard(results: Sequence[CohortResult], *, title: str = "mlops-verifier cohort") -> str:
    """The dashboard page of a cohort run (see the module docstring), groups in the order given."""
    verified = [graded.entry for graded in results if isinstance(graded.entry, Verification)]
    columns = _columns(verified)
    body = "".join(
        [
            "<section class='repo dash'>\n",
            _header(results, verified),
            _heat_map(results, columns),
            _flagged(verified),
            _module_rates(verified),
            _groups(results),
            "</section>\n",
            "<aside id='panel' hidden aria-live='polite'><div class='panel-head'><strong>Evidence</strong>"
            "<button type='button' id='panel-close'>close</button></div><div id='panel-body'></div></aside>\n",
        ]
    )
    return (
        "<!doctype html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<meta http-equiv='Content-Security-Policy' content=\"{content_security_policy()}\">\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>{for_html(title)}</title>\n<style>{CSS}{DASHBOARD_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{body}</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def _header(results: Sequence[CohortResult], verified: Sequence[Verification]) -> str:
    failed = len(results) - len(verified)
    cached = sum(1 for graded in results if graded.cached)
    scores = sorted(result.score for result in verified if result.score is not None)
    deadline = next((graded.deadline for graded in results if graded.deadline), None)
    after = [graded for graded in results if graded.commits_after]
    facts = [
        plural(len(results), "group"),
        f"{len(verified)} verified",
        f"{failed} not verified",
        f"{cached} from the results database",
    ]
    meta = (
        f"mlops-verifier {for_html(__version__)} · generated "
        f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}"
    )
    if deadline is not None:
        meta += (
            f" · as of the deadline <strong>{for_html(deadline.isoformat(' ', 'minutes'))}</strong> "
            f"(committer date) · {plural(len(after), 'group')} pushed after it"
        )
    summary = (
        "<div class='summary'>\n"
        + _number("median consistency", median(scores) if scores else None)
        + _number("lowest", scores[0] if scores else None)
        + _number("highest", scores[-1] if scores else None)
        + f"<p class='facts'>{' · '.join(facts)}</p>\n</div>\n"
    )
    return f"<h1>{for_html(plural(len(results), 'group'))}: the cohort</h1>\n<p class='meta'>{meta}</p>\n{summary}"


def _number(label: str, value: float | None) -> str:
    return (
        f"<div class='score'><span class='num'>{fmt_score(value)}</span>"
        f"<span class='label'>{for_html(label)}</span></div>\n"
    )


def _legend() -> str:
    entries = "".join(
        f"<li>{badge(verdict, f'{MARKS[verdict]} {verdict}')}</li>" for verdict in ORDER if verdict in MARKS
    )
    return f"<ul class='legend'>{entries}<li><span class='badge v-other'>no such item in the report</span></li></ul>\n"


def _heat_map(results: Sequence[CohortResult], columns: list[str]) -> str:
    head = (
        "<thead><tr><th class='group'><button type='button' class='sort' data-column='group'>group</button></th>"
        "<th class='num'><button type='button' class='sort' data-column='score'>score</button></th>"
        "<th class='num'><button type='button' class='sort' data-column='honesty'>honesty</button></th>"
        + "".join(
            f"<th class='rule' title='{for_html(rule)}'><span>{for_html(rule)}</span></th>"
            for rule in columns
        )
        + "</tr></thead>\n"
    )
    rows = []
    for graded in results:
        rows.append(_heat_row(graded, columns))
    return (
        f"<h2>Heat map ({plural(len(results), 'group')} × {plural(len(columns), 'rule')})</h2>\n"
        "<p class='notes'>A row per group, a column per checklist rule in course-module order; a cell is the "
        "verdict of the group's item. Select a cell for its message and evidence; sort by the column names.</p>\n"
        + _legend()
        + f"<div class='heat-wrap'><table class='heat' id='heat'>\n{head}<tbody>\n{''.join(rows)}</tbody></table></div>\n"
    )


def _heat_row(graded: CohortResult, columns: list[str]) -> str:
    label = _label(graded)
    group_value = graded.group or str(graded.index + 1)
    entry = graded.entry
    score = "" if graded.score is None else f"{graded.score:.4f}"
    honesty = "" if graded.honesty is None else f"{graded.honesty:.4f}"
    students = f"<small>{for_html(', '.join(graded.students))}</small>" if graded.students else ""
    why = (
        ""
        if isinstance(entry, Verification)
        else f"<span class='why'>not verified: {for_html(entry.error)}</span>"
    )
    row = (
        f"<tr data-group='{for_html(group_value)}' data-score='{score}' data-honesty='{honesty}'>"
        f"<td class='group' title='{for_html(graded.source)}'><a href='#{_anchor('g', graded.index)}'>{for_html(label)}</a>"
        f"{students}{why}</td>"
        f"<td class='num'>{fmt_score(graded.score)}</td><td class='num'>{fmt_score(graded.honesty)}</td>"
    )
    if not isinstance(entry, Verification):
        return row + f"<td class='failed' colspan='{max(1, len(columns))}' title='not verified'></td></tr>\n"
    items = _first_items(entry)
    cells = []
    for rule in columns:
        item = items.get(rule)
        if item is None:
            cells.append(f"<td class='cell none' title='{for_html(rule)}: no such item in the report'></td>")
            continue
        verdict = str(item.verdict)
        tip = f"{label} · {rule} · {verdict}: {item.message}"
        cells.append(
            f"<td class='cell {verdict_class(verdict)}'><a class='cell-link' href='#{_anchor('g', graded.index, rule)}' "
            f"data-group='{for_html(label)}' title='{for_html(tip[:300])}'>{for_html(MARKS.get(verdict, '?'))}</a></td>"
        )
    return row + "".join(cells) + "</tr>\n"


def _flagged(verified: Sequence[Verification]) -> str:
    rows = cohort_rule_counts(verified)
    ordered = sorted(rows.items(), key=lambda row: (-unsupported_share(row[1]), row[0]))
    lines = []
    for rule, counts in ordered:
        if not counts["unsupported"]:
            continue
        flag = "<span class='flag'>check a few groups by hand</span>" if needs_a_look(counts) else ""
        lines.append(
            f"<tr{' class=flagged' if flag else ''}><td><code>{for_html(rule)}</code></td><td class='line'>{counts['ticked']}</td>"
            f"<td class='line'>{counts['unsupported']}</td><td class='line'>{unsupported_share(counts):.0%}</td>"
            f"<td class='line'>{counts['confirmed']}</td><td>{flag}</td></tr>\n"
        )
    flagged = sum(1 for _, counts in rows.items() if needs_a_look(counts))
    heading = f"<h2>Rules that call groups unsupported ({flagged} flagged)</h2>\n"
    if not lines:
        return heading + "<p class='none'>No rule calls any group's tick unsupported.</p>\n"
    return (
        heading
        + "<p class='notes'>A rule that calls at least three groups and 30% of the ticks unsupported is either a "
        "hard item this year or a rule that misses a shape of evidence: check a few of its groups by hand before "
        "trusting those verdicts.</p>\n"
        "<table><thead><tr><th>rule</th><th>ticked</th><th>unsupported</th><th>share</th><th>confirmed</th>"
        f"<th></th></tr></thead><tbody>\n{''.join(lines)}</tbody></table>\n"
    )


def _module_rates(verified: Sequence[Verification]) -> str:
    ticked: Counter[str] = Counter()
    groups: dict[str, set[int]] = {}
    by_verdict: dict[str, Counter[str]] = {}
    for number, result in enumerate(verified):
        for item in result.items:
            if not item.rule or item.evidence is None or not item.item.claimed:
                continue
            for module in item.item.modules or ("-",):
                ticked[module] += 1
                groups.setdefault(module, set()).add(number)
                by_verdict.setdefault(module, Counter())[str(item.verdict)] += 1
    if not ticked:
        return "<h2>Per module</h2>\n<p class='none'>No ticked item to count.</p>\n"

    def module_key(module: str) -> tuple[int, str]:
        found = _MODULE_NUMBER.search(module)
        return (int(found.group()) if found else 999, module)

    rows = []
    for module in sorted(ticked, key=module_key):
        rates = "".join(_rate(by_verdict[module][verdict], ticked[module]) for verdict in RATE_VERDICTS)
        rows.append(
            f"<tr><td><strong>{for_html(module)}</strong></td><td class='line'>{len(groups[module])}</td>"
            f"<td class='line'>{ticked[module]}</td>{rates}</tr>\n"
        )
    head = "".join(f"<th>{badge(verdict)}</th>" for verdict in RATE_VERDICTS)
    return (
        "<h2>Per module</h2>\n<p class='notes'>Of the ticked items of each course module across the cohort: how "
        "many groups ticked one, and the share of those ticks per verdict.</p>\n"
        f"<table><thead><tr><th>module</th><th>groups</th><th>ticks</th>{head}</tr></thead><tbody>\n"
        f"{''.join(rows)}</tbody></table>\n"
    )


def _rate(count: int, total: int) -> str:
    share = f"{count / total:.0%}"
    return f"<td class='line{' zero' if not count else ''}'>{share}</td>"


def _groups(results: Sequence[CohortResult]) -> str:
    parts = [
        f"<h2>Groups ({len(results)})</h2>\n<p class='notes'>Every item of every group with its message and "
        "evidence; a heat-map cell links here.</p>\n"
    ]
    for graded in results:
        parts.append(_group(graded))
    return "".join(parts)


def _group(graded: CohortResult) -> str:
    entry = graded.entry
    label = for_html(_label(graded))
    facts = []
    if graded.students:
        facts.append(for_html(", ".join(graded.students)))
    if graded.source:
        facts.append(f"<code>{for_html(graded.source)}</code>")
    if graded.commit:
        facts.append(f"commit <code>{for_html(graded.commit[:10])}</code>")
    if graded.commits_after is not None:
        facts.append(plural(graded.commits_after, "commit") + " after the deadline")
    if graded.cached:
        facts.append("from the results database")
    anchor = _anchor("g", graded.index)
    if not isinstance(entry, Verification):
        return (
            f"<details class='group' id='{anchor}' open><summary>{badge('not-verified', 'not verified')} <strong>{label}</strong>"
            f"<span class='meta'>{' · '.join(facts)}</span></summary>\n"
            f"<p class='not-verified'>{for_html(entry.error)}</p></details>\n"
        )
    rows = "".join(_item_row(graded, item) for item in _sorted_items(entry))
    notes = "".join(f"<li>{for_html(text)}</li>" for text in [*answer_problems(entry), *entry.warnings])
    return (
        f"<details class='group' id='{anchor}'><summary><strong>{label}</strong> "
        f"<span class='meta'>consistency {fmt_score(entry.score)} · honesty {fmt_score(entry.honesty)} · "
        f"{' · '.join(facts)}</span></summary>\n"
        "<table><thead><tr><th>verdict</th><th>line</th><th>item</th><th>message and evidence</th></tr></thead>"
        f"<tbody>\n{rows}</tbody></table>\n"
        + (f"<ul class='warnings'>{notes}</ul>\n" if notes else "")
        + "</details>\n"
    )


def _sorted_items(result: Verification) -> list[ItemResult]:
    rank = {verdict: index for index, verdict in enumerate(ORDER)}
    return sorted(result.items, key=lambda item: (rank.get(str(item.verdict), len(rank)), item.item.line))


def _item_row(graded: CohortResult, item: ItemResult) -> str:
    identifier = f" id='{_anchor('g', graded.index, item.rule)}'" if item.rule and item.evidence else ""
    evidence = item.evidence
    detail = for_html(item.message)
    if evidence and evidence.locations:
        shown = "".join(
            f"<li><span class='where'>{for_html(location.path)}{':' + str(location.line) if location.line else ''}"
            f"</span><span class='snippet'>{for_html(location.snippet)}</span></li>"
            for location in evidence.locations[:LOCATIONS_SHOWN]
        )
        more = len(evidence.locations) - LOCATIONS_SHOWN
        detail += f"<ul class='evidence'>{shown}</ul>" + (
            f"<p class='looked'>and {plural(more, 'more place')}</p>" if more > 0 else ""
        )
    if (
        evidence
        and evidence.looked_for
        and str(item.verdict) in ("unsupported", "contradicted", "template-only")
    ):
        detail += (
            f"<p class='looked'><strong>looked for:</strong> {for_html('; '.join(evidence.looked_for))}</p>"
        )
    return (
        f"<tr{identifier}><td class='verdict'>{badge(item.verdict)}</td><td class='line'>{item.item.line}</td>"
        f"<td class='item'><code class='rule'>{for_html(item.rule or '-')}</code>{for_html(item.item.text)}</td>"
        f"<td>{detail}</td></tr>\n"
    )
