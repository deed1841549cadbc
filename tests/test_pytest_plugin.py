"""The pytest plugin: a group's report checked as tests in the group's own pytest run (issue 7).

Every run happens in a pytester directory holding a copy of fixtures/plugin (a small group repository
with its own tests and a report). Only stable rules decide outcomes here: m05.git-repository,
m10.dockerfiles, m17.ci, m18.pre-commit and the by-nature unverifiable extra.shared-understanding.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import verifier

from conftest import FIXTURES, git, git_init

pytest_plugins = ["pytester"]

REPORT = "reports/README.md"
GROUP_TESTS = [
    "tests/test_juggler_flight.py::test_flight_time_is_zero_without_speed",
    "tests/test_juggler_flight.py::test_flight_time_grows_with_speed",
    "tests/test_juggler_flight.py::test_catches_ball",
]

# In every inner run: counts verifications per process and sets the answer findings (none, or these
# when PLUGIN_TEST_ANSWERS is set), so the outcomes do not move when verifier/answers.py lands. The
# patch is undone when the inner session ends, so in-process runs leave nothing behind.
ANSWERS_CONFTEST = """
import os
import pytest
from verifier import engine

class Finding:
    def __init__(self, **fields):
        self.fields = fields
    def to_dict(self):
        return dict(self.fields)

FINDINGS = [
    Finding(question=8, check="coverage", claim="92%", observed="92% in coverage.xml",
            verdict="consistent", message="The coverage in the answer matches coverage.xml.", locations=[]),
    {"question": 11, "check": "ci-os", "claim": "Ubuntu only", "observed": "windows-latest in the matrix",
     "verdict": "inconsistent", "message": "The answer says Ubuntu only, the workflow also tests Windows.",
     "locations": [{"path": ".github/workflows/tests.yaml", "line": 12, "snippet": "runs-on: windows-latest"}]},
    {"question": 8, "check": "coverage-trust", "claim": None, "observed": None, "verdict": "unverifiable",
     "message": "Whether the group trusts its tests is an opinion.", "locations": []},
    {"question": 12, "check": "completeness", "claim": "We used Hydra.", "observed": "3 words, 0 image(s)",
     "verdict": "incomplete", "message": "3 words, recommended 50-100", "locations": []},
]

def pytest_configure(config):
    original = engine.verify
    def counting_verify(*args, **kwargs):
        result = original(*args, **kwargs)
        result.answers = list(FINDINGS) if os.environ.get("PLUGIN_TEST_ANSWERS") else []
        with open(f"verify-calls-{os.getpid()}.txt", "a") as log:
            log.write("1\\n")
        return result
    patch = pytest.MonkeyPatch()
    patch.setattr(engine, "verify", counting_verify)
    config.add_cleanup(patch.undo)
"""


@pytest.fixture
def group(pytester: pytest.Pytester) -> Path:
    """A copy of fixtures/plugin as a git repository with one commit, as the pytester directory, plus
    the conftest above (untracked, so not part of what the verifier sees)."""
    shutil.copytree(FIXTURES / "plugin", pytester.path, dirs_exist_ok=True)
    git_init(pytester.path)
    pytester.makeconftest(ANSWERS_CONFTEST)
    return pytester.path


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    """nodeid -> passed / failed / skipped, from an in-process run."""
    found: dict[str, str] = {}
    for report in result.reprec.getreports("pytest_runtest_logreport"):  # type: ignore[attr-defined]
        if report.when == "call" or report.outcome != "passed":
            found[report.nodeid] = report.outcome
    return found


def line_of(root: Path, text: str, occurrence: int = 1) -> int:
    lines = (root / REPORT).read_text(encoding="utf-8").splitlines()
    hits = [number for number, line in enumerate(lines, start=1) if text in line]
    return hits[occurrence - 1]


def report_logs(result: pytest.RunResult, nodeid: str) -> list[pytest.TestReport]:
    return [r for r in result.reprec.getreports("pytest_runtest_logreport") if r.nodeid == nodeid]  # type: ignore[attr-defined]


def test_without_the_flag_the_group_run_is_unchanged(group: Path, pytester: pytest.Pytester) -> None:
    plain = pytester.runpytest("-p", "no:verifier", "-p", "no:cacheprovider")
    installed = pytester.runpytest("-p", "no:cacheprovider")
    assert (
        outcomes(installed)
        == outcomes(plain)
        == dict(zip(GROUP_TESTS, ["passed", "passed", "skipped"], strict=True))
    )
    installed.assert_outcomes(passed=2, skipped=1)
    assert "mlops-verifier:" not in installed.stdout.str()
    assert "= mlops-verifier =" not in installed.stdout.str()
    assert not list(group.glob("verify-calls-*"))

    pytester.makepyprojecttoml("[tool.pytest.ini_options]\nverify_report = false\n")
    collected = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    assert [line for line in collected.outlines if "::" in line] == GROUP_TESTS


def test_flag_makes_one_item_per_checklist_line(group: Path, pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--verify-report", "-p", "no:cacheprovider", "-rA")
    unknown_line = line_of(group, "Teach the model to juggle")
    second_ci = line_of(group, "Get some continuous integration running", occurrence=2)
    expected = {
        **dict(zip(GROUP_TESTS, ["passed", "passed", "skipped"], strict=True)),
        f"{REPORT}::m05.git-repository": "passed",
        f"{REPORT}::m10.dockerfiles": "failed",
        f"{REPORT}::m17.ci": "passed",
        f"{REPORT}::m18.pre-commit": "passed",
        f"{REPORT}::m17.ci-line-{second_ci}": "passed",
        f"{REPORT}::extra.shared-understanding": "skipped",
        f"{REPORT}::unknown-line-{unknown_line}": "skipped",
    }
    assert outcomes(result) == expected
    assert result.ret == pytest.ExitCode.TESTS_FAILED

    docker_line = line_of(group, "Construct one or multiple docker files")
    (failure,) = [r for r in report_logs(result, f"{REPORT}::m10.dockerfiles") if r.failed]
    assert failure.location == (REPORT, docker_line - 1, "m10.dockerfiles (unsupported)")
    text = failure.longreprtext
    assert f"{REPORT}:{docker_line}: ticked 'Construct one or multiple docker files" in text
    assert "unsupported, evidence absent" in text
    assert "looked for: Dockerfile; Dockerfile.*; *.dockerfile" in text
    assert "Traceback" not in text and "pytest_plugin.py" not in text
    assert ("verdict", "unsupported") in failure.user_properties

    (skip,) = [r for r in report_logs(result, f"{REPORT}::unknown-line-{unknown_line}") if r.skipped]
    assert skip.longrepr[2] == (
        f"Skipped: line {unknown_line} unknown-line-{unknown_line}, unknown: matches no known checklist item"
    )
    (skip,) = [r for r in report_logs(result, f"{REPORT}::extra.shared-understanding") if r.skipped]
    assert "unverifiable: What every group member understands cannot be checked" in skip.longrepr[2]

    expected_result = verifier.verify(group)
    counts = ", ".join(f"{n} {v}" for v, n in expected_result.counts.items() if n)
    assert expected_result.counts["unsupported"] == 1 and expected_result.counts["unclaimed"] == 1
    result.stdout.fnmatch_lines(
        [
            "*= mlops-verifier =*",
            f"{REPORT}: score {expected_result.score:.2f}, honesty {expected_result.honesty:.2f}; {counts}",
            "unclaimed evidence (box not ticked, but the repository shows it):",
            f"  {REPORT}:{line_of(group, 'Add pre-commit hooks')} m18.pre-commit: .pre-commit-config.yaml:5  - id: ruff",
        ]
    )
    assert "answers:" not in result.stdout.str()
    assert [p.read_text() for p in group.glob("verify-calls-*")] == ["1\n"]


def test_ini_option_turns_it_on(group: Path, pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\nverify_report = true\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert outcomes(result)[f"{REPORT}::m10.dockerfiles"] == "failed"
    assert outcomes(result)[f"{REPORT}::m17.ci"] == "passed"
    result.stdout.fnmatch_lines([f"mlops-verifier: checking {REPORT} against *", f"{REPORT}: score *"])


def test_disabling_the_plugin_wins_over_the_ini(group: Path, pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\nverify_report = true\n")
    result = pytester.runpytest("-p", "no:verifier", "-p", "no:cacheprovider")
    assert outcomes(result) == dict(zip(GROUP_TESTS, ["passed", "passed", "skipped"], strict=True))
    assert "mlops-verifier" not in result.stdout.str()  # not even in the plugins line


def test_verification_fixture_shares_the_one_verification(group: Path, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_group_score="""
        def test_report_score(verification):
            assert verification.item("m10.dockerfiles").verdict == "unsupported"
            assert verification.item("m17.ci").verdict == "confirmed"
            assert verification.score >= 0.5

        def test_report_path_and_counts(verification):
            assert verification.report_path == "reports/README.md"
            assert verification.counts["unsupported"] == 1 and verification.counts["unknown"] == 1
        """
    )
    result = pytester.runpytest("--verify-report", "-p", "no:cacheprovider")
    assert outcomes(result)["test_group_score.py::test_report_score"] == "passed"
    assert outcomes(result)["test_group_score.py::test_report_path_and_counts"] == "passed"
    assert [p.read_text() for p in group.glob("verify-calls-*")] == ["1\n"]

    # Without the flag the fixture still works: a group asked for it by using it.
    for path in group.glob("verify-calls-*"):
        path.unlink()
    result = pytester.runpytest("-p", "no:cacheprovider", "test_group_score.py")
    result.assert_outcomes(passed=2)
    assert f"{REPORT}::" not in result.stdout.str()
    assert [p.read_text() for p in group.glob("verify-calls-*")] == ["1\n"]

    (group / REPORT).unlink()
    missing = pytester.runpytest("-p", "no:cacheprovider", "test_group_score.py")
    missing.assert_outcomes(errors=2)
    missing.stdout.fnmatch_lines([f"mlops-verifier: no exam report at {REPORT} in the repository *"])
    assert "During handling" not in missing.stdout.str() and "Traceback" not in missing.stdout.str()


def test_weak_evidence_warns_and_fails_when_strict(pytester: pytest.Pytester) -> None:
    shutil.copytree(FIXTURES / "plugin", pytester.path, dirs_exist_ok=True)
    pytester.makeconftest(ANSWERS_CONFTEST)
    git(pytester.path, "init", "-q", "-b", "main")  # a repository without a commit is weak evidence
    nodeid = f"{REPORT}::m05.git-repository"
    line = line_of(pytester.path, "Create a git repository")

    lenient = pytester.runpytest("--verify-report", "-p", "no:cacheprovider")
    assert outcomes(lenient)[nodeid] == "passed"
    lenient.stdout.fnmatch_lines(
        [f"{nodeid}", f"*{REPORT}:{line}: WeakEvidenceWarning: m05.git-repository: weak evidence:*"]
    )

    strict = pytester.runpytest("--verify-report", "--verify-strict", "-p", "no:cacheprovider")
    assert outcomes(strict)[nodeid] == "failed"
    (failure,) = [r for r in report_logs(strict, nodeid) if r.failed]
    assert "weakly-supported (failed by --verify-strict), evidence weak" in failure.longreprtext
    assert "found only:\n  .git  no commits" in failure.longreprtext

    # A group that turns warnings into errors gets a failure with the same one-line reason.
    errors = pytester.runpytest(
        "--verify-report", "-p", "no:cacheprovider", "-W", "error::verifier.pytest_plugin.WeakEvidenceWarning"
    )
    (failure,) = [r for r in report_logs(errors, nodeid) if r.failed]
    assert failure.longreprtext.startswith(
        "m05.git-repository: weak evidence: A git repository without commits"
    )
    assert "Traceback" not in failure.longreprtext


def test_template_only_tick_fails_naming_the_template_file(group: Path, pytester: pytest.Pytester) -> None:
    report = group / REPORT
    report.write_text(
        report.read_text().replace("* [ ] Add pre-commit hooks", "* [x] Add pre-commit hooks"),
        encoding="utf-8",
    )
    (group / ".pre-commit-config.yaml").write_text(
        "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n    hooks:\n"
        "      - id: trailing-whitespace\n      - id: end-of-file-fixer\n",
        encoding="utf-8",
    )
    result = pytester.runpytest("--verify-report", "-p", "no:cacheprovider", "-k", "m18")
    assert outcomes(result) == {f"{REPORT}::m18.pre-commit": "failed"}
    (failure,) = [r for r in report_logs(result, f"{REPORT}::m18.pre-commit") if r.failed]
    assert "template-only, evidence template" in failure.longreprtext
    assert "found only:\n  .pre-commit-config.yaml:5" in failure.longreprtext


def test_k_m_x_and_explicit_node_ids_select_report_items(group: Path, pytester: pytest.Pytester) -> None:
    second_ci = line_of(group, "Get some continuous integration running", occurrence=2)
    selected = pytester.runpytest("--verify-report", "-p", "no:cacheprovider", "-k", "m17")
    assert outcomes(selected) == {
        f"{REPORT}::m17.ci": "passed",
        f"{REPORT}::m17.ci-line-{second_ci}": "passed",
    }
    selected.assert_outcomes(passed=2, deselected=8)

    marked = pytester.runpytest("--verify-report", "-p", "no:cacheprovider", "-m", "not verify_report")
    assert outcomes(marked) == dict(zip(GROUP_TESTS, ["passed", "passed", "skipped"], strict=True))
    marked = pytester.runpytest("--verify-report", "-p", "no:cacheprovider", "-m", "verify_report")
    assert {nodeid.split("::")[0] for nodeid in outcomes(marked)} == {REPORT}
    marked.assert_outcomes(passed=4, failed=1, skipped=2, deselected=3)

    stopped = pytester.runpytest("--verify-report", "-p", "no:cacheprovider", "-x")
    assert list(outcomes(stopped).values()).count("failed") == 1
    assert f"{REPORT}::m17.ci" not in outcomes(stopped)
    assert stopped.ret == pytest.ExitCode.TESTS_FAILED

    one = pytester.runpytest("--verify-report", "-p", "no:cacheprovider", f"{REPORT}::m10.dockerfiles")
    assert outcomes(one) == {f"{REPORT}::m10.dockerfiles": "failed"}


def test_junitxml_carries_the_failure_and_verdicts(group: Path, pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--verify-report", "-p", "no:cacheprovider", "--junitxml=out.xml")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    cases = {
        f"{case.get('classname')}::{case.get('name')}": case
        for case in ET.parse(group / "out.xml").iter("testcase")
    }
    docker = cases["reports.README.md::m10.dockerfiles"]
    (failure,) = docker.findall("failure")
    assert "looked for: Dockerfile" in failure.text
    properties = {p.get("name"): p.get("value") for p in docker.iter("property")}
    assert properties == {
        "rule": "m10.dockerfiles",
        "verdict": "unsupported",
        "line": str(line_of(group, "docker files")),
    }
    assert cases["reports.README.md::m17.ci"].findall("failure") == []
    assert cases["reports.README.md::extra.shared-understanding"].findall("skipped")


def test_answer_findings_become_items(
    group: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLUGIN_TEST_ANSWERS", "1")
    result = pytester.runpytest("--verify-report", "-p", "no:cacheprovider")
    found = outcomes(result)
    assert found[f"{REPORT}::answers::Q8::coverage"] == "passed"
    assert found[f"{REPORT}::answers::Q11::ci-os"] == "failed"
    assert found[f"{REPORT}::answers::Q8::coverage-trust"] == "skipped"
    assert found[f"{REPORT}::answers::Q12::completeness"] == "passed"  # with a warning, never a failure
    result.stdout.fnmatch_lines(["*IncompleteAnswerWarning: Question 12: 3 words, recommended 50-100*"])

    q11 = line_of(group, "### Question 11")
    (failure,) = [r for r in report_logs(result, f"{REPORT}::answers::Q11::ci-os") if r.failed]
    assert failure.location == (REPORT, q11 - 1, "answers::Q11::ci-os (inconsistent)")
    assert failure.longreprtext.splitlines() == [
        f"{REPORT}:{q11}: the answer to Question 11 does not match the repository (ci-os)",
        "The answer says Ubuntu only, the workflow also tests Windows.",
        "claimed:  Ubuntu only",
        "observed: windows-latest in the matrix",
        "  at .github/workflows/tests.yaml:12  runs-on: windows-latest",
    ]
    result.stdout.fnmatch_lines(["answers: 1 consistent, 1 incomplete, 1 inconsistent, 1 unverifiable"])
    assert [p.read_text() for p in group.glob("verify-calls-*")] == ["1\n"]


def test_missing_report_is_one_collection_error(group: Path, pytester: pytest.Pytester) -> None:
    (group / REPORT).unlink()
    result = pytester.runpytest("--verify-report", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        [
            f"*ERROR collecting {REPORT}*",
            f"mlops-verifier: no exam report at {REPORT} in the repository {group}: write one, "
            "or point at it with --verify-report-path FILE (no other tracked Markdown file holds the course "
            "checklist or questions)",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "pytest_plugin.py" not in result.stdout.str()

    (group / REPORT).write_text("# Notes\n\nNothing here yet.\n", encoding="utf-8")
    unreadable = pytester.runpytest("--verify-report", "-p", "no:cacheprovider")
    unreadable.stdout.fnmatch_lines(
        [
            f"*ERROR collecting {REPORT}*",
            f"mlops-verifier: *{REPORT}: no '## Overall project checklist' section found*"
            "use --verify-report-path FILE*",
        ]
    )
    assert "Traceback" not in unreadable.stdout.str()

    elsewhere = pytester.runpytest("--verify-report", "--verify-report-path", "docs/report.md")
    elsewhere.stdout.fnmatch_lines(
        ["*ERROR collecting docs/report.md*", "mlops-verifier: no exam report at docs/report.md (from *"]
    )


def test_report_path_option_names_the_items(group: Path, pytester: pytest.Pytester) -> None:
    (group / "docs").mkdir()
    shutil.move(group / REPORT, group / "docs" / "report.md")
    result = pytester.runpytest(
        "--verify-report", "--verify-report-path", "docs/report.md", "-p", "no:cacheprovider"
    )
    assert outcomes(result)["docs/report.md::m10.dockerfiles"] == "failed"
    assert outcomes(result)["docs/report.md::m17.ci"] == "passed"
    result.stdout.fnmatch_lines(["docs/report.md: score *"])


def test_config_in_a_subfolder_still_checks_the_repository_report(
    group: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = group / "ml"
    sub.mkdir()
    (sub / "pyproject.toml").write_text("[tool.pytest.ini_options]\nverify_report = true\n", encoding="utf-8")
    (sub / "test_ml_smoke.py").write_text("def test_smoke():\n    assert True\n", encoding="utf-8")
    monkeypatch.chdir(sub)
    result = pytester.runpytest("-p", "no:cacheprovider")
    found = outcomes(result)
    assert found["test_ml_smoke.py::test_smoke"] == "passed"
    # Verified at the git root: run on ml/ alone the git rule would be unverifiable, and CI absent.
    assert found[f"{REPORT}::m05.git-repository"] == "passed"
    assert found[f"{REPORT}::m17.ci"] == "passed"
    result.stdout.fnmatch_lines([f"mlops-verifier: checking {REPORT} against {group}", f"rootdir: {sub}"])


@pytest.mark.skipif(importlib.util.find_spec("xdist") is None, reason="pytest-xdist is not installed")
def test_xdist_workers_verify_once_each(group: Path, pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--verify-report", "-p", "no:cacheprovider", "-n", "2", "-rA")
    result.stdout.fnmatch_lines([f"PASSED {REPORT}::m17.ci", f"FAILED {REPORT}::m10.dockerfiles*"])
    result.assert_outcomes(passed=6, failed=1, skipped=3)
    assert len(re.findall(rf"^{REPORT}: score ", result.stdout.str(), flags=re.MULTILINE)) == 1
    calls = sorted(p.read_text() for p in group.glob("verify-calls-*"))
    assert calls == ["1\n"] * 3  # the controller (for the summary) and two workers


def test_a_report_kept_elsewhere_is_found_as_verify_finds_it(group: Path, pytester: pytest.Pytester) -> None:
    """A group that keeps its report as `report/README.md` gets the same items as with `reports/README.md`,
    named by the file the report was found in; nothing is read from the missing default path."""
    expected = {
        nodeid.removeprefix(f"{REPORT}::"): outcome
        for nodeid, outcome in outcomes(
            pytester.runpytest("--verify-report", "-p", "no:cacheprovider")
        ).items()
        if nodeid.startswith(f"{REPORT}::")
    }
    (group / "report").mkdir()
    (group / REPORT).rename(group / "report" / "README.md")
    git(group, "add", "-A")
    git(group, "commit", "-q", "-m", "move the report")
    moved = outcomes(pytester.runpytest("--verify-report", "-p", "no:cacheprovider"))
    found = {
        nodeid.removeprefix("report/README.md::"): outcome
        for nodeid, outcome in moved.items()
        if nodeid.startswith("report/README.md::")
    }
    assert expected and found == expected
    assert not any(nodeid.startswith(f"{REPORT}::") for nodeid in moved)


def test_a_report_kept_elsewhere_is_looked_for_once(
    group: Path, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without reports/README.md the plugin finds the report to name its items; the verification then uses
    that report instead of running the discovery (and listing the repository) a second time."""
    import verifier.engine
    import verifier.pytest_plugin

    calls: list[str] = []
    original = verifier.discovery.find_report

    def counted(repo):  # type: ignore[no-untyped-def]
        calls.append(str(repo.root))
        return original(repo)

    monkeypatch.setattr(verifier.pytest_plugin, "find_report", counted)
    monkeypatch.setattr(verifier.engine, "find_report", counted)
    (group / "report").mkdir()
    (group / REPORT).rename(group / "report" / "README.md")
    git(group, "add", "-A")
    git(group, "commit", "-q", "-m", "move the report")
    moved = outcomes(pytester.runpytest("--verify-report", "-p", "no:cacheprovider"))
    assert moved["report/README.md::m17.ci"] == "passed"
    assert moved["report/README.md::m10.dockerfiles"] == "failed"
    assert len(calls) == 1, calls
