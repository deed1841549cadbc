"""The HTML page (`-f html`): its sections in the order a grader reads them, problems first with their
evidence, the checklist by week, answers and warnings, a failed repository, --show problems; then the
page itself in headless Chromium: it renders, nothing loads or runs, and a screenshot is written."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import Chromium, find_chromium

from verifier import Failure, verify
from verifier.html import render_html, render_html_pages
from verifier.style import CSS, VERDICT_COLOURS, badge, verdict_class

from conftest import FIXTURES, write_tree

EXAMPLE = FIXTURES / "example-project"
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not found: install it (apt-get install chromium) or set CHROMIUM to its executable",
)
PROBLEM_ORDER = ["unsupported", "contradicted", "template-only", "weakly-supported"]


class Outline(HTMLParser):
    """Headings in document order, the verdict of every problem card, and every tag and attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.cards: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in ("h1", "h2", "h3"):
            self._heading = tag
            self.headings.append((tag, ""))
        classes = (attributes.get("class") or "").split()
        if tag == "div" and "card" in classes:
            self.cards.append(next(c[2:] for c in classes if c.startswith("v-")))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)


def outline(page: str) -> Outline:
    parser = Outline()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def example() -> str:
    result = verify(EXAMPLE)
    result.warnings.append("a warning with <b>markup</b> from the repository")
    return render_html(result)


def test_the_sections_come_in_the_order_a_grader_reads_them(example: str) -> None:
    headings = [text for tag, text in outline(example).headings if tag == "h2"]
    assert [re.sub(r" \(\d+\)$", "", text) for text in headings] == [
        "Ticks that need a look",
        "Not ticked, but the repository shows it",
        "Checklist by week",
        "Answers",
        "Warnings",
    ]
    weeks = [text.split(" · ")[0] for tag, text in outline(example).headings if tag == "h3"]
    assert weeks == ["Week 1", "Week 2", "Week 3", "Extra"]
    assert example.index("class='summary'") < example.index("Ticks that need a look")


def card(page: str, verdict: str) -> str:
    """The markup of the first problem card of `verdict`, up to the next card."""
    start = page.index(f"<div class='card v-{verdict}'>")
    return page[start : page.index("<div class='card", start + 1)]


def test_problems_come_first_unsupported_to_weak_each_with_its_evidence(example: str) -> None:
    cards = outline(example).cards
    problems = [card for card in cards if card in PROBLEM_ORDER]
    assert problems == sorted(problems, key=PROBLEM_ORDER.index) and set(problems) == set(PROBLEM_ORDER)
    unsupported = card(example, "unsupported")
    assert "m24.load-test" in unsupported and "looked for:" in unsupported and "locustfile" in unsupported
    assert "<code class='where'>tests/test_model.py</code>" in card(example, "template-only")
    assert "<code class='where'>reports/README.md:245</code>" in card(example, "contradicted")


def test_every_item_has_a_badge_in_its_week_and_the_answers_their_own_table(example: str) -> None:
    checklist = example[example.index("Checklist by week") : example.index("<h2>Answers")]
    assert checklist.count("<tr") - checklist.count("<tr><th") == 53
    assert checklist.count("class='verdict'><span class=\"badge v-") == 53
    answers = example[example.index("<h2>Answers") :]
    assert "<details><summary>23 consistent findings</summary>" in answers
    assert answers.index("v-incomplete") < answers.index("v-unverifiable") < answers.index("v-consistent")


def test_the_page_is_self_contained_and_escapes_repository_text(example: str) -> None:
    tags = outline(example).tags
    assert not any(tag in ("script", "link", "img", "iframe", "object", "base") for tag, _ in tags)
    assert not any(name in ("src", "href") or name.startswith("on") for _, attrs in tags for name in attrs)
    policy = next(attrs for tag, attrs in tags if tag == "meta" and attrs.get("http-equiv"))
    assert policy["content"].startswith("default-src 'none'")
    assert "a warning with &lt;b&gt;markup&lt;/b&gt;" in example and "<b>" not in example
    assert "url(" not in CSS and "@import" not in CSS


def test_a_failed_repository_keeps_its_section_with_the_reason() -> None:
    page = render_html_pages([verify(EXAMPLE), Failure("group-9", "no report at <reports/README.md>")])
    sections = page.split("<hr>")
    assert len(sections) == 2 and page.count("<!doctype html>") == 1
    assert "not verified: no report at &lt;reports/README.md&gt;" in sections[1]
    assert "<h1>group-9</h1>" in sections[1]


def test_show_problems_keeps_the_summary_problems_answer_problems_and_warnings() -> None:
    result = verify(EXAMPLE)
    result.warnings.append("a warning")
    page = render_html(result, show="problems")
    headings = [text for tag, text in outline(page).headings if tag == "h2"]
    assert [re.sub(r" \(\d+\)$", "", text) for text in headings] == [
        "Ticks that need a look",
        "Answers that need a look",
        "Warnings",
    ]
    assert "class='summary'" in page and "confirmed 23" in page  # the counts stay
    assert 'v-consistent">consistent</span></td>' not in page and "card v-confirmed" not in page


def test_badges_take_known_verdicts_only() -> None:
    assert badge("unsupported") == '<span class="badge v-unsupported">unsupported</span>'
    assert verdict_class("x' onclick='y") == "v-other"
    assert badge("x<y") == '<span class="badge v-other">x&lt;y</span>'
    for verdict in VERDICT_COLOURS:
        assert f".badge.v-{verdict}{{" in CSS


@pytest.fixture(scope="module")
def browser() -> Chromium:
    assert CHROMIUM is not None
    with Chromium(CHROMIUM, width=1280, height=900) as chromium:
        yield chromium


@needs_chromium
def test_the_page_renders_in_chromium_without_errors_or_requests(
    example: str, browser: Chromium, tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    path.write_text(example, encoding="utf-8")
    page = browser.open(path)
    assert page.errors == [] and page.requests == [path.resolve().as_uri()]
    headings = browser.evaluate("[...document.querySelectorAll('h2')].map(h => h.textContent)")
    assert [h.split(" (")[0] for h in headings][:3] == [
        "Ticks that need a look",
        "Not ticked, but the repository shows it",
        "Checklist by week",
    ]
    # the first problem card is on the first screen, with its evidence visible
    card = browser.evaluate(
        "(() => { const c = document.querySelector('.card.v-unsupported');"
        " const r = c.getBoundingClientRect();"
        " return {top: r.top, height: r.height, text: c.innerText}; })()"
    )
    assert 0 < card["top"] < 900 and card["height"] > 40 and "looked for:" in card["text"]
    evidence = browser.evaluate(
        "(() => { const e = document.querySelector('.card.v-template-only .evidence li');"
        " const r = e.getBoundingClientRect(); return {w: r.width, h: r.height, text: e.innerText}; })()"
    )
    assert evidence["w"] > 200 and evidence["h"] > 10 and "tests/test_model.py" in evidence["text"]
    assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    colour = browser.evaluate(
        "getComputedStyle(document.querySelector('.badge.v-unsupported')).backgroundColor"
    )
    assert colour == "rgb(192, 38, 45)"  # the stylesheet applied
    shot = browser.screenshot(tmp_path / "report.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


@needs_chromium
def test_hostile_report_text_neither_runs_nor_loads_in_chromium(tmp_path: Path, browser: Chromium) -> None:
    report = (EXAMPLE / "reports" / "README.md").read_text(encoding="utf-8")
    script = "<script>console.error('ran')</script><style>body{display:none}</style>"
    report = report.replace("Load test your application (M24)", f"Load test your application {script} (M24)")
    image = "<img src=http:127.0.0.1:9 onerror=console.error(1)>"
    group = write_tree(tmp_path / "group", {"reports/README.md": report, f"{image}/Dockerfile": "FROM x\n"})
    path = tmp_path / "hostile.html"
    path.write_text(render_html(verify(group)), encoding="utf-8")
    page = browser.open(path)
    assert page.errors == [] and page.requests == [path.resolve().as_uri()]
    assert browser.evaluate("document.querySelectorAll('img, script').length") == 0
    assert browser.evaluate("document.querySelectorAll('style').length") == 1
    text = browser.evaluate("document.body.innerText")
    assert script in text and f"{image}/Dockerfile" in text  # shown as text, where a grader can read it


@needs_chromium
def test_a_narrow_window_needs_no_sideways_scrolling(example: str, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(example, encoding="utf-8")
    assert CHROMIUM is not None
    with Chromium(CHROMIUM, width=480, height=900) as narrow:
        narrow.open(path)
        assert narrow.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        narrow.screenshot(tmp_path / "narrow.png", full_page=False)
