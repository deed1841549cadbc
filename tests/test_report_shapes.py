"""Every shape of checklist groups hand in: one synthetic fixture per shape (fixtures/reports/), with near misses.

The checklist is the run of checkbox lines that match course items, wherever it sits; headings only name
sections. Marks are read as written: ticks, crosses, partial marks (kept partial, with a warning).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.report import ReportError, parse_report, scan_report

from conftest import FIXTURES

SHAPES = FIXTURES / "reports"


def shape(name: str):
    return parse_report((SHAPES / name).read_bytes())


def test_a_checklist_that_starts_at_week_1_without_a_heading() -> None:
    report = shape("no_checklist_heading.md")
    assert len(report.checklist) == report.course_items == 15
    assert [item.ticked for item in report.checklist[:7]] == [True, True, False, True, False, True, True]
    assert [item.section for item in report.checklist][::5] == ["Week 1", "Week 1", "Week 2"]
    assert report.checklist[-1].section == "Extra" and report.checklist_line == 3


def test_bold_week_lines_name_sections_and_the_groups_own_boxes_around_are_no_items() -> None:
    report = shape("bold_week_lines.md")
    texts = [item.text for item in report.checklist]
    assert len(texts) == 13 and "buy snacks for the team" not in texts
    assert "read the paper about leaves" not in texts
    assert {item.section for item in report.checklist} == {"Week 1", "Week 2", "Week 3"}
    assert sum(item.ticked for item in report.checklist) == 10


def test_a_misspelt_section_after_a_rule_keeps_its_ticked_items() -> None:
    report = shape("misspelt_section.md")
    extra = [item for item in report.checklist if item.section == "Extra"]
    assert [item.line for item in extra] == [21, 22] and all(item.claimed for item in extra)
    assert [answer.number for answer in report.answers] == [1, 2, 3]


def test_unfenced_shell_comments_after_the_heading_do_not_end_the_checklist() -> None:
    report = shape("unfenced_hash_lines.md")
    assert [item.line for item in report.checklist] == [13, 14, 15, 16, 17]
    assert all(item.ticked and item.section == "Week 1" for item in report.checklist)
    assert report.checklist_line == 1


def test_tick_marks_groups_use() -> None:
    report = shape("tick_marks.md")
    marks = {item.mark: (item.ticked, item.partial) for item in report.checklist}
    for tick in ("ok", "(x)", "(X)", "✅", "✔"):
        assert marks[tick] == (True, False), tick
    assert marks["❌"] == (False, False) and marks[" "] == (False, False)
    assert report.warnings == []


def test_numbered_items_with_an_emoji_and_no_brackets() -> None:
    report = shape("numbered_emoji_items.md")
    assert [(item.line, item.ticked) for item in report.checklist] == [
        (7, True),
        (8, True),
        (9, False),
        (10, True),
        (14, True),
        (15, False),
    ]
    assert report.checklist[0].modules == ("M5",) and report.checklist[-1].section == "Week 2"


def test_legends_are_no_items_but_an_emoji_bullet_is() -> None:
    report = shape("emoji_bullets_and_legends.md")
    assert [item.line for item in report.checklist] == [7, 8, 9, 13]
    assert report.checklist[1].mark == "❌" and not report.checklist[1].ticked
    assert all("Done" not in item.text and "Not done" not in item.text for item in report.checklist)


def test_partial_marks_stay_partial_with_a_warning_each() -> None:
    report = shape("partial_marks.md")
    partial = [item.mark for item in report.checklist if item.partial]
    assert partial == ["%", "50%", "~", "/", "..", "-"]
    assert not any(item.ticked for item in report.checklist if item.partial)
    assert len(report.warnings) == 6 and "'[50%]' is read as a partial claim" in report.warnings[1]


def test_a_groups_own_requirements_checklist_is_not_the_courses() -> None:
    text = (SHAPES / "own_requirements_checklist.md").read_text(encoding="utf-8")
    with pytest.raises(ReportError, match="no '## Overall project checklist'"):
        parse_report(text)
    assert scan_report(text).checklist == []


@pytest.mark.parametrize(
    "lines",
    [
        ("- ✅ Fast inference on CPU", "- ✅ Pretty plots", "- ❌ GPU support"),  # a README's feature list
        (
            "- [x] Create a git repository (M5)",
            "- [x] Use logging to log important events in your code (M14)",
        ),
    ],
    ids=["feature list", "two course items"],
)
def test_a_few_boxes_without_a_checklist_heading_are_no_checklist(lines: tuple[str, ...]) -> None:
    text = "# Our project\n\n## Features\n\n" + "\n".join(lines) + "\n"
    assert scan_report(text).checklist == []


def test_five_course_items_without_a_heading_are_a_checklist() -> None:
    items = [
        "Create a git repository (M5)",
        "Use logging to log important events in your code (M14)",
        "Calculate the code coverage (M16)",
        "Create a frontend for your API (M26)",
        "Load test your application (M24)",
    ]
    text = "# Our project\n\n## Progress\n\n" + "\n".join(f"- [x] {item}" for item in items) + "\n"
    assert [item.line for item in scan_report(text).checklist] == [5, 6, 7, 8, 9]
    four = text.replace("- [x] Load test your application (M24)", "- [x] Ate cake")
    assert scan_report(four).checklist == []


@pytest.mark.parametrize(
    ("line", "is_item"),
    [
        ("- [x] = Done", False),
        ("- [ ] Not done", False),
        ("- [~] : partially done", False),
        ("- [x] Done", False),
        ("- [x] Create a git repository (M5)", True),
        ("- [x] Done the data version control setup (M8)", True),
        ("- [x]: Make sure that all team members have write access to the GitHub repository", True),
        ("- [x] = Done, not needed for the submission", False),
    ],
)
def test_a_legend_line_is_no_item_and_an_item_starting_with_done_is(line: str, is_item: bool) -> None:
    text = "## Overall project checklist\n\n### Week 1\n\n- [x] Create a git repository (M5)\n" + line + "\n"
    assert len(parse_report(text).checklist) == 1 + is_item


def test_under_a_checklist_heading_the_groups_own_wording_is_still_read() -> None:
    text = "## Overall project checklist\n\n### Week 1\n\n- [x] Juggle with torches\n- [ ] Eat cake\n\n## Notes\n\n- [x] late\n"
    report = parse_report(text)
    assert [item.text for item in report.checklist] == ["Juggle with torches", "Eat cake"]


def test_a_checklist_after_the_answers_is_found_and_cuts_the_last_answer() -> None:
    text = (
        (SHAPES / "answers_only.md").read_text(encoding="utf-8")
        + "\n"
        + (SHAPES / "tick_marks.md").read_text(encoding="utf-8")
    )
    report = parse_report(text)
    assert len(report.checklist) == 8 and report.checklist[0].line == 107
    assert "Create a git repository" not in report.answer(12).text


def test_the_full_and_answer_fixtures_read_as_one_report_each(tmp_path: Path) -> None:
    full = shape("full_report.md")
    assert full.course_items == len(full.checklist) == 21 and len(full.answers) == 5
    answers = shape("answers_only.md")
    assert answers.checklist == [] and len(answers.answers) == 12
