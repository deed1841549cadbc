"""The engine: verdict table, both scores, rule errors isolated, select/ignore, unknown items."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import verifier.engine as engine
from verifier.engine import ItemResult, verdict_for, verify
from verifier.evidence import Evidence, Location, Status
from verifier.report import ReportError
from verifier.rule import Rule

from conftest import git_init


def rule(rule_id: str, text: str, evidence: Evidence | Exception) -> type[Rule]:
    def check(self: Rule, repo: object) -> Evidence:
        if isinstance(evidence, Exception):
            raise evidence
        return evidence

    return type(
        rule_id, (Rule,), {"id": rule_id, "texts": (text,), "title": text, "modules": (), "check": check}
    )


HERE = Location("src/x.py", 3, "x = 1")
FOUND = Evidence.found("found it", [HERE])
WEAK = Evidence.weak("a trace", [HERE])
TEMPLATE = Evidence.template("template default", [HERE])
ABSENT = Evidence.absent("nothing", ["src/**/*.py"])
UNVERIFIABLE = Evidence.unverifiable("console only")

FAKE_RULES = [
    rule("t.found", "Alpha item about found evidence", FOUND),
    rule("t.weak", "Bravo item about weak evidence", WEAK),
    rule("t.template", "Charlie item about template evidence", TEMPLATE),
    rule("t.absent", "Delta item about absent evidence", ABSENT),
    rule("t.unverifiable", "Echo item about unverifiable evidence", UNVERIFIABLE),
    rule("t.broken", "Foxtrot item whose rule raises", RuntimeError("boom")),
]


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "all_rules", lambda warnings=None: FAKE_RULES)


def report(*lines: str) -> str:
    body = "\n".join(lines)
    return f"# Exam\n\n## Overall project checklist\n\n### Week 1\n\n{body}\n\n## Group information\n"


@pytest.fixture
def repo_with_report(tmp_path: Path) -> Callable[..., Path]:
    def make(*lines: str) -> Path:
        (tmp_path / "reports").mkdir(exist_ok=True)
        (tmp_path / "reports" / "README.md").write_text(report(*lines), encoding="utf-8")
        return tmp_path

    return make


@pytest.mark.parametrize(
    ("claimed", "status", "verdict"),
    [
        (True, Status.FOUND, "confirmed"),
        (True, Status.WEAK, "weakly-supported"),
        (True, Status.TEMPLATE, "template-only"),
        (True, Status.ABSENT, "unsupported"),
        (True, Status.UNVERIFIABLE, "unverifiable"),
        (False, Status.FOUND, "unclaimed"),
        (False, Status.WEAK, "unclaimed"),
        (False, Status.TEMPLATE, "consistent"),
        (False, Status.ABSENT, "consistent"),
        (False, Status.UNVERIFIABLE, "unverifiable"),
    ],
)
def test_verdict_table(claimed: bool, status: Status, verdict: str) -> None:
    assert verdict_for(claimed, status) == verdict


def test_scores_follow_the_design_formulas(fake_rules: None, repo_with_report: Callable[..., Path]) -> None:
    root = repo_with_report(
        "* [x] Alpha item about found evidence",
        "* [x] Bravo item about weak evidence",
        "* [x] Charlie item about template evidence",
        "* [x] Delta item about absent evidence",
        "* [x] Echo item about unverifiable evidence",
        "* [ ] Alpha item about found evidence",
        "* [ ] Delta item about absent evidence",
        "* [x] Something no rule knows about at all",
    )
    result = verify(root, check_answers=False)
    assert [i.verdict for i in result.items] == [
        "confirmed",
        "weakly-supported",
        "template-only",
        "unsupported",
        "unverifiable",
        "unclaimed",
        "consistent",
        "unknown",
    ]
    # score: (confirmed 1 + consistent 1 + 0.5 * (weak 1 + template 1)) / 6 scorable items
    assert result.score == pytest.approx(3 / 6, abs=1e-4)
    # honesty: (confirmed 1 + 0.5 * 2) / 4 scorable ticked items
    assert result.honesty == pytest.approx(2 / 4, abs=1e-4)
    assert result.counts["unknown"] == 1 and result.counts["unverifiable"] == 1


def test_unknown_item_is_kept_with_its_text(fake_rules: None, repo_with_report: Callable[..., Path]) -> None:
    result = verify(repo_with_report("* [x] Juggle with three flaming torches (M99)"), check_answers=False)
    (only,) = result.items
    assert only.verdict == "unknown" and only.rule is None
    assert only.item.text == "Juggle with three flaming torches (M99)" and only.item.modules == ("M99",)


def test_a_raising_rule_becomes_unverifiable_and_the_rest_runs(
    fake_rules: None, repo_with_report: Callable[..., Path]
) -> None:
    result = verify(
        repo_with_report("* [x] Foxtrot item whose rule raises", "* [x] Alpha item about found evidence"),
        check_answers=False,
    )
    broken, fine = result.items
    assert broken.verdict == "unverifiable" and "RuntimeError: boom" in broken.message
    assert fine.verdict == "confirmed"
    assert any("rule t.broken failed" in w for w in result.warnings)


def test_a_rule_out_of_memory_fails_the_verification_instead_of_one_item(
    monkeypatch: pytest.MonkeyPatch, repo_with_report: Callable[..., Path]
) -> None:
    starved = [*FAKE_RULES, rule("t.starved", "Golf item whose rule runs out of memory", MemoryError())]
    monkeypatch.setattr(engine, "all_rules", lambda warnings=None: starved)
    path = repo_with_report(
        "* [x] Alpha item about found evidence", "* [x] Golf item whose rule runs out of memory"
    )
    with pytest.raises(MemoryError):
        verify(path, check_answers=False)
    monkeypatch.setattr(engine, "all_rules", lambda warnings=None: FAKE_RULES)
    (only,) = verify(repo_with_report("* [x] Alpha item about found evidence"), check_answers=False).items
    assert only.verdict == "confirmed"


def test_a_remark_on_a_questioned_tick_is_shown_with_the_verdict(
    fake_rules: None, repo_with_report: Callable[..., Path]
) -> None:
    result = verify(
        repo_with_report(
            "* [x] Delta item about absent evidence -> Comment: We used another tool instead",
            "* [x] Alpha item about found evidence (M1) (Ada)",
            "* [ ] Bravo item about weak evidence -> not needed",
            "* [x] Charlie item about template evidence -> ¨",
        ),
        check_answers=False,
    )
    absent, found, unticked, stray = result.items
    assert absent.verdict == "unsupported"
    assert absent.message == "ticked with the remark 'Comment: We used another tool instead'. nothing"
    # a confirmed or an unticked item's remark is no news to a grader: its message stays the evidence's
    assert found.verdict == "confirmed" and found.message == "found it"
    assert unticked.verdict == "unclaimed" and unticked.message == "a trace"
    # a stray mark after an arrow says nothing
    assert stray.verdict == "template-only" and stray.message == "template default"


def test_withdrawn_tick_is_read_as_not_ticked(
    fake_rules: None, repo_with_report: Callable[..., Path]
) -> None:
    result = verify(
        repo_with_report("* [x] Delta item about absent evidence (M1) (An attempt was made, it failed)"),
        check_answers=False,
    )
    (only,) = result.items
    assert only.verdict == "consistent"
    assert "withdraws the claim" in only.message


def test_no_ticks_gives_a_result_with_no_honesty(
    fake_rules: None, repo_with_report: Callable[..., Path]
) -> None:
    result = verify(repo_with_report("* [ ] Delta item about absent evidence"), check_answers=False)
    assert result.score == 1.0 and result.honesty is None


def test_select_and_ignore_mark_items_skipped(
    fake_rules: None, repo_with_report: Callable[..., Path]
) -> None:
    root = repo_with_report("* [x] Alpha item about found evidence", "* [x] Delta item about absent evidence")
    result = verify(root, ignore=["t.absent"], check_answers=False)
    assert [i.verdict for i in result.items] == ["confirmed", "skipped"]
    assert result.honesty == 1.0
    result = verify(root, select=["t.absent"], check_answers=False)
    assert [i.verdict for i in result.items] == ["skipped", "unsupported"]


def test_missing_report_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"no report at reports/README\.md"):
        verify(tmp_path)


def test_report_option_reads_another_file(fake_rules: None, tmp_path: Path) -> None:
    (tmp_path / "my_report.md").write_text(report("* [x] Alpha item about found evidence"), encoding="utf-8")
    result = verify(tmp_path, report="my_report.md", check_answers=False)
    assert result.report_path == "my_report.md" and result.items[0].verdict == "confirmed"


def test_found_evidence_needs_a_location() -> None:
    with pytest.raises(ValueError, match="at least one location"):
        Evidence.found("claims without proof", [])


def test_unfilled_template_report_is_named_in_a_warning(
    fake_rules: None, repo_with_report: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifier import templates

    root = repo_with_report("* [ ] Alpha item about found evidence")
    blob = templates.git_blob_id((root / "reports" / "README.md").read_bytes())
    table = {
        "blobs": [{"id": blob[:8], "file": "reports/README.md", "template": "DM unfilled report"}],
        "stubs": [],
    }
    monkeypatch.setattr(templates, "_table", lambda: table)
    result = verify(root, check_answers=False)
    assert any("unfilled report template (DM unfilled report)" in w for w in result.warnings)


def test_a_report_is_the_unfilled_template_only_byte_for_byte(
    fake_rules: None, repo_with_report: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layout-blind stub fingerprints are of code: a report that hashes like one is not the template."""
    from verifier import templates

    root = repo_with_report("* [ ] Alpha item about found evidence")
    text = (root / "reports" / "README.md").read_text()
    table = {
        "blobs": [],
        "stubs": [{"hash": templates.normalized_hash(text), "file": "tasks.py", "template": "a code stub"}],
    }
    monkeypatch.setattr(templates, "_table", lambda: table)
    assert templates.match_stub(text) is not None  # the near miss: it would match as a stub
    result = verify(root, check_answers=False)
    assert not any("unfilled report template" in w for w in result.warnings)
    blob = {"id": templates.git_blob_id(text.encode()), "file": "reports/README.md", "template": "T"}
    monkeypatch.setattr(templates, "_table", lambda: {"blobs": [blob], "stubs": table["stubs"]})
    assert any("unfilled report template (T)" in w for w in verify(root, check_answers=False).warnings)


def frontend_item_with_answer(
    monkeypatch: pytest.MonkeyPatch, repo_with_report: Callable[..., Path], answer: str
) -> ItemResult:
    """Verify one ticked item whose rule finds nothing and says where the work may live instead."""
    frontend = rule("t.frontend", "Golf item about a frontend", ABSENT)
    frontend.elsewhere = r"front-?end"
    monkeypatch.setattr(engine, "all_rules", lambda warnings=None: [frontend])
    root = repo_with_report("* [x] Golf item about a frontend")
    text = (root / "reports" / "README.md").read_text()
    (root / "reports" / "README.md").write_text(
        text + f"\n### Question 28\n\n> **Anything extra?**\n>\n> Answer:\n\n{answer}\n"
    )
    (only,) = verify(root, check_answers=False).items
    return only


def test_absent_work_the_answers_link_elsewhere_is_unverifiable(
    monkeypatch: pytest.MonkeyPatch, repo_with_report: Callable[..., Path]
) -> None:
    answer = (
        "We tried the frontend locally at http://localhost:8501 first. "
        "Our frontend lives in its own repository and is served at https://digits.example.app/."
    )
    only = frontend_item_with_answer(monkeypatch, repo_with_report, answer)
    assert only.verdict == "unverifiable"
    assert "Question 28" in only.message and "https://digits.example.app/" in only.message
    assert "localhost" not in only.message


def test_absent_without_a_linked_url_stays_unsupported(
    monkeypatch: pytest.MonkeyPatch, repo_with_report: Callable[..., Path]
) -> None:
    only = frontend_item_with_answer(monkeypatch, repo_with_report, "We made a frontend.")
    assert only.verdict == "unsupported"


def test_a_rules_elsewhere_pattern_is_compiled_when_the_rule_is_defined() -> None:
    from rules.m26_frontend import Frontend
    from verifier.rule import ELSEWHERE

    assert ELSEWHERE[Frontend.elsewhere].search("our Streamlit app")
    assert ELSEWHERE[Frontend.elsewhere].flags & re.IGNORECASE

    class Plain(Rule):
        id = "t.plain"

    assert "" not in ELSEWHERE  # a rule that names no place elsewhere adds nothing
    # a pattern set after the class was defined (as above) is compiled when it is used


def test_an_added_item_reading_like_another_is_not_a_second_claim(tmp_path: Path) -> None:
    report = (
        "# Exam\n\n## Overall project checklist\n\n### Week 2\n\n"
        "* [ ] Write unit tests related to the data part of your code (M16)\n"
        "* [x] Write unit tests related to the API part of your code\n\n## Group information\n"
    )
    root = tmp_path / "group"
    (root / "reports").mkdir(parents=True)
    (root / "reports" / "README.md").write_text(report)
    (root / "tests").mkdir()
    (root / "tests" / "test_api.py").write_text("def test_root():\n    assert True\n")
    result = verify(root)
    by_line = {item.item.line: item for item in result.items}
    assert by_line[7].rule == "m16.data-tests" and by_line[7].verdict == "consistent"
    assert by_line[8].verdict == "unknown" and "reads like the item at line 7" in " ".join(result.warnings)
    assert result.counts["unsupported"] == 0


def test_rules_that_read_the_history_run_last_and_results_keep_the_checklist_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """git reads the log while the other rules run: a rule that declares `reads_history` runs after them
    (the log is then ready), and the results still follow the checklist."""
    ran: list[str] = []

    def recording(rule_id: str, text: str, reads_history: bool) -> type[Rule]:
        def check(self: Rule, repo: object) -> Evidence:
            ran.append(rule_id)
            return Evidence.found(f"{rule_id} ran", [HERE])

        namespace = {"id": rule_id, "texts": (text,), "title": text, "check": check}
        return type(rule_id, (Rule,), {**namespace, "reads_history": reads_history})

    rules = [
        recording("t.history", "Alpha item that reads the history", True),
        recording("t.first", "Bravo item about the code", False),
        recording("t.second", "Charlie item about the configs", False),
    ]
    monkeypatch.setattr(engine, "all_rules", lambda warnings=None: rules)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "README.md").write_text(
        report(*(f"* [x] {rule.texts[0]}" for rule in rules)), encoding="utf-8"
    )
    git_init(tmp_path)
    result = verify(tmp_path, check_answers=False)
    assert ran == ["t.first", "t.second", "t.history"]
    assert [item.rule for item in result.items] == ["t.history", "t.first", "t.second"]
    assert result.commit  # the history the last rule read
    ran.clear()
    (tmp_path / ".git").rename(tmp_path / "not-git")  # no history to wait for: the checklist's order
    verify(tmp_path, check_answers=False)
    assert ran == ["t.history", "t.first", "t.second"]
