"""The look of every HTML page mlops-verifier writes: one stylesheet, the verdict colours and badges.

The per-repository page (`-f html`) and the cohort dashboard import this module, so that a verdict has
the same colour and badge everywhere. Everything is inline: a page needs no network, font or script.

    from verifier.style import badge, document
    html = document("title", "<main>" + badge("unsupported") + "</main>")
"""

from __future__ import annotations

from .sanitize import for_html

# Verdict -> (text colour, background, border). Item verdicts and answer verdicts share the table; the
# colour says how much a grader should look (red: an accusation, amber: weak or template, green: fine).
VERDICT_COLOURS: dict[str, tuple[str, str, str]] = {
    "unsupported": ("#ffffff", "#c0262d", "#c0262d"),
    "contradicted": ("#ffffff", "#8e1b5c", "#8e1b5c"),
    "template-only": ("#ffffff", "#c2570c", "#c2570c"),
    "weakly-supported": ("#6b4a00", "#fde68a", "#e7c25a"),
    "unclaimed": ("#07507a", "#dbeefb", "#9ccbea"),
    "confirmed": ("#0b5a33", "#d5f2e0", "#8fd3aa"),
    "unverifiable": ("#3c4656", "#e6e9ef", "#c5cad3"),
    "consistent": ("#4a5361", "#f3f4f6", "#d7dae0"),
    "unknown": ("#7a3e0a", "#fbe7d3", "#e8bb8f"),
    "skipped": ("#4a5361", "#ffffff", "#aab0ba"),
    # answer findings
    "inconsistent": ("#ffffff", "#c0262d", "#c0262d"),
    "incomplete": ("#6b4a00", "#fde68a", "#e7c25a"),
    "not-verified": ("#ffffff", "#3c4656", "#3c4656"),
}
# Verdicts whose side bar and badge say "look here" (the problems of --show problems).
ALERT_VERDICTS = ("unsupported", "contradicted", "template-only", "weakly-supported", "inconsistent")


def verdict_class(verdict: object) -> str:
    """The CSS class of a verdict: `v-<verdict>` for a known verdict, `v-other` for anything else (a
    verdict string is never put into markup unchecked)."""
    text = str(verdict)
    return f"v-{text}" if text in VERDICT_COLOURS else "v-other"


def badge(verdict: object, label: object | None = None) -> str:
    """A verdict badge: `<span class="badge v-unsupported">unsupported</span>`; `label` replaces the
    verdict as the shown text (escaped)."""
    return (
        f'<span class="badge {verdict_class(verdict)}">{for_html(verdict if label is None else label)}</span>'
    )


def _verdict_rules() -> str:
    rules = []
    for verdict, (text, background, border) in VERDICT_COLOURS.items():
        rules.append(f".badge.v-{verdict}{{color:{text};background:{background};border-color:{border}}}")
        rules.append(f".card.v-{verdict}{{border-left-color:{border}}}")
    return "\n".join(rules)


CSS = (
    """
:root{--ink:#1d2430;--muted:#5b6474;--line:#e3e6eb;--paper:#ffffff;--wash:#f6f7f9;--accent:#1f4fb8}
*{box-sizing:border-box}
html{background:var(--wash)}
body{margin:0;padding:24px 16px 48px;color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
main{max-width:1100px;margin:0 auto}
section.repo{background:var(--paper);border:1px solid var(--line);border-radius:10px;padding:24px 28px;
margin:0 0 24px}
hr{border:0;margin:0}
h1{font-size:1.45rem;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:1rem;margin:18px 0 6px;color:var(--muted)}
p{margin:4px 0}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.86em}
.meta{color:var(--muted);font-size:.9rem}
.meta code{color:var(--ink)}
.summary{display:flex;flex-wrap:wrap;gap:16px 32px;align-items:center;margin:16px 0 4px;padding:14px 18px;
background:var(--wash);border-radius:8px}
.score{display:flex;flex-direction:column;min-width:130px}
.score .num{font-size:2rem;font-weight:700;line-height:1.1}
.score .label{color:var(--muted);font-size:.85rem}
.bar{height:6px;width:130px;background:#dde1e7;border-radius:3px;margin-top:4px;overflow:hidden}
.bar span{display:block;height:100%;background:#2f7d4f}
.bar.low span{background:#c0262d}.bar.mid span{background:#d08a0b}
.counts{display:flex;flex-wrap:wrap;gap:6px;list-style:none;margin:0;padding:0;flex:1 1 320px}
.counts li{white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border:1px solid;border-radius:999px;font-size:.78rem;
font-weight:600;line-height:1.45;white-space:nowrap;vertical-align:1px}
.badge .n{font-weight:800;margin-left:4px}
.v-other{color:var(--ink);background:#fff;border-color:var(--line)}
.notes{color:var(--muted);font-size:.9rem;margin-top:8px}
.card{border:1px solid var(--line);border-left:5px solid var(--line);border-radius:8px;padding:10px 14px;
margin:10px 0;background:var(--paper)}
.card .head{display:flex;flex-wrap:wrap;gap:6px 10px;align-items:center}
.card .rule{color:var(--muted)}
.card .text{font-weight:600}
.message{margin:6px 0 2px}
.evidence{list-style:none;margin:6px 0 0;padding:0}
.evidence li{margin:3px 0;padding:4px 8px;background:var(--wash);border-radius:5px;overflow-wrap:anywhere}
.evidence .where{font-weight:600;color:var(--accent)}
.evidence .snippet{color:#333b48;margin-left:8px}
.looked{color:var(--muted);font-size:.9rem;margin-top:6px}
.looked strong{color:var(--ink);font-weight:600}
.none{color:var(--muted);font-style:italic}
table{border-collapse:collapse;width:100%;margin:4px 0 8px;font-size:.92rem}
th{text-align:left;font-weight:600;color:var(--muted);font-size:.8rem;text-transform:uppercase;
letter-spacing:.03em;padding:6px 8px;border-bottom:2px solid var(--line)}
td{vertical-align:top;padding:7px 8px;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
td.verdict{width:150px}
td.line{width:56px;color:var(--muted);white-space:nowrap}
td.tick{width:34px;text-align:center}
td.item{width:40%}
td.check{width:170px;overflow-wrap:normal}
td .rule{display:block;color:var(--muted);font-size:.85em}
tr.problem td{background:#fffaf5}
.tick-yes{color:#0b5a33;font-weight:700}.tick-no{color:#9aa1ac}
details{margin-top:4px}
summary{cursor:pointer;color:var(--accent);font-size:.88rem}
ul.warnings{margin:4px 0;padding-left:20px}
ul.warnings li{margin:2px 0;overflow-wrap:anywhere}
.not-verified{padding:10px 14px;border-left:5px solid #3c4656;background:var(--wash);border-radius:6px}
footer{color:var(--muted);font-size:.8rem;text-align:center;margin-top:8px}
@media (max-width:720px){body{padding:8px 4px 24px}section.repo{padding:14px 12px}
table,tbody,tr,td{display:block;width:auto!important}thead{display:none}
tr{border-bottom:1px solid var(--line);padding:6px 0}td{border:0;padding:2px 4px}
.summary{gap:10px 18px}}
@media print{html,body{background:#fff}section.repo{border:0;padding:0}tr.problem td{background:none}}
"""
    + _verdict_rules()
    + "\n"
)


# Nothing but the inline stylesheet may load or run: no script, no request (also if escaping ever failed).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
)


def document(title: str, body: str) -> str:
    """A complete, self-contained HTML page: the stylesheet inline, `title` escaped, `body` as given
    (markup the caller built with escaped text). Its Content-Security-Policy lets nothing load or run."""
    return (
        "<!doctype html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CONTENT_SECURITY_POLICY}\">\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>{for_html(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{body}</main>\n</body>\n</html>\n"
    )
