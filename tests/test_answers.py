"""Answer checks: completeness, cited paths and figures, test counts, coverage, CI, group and tools."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from verifier.answers import LINTING_IN_CI, _dvc_tracked, check_answers, count_tests
from verifier.engine import verify
from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.report import parse_report
from verifier.rules.m17_ci import LintingInCi

from conftest import SEEDS, SEEDS_MISSING, recorded_calls, write_tree


def findings(repo: Repo) -> dict[tuple[int, str], object]:
    result = verify(repo)
    return {(f.question, f.check): f for f in result.answers}


@pytest.fixture
def consistent(fixture_repo: Callable[..., Repo]) -> dict:
    return findings(fixture_repo("answers/consistent"))


@pytest.fixture
def inconsistent(fixture_repo: Callable[..., Repo]) -> dict:
    return findings(fixture_repo("answers/inconsistent"))


def test_counted_tests_expand_literal_parametrize(fixture_repo: Callable[..., Repo]) -> None:
    assert count_tests(fixture_repo("answers/consistent")) == (4, 6)


def test_test_count_claim(consistent: dict, inconsistent: dict) -> None:
    assert consistent[(7, "tests")].verdict == "consistent"
    wrong = inconsistent[(7, "tests")]
    assert wrong.verdict == "inconsistent" and "claims 40 tests" in wrong.message
    assert "4 test functions (6 cases" in wrong.observed


def test_coverage_claim_against_committed_coverage_xml(consistent: dict, inconsistent: dict) -> None:
    assert consistent[(8, "coverage")].verdict == "consistent"
    wrong = inconsistent[(8, "coverage")]
    assert wrong.verdict == "inconsistent" and wrong.observed == "67%"
    assert any(loc.path == "coverage.xml" for loc in wrong.locations)


def test_coverage_without_data_is_unverifiable(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.py": "x = 1\n"})
    text = "# R\n\n## Overall project checklist\n\n* [ ] x\n\n" + "".join(
        f"### Question {n}\n\n> Answer:\n\nOur coverage is 80% overall.\n\n" for n in range(1, 32)
    )
    (result,) = [f for f in check_answers(Repo(root), parse_report(text)) if f.check == "coverage"]
    assert result.verdict == "unverifiable" and "--measure-coverage" in result.message


def test_ci_claims(consistent: dict, inconsistent: dict) -> None:
    for check in ("ci-ubuntu", "ci-windows", "ci-caching", "ci-linting", "ci-python-3.11", "ci-python-3.12"):
        assert consistent[(11, check)].verdict == "consistent", check
    assert inconsistent[(11, "ci-macos")].verdict == "inconsistent"
    python = inconsistent[(11, "ci-python-3.10")]
    assert python.verdict == "inconsistent" and python.observed == "3.11, 3.12"


def test_cited_paths_and_figures(consistent: dict, inconsistent: dict) -> None:
    assert consistent[(4, "paths")].verdict == "consistent"
    assert inconsistent[(4, "paths")].message == "not in the repository: src/proj/missing.py"
    assert consistent[(29, "figure")].verdict == "consistent"
    assert inconsistent[(29, "figure")].verdict == "inconsistent"


def test_tools_named_in_answers_against_rule_evidence(consistent: dict, inconsistent: dict) -> None:
    assert consistent[(12, "tool-m11.hydra")].verdict == "consistent"
    wandb = inconsistent[(12, "tool-m14.wandb")]
    assert wandb.verdict == "inconsistent" and "found nothing" in wandb.message


def test_completeness_placeholder_and_filler(inconsistent: dict, consistent: dict) -> None:
    assert inconsistent[(16, "completeness")].message.startswith("not answered (placeholder left)")
    assert "random filler" in inconsistent[(31, "completeness")].message
    # A length or image problem is a note for the group, never called a contradiction.
    assert inconsistent[(16, "completeness")].verdict == "incomplete"
    assert {f.verdict for (_, check), f in inconsistent.items() if check == "completeness"} <= {
        "consistent",
        "incomplete",
    }
    assert consistent[(29, "completeness")].verdict == "consistent"


def test_group_size_is_never_called_inconsistent(inconsistent: dict) -> None:
    assert inconsistent[(2, "group")].verdict in ("consistent", "unverifiable")


def test_negated_tool_mention_is_not_a_claim(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.py": "x = 1\n"})
    text = "# R\n\n## Overall project checklist\n\n* [ ] x\n\n### Question 12\n\n> Answer:\n\nWe did not use Hydra for configs.\n"
    assert not [f for f in check_answers(Repo(root), parse_report(text)) if f.check.startswith("tool-")]


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.md")) or ["none"])
def test_seed_answers_run_without_a_repository(seed: str, tmp_path: Path) -> None:
    if seed == "none":
        pytest.skip(SEEDS_MISSING)
    report = parse_report((SEEDS / seed).read_text(encoding="utf-8"))
    results = check_answers(Repo(tmp_path), report)
    completeness = [f for f in results if f.check == "completeness"]
    assert [f.question for f in completeness] == list(range(1, 32))
    repo_side = [f for f in results if f.check != "completeness"]
    assert [(f.check, f.verdict) for f in repo_side] == [("repository", "unverifiable")]
    assert all(f.to_dict()["question"] >= 1 for f in results)


def test_coverage_data_recorded_on_another_machine_is_not_used(tmp_path: Path) -> None:
    import coverage

    root = write_tree(tmp_path / "g", {"src/a.py": "x = 1\n"})
    data = coverage.CoverageData(basename=str(root / ".coverage"))
    data.add_lines({"/home/someone-else/project/src/a.py": [1]})
    data.write()
    text = "# R\n\n## Overall project checklist\n\n* [ ] x\n\n### Question 8\n\n> Answer:\n\nWe reach 90% coverage.\n"
    (found,) = [f for f in check_answers(Repo(root), parse_report(text)) if f.check == "coverage"]
    assert found.verdict == "unverifiable"


def test_dotted_paths_and_removed_files_in_answers(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "g", {".github/workflows/tests.yaml": "x\n", ".dvc/config": "x\n"})
    text = (
        "# R\n\n## Overall project checklist\n\n* [ ] x\n\n### Question 5\n\n> Answer:\n\n"
        "See `.github/workflows/tests.yaml` and `./.dvc/config`. We removed the `evaluate.py` stub.\n"
    )
    (found,) = [f for f in check_answers(Repo(root), parse_report(text)) if f.check == "paths"]
    assert found.verdict == "consistent" and found.claim == ".github/workflows/tests.yaml, ./.dvc/config"


def test_hypothetical_tool_mentions_are_not_claims(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.py": "x = 1\n"})
    text = (
        "# R\n\n## Overall project checklist\n\n* [ ] x\n\n### Question 26\n\n> Answer:\n\n"
        "We did not manage to set up monitoring. For drift, we could use tools such as Evidently.\n"
        "\n### Question 12\n\n> Answer:\n\nWe used Hydra to manage every experiment.\n"
    )
    checks = {
        f.check: f.verdict
        for f in check_answers(Repo(root), parse_report(text))
        if f.check.startswith("tool-")
    }
    assert checks == {"tool-m11.hydra": "inconsistent"}


def _answer(number: int, body: str) -> str:
    return f"# R\n\n## Overall project checklist\n\n* [ ] x\n\n### Question {number}\n\n> Answer:\n\n{body}\n"


def test_far_negation_and_route_tokens_are_not_claims(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"src/app.py": "x = 1\n"})
    hydra = _answer(13, "In our case, we did not make use of any configuration tools such as hydra.")
    assert not [f for f in check_answers(Repo(root), parse_report(hydra)) if f.check.startswith("tool-")]
    route = _answer(23, "The metrics can be read through a `metrics/` endpoint; the app is `src/app.py`.")
    (paths,) = [f for f in check_answers(Repo(root), parse_report(route)) if f.check == "paths"]
    assert (paths.claim, paths.verdict) == ("src/app.py", "consistent")


def test_linting_outside_ci_is_not_a_ci_claim(tmp_path: Path) -> None:
    workflow = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"
    root = write_tree(tmp_path, {".github/workflows/tests.yaml": workflow})
    local = _answer(
        11, "We use pre-commit hooks to format with *ruff*. We have used Ruff for manually linting files."
    )
    assert "ci-linting" not in {f.check for f in check_answers(Repo(root), parse_report(local))}
    in_ci = _answer(11, "Our GitHub Actions workflow lints the code with ruff on every push.")
    (lint,) = [f for f in check_answers(Repo(root), parse_report(in_ci)) if f.check == "ci-linting"]
    assert lint.verdict == "inconsistent" and lint.claim.lower().count("ruff") == 1


def test_ci_linting_claim_takes_the_lint_rules_evidence_when_given(tmp_path: Path) -> None:
    workflow = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"
    root = write_tree(tmp_path, {".github/workflows/tests.yaml": workflow})
    report = parse_report(_answer(11, "Our GitHub Actions workflow lints the code with ruff on every push."))
    given = Evidence.found("A workflow step lints the code.", [Location(".github/workflows/tests.yaml", 6)])

    def linting(evidence: Evidence | None) -> str:
        results = check_answers(
            Repo(root), report, rule_evidence={"m17.lint-ci": evidence} if evidence else None
        )
        (lint,) = [f for f in results if f.check == "ci-linting"]
        return lint.verdict

    assert LintingInCi.id == LINTING_IN_CI
    assert linting(given) == "consistent"  # taken as given: this workflow alone runs no linter
    assert linting(None) == "inconsistent"
    # the evidence of a rule that failed is not a verdict: the rule is asked again
    assert linting(Evidence.unverifiable("the rule failed with OSError: x")) == "inconsistent"


def test_verify_runs_the_lint_rule_once_for_the_item_and_the_ci_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ruff check .\n"
    answer = "Our GitHub Actions workflow lints the code with ruff on every push."
    calls = recorded_calls(monkeypatch, LintingInCi, "check", argument=1)
    ticked = "* [x] Add a linting step to your continuous integration\n"
    for name, checklist in (("with-item", ticked), ("without-item", "* [ ] x\n")):
        report = _answer(11, answer).replace("* [ ] x\n", checklist)
        files = {".github/workflows/lint.yaml": workflow, "reports/README.md": report}
        calls.clear()
        result = verify(Repo(write_tree(tmp_path / name, files)))
        (lint,) = [f for f in result.answers if f.check == "ci-linting"]
        assert lint.verdict == "consistent"
        # with the item: the verification's run serves the answer too; without it: the answer check's own run
        assert len(calls) == 1, name


def test_figure_written_from_the_repository_root(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"reports/figures/g9/build.jpg": "not really a jpeg\n"})
    text = _answer(21, "![build](reports/figures/g9/build.jpg)")
    (figure,) = [f for f in check_answers(Repo(root), parse_report(text)) if f.check == "figure"]
    assert (figure.verdict, figure.observed) == ("consistent", "reports/figures/g9/build.jpg")
    missing = _answer(21, "![build](figures/g9/other.jpg)")
    (figure,) = [f for f in check_answers(Repo(root), parse_report(missing)) if f.check == "figure"]
    assert figure.verdict == "inconsistent" and "reports/figures/g9/other.jpg" in figure.message


def test_computed_parametrize_makes_a_higher_claim_unverifiable(tmp_path: Path) -> None:
    test = (
        "import pytest\n\nCASES = [1, 2, 3, 4]\n\n\n"
        "@pytest.mark.parametrize('x', [c for c in CASES])\ndef test_a(x):\n    assert x\n\n\n"
        "def test_b():\n    assert True\n"
    )
    root = write_tree(tmp_path, {"tests/test_a.py": test})
    text = _answer(7, "We implemented a total of 12 tests.")
    (found,) = [f for f in check_answers(Repo(root), parse_report(text)) if f.check == "tests"]
    assert found.verdict == "unverifiable" and "1 parametrize list(s) built at run time" in found.observed
    literal = write_tree(
        tmp_path / "literal", {"tests/test_a.py": test.replace("[c for c in CASES]", "[1, 2]")}
    )
    (found,) = [f for f in check_answers(Repo(literal), parse_report(text)) if f.check == "tests"]
    assert found.verdict == "inconsistent" and found.observed.startswith("2 test functions (3 cases")


def test_test_count_given_as_a_breakdown(tmp_path: Path) -> None:
    tests = "".join(f"def test_{i}():\n    assert True\n\n\n" for i in range(14))
    root = write_tree(tmp_path, {"tests/test_a.py": tests})
    text = _answer(7, "We have 2 tests for the model and 12 tests for the data.")
    (found,) = [f for f in check_answers(Repo(root), parse_report(text)) if f.check == "tests"]
    assert found.verdict == "consistent" and found.observed.startswith("14 test functions")
    text = _answer(7, "We have 2 tests for the model.")
    (found,) = [f for f in check_answers(Repo(root), parse_report(text)) if f.check == "tests"]
    # Fewer tests claimed than the repository has is no contradiction: the answer may count a part of them.
    assert found.verdict == "unverifiable" and "claims 2 tests" in found.message
    assert "more than claimed" in found.message
    text = _answer(7, "We have 30 tests for the model.")
    (found,) = [f for f in check_answers(Repo(root), parse_report(text)) if f.check == "tests"]
    assert found.verdict == "inconsistent" and "claims 30 tests" in found.message


def _checks(root: Path, number: int, body: str) -> dict[str, str]:
    """{check: verdict} of one answer, without the length check."""
    return {
        f.check: f.verdict
        for f in check_answers(Repo(root), parse_report(_answer(number, body)))
        if f.check != "completeness"
    }


UBUNTU_ONLY = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"


@pytest.mark.parametrize(
    "body",
    [
        "We haven't used DVC in this project.",
        "We didn\u2019t use DVC for our data.",
        "DVC was not used in this project.",
        "Neither ONNX nor BentoML were used.",
        "We considered DVC but decided against it.",
        "We chose a plain script over BentoML because it was simpler.",
        "Compared to alternatives like Streamlit, our own page was simpler.",
        'Regarding "Did you use DVC for managing data?": no, the data is small.',
        "Ruff is a lightning-fast linter.",
        "A Streamlit app was on our list but we ran out of time.",
    ],
)
def test_tools_that_are_not_claimed_as_used_give_no_finding(tmp_path: Path, body: str) -> None:
    root = write_tree(tmp_path, {"src/proj/train.py": "x = 1\n"})
    assert not [check for check in _checks(root, 26, body) if check.startswith("tool-")]


@pytest.mark.parametrize(
    "body",
    [
        "Branches were named like `feature/readme-update` and `fix/api-bug`.",
        "We fine-tuned `google/vit-base-patch16-224` on `stanfordnlp/imdb`.",
        "The workflow uses `actions/checkout@v4` and logs to `dtu-mlops/group7`.",
    ],
)
def test_identifiers_with_slashes_are_not_path_claims(tmp_path: Path, body: str) -> None:
    root = write_tree(tmp_path, {"src/proj/train.py": "x = 1\n"})
    assert "paths" not in _checks(root, 9, body)


def test_a_folder_below_the_package_and_a_git_ignored_secret(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {"src/proj/scripts/process.py": "x = 1\n", ".gitignore": "gcp-key.json\n", "README.md": "# p\n"},
    )
    assert _checks(root, 5, "Helper scripts live in a `scripts/` subfolder.")["paths"] == "consistent"
    assert (
        _checks(root, 5, "The key sits in `gcp-key.json`, which is git-ignored.")["paths"] == "unverifiable"
    )
    assert _checks(root, 5, "The API is in `src/proj/missing.py`.")["paths"] == "inconsistent"


def test_ci_claims_about_local_machines_units_and_unset_versions(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {".github/workflows/t.yaml": UBUNTU_ONLY})
    local = _checks(
        root, 11, "Our group members develop on Windows and macOS, but the workflow only runs on ubuntu."
    )
    assert local == {"ci-ubuntu": "consistent"}
    unit = _checks(root, 11, "Caching reduced the runtime from 3.8 minutes to 1 minute.")
    assert "ci-python-3.8" not in unit
    assert (
        _checks(root, 11, "CI runs Python 3.12.")["ci-python-3.12"] == "unverifiable"
    )  # no version in the workflow
    assert "ci-linting" not in _checks(root, 11, "We lint locally with ruff, but linting is not part of CI.")
    assert (
        _checks(root, 11, "We cache nothing. We didn't set up caching in CI (e.g. pip cache).").get(
            "ci-caching"
        )
        is None
    )


def test_an_unquoted_python_310_in_a_matrix_is_310(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
        "        python-version: [3.10, 3.11]\n    steps:\n      - run: pytest\n"
    )
    root = write_tree(tmp_path, {".github/workflows/t.yaml": workflow})
    checks = _checks(root, 11, "CI tests Python 3.10 and 3.11.")
    assert checks["ci-python-3.10"] == "consistent" and checks["ci-python-3.11"] == "consistent"


def test_a_total_named_as_such_is_compared_as_the_total(tmp_path: Path) -> None:
    tests = "".join(f"def test_{i}():\n    assert True\n\n\n" for i in range(4))
    root = write_tree(tmp_path, {"tests/test_api.py": tests})
    assert _checks(root, 7, "In total we have 40 tests; 4 tests check the API.")["tests"] == "inconsistent"


def test_coverage_figures_that_are_not_the_total(tmp_path: Path) -> None:
    xml = '<?xml version="1.0" ?>\n<coverage line-rate="0.45" branch-rate="0" version="7.0"></coverage>\n'
    root = write_tree(tmp_path, {"coverage.xml": xml, "src/a.py": "x = 1\n"})
    body = "Even with 100% coverage we would not trust the code. Our total coverage is 45%."
    assert _checks(root, 8, body)["coverage"] == "consistent"
    assert _checks(root, 8, "The data module reaches 92% while the total is 45%.")["coverage"] == "consistent"
    assert _checks(root, 8, "Our total coverage is 90%.")["coverage"] == "inconsistent"


def test_an_svg_figure_is_a_format_note_not_a_contradiction(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"reports/figures/logo.svg": "<svg/>", "src/a.py": "x = 1\n"})
    report = _answer(17, "We used these services: ![gcp](figures/logo.svg)")
    (figure,) = [f for f in check_answers(Repo(root), parse_report(report)) if f.check == "figure"]
    assert figure.verdict == "incomplete"


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("We used DVC so that the data does not have to live in git.", "tool-m08.dvc"),
        ("We used DVC to make sure the data is not lost.", "tool-m08.dvc"),
        ("We used DVC for our data and considered it very helpful.", "tool-m08.dvc"),
        ("We used DVC with a GCS remote and dropped the Google Drive remote.", "tool-m08.dvc"),
        ("Hydra loads our configs; we skipped the sweeps.", "tool-m11.hydra"),
        ("We iterate over Hydra configs to run experiments.", "tool-m11.hydra"),
    ],
)
def test_claims_with_a_negation_or_a_drop_about_something_else_are_still_claims(
    tmp_path: Path, body: str, check: str
) -> None:
    root = write_tree(tmp_path, {"src/proj/train.py": "x = 1\n"})
    assert _checks(root, 10, body)[check] == "inconsistent"


def test_a_workflow_the_group_developed_is_about_ci(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {".github/workflows/t.yaml": UBUNTU_ONLY})
    checks = _checks(
        root, 11, "The GitHub Actions workflow we developed runs the unit tests on Windows and macOS."
    )
    assert checks["ci-windows"] == "inconsistent" and checks["ci-macos"] == "inconsistent"


def test_measured_coverage_of_tests_that_cannot_run_is_unverifiable(tmp_path: Path) -> None:
    test = "import package_that_is_not_installed\n\n\ndef test_a():\n    assert True\n"
    root = write_tree(tmp_path, {"tests/test_a.py": test, "src/a.py": "x = 1\n"})
    repo = Repo(root)
    report = parse_report(_answer(8, "Our total coverage is 85%."))
    (finding,) = [f for f in check_answers(repo, report, measure_coverage=True) if f.check == "coverage"]
    assert finding.verdict == "unverifiable" and "could not be run" in finding.message
    assert any("did not run here" in w for w in repo.warnings)


def test_dvcs_own_config_is_not_read_as_a_pointer_file(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "g",
        {
            ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = gs://b/\n",
            "data.dvc": "outs:\n- md5: 0\n  path: data\n",
        },
    )
    repo = Repo(root)
    assert _dvc_tracked(repo) == ["data"]
    assert not any(".dvc/config" in warning for warning in repo.warnings)


def test_a_cloud_versioned_pointer_is_read_for_its_paths_without_its_listing(tmp_path: Path) -> None:
    listing = "".join(f"  - relpath: img_{n}.png\n    md5: {n:032x}\n    size: {n}\n" for n in range(2000))
    root = write_tree(
        tmp_path / "g",
        {
            "images.dvc": f"outs:\n- hash: md5\n  path: images\n  files:\n{listing}  nfiles: 2000\n",
            "models/weights.dvc": "outs:\n- md5: 1\n  path: best.ckpt\n",
            "broken.dvc": "outs:\n- path: kept\n  files:\n  - relpath: [unclosed\n",
        },
    )
    repo = Repo(root)
    # a listing that is not valid YAML does not hide the paths around it
    assert sorted(_dvc_tracked(repo)) == ["images", "kept", "models/best.ckpt"]
    # the per-file listing was never parsed: the Repo's YAML cache holds only the small pointer
    assert "images.dvc" not in repo.configs._yaml
    assert not any("images.dvc" in warning for warning in repo.warnings)


def test_a_failing_answer_check_is_a_warning_but_running_out_of_memory_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import verifier.answers as answers

    root = write_tree(tmp_path, {"src/app.py": "x = 1\n", "tests/test_app.py": "def test_x():\n    pass\n"})
    report = parse_report(_answer(7, "We wrote 1 test."))

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("a bug")

    monkeypatch.setattr(answers, "tests_claim", broken)
    repo = Repo(root)
    check_answers(repo, report)
    assert "an answer check failed: ValueError: a bug" in repo.warnings

    def starved(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise MemoryError

    monkeypatch.setattr(answers, "tests_claim", starved)
    with pytest.raises(MemoryError):
        check_answers(Repo(root), report)
