"""Finding the report beyond reports/README.md, saying where each part came from, and exit 2 only when none is found."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from verifier import discovery
from verifier.cli import main
from verifier.discovery import find_report
from verifier.engine import load_report, verify
from verifier.repo import Repo
from verifier.report import ReportError

from conftest import FIXTURES, ROOT, git_init, write_tree

SHAPES = FIXTURES / "reports"
FULL = (SHAPES / "full_report.md").read_text(encoding="utf-8")
ANSWERS = (SHAPES / "answers_only.md").read_text(encoding="utf-8")
CHECKLIST = (SHAPES / "checklist_only.md").read_text(encoding="utf-8")
UNTOUCHED = CHECKLIST.replace("[x]", "[ ]")
OWN = (SHAPES / "own_requirements_checklist.md").read_text(encoding="utf-8")
SCHEMA = json.loads((ROOT / "verifier" / "schema" / "result.schema.json").read_text(encoding="utf-8"))


def repository(tmp_path: Path, files: dict[str, str]) -> Path:
    return git_init(write_tree(tmp_path / "group", {"src/app.py": "x = 1\n", **files}))


@pytest.mark.parametrize(
    "where",
    [
        "reports/readme.md",
        "reports/reports.md",
        "report/README.md",
        "leaf_project/reports/README.md",
        "README.md",
        "CHECKLIST.md",
        "checklist/checklist.md",
        "Reports/Exam_Report.md",
    ],
)
def test_a_report_in_another_place_is_found_and_named(tmp_path: Path, where: str) -> None:
    root = repository(tmp_path, {where: FULL, "docs/usage.md": "# Usage\n\nRun it.\n"})
    report, shown = load_report(Repo(root), None)
    assert shown == where and len(report.checklist) == 21 and len(report.answers) == 5
    assert report.checklist_source is None
    assert report.warnings[0].startswith(f"reports/README.md does not exist: read {where} (21 course")


def test_a_checklist_and_the_answers_in_two_files(tmp_path: Path) -> None:
    root = repository(tmp_path, {"reports/README.md": ANSWERS, "reports/checklist.md": CHECKLIST})
    report, shown = load_report(Repo(root), None)
    assert shown == "reports/README.md" and report.checklist_source == "reports/checklist.md"
    assert len(report.checklist) == 11 and len(report.answers) == 12
    assert report.warnings[0] == (
        "reports/README.md has no course checklist: read the checklist from reports/checklist.md and the answers "
        "from reports/README.md (11 course checklist items, 12 answers)"
    )


def test_the_json_result_says_where_the_checklist_came_from(tmp_path: Path, capsys) -> None:
    root = repository(tmp_path, {"reports/README.md": ANSWERS, "CHECKLIST.md": CHECKLIST})
    assert main([str(root), "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, SCHEMA)
    assert data["report"] == "reports/README.md" and data["checklist_source"] == "CHECKLIST.md"
    assert data["items"][0]["line"] == 5 and any("CHECKLIST.md" in w for w in data["warnings"])


def test_one_file_gives_no_checklist_source(tmp_path: Path, capsys) -> None:
    root = repository(tmp_path, {"reports/README.md": FULL})
    assert main([str(root), "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["report"] == "reports/README.md" and "checklist_source" not in data
    assert not any("reports/README.md" in w and "read" in w for w in data["warnings"])


def test_an_untouched_copy_of_the_course_list_is_no_claim(tmp_path: Path) -> None:
    root = repository(tmp_path, {"reports/README.md": ANSWERS, "docs/projects.md": UNTOUCHED})
    report, _ = load_report(Repo(root), None)
    assert report.checklist == [] and report.checklist_source is None and len(report.answers) == 12
    assert any("only its answers are checked" in warning for warning in report.warnings)


def test_a_groups_own_requirements_checklist_is_not_taken(tmp_path: Path) -> None:
    root = repository(tmp_path, {"reports/README.md": ANSWERS, "REQUIREMENTS_CHECKLIST.md": OWN})
    report, _ = load_report(Repo(root), None)
    assert report.checklist == [] and report.checklist_source is None


def test_the_courses_own_copies_are_never_a_report(tmp_path: Path) -> None:
    root = repository(tmp_path, {".github/agents/dtu_mlops_agent.md": FULL, "docs/course/report.md": FULL})
    with pytest.raises(ReportError, match="no tracked Markdown file holds a course checklist"):
        load_report(Repo(root), None)


def test_no_report_anywhere_exits_2_naming_what_was_searched(tmp_path: Path, capsys) -> None:
    root = repository(
        tmp_path, {"README.md": "# Leaves\n\nWe classify leaves.\n", "docs/notes.md": "# Notes\n"}
    )
    assert main([str(root)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "no report at reports/README.md" in line and "searched 2 tracked Markdown files" in line
    assert "README.md" in line and "--report FILE" in line


def test_a_report_at_an_unusual_name_is_found_by_its_content(tmp_path: Path) -> None:
    root = repository(tmp_path, {"handin/final.md": FULL, "README.md": "# Leaves\n"})
    report, shown = load_report(Repo(root), None)
    assert shown == "handin/final.md" and report.course_items == 21


def test_the_report_option_still_wins(tmp_path: Path) -> None:
    root = repository(tmp_path, {"reports/README.md": FULL, "other.md": CHECKLIST})
    report, shown = load_report(Repo(root), "other.md")
    assert shown == "other.md" and len(report.checklist) == 11 and report.answers == []


def test_a_full_reports_readme_is_the_only_file_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"docs/page{n}.md": FULL for n in range(30)}
    root = repository(tmp_path, {"reports/README.md": FULL, "README.md": FULL, **files})
    read: list[str] = []
    original = discovery.read_bounded
    monkeypatch.setattr(
        discovery, "read_bounded", lambda repo, path, limit=None: read.append(path) or original(repo, path)
    )
    found = find_report(Repo(root))
    assert found.path == "reports/README.md" and read == ["reports/README.md"]


def test_names_come_first_and_other_markdown_is_read_only_when_they_hold_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"docs/page{n:04d}.md": "# Page\n\n- [x] a box of our own\n" for n in range(400)}
    root = repository(tmp_path, {"report/README.md": FULL, **files})
    found = find_report(Repo(root))
    assert found.path == "report/README.md" and not any(p.startswith("docs/") for p in found.searched)
    monkeypatch.setattr(discovery, "MAX_OTHER_CANDIDATES", 50)
    (root / "report" / "README.md").write_text("# Notes\n", encoding="utf-8")
    with pytest.raises(ReportError, match="searched 51 tracked Markdown files"):
        find_report(Repo(root))


def test_the_report_files_are_never_evidence(tmp_path: Path) -> None:
    root = repository(tmp_path, {"reports/README.md": ANSWERS, "CHECKLIST.md": CHECKLIST})
    repo = Repo(root)
    verify(repo, check_answers=False)
    assert repo.is_excluded("CHECKLIST.md") and repo.is_excluded("reports/README.md")
    assert not repo.is_excluded("src/app.py")


def test_a_reports_readme_without_items_or_answers_explains_itself(tmp_path: Path) -> None:
    empty = "## Overall project checklist\n\nNo boxes here.\n\n## Group information\n"
    root = repository(tmp_path, {"reports/README.md": empty})
    with pytest.raises(ReportError, match=r"reports/README\.md: the checklist section at line 1 contains no"):
        load_report(Repo(root), None)


def test_an_uncommitted_reports_readme_is_still_read(tmp_path: Path) -> None:
    root = repository(tmp_path, {})
    (root / "reports").mkdir()
    (root / "reports" / "README.md").write_text(FULL, encoding="utf-8")
    report, shown = load_report(Repo(root), None)
    assert shown == "reports/README.md" and len(report.checklist) == 21 and report.warnings == []


def test_a_checklist_in_reports_readme_and_the_answers_elsewhere(tmp_path: Path) -> None:
    root = repository(tmp_path, {"reports/README.md": CHECKLIST, "reports/answers.md": ANSWERS})
    report, shown = load_report(Repo(root), None)
    assert shown == "reports/answers.md" and report.checklist_source == "reports/README.md"
    assert report.warnings[0].startswith(
        "reports/README.md has no answers: read the checklist from reports/README.md"
    )


def test_a_refused_reports_readme_is_named_when_another_file_is_read(tmp_path: Path) -> None:
    other = write_tree(tmp_path / "other-group", {"reports/README.md": FULL})
    root = repository(tmp_path, {"report/README.md": FULL})
    (root / "reports").mkdir()
    (root / "reports" / "README.md").symlink_to(other / "reports" / "README.md")
    report, shown = load_report(Repo(root), None)
    assert shown == "report/README.md"
    assert report.warnings[0].startswith(
        "reports/README.md was not read (reports/README.md is a symbolic link"
    )


def test_a_short_checklist_in_reports_readme_is_not_replaced_by_a_fuller_copy(tmp_path: Path) -> None:
    short = FULL.replace("### Week 2", "## Group information\n\n### Week 2").split("## Group information")[0]
    short += "## Group information\n\n" + ANSWERS.split("## Group information")[1]
    root = repository(tmp_path, {"reports/README.md": short, "README.md": FULL})
    report, shown = load_report(Repo(root), None)
    assert shown == "reports/README.md" and report.checklist_source is None
    assert len(report.checklist) == 7 and len(report.answers) == 12 and report.warnings == []


def test_a_few_question_headings_alone_are_no_report(tmp_path: Path) -> None:
    faq = "# FAQ\n\n### Q1\n\nHow do I run it?\n\n### Q2\n\nWhere is the data?\n\n### Q3\n\nWho wrote it?\n"
    root = repository(tmp_path, {"docs/faq.md": faq})
    with pytest.raises(ReportError, match="no tracked Markdown file holds a course checklist"):
        load_report(Repo(root), None)
    root = repository(tmp_path / "early", {"docs/exam.md": ANSWERS})
    assert len(load_report(Repo(root), None)[0].answers) == 12


def test_the_report_scanned_while_git_lists_is_used_for_the_same_bytes_only(tmp_path: Path) -> None:
    """`Prescan` scans reports/README.md during the listing; `find_report` takes that scan only when the
    bytes it reads through the repository view are the same, else it scans what it read."""
    root = repository(tmp_path, {"reports/README.md": FULL})
    prescan = discovery.Prescan()
    repo = Repo(root, while_listing=prescan.run)
    assert prescan.data == FULL.encode() and prescan.report is not None
    scanned = prescan.report
    found = find_report(repo, prescan)
    assert found.report is scanned and prescan.report is None  # taken once
    assert found.report == find_report(Repo(root)).report
    prescan = discovery.Prescan()
    repo = Repo(root, while_listing=prescan.run)
    (root / "reports" / "README.md").write_text(ANSWERS, encoding="utf-8")  # changed after the scan
    found = find_report(repo, prescan)
    assert found.report is not scanned and len(found.report.answers) == 12 and not found.report.checklist


@pytest.mark.parametrize("shape", ["linked file", "linked folder", "named pipe", "missing"])
def test_the_report_is_not_scanned_early_where_a_link_or_a_pipe_is(tmp_path: Path, shape: str) -> None:
    """The early scan never follows a link (the view decides whether it stays inside the repository), never
    opens a named pipe, and a missing report leaves it empty; the report is then found as before."""
    outside = write_tree(tmp_path / "outside", {"README.md": FULL})
    root = repository(tmp_path, {"docs/report.md": FULL})
    if shape == "linked file":
        (root / "reports").mkdir()
        (root / "reports" / "README.md").symlink_to(outside / "README.md")
    elif shape == "linked folder":
        (root / "reports").symlink_to(outside)
    elif shape == "named pipe":
        (root / "reports").mkdir()
        os.mkfifo(root / "reports" / "README.md")
    prescan = discovery.Prescan()
    prescan.run(root)
    assert prescan.data is None and prescan.report is None
    assert find_report(Repo(root), prescan).path == "docs/report.md"
