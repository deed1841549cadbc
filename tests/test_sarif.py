"""SARIF 2.1.0 (`-f sarif`): valid against the official schema (vendored in tests/data), one result per
unsupported, contradicted or template-only tick at its report line, rule metadata from the rule classes,
skipped items suppressed with their reason, failed repositories as failed runs, and repository text that
cannot form a link or a broken URI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from verifier import verify
from verifier.cli import main
from verifier.registry import all_rules
from verifier.sarif import render_sarif

from conftest import FIXTURES, git, git_init, write_tree

EXAMPLE = FIXTURES / "example-project"
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
FAILING = {"unsupported": "error", "contradicted": "error", "template-only": "warning"}


def validate(log: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(log)


def test_the_vendored_schema_is_the_official_one() -> None:
    assert (
        SCHEMA["id"]
        == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]


@pytest.fixture(scope="module")
def example() -> tuple[dict, object]:
    result = verify(EXAMPLE)
    return json.loads(render_sarif(result)), result


def test_one_result_per_failing_tick_at_its_report_line(example: tuple[dict, object]) -> None:
    log, result = example
    validate(log)
    (run,) = log["runs"]
    failing = [item for item in result.items if item.verdict in FAILING]  # type: ignore[attr-defined]
    results = [r for r in run["results"] if r["kind"] == "fail"]
    assert len(results) == len(failing) == 3
    for item, found in zip(failing, results, strict=True):
        location = found["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "reports/README.md", "uriBaseId": "%SRCROOT%"}
        assert location["region"]["startLine"] == item.item.line
        assert found["ruleId"] == item.rule and found["level"] == FAILING[str(item.verdict)]
        assert run["tool"]["driver"]["rules"][found["ruleIndex"]]["id"] == item.rule
        assert found["properties"]["verdict"] == str(item.verdict)
    load = next(r for r in results if r["ruleId"] == "m24.load-test")
    assert "Looked for: locustfile with an HttpUser" in load["message"]["text"]
    template = next(r for r in results if r["ruleId"] == "m16.model-tests")
    assert (
        template["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "tests/test_model.py"
    )
    # a confirmed, weak or unverifiable item is no result
    assert not {r["ruleId"] for r in results} & {"m11.hydra", "m15.lightning", "m23.cloud-deploy"}


def test_rule_metadata_comes_from_the_rule_classes(example: tuple[dict, object]) -> None:
    log, _ = example
    descriptors = {d["id"]: d for d in log["runs"][0]["tool"]["driver"]["rules"]}
    assert set(descriptors) == {rule.id for rule in all_rules()}
    for rule in all_rules():
        descriptor = descriptors[rule.id]
        assert descriptor["name"] == rule.__name__
        assert descriptor["shortDescription"]["text"] == rule.title
        assert descriptor["properties"]["modules"] == list(rule.modules)
        assert rule.docs().split("\n")[0] in descriptor["help"]["text"]
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "mlops-verifier" and driver["informationUri"].startswith("https://github.com/")


def test_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    original, moved = (shutil.copytree(EXAMPLE, tmp_path / name) for name in ("original", "moved"))
    report = moved / "reports" / "README.md"
    report.write_text("\n\n\n" + report.read_text(encoding="utf-8"), encoding="utf-8")

    def prints(root: Path) -> dict[str, tuple[str, int]]:
        run = json.loads(render_sarif(verify(root)))["runs"][0]
        return {
            r["ruleId"]: (
                r["partialFingerprints"]["mlopsVerifierItem/v1"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in run["results"]
        }

    before, after = prints(original), prints(moved)
    assert len(before) >= 3 and set(before) == set(after)
    assert all(after[rule][0] == before[rule][0] for rule in before)  # the same alerts
    assert all(after[rule][1] == before[rule][1] + 3 for rule in before)  # at their new lines


def test_skipped_items_are_suppressed_results_with_their_reason() -> None:
    result = verify(EXAMPLE, ignore={"M24": "load testing was done by the course staff"})
    log = json.loads(render_sarif(result))
    validate(log)
    suppressed = [r for r in log["runs"][0]["results"] if r.get("suppressions")]
    assert {r["ruleId"] for r in suppressed} == {"m24.load-test", "m24.api-tests"}
    assert all(r["kind"] == "notApplicable" and r["level"] == "none" for r in suppressed)
    assert suppressed[0]["suppressions"][0]["justification"] == (
        "ignored (M24): load testing was done by the course staff"
    )
    assert not any(r["kind"] == "fail" and r["ruleId"].startswith("m24.") for r in log["runs"][0]["results"])


def test_a_failed_repository_is_a_failed_run_and_runs_keep_their_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    assert main([str(EXAMPLE), str(tmp_path / "empty"), "-f", "sarif"]) == 2
    log = json.loads(capsys.readouterr().out)
    validate(log)
    first, second = log["runs"]
    assert first["properties"]["repo"] == str(EXAMPLE) and first["invocations"][0]["executionSuccessful"]
    assert second["invocations"][0]["executionSuccessful"] is False and second["results"] == []
    notification = second["invocations"][0]["toolExecutionNotifications"][0]
    assert (
        notification["level"] == "error"
        and "no report at reports/README.md" in notification["message"]["text"]
    )


def test_several_repositories_get_one_category_per_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    second = tmp_path / "group 7.git"
    shutil.copytree(EXAMPLE, second)
    assert main([str(EXAMPLE), str(second), "-f", "sarif"]) == 0
    log = json.loads(capsys.readouterr().out)
    validate(log)
    categories = [run["automationDetails"]["id"] for run in log["runs"]]
    assert categories == ["mlops-verifier/1-example-project/", "mlops-verifier/2-group-7/"]


def test_one_repository_leaves_the_category_to_the_upload(example: tuple[dict, object]) -> None:
    log, _ = example
    assert len(log["runs"]) == 1 and "automationDetails" not in log["runs"][0]


def test_an_empty_list_of_entries_is_a_valid_log() -> None:
    log = json.loads(render_sarif([]))
    validate(log)
    assert log["runs"] == [] and log["version"] == "2.1.0"


def test_repository_text_forms_no_link_and_leaks_no_credential(tmp_path: Path) -> None:
    report = (EXAMPLE / "reports" / "README.md").read_text(encoding="utf-8")
    report = report.replace(
        "Load test your application (M24)", "Load test your [application](https://e.invalid) (M24)"
    )
    group = write_tree(tmp_path / "group", {"reports/README.md": report})
    git_init(group)
    git(group, "remote", "add", "origin", "https://ada:ghp_SECRET@github.com/g/p.git")
    result = verify(group)
    result.warnings.append("a warning [with](https://e.invalid) a link \\[x](1)")
    text = render_sarif(result)
    log = json.loads(text)
    validate(log)
    assert "ghp_SECRET" not in text
    run = log["runs"][0]
    load = next(r for r in run["results"] if r["ruleId"] == "m24.load-test")
    assert load["locations"][0]["physicalLocation"]["region"]["snippet"]["text"].endswith(
        "[application](https://e.invalid) (M24)"
    )  # a snippet is code, shown as it is
    messages = [r["message"]["text"] for r in run["results"]]
    messages += [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("\\[with\\](https://e.invalid)" in message for message in messages)
    assert any("\\\\\\[x\\](1)" in message for message in messages)  # a backslash cannot unescape a bracket
    for message in messages:
        unescaped = message.replace("\\\\", "").replace("\\[", "").replace("\\]", "")
        assert "[" not in unescaped and "]" not in unescaped  # no bracket left to open or close a link


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("tests/test_model.py", "tests/test_model.py"),
        ("a b/x\n[y](z) %41.py", "a%20b/x%0A%5By%5D%28z%29%20%2541.py"),
        ("caf\u00e9/\udcff.py", "caf%C3%A9/%FF.py"),  # an undecodable byte of a file name is that byte
    ],
)
def test_paths_are_percent_encoded_uris_relative_to_the_source_root(path: str, uri: str) -> None:
    from verifier.sarif import _artifact

    assert _artifact(path) == {"uri": uri, "uriBaseId": "%SRCROOT%"}
    assert _artifact("/abs/re port.md") == {"uri": "file:///abs/re%20port.md"}
