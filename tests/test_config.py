"""`[tool.mlops-verifier]`: which file is read, what each key does, ignored items shown with their reason in
every output, unknown keys and ids warned about, broken files refused, and `verify .` from a subfolder."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from test_cli import schema

from verifier.cli import main
from verifier.config import Config, ConfigError, find_config, load_config

from conftest import git_init, write_tree

REPORT = """# Exam

## Overall project checklist

### Week 1

* [x] Create a git repository (M5)
* [x] Construct one or multiple docker files for your code (M10)

### Week 2

* [x] Get your model training in GCP using either the Engine or Vertex AI (M21)

## Group information
"""
REASON = "trained on the DTU HPC instead, see README"
TABLE = f'[tool.mlops-verifier]\nignore = {{"m10.dockerfiles" = "{REASON}"}}\n'


@pytest.fixture
def group(tmp_path: Path) -> Path:
    """A git repository whose report ticks a Dockerfile it does not have (unsupported unless ignored)."""
    return git_init(write_tree(tmp_path / "group", {"reports/README.md": REPORT, "src/pkg/__init__.py": ""}))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def configure(folder: Path, table: str) -> None:
    (folder / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n{table}', encoding="utf-8")


def item(data: dict, rule: str) -> dict:
    return next(entry for entry in data["items"] if entry["rule"] == rule)


def test_an_ignore_table_skips_the_item_and_shows_the_reason_in_every_format(
    group: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(group, TABLE)
    monkeypatch.chdir(group)
    code, out, err = run(capsys, ".", "-f", "json")
    data = json.loads(out)
    jsonschema.validate(data, schema())
    docker = item(data, "m10.dockerfiles")
    assert code == 0 and docker["verdict"] == "skipped" and REASON in docker["skip_reason"]
    assert docker["message"] == f"skipped: ignored (m10.dockerfiles): {REASON}"
    assert data["counts"]["skipped"] == 1 and data["counts"]["unsupported"] == 0
    assert "settings from" in err and "pyproject.toml [tool.mlops-verifier]: ignore" in err
    for fmt in ("text", "markdown", "html", "junit", "csv", "sarif"):
        code, out, _ = run(capsys, ".", "-f", fmt)
        assert code == 0 and REASON in out, fmt
    code, out, _ = run(capsys, ".", "-f", "junit")
    skipped = [
        case
        for case in ET.fromstring(out.split("?>", 1)[1]).iter("testcase")
        if case.find("skipped") is not None
    ]
    assert any(REASON in (case.find("skipped").get("message") or "") for case in skipped)
    code, out, _ = run(capsys, ".", "-f", "csv")
    header, row = list(csv.reader(io.StringIO(out)))
    assert row[header.index("skip_reasons")] == f"m10.dockerfiles: ignored (m10.dockerfiles): {REASON}"


def test_an_ignore_list_select_min_score_and_format(
    group: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(group, '[tool.mlops-verifier]\nignore = ["M21"]\nmin-score = 0.9\nformat = "json"\n')
    monkeypatch.chdir(group)
    code, out, err = run(capsys, ".")
    data = json.loads(out)  # format from the file
    assert item(data, "m21.cloud-training")["skip_reason"] == "ignored (M21)"
    assert code == 1 and "below --min-score 0.9" in err  # the unsupported Dockerfile tick
    code, out, err = run(capsys, ".", "-f", "text", "--min-score", "0")  # the command line wins, key by key
    assert code == 0 and out.startswith("mlops-verifier")
    assert "pyproject.toml [tool.mlops-verifier]: ignore, min-score, format" in err
    configure(group, '[tool.mlops-verifier]\nselect = ["M5"]\n')
    code, out, _ = run(capsys, ".", "-f", "json")
    skipped = item(json.loads(out), "m10.dockerfiles")
    assert skipped["verdict"] == "skipped" and skipped["skip_reason"] == "not selected (select: M5)"


def test_no_config_and_an_explicit_config_file(
    group: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(group, TABLE)
    monkeypatch.chdir(group)
    code, out, err = run(capsys, ".", "-f", "json", "--no-config")
    assert item(json.loads(out), "m10.dockerfiles")["verdict"] == "unsupported" and "settings" not in err
    grading = tmp_path / "grading.toml"
    grading.write_text('[tool.mlops-verifier]\nignore = {"M10" = "no Docker this term"}\n', encoding="utf-8")
    code, out, _ = run(capsys, ".", "-f", "json", "--config", str(grading))
    assert "no Docker this term" in item(json.loads(out), "m10.dockerfiles")["skip_reason"]
    grading.write_text("[project]\nname = 'x'\n", encoding="utf-8")
    code, _, err = run(capsys, ".", "--config", str(grading))
    assert code == 2 and err.strip() == f"verify: error: {grading}: no [tool.mlops-verifier] table"


def test_a_verified_repository_that_is_not_the_current_folder_is_never_asked(
    group: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A group's own table must not change a grader's run: only the grader's project is read."""
    configure(group, '[tool.mlops-verifier]\nignore = {"M10" = "trust us"}\nmin-score = 0\n')
    grader = tmp_path / "grader"
    grader.mkdir()
    monkeypatch.chdir(grader)
    code, out, err = run(capsys, str(group), "-f", "json")
    assert code == 0 and "trust us" not in out  # nor its min-score
    assert item(json.loads(out), "m10.dockerfiles")["verdict"] == "unsupported"
    assert "settings from" not in err
    configure(grader, '[tool.mlops-verifier]\nignore = {"M21" = "no cloud credits this term"}\n')
    _, out, err = run(capsys, str(group), "-f", "json")
    data = json.loads(out)
    assert "no cloud credits" in item(data, "m21.cloud-training")["skip_reason"]
    assert item(data, "m10.dockerfiles")["verdict"] == "unsupported"
    assert f"settings from {grader / 'pyproject.toml'}" in err


def test_unknown_keys_and_ids_are_warned_about_and_the_rest_still_applies(
    group: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(
        group,
        '[tool.mlops-verifier]\nmin_score = 0.5\nignore = {"m21.cloud-trainig" = "typo", "M10" = "no docker"}\n',
    )
    monkeypatch.chdir(group)
    code, out, err = run(capsys, ".", "-f", "json")
    data = json.loads(out)
    assert code == 0 and item(data, "m10.dockerfiles")["verdict"] == "skipped"
    assert item(data, "m21.cloud-training")["verdict"] != "skipped"
    assert "unknown key 'min_score' (did you mean min-score?)" in err
    assert "ignore: m21.cloud-trainig names no rule id, id prefix or module" in err


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[tool.mlops-verifier\nreport = 1\n", "invalid TOML"),
        ("[tool.mlops-verifier]\nmin-score = 2\n", "min-score must be a number between 0 and 1, not 2"),
        ("[tool.mlops-verifier]\nmin-score = nan\n", "min-score must be a number between 0 and 1, not nan"),
        ("[tool.mlops-verifier]\nmin-score = true\n", "min-score must be a number between 0 and 1"),
        ("[tool.mlops-verifier]\nignore = {M21 = 3}\n", "ignore.M21 must be the reason as a string"),
        ("[tool.mlops-verifier]\nselect = [1]\n", "select must be a list of rule ids or modules"),
        ("[tool.mlops-verifier]\nformat = 'pdf'\n", "format must be one of text, json"),
        ("[tool.mlops-verifier]\nreport = ''\n", "report must be a path"),
        ("[tool]\nmlops-verifier = 3\n", "expected a table of settings"),
    ],
)
def test_a_broken_configuration_is_refused_in_one_line(
    table: str, message: str, group: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (group / "pyproject.toml").write_text(table, encoding="utf-8")
    monkeypatch.chdir(group)
    code, out, err = run(capsys, ".")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith(f"verify: error: {group / 'pyproject.toml'}") and message in err


def test_a_configuration_is_data_never_code(tmp_path: Path) -> None:
    """TOML is parsed, never executed; a FIFO or an oversized file is refused, not read."""
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.mlops-verifier]\nreport = \"__import__('os').system('x')\"\n", encoding="utf-8")
    assert load_config(path).report == "__import__('os').system('x')"
    path.write_bytes(b"#" * 1_000_001)
    with pytest.raises(ConfigError, match="larger than 1 MB"):
        load_config(path)
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config(path)


def test_the_first_table_from_the_current_folder_up_to_the_repository_root(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "repo", {"sub/pyproject.toml": "[project]\nname = 'x'\n"}))
    configure(root, "[tool.mlops-verifier]\nignore = ['M21']\n")
    assert find_config(root / "sub").ignore == {"M21": ""}  # a pyproject.toml without the table is passed
    assert find_config(root / "sub").source == root / "pyproject.toml"
    outside = write_tree(tmp_path / "elsewhere", {"x.txt": ""})
    assert find_config(root.parent / "elsewhere") == Config()  # above the repository nothing is read
    assert find_config(outside) == Config()


def test_verify_dot_from_a_subfolder_verifies_the_repository(
    group: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(group / "src" / "pkg")
    code, out, err = run(capsys, ".", "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["repo"] == str(group) and len(data["items"]) == 3
    assert err.strip() == f"verify: . is a folder of the repository {group}: verifying the repository"


def test_a_subfolder_with_its_own_report_or_not_the_current_folder_is_verified_as_given(
    group: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    nested = write_tree(group / "docs", {"reports/README.md": REPORT})
    monkeypatch.chdir(nested)
    code, out, _ = run(capsys, ".", "-f", "json")
    assert code == 0 and json.loads(out)["repo"] == "."  # its own report: verified where it is
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, str(group / "src"), "-f", "json")
    assert code == 2 and "no report at reports/README.md" in err  # a grader's path is never walked up


def test_the_pytest_plugin_skips_an_ignored_item_with_its_reason(pytester: pytest.Pytester) -> None:
    write_tree(pytester.path, {"reports/README.md": REPORT})
    configure(pytester.path, TABLE)
    git_init(pytester.path)
    result = pytester.runpytest("--verify-report", "-p", "no:cacheprovider", "-rs", "reports/README.md")
    assert "failed" not in result.parseoutcomes()  # the unsupported Dockerfile tick is ignored
    result.stdout.fnmatch_lines([f"*m10.dockerfiles, skipped: skipped: ignored (m10.dockerfiles): {REASON}*"])


pytest_plugins = ["pytester"]
