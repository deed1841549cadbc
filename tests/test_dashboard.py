"""`-f dashboard`: the cohort's page. Its structure (heat map of groups x rules, every cell linked to its
evidence, flagged rules, module rates, escaping, a Content-Security-Policy that allows only its own
script), then the page in headless Chromium: it renders, sorts by score, a cell opens its evidence, it
reads without script, nothing loads, no console error, screenshots under the test's folder."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import Chromium, find_chromium
from cohort_repos import REPORT, make_project

from verifier.cohort import CohortResult, verify_many
from verifier.dashboard import SCRIPT, content_security_policy, render_dashboard, script_hash
from verifier.groups import Target

from conftest import write_tree

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not found: install it (apt-get install chromium) or set CHROMIUM to its executable",
)
HOSTILE = "<img src=x onerror=alert(1)>"


class Page(HTMLParser):
    """Every tag with its attributes, and the text of the script elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


@pytest.fixture(scope="module")
def cohort_results(tmp_path_factory: pytest.TempPathFactory) -> list[CohortResult]:
    """Five groups: four verified (two with a Dockerfile, two without; every one ticks profiling, which
    none shows, so that rule is flagged), one with no usable repository."""
    base = tmp_path_factory.mktemp("cohort")
    targets = []
    for number in range(4):
        project = make_project(base / f"g{number}", docker=number < 2)
        if number == 3:
            write_tree(project, {"reports/README.md": REPORT.format(docker=" ")})
        targets.append(Target(str(project), str(number + 1), (f"s{number}a", f"s{number}b")))
    targets.append(Target("", "5", (HOSTILE,), "group_info.csv line 6: no repository given"))
    results = list(verify_many(targets, jobs=2, cache=base / "cache"))
    return sorted(results, key=lambda graded: graded.index)


@pytest.fixture(scope="module")
def page(cohort_results: list[CohortResult]) -> str:
    return render_dashboard(cohort_results)


def test_the_heat_map_has_a_row_per_group_and_a_linked_cell_per_rule(page: str) -> None:
    parsed = Page()
    parsed.feed(page)
    rows = [attrs for tag, attrs in parsed.tags if tag == "tr" and "data-score" in attrs]
    assert [row["data-group"] for row in rows] == ["1", "2", "3", "4", "5"]
    ids = {attrs["id"] for _, attrs in parsed.tags if attrs.get("id")}
    links = [
        attrs["href"]
        for tag, attrs in parsed.tags
        if tag == "a" and "cell-link" in (attrs.get("class") or "")
    ]
    assert len(links) == 4 * 3  # four verified groups, three rules each
    assert all(link.startswith("#") and link[1:] in ids for link in links)
    assert (
        "m10.dockerfiles" in page
        and "<span class='why'>not verified: group_info.csv line 6: no repository given</span>" in page
    )


def test_a_rule_calling_many_groups_unsupported_is_flagged_and_modules_get_rates(page: str) -> None:
    flagged = re.search(r"<tr class=flagged><td><code>([^<]+)</code>", page)
    assert flagged is not None and flagged.group(1) == "m13.profiling"
    assert "Rules that call groups unsupported (1 flagged)" in page
    module_row = re.search(
        r"<tr><td><strong>M10</strong></td><td class='line'>(\d+)</td><td class='line'>(\d+)</td>", page
    )
    assert module_row is not None and module_row.groups() == ("3", "3")  # group 4 left it unticked


def test_group_list_text_is_escaped_and_only_the_pages_own_script_may_run(page: str) -> None:
    assert HOSTILE not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    parsed = Page()
    parsed.feed(page)
    assert parsed.scripts == [SCRIPT]
    assert not [attrs for tag, attrs in parsed.tags if tag == "script" and attrs.get("src")]
    assert not [v for _, attrs in parsed.tags for k, v in attrs.items() if k.startswith("on")]
    policy = next(
        attrs["content"] for tag, attrs in parsed.tags if attrs.get("http-equiv") == "Content-Security-Policy"
    )
    assert policy == content_security_policy()
    assert "default-src 'none'" in policy and f"script-src {script_hash()}" in policy
    assert "unsafe-inline'" not in policy.split("script-src")[1]


@needs_chromium
def test_the_dashboard_in_a_browser_sorts_opens_evidence_and_loads_nothing(page: str, tmp_path: Path) -> None:
    path = tmp_path / "dashboard.html"
    path.write_text(page, encoding="utf-8")
    assert CHROMIUM is not None
    with Chromium(CHROMIUM, width=1280, height=900) as browser:
        loaded = browser.open(path)
        assert browser.evaluate("document.body.classList.contains('scripted')") is True
        assert browser.evaluate("document.querySelectorAll('#heat tbody tr').length") == 5
        browser.screenshot(tmp_path / "dashboard.png", full_page=False)
        order = "Array.from(document.querySelectorAll('#heat tbody tr')).map(r => r.dataset.group)"
        scores = "Array.from(document.querySelectorAll('#heat tbody tr')).map(r => r.dataset.score)"
        browser.evaluate("document.querySelector('button[data-column=score]').click()")
        ascending = browser.evaluate(scores)
        numbers = [float(s) if s else -1 for s in ascending]
        assert numbers == sorted(numbers) and ascending[0] == ""  # the group without a result first
        browser.evaluate("document.querySelector('button[data-column=score]').click()")
        assert [float(s) if s else -1 for s in browser.evaluate(scores)] == sorted(numbers, reverse=True)
        browser.evaluate("document.querySelector('button[data-column=group]').click()")
        assert browser.evaluate(order) == ["1", "2", "3", "4", "5"]
        assert browser.evaluate("document.getElementById('panel').hidden") is True
        browser.evaluate("document.querySelector('#heat tbody tr td.cell a.cell-link').click()")
        assert browser.evaluate("document.getElementById('panel').hidden") is False
        shown = browser.evaluate("document.getElementById('panel-body').innerText")
        assert "group 1" in shown and "confirmed" in shown
        browser.screenshot(tmp_path / "dashboard-evidence.png", full_page=False)
        assert loaded.errors == [] and loaded.requests == [path.resolve().as_uri()]
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
    assert (tmp_path / "dashboard-evidence.png").stat().st_size > 10_000


@needs_chromium
def test_the_dashboard_reads_without_script(page: str, tmp_path: Path) -> None:
    path = tmp_path / "dashboard.html"
    path.write_text(page, encoding="utf-8")
    assert CHROMIUM is not None
    with Chromium(CHROMIUM, width=1280, height=900) as browser:
        browser.call("Emulation.setScriptExecutionDisabled", session=True, value=True)
        browser.open(path)
        assert browser.evaluate("document.body.classList.contains('scripted')") is False
        rows = browser.evaluate("document.querySelectorAll('#heat tbody tr').length")
        cell_height = browser.evaluate("document.querySelector('td.cell').getBoundingClientRect().height")
        assert rows == 5 and cell_height >= 20
        # a cell is a link to its item's row in the group's section, which the browser opens
        target = browser.evaluate("document.querySelector('a.cell-link').getAttribute('href')")
        browser.call("Page.navigate", session=True, url=path.resolve().as_uri() + target)
        browser.evaluate("1")
        assert browser.evaluate(f"document.getElementById('{target[1:]}').closest('details').open") is True
        browser.screenshot(tmp_path / "dashboard-no-script.png", full_page=False)


@needs_chromium
def test_the_heat_map_stays_a_grid_on_a_narrow_screen(page: str, tmp_path: Path) -> None:
    path = tmp_path / "dashboard.html"
    path.write_text(page, encoding="utf-8")
    assert CHROMIUM is not None
    with Chromium(CHROMIUM, width=480, height=900) as browser:
        browser.open(path)
        tops = browser.evaluate(
            "Array.from(document.querySelectorAll('#heat tbody tr')[0].querySelectorAll('td.cell'))"
            ".map(c => Math.round(c.getBoundingClientRect().top))"
        )
        assert len(tops) == 3 and len(set(tops)) == 1  # side by side, not stacked
        assert (
            browser.evaluate("document.documentElement.scrollWidth") <= 480
        )  # the map scrolls, not the page
        browser.screenshot(tmp_path / "dashboard-narrow.png", full_page=False)
