"""The `verify` command: output formats, the JSON contract, exit codes and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from verifier.cli import main
from verifier.engine import VERDICTS

from conftest import FIXTURES, TableUnreadable, git_init, write_tree

EXAMPLE = str(FIXTURES / "example-project")
REPORT = """# Exam template for 02476 Machine Learning Operations

## Overall project checklist

### Week 1

* [x] Create a git repository (M5)
* [x] Construct one or multiple docker files for your code (M10)
* [ ] Add pre-commit hooks to your version control setup (M18)

## Group information
"""


def schema() -> dict:
    text = resources.files("verifier").joinpath("schema/result.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@pytest.fixture
def small_repo(tmp_path: Path) -> Path:
    root = write_tree(
        tmp_path / "group", {"reports/README.md": REPORT, "Dockerfile": "FROM python:3.12-slim\n"}
    )
    return git_init(root)


def test_text_output_puts_the_summary_first(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([EXAMPLE, "--no-color"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("mlops-verifier ") and lines[0].endswith("example-project")
    assert lines[2].startswith("score ") and "honesty" in lines[2]
    assert "\x1b[" not in out


def test_json_output_validates_against_the_published_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([EXAMPLE, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, schema())
    assert data["schema_version"] == 2 and data["report"] == "reports/README.md"
    assert len(data["items"]) == 53
    assert sum(data["counts"].values()) == 53


def test_json_of_a_git_repo_names_the_commit(small_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(small_repo), "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, schema())
    assert len(data["commit"]) == 40
    verdicts = {item["rule"]: item["verdict"] for item in data["items"]}
    assert verdicts["m05.git-repository"] == "confirmed"
    assert verdicts["m10.dockerfiles"] == "confirmed"
    docker = next(item for item in data["items"] if item["rule"] == "m10.dockerfiles")
    assert docker["locations"][0] == {"path": "Dockerfile", "line": 1, "snippet": "FROM python:3.12-slim"}


def test_several_repositories_give_one_json_object_and_a_csv_row_each(
    small_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(small_repo), EXAMPLE, "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, schema())
    assert [entry["repo"] for entry in data["results"]] == [str(small_repo), EXAMPLE] and data["errors"] == []
    assert main([str(small_repo), EXAMPLE, "-f", "csv", "--jobs", "2"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].startswith("repo,commit,score,honesty,unsupported")
    assert len(rows) == 3


def test_missing_report_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no report at reports/README.md" in err[0]


def test_one_bad_repo_does_not_stop_the_others(
    small_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main([str(empty), str(small_repo), "-f", "csv"]) == 2
    captured = capsys.readouterr()
    assert str(small_repo) in captured.out and "no report" in captured.err


def test_no_path_outside_git_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([]) == 2
    assert "give at least one PATH" in capsys.readouterr().err


def test_no_path_in_a_repository_verifies_it(
    small_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (small_repo / "src").mkdir()
    monkeypatch.chdir(small_repo / "src")
    assert main(["-f", "json"]) == 0
    captured = capsys.readouterr()
    assert f"verifying the repository {small_repo}" in captured.err
    verification = json.loads(captured.out)
    assert verification["report"] == "reports/README.md"
    assert any(
        item["rule"] == "m10.dockerfiles" and item["verdict"] == "confirmed" for item in verification["items"]
    )


def test_min_score_sets_exit_code_1(small_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([EXAMPLE, "--min-score", "1"]) == 1  # the example's score is below 1
    assert main([str(small_repo), "--min-score", "0"]) == 0
    assert main([str(small_repo), "--min-score", "1.01"]) == 2  # no score can reach it: a usage error


def test_select_and_ignore_accept_modules_and_ids(
    small_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(small_repo), "-f", "json", "--ignore", "M10,m05.git-repository"]) == 0
    data = json.loads(capsys.readouterr().out)
    skipped = {item["rule"] for item in data["items"] if item["verdict"] == "skipped"}
    assert skipped == {"m10.dockerfiles", "m05.git-repository"}


def test_list_rules_marks_unimplemented_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-rules"]) == 0
    out = capsys.readouterr().out
    assert "m11.hydra" in out and "M11" in out
    hydra = next(line for line in out.splitlines() if line.startswith("m17.ci "))
    assert "Continuous integration on GitHub" in hydra and "not implemented" not in hydra


def test_report_option_and_output_file(small_repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.md"
    other.write_text(REPORT.replace("* [x] Create a git", "* [ ] Create a git"), encoding="utf-8")
    target = tmp_path / "out.json"
    assert main([str(small_repo), "--report", str(other), "-f", "json", "-o", str(target)]) == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    git_item = next(item for item in data["items"] if item["rule"] == "m05.git-repository")
    assert git_item["verdict"] == "unclaimed" and data["report"] == str(other)


@pytest.mark.parametrize("fmt", ["markdown", "junit", "html"])
def test_other_formats_render(small_repo: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(small_repo), "-f", fmt]) == 0
    out = capsys.readouterr().out
    assert "m10.dockerfiles" in out


def test_html_escapes_report_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = REPORT.replace("Create a git repository", "Create a git repository <script>alert(1)</script>")
    write_tree(tmp_path, {"reports/README.md": hostile})
    assert main([str(tmp_path), "-f", "html"]) == 0
    out = capsys.readouterr().out
    assert "<script>" not in out and "&lt;script&gt;" in out


@pytest.mark.parametrize(
    ("fmt", "marker"), [("markdown", "### Answers"), ("junit", "Q8 coverage"), ("html", "Answers")]
)
def test_answer_findings_reach_every_format(
    fmt: str, marker: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(FIXTURES / "answers" / "inconsistent"), "-f", fmt]) == 0
    out = capsys.readouterr().out
    assert marker in out and "claims 95%" in out


def test_include_untracked_checks_a_dockerfile_not_committed_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = git_init(write_tree(tmp_path / "group", {"reports/README.md": REPORT}))
    write_tree(root, {"Dockerfile": "FROM python:3.12-slim\n"})
    verdicts = {}
    for flags in ([], ["--include-untracked"]):
        assert main([str(root), "-f", "json", *flags]) == 0
        data = json.loads(capsys.readouterr().out)
        verdicts[bool(flags)] = {item["rule"]: item["verdict"] for item in data["items"]}
    assert verdicts[False]["m10.dockerfiles"] == "unsupported"
    assert verdicts[True]["m10.dockerfiles"] == "confirmed"


def test_cohort_table_counts_ticks_per_rule_and_flags_rules_that_call_many_groups_unsupported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    groups = [
        git_init(write_tree(tmp_path / f"g{n}", {"reports/README.md": REPORT, **extra}))
        for n, extra in enumerate([{}, {}, {}, {"Dockerfile": "FROM python:3.12-slim\n"}])
    ]
    assert main([*map(str, groups), "-f", "cohort"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("mlops-verifier") and "cohort of 4 repositories" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[4:] if line.startswith("m")}
    docker = rows["m10.dockerfiles"]
    assert docker[1:7] == ["4", "1", "0", "0", "3", "0"]  # ticked, conf, weak, tmpl, unsup, unver
    assert "75%" in docker and "check a few groups by hand" in " ".join(docker)
    lines = [line for line in out.splitlines() if line.startswith("m") and not line.startswith("mlops")]
    assert lines[0].startswith("m10.dockerfiles")  # the most-unsupported rule first
    assert "check a few" not in rows["m05.git-repository"]
    # three alike groups and one that also has its Dockerfile: the median is the three's score
    low, middle, high = re.findall(r"\d\.\d\d", out.splitlines()[-1])
    assert out.splitlines()[-1].startswith("consistency score:") and low == middle < high


def test_the_bundled_example_shows_every_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([EXAMPLE, "-f", "json"]) == 0
    counts = json.loads(capsys.readouterr().out)["counts"]
    shown = [
        verdict for verdict in VERDICTS if verdict not in ("unknown", "skipped")
    ]  # every verdict of an item
    assert all(counts[verdict] >= 1 for verdict in shown), counts


def test_usage_mistakes_are_said_on_stderr(
    small_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(small_repo), "--select", "m10.dockerfile", "-f", "csv"]) == 0
    assert "--select m10.dockerfile names no rule id" in capsys.readouterr().err
    assert main([str(small_repo), "-o", str(tmp_path / "missing" / "out.txt")]) == 2
    assert "no folder" in capsys.readouterr().err
    assert main([str(small_repo), "--ref", "main"]) == 2
    assert "--ref works with git URLs only" in capsys.readouterr().err
    undocked = git_init(write_tree(tmp_path / "undocked", {"reports/README.md": REPORT}))
    assert main([str(undocked), "--min-score", "0.99", "-f", "csv"]) == 1
    assert "is below --min-score 0.99" in capsys.readouterr().err


def test_a_relative_report_path_is_the_repositorys_own(
    small_repo: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    other = write_tree(
        tmp_path / "elsewhere", {"reports/README.md": REPORT.replace("* [x] Construct", "* [ ] Construct")}
    )
    monkeypatch.chdir(other)
    assert main([str(small_repo), "--report", "reports/README.md", "-f", "json"]) == 0
    items = {i["rule"]: i for i in json.loads(capsys.readouterr().out)["items"]}
    assert items["m10.dockerfiles"]["claimed"] is True  # read from small_repo, not from the current directory


def test_override_warnings_reach_stderr_in_every_format(small_repo: Path, tmp_path: Path, capsys) -> None:
    overrides = tmp_path / "o.yaml"
    overrides.write_text(
        f"{small_repo.name}:\n  - {{item: m10.dockerfile, verdict: confirmed, reason: typo}}\n"
    )
    assert main([str(small_repo), "--overrides", str(overrides), "-f", "csv"]) == 0
    assert "m10.dockerfile" in capsys.readouterr().err


def test_terminal_escapes_and_html_in_a_report_are_neutralised(tmp_path: Path, capsys) -> None:
    report = REPORT.replace(
        "Create a git repository (M5)", "Create a git repository (M5) \x1b[2J\x1b[31m<h4>x"
    )
    root = git_init(write_tree(tmp_path / "g", {"reports/README.md": report}))
    assert main([str(root), "--no-color"]) == 0
    text = capsys.readouterr().out
    assert "\x1b" not in text
    assert main([str(root), "-f", "markdown"]) == 0
    assert "<h4>" not in capsys.readouterr().out


def test_csv_keeps_a_row_for_a_repository_that_failed(small_repo: Path, tmp_path: Path, capsys) -> None:
    missing = tmp_path / "no-report"
    missing.mkdir()
    assert main([str(small_repo), str(missing), "-f", "csv"]) == 2
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    error = rows[0].index("error")
    assert len(rows) == 3 and all(len(row) == len(rows[0]) for row in rows)
    failed = next(row for row in rows if row[0] == str(missing))
    assert "no report" in failed[error] and failed[2] == ""


def test_html_of_several_repositories_is_one_document(small_repo: Path, capsys) -> None:
    assert main([str(small_repo), EXAMPLE, "-f", "html"]) == 0
    out = capsys.readouterr().out
    assert out.count("<!doctype html>") == 1 and out.count("<h1>") == 2


def test_min_score_fails_closed_when_nothing_could_be_scored(tmp_path: Path, capsys) -> None:
    report = "# Exam\n\n## Overall project checklist\n\n### Week 1\n\n* [x] Some item of our own\n\n## Group information\n"
    root = git_init(write_tree(tmp_path / "g", {"reports/README.md": report}))
    assert main([str(root), "--min-score", "0.5", "-f", "csv"]) == 1
    assert "no item could be scored" in capsys.readouterr().err


@pytest.mark.parametrize("prepared", [True, False])
def test_the_workers_inherit_the_template_table_the_parent_loaded(
    prepared: bool, small_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The parent reads the table before it forks; a worker that read it again would fail here. Without the
    parent's read (the control) the worker needs the table for the report's template check and fails."""
    from verifier import templates

    templates._table.cache_clear()
    original = templates.prepare

    def prepare_then_forbid_reading() -> None:
        if prepared:
            original()
        monkeypatch.setattr(templates, "resources", TableUnreadable)

    monkeypatch.setattr(templates, "prepare", prepare_then_forbid_reading)
    code = main([str(small_repo), "-f", "json"])
    captured = capsys.readouterr()
    if prepared:
        assert code == 0 and json.loads(captured.out)["items"]
    else:
        assert code != 0 and "the fingerprint table was read again" in captured.err


@pytest.mark.parametrize("targets", [1, 2])
def test_a_batch_warms_the_parent_up_before_it_forks_and_one_target_does_not(
    targets: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from verifier import batch, warmup

    if batch.start_method() != "fork":
        pytest.skip("the workers inherit the parent's state only when they are forked")
    warmed: list[bool] = []
    monkeypatch.setattr(warmup, "warm_up", lambda: warmed.append(True))
    files = {"reports/README.md": REPORT, "Dockerfile": "FROM python:3.12-slim\n"}
    folders = [str(git_init(write_tree(tmp_path / f"g{n}", files))) for n in range(targets)]
    assert main([*folders, "-f", "json"]) == 0
    capsys.readouterr()
    assert warmed == ([True] if targets > 1 else [])


def test_the_warm_up_fills_what_every_verification_builds_and_survives_a_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from verifier import engine, filelist, registry, templates, warmup

    monkeypatch.setattr(warmup, "_warm", False)
    registry.forget_matches()
    for cached in (filelist.glob_spec, templates._table):
        cached.cache_clear()
    warmup.warm_up()
    assert registry._rule_texts.cache_info().currsize == 1  # the rules' texts prepared for matching
    assert filelist.glob_spec.cache_info().currsize > 50  # the rules' globs, compiled
    assert templates._table.cache_info().currsize == 1
    verified: list[object] = []
    monkeypatch.setattr(engine, "verify", lambda *args, **kwargs: verified.append(args))
    warmup.warm_up()  # once per process
    assert verified == []

    def failing(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a broken warm-up")

    monkeypatch.setattr(warmup, "_warm", False)
    monkeypatch.setattr(engine, "verify", failing)
    warmup.warm_up()  # a failure only costs the warm-up
    assert warmup._warm
