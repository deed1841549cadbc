"""Grader overrides: applied after the automatic evidence, shown with their reason, refused when malformed."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from test_cli import REPORT, schema

from verifier.cli import main
from verifier.overrides import OverridesError, load_overrides, overrides_for

from conftest import git, git_init, write_tree


@pytest.fixture
def group(tmp_path: Path) -> Path:
    return git_init(write_tree(tmp_path / "group-07", {"reports/README.md": REPORT}))


def write_overrides(tmp_path: Path, text: str) -> str:
    path = tmp_path / "overrides.yaml"
    path.write_text(text)
    return str(path)


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code = main([*args, "-f", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else {}, captured.err


def test_a_decision_changes_the_verdict_keeps_the_automatic_one_and_validates(
    group: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overrides = write_overrides(
        tmp_path,
        "group-07:\n  - item: m10.dockerfiles\n    verdict: unverifiable\n"
        "    reason: the Dockerfile lives in the group's second repository\n    grader: TA Jane\n    date: 2026-01-25\n",
    )
    _, before, _ = run_json(capsys, str(group))
    code, after, err = run_json(capsys, str(group), "--overrides", overrides)
    assert code == 0 and err == ""
    docker = next(item for item in after["items"] if item["rule"] == "m10.dockerfiles")
    assert docker["verdict"] == "unverifiable" and docker["automatic_verdict"] == "unsupported"
    assert docker["override"]["grader"] == "TA Jane"
    assert docker["message"].startswith("overridden by TA Jane on 2026-01-25: the Dockerfile lives")
    assert after["counts"]["unsupported"] == before["counts"]["unsupported"] - 1
    assert after["score"] > before["score"]
    jsonschema.validate(after, schema())


def test_text_output_shows_the_reason_on_a_confirmed_item(
    group: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overrides = write_overrides(
        tmp_path, "group-07:\n  - {item: m10.dockerfiles, verdict: confirmed, reason: seen in the demo}\n"
    )
    assert main([str(group), "--overrides", overrides]) == 0
    out = capsys.readouterr().out
    assert "overridden: seen in the demo (automatic: unsupported)" in out
    assert "UNSUPPORTED" not in out


def test_a_decision_for_another_commit_or_an_unknown_item_is_not_applied(
    group: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overrides = write_overrides(
        tmp_path,
        "group-07:\n"
        "  - {item: m10.dockerfiles, verdict: confirmed, reason: ok, commit: '0000000'}\n"
        "  - {item: m10.dockerfile, verdict: confirmed, reason: typo}\n"
        "other-group:\n  - {item: m10.dockerfiles, verdict: confirmed, reason: ok}\n",
    )
    code, result, err = run_json(capsys, str(group), "--overrides", overrides)
    assert code == 0
    docker = next(item for item in result["items"] if item["rule"] == "m10.dockerfiles")
    assert docker["verdict"] == "unsupported" and "override" not in docker
    assert any("made for commit 0000000" in w for w in result["warnings"])
    assert any("m10.dockerfile:" in w and "typo" in w for w in result["warnings"])
    assert "other-group matches no repository given" in err
    head = git(group, "rev-parse", "HEAD").strip()
    pinned = write_overrides(
        tmp_path,
        f"group-07:\n  - {{item: m10.dockerfiles, verdict: confirmed, reason: ok, commit: '{head[:10]}'}}\n",
    )
    _, result, _ = run_json(capsys, str(group), "--overrides", pinned)
    assert next(i for i in result["items"] if i["rule"] == "m10.dockerfiles")["verdict"] == "confirmed"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("group-07:\n  - {item: m10.dockerfiles, verdict: great, reason: x}\n", "verdict must be one of"),
        ("group-07:\n  - {item: m10.dockerfiles, verdict: confirmed}\n", "no reason"),
        ("group-07:\n  - {verdict: confirmed, reason: x}\n", "no item"),
        (
            "group-07:\n  - {item: m10.dockerfiles, verdict: confirmed, reason: x, who: me}\n",
            "unknown key(s) who",
        ),
        ("group-07: m10.dockerfiles\n", "expected a list of decisions"),
        ("- a\n- b\n", "expected repositories as keys"),
        ("group-07: [\n", "invalid YAML"),
        (
            "group-07:\n  - {item: m10.dockerfiles, verdict: confirmed, reason: x, commit: 0123}\n",
            "in quotes",
        ),
    ],
)
def test_a_malformed_file_is_refused_whole_with_one_line(
    group: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, problem: str
) -> None:
    overrides = write_overrides(tmp_path, text)
    with pytest.raises(OverridesError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        load_overrides(overrides)
    assert main([str(group), "--overrides", overrides]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and problem in err


def test_repositories_are_matched_by_name_url_or_path() -> None:
    decisions = {"group-07": ["x"], "https://github.com/org/other.git": ["y"]}
    assert overrides_for("/srv/grading/group-07/", decisions) == ("group-07", ["x"])
    assert overrides_for("git@github.com:org/group-07.git", decisions) == ("group-07", ["x"])
    assert overrides_for("https://github.com/org/other.git", decisions)[1] == ["y"]
    assert overrides_for("group-08", decisions) == (None, [])
