"""What every output shows: --show problems, the JSON shape for several paths and its schema, the answer
findings and warnings in CSV, Markdown, JUnit and the cohort table, and the small things a reader notices."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from test_cli import schema

from verifier import Failure, verify
from verifier.cli import main
from verifier.engine import SCHEMA_VERSION
from verifier.render import render_cohort, render_csv, render_json, render_junit, render_markdown, render_text

from conftest import FIXTURES, write_tree

EXAMPLE = FIXTURES / "example-project"
PROBLEM_HEADINGS = ("UNSUPPORTED", "CONTRADICTED", "TEMPLATE-ONLY", "WEAKLY SUPPORTED")


@pytest.fixture(scope="module")
def example():
    result = verify(EXAMPLE)
    result.warnings.append("a repository warning | with a pipe")
    return result


def test_show_problems_keeps_the_ticks_and_answers_that_need_a_look(example) -> None:
    full, short = render_text(example), render_text(example, show="problems")
    headings = [line.split(":")[0] for line in short.splitlines() if re.match(r"[A-Z][A-Z -]+(:| \()", line)]
    assert headings == [*PROBLEM_HEADINGS, "ANSWERS THAT NEED A LOOK (27)", "WARNINGS (1)"]
    assert short.splitlines()[:4] == full.splitlines()[:4]  # the summary stays
    assert "CONFIRMED" not in short and "CONSISTENT" not in short and "UNCLAIMED" not in short
    assert "m24.load-test" in short and "looked for: locustfile" in short
    assert "Q5: incomplete" in short and "Q2: unverifiable" not in short
    assert len(short.splitlines()) < len(full.splitlines()) / 2
    markdown = render_markdown(example, show="problems")
    verdicts = [row.split(" | ")[0].lstrip("| ") for row in markdown.splitlines() if row.startswith("| ")]
    assert set(verdicts) - {"verdict"} == {
        "unsupported",
        "contradicted",
        "template-only",
        "weakly-supported",
        "incomplete",
    }
    assert "### Answers that need a look" in markdown


def test_show_problems_says_when_nothing_needs_a_look(tmp_path: Path) -> None:
    report = "# R\n\n## Overall project checklist\n\n### Week 1\n\n* [ ] Create a git repository (M5)\n"
    result = verify(write_tree(tmp_path / "g", {"reports/README.md": report}))
    assert "No tick needs a look." in render_text(result, show="problems")
    assert "No tick needs a look." in render_markdown(result, show="problems")


def test_show_problems_on_a_data_format_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(EXAMPLE), "-f", "json", "--show", "problems"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)["items"]) == 53  # data stays complete
    assert "--show problems shortens text, markdown, html only; -f json is complete" in err


def test_several_paths_give_one_object_with_results_and_errors(tmp_path: Path) -> None:
    result = verify(EXAMPLE)
    failure = Failure("group-9", "no report at reports/README.md")
    data = json.loads(render_json([failure, result, Failure("group-10", "over its time budget of 1 s")]))
    jsonschema.validate(data, schema())
    assert data["schema_version"] == SCHEMA_VERSION and set(data) == {
        "schema_version",
        "tool_version",
        "results",
        "errors",
    }
    assert [r["repo"] for r in data["results"]] == [str(EXAMPLE)]
    assert [e["repo"] for e in data["errors"]] == ["group-9", "group-10"]
    single = json.loads(render_json(result))
    jsonschema.validate(single, schema())
    assert single["repo"] == str(EXAMPLE) and "results" not in single


def test_an_empty_result_is_valid_json() -> None:
    data = json.loads(render_json([]))
    jsonschema.validate(data, schema())
    assert data["results"] == [] and data["errors"] == []


@pytest.mark.parametrize(
    "document",
    [
        [{"repo": "x", "error": "e"}],  # the list of schema 2 before: not the shape for several
        {"schema_version": 2, "tool_version": "0", "results": [{"repo": "x", "error": "e"}], "errors": []},
        {"schema_version": 2, "tool_version": "0", "results": [], "errors": [{"repo": "x"}]},
        {"schema_version": 2, "tool_version": "0", "results": []},
    ],
)
def test_the_schema_rejects_a_malformed_document(document: object) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema())


def test_the_schema_id_names_the_schema_version() -> None:
    data = schema()
    assert data["$id"].endswith(f"/result-{SCHEMA_VERSION}.json")
    assert data["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert data["$defs"]["results"]["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_csv_has_the_answer_findings_warnings_and_skip_reasons_at_the_end(example) -> None:
    failed = Failure("group-9", "no report")
    skipping = verify(EXAMPLE, ignore={"M24": "no load tests this term"})
    header, row, failure, skipped = list(csv.reader(io.StringIO(render_csv([example, failed, skipping]))))
    columns = dict(zip(header, row, strict=True))
    assert header[header.index("error") + 1 :] == [
        "answers_inconsistent",
        "answers_incomplete",
        "answers_unverifiable",
        "warnings",
        "warning_texts",
        "skip_reasons",
    ]
    assert (columns["answers_incomplete"], columns["answers_unverifiable"]) == ("27", "2")
    assert columns["warnings"] == "1" and columns["warning_texts"] == "a repository warning | with a pipe"
    assert failure[header.index("error")] == "no report" and len(failure) == len(header)
    assert dict(zip(header, skipped, strict=True))["skip_reasons"] == (
        "m24.api-tests: ignored (M24): no load tests this term | m24.load-test: ignored (M24): no load tests this term"
    )


def test_warnings_reach_markdown_and_junit(example) -> None:
    markdown = render_markdown(example)
    assert "### Warnings (1)\n\n- a repository warning \\| with a pipe" in markdown
    suite = ET.fromstring(render_junit([example]).split("?>", 1)[1]).find("testsuite")
    assert suite is not None
    assert suite.findtext("system-err") == "warning: a repository warning | with a pipe"
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["score"] == f"{example.score:.2f}"


def test_a_warning_cannot_start_a_markdown_block(example) -> None:
    example.warnings[:] = ["# heading", "1. list", "- item"]
    markdown = render_markdown(example)
    assert "- \\# heading\n- 1\\. list\n- \\- item" in markdown


def test_the_cohort_table_counts_answer_findings_per_check_and_grammar(tmp_path: Path) -> None:
    result = verify(EXAMPLE)
    table = render_cohort([result])
    assert "cohort of 1 repository\n" in table
    rows = {
        line.split()[0]: line.split() for line in table.splitlines() if re.match(r"[a-z][\w.-]+ +\d", line)
    }
    assert rows["completeness"][1:] == ["1", "0", "27", "0", "4"]  # groups, incon, incom, unver, cons
    assert rows["ci-python"][1] == "1"  # ci-python-3.11 and 3.12 are one check
    untouched = rows["m14.sweep"]  # nobody ticked it: no share, not 0%
    assert untouched[1] == "0" and untouched[-1] == "-"
    assert rows["m24.load-test"][-1] == "100%"
    assert "cohort of 2 repositories" in render_cohort([result, result])


def test_more_places_is_singular_for_one(example) -> None:
    from verifier.render import _details

    item = example.item("m07.pep8")
    assert item is not None and item.evidence is not None and len(item.evidence.locations) == 4
    assert _details(item, 3)[-1].strip() == "... and 1 more place"
    assert _details(item, 2)[-1].strip() == "... and 2 more places"


def test_the_pytest_failure_of_a_ci_claim_says_what_the_workflows_show(pytester: pytest.Pytester) -> None:
    shutil.copytree(EXAMPLE, pytester.path, dirs_exist_ok=True)
    workflow = pytester.path / ".github" / "workflows" / "tests.yaml"
    workflow.write_text(
        workflow.read_text(encoding="utf-8").replace("windows-latest, ", ""), encoding="utf-8"
    )
    result = pytester.runpytest(
        "--verify-report", "-p", "no:cacheprovider", "reports/README.md", "-k", "ci-windows"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*claims Windows in CI; no workflow shows it*", "observed: no workflow shows Windows"]
    )
    assert "observed: False" not in result.stdout.str()


pytest_plugins = ["pytester"]


def test_text_names_each_skip_reason_once_under_the_items_it_left_out() -> None:
    result = verify(EXAMPLE, ignore={"M21": "no cloud credits", "m24.load-test": "done in the demo"})
    text = render_text(result)
    skipped = text[text.index("SKIPPED") :].split("\n\n")[0].splitlines()
    assert skipped[0] == "SKIPPED: left out by select/ignore, with the reason (4)"
    assert [line.split()[2] for line in skipped if line.startswith("  - ")] == [
        "m21.bucket-dvc",
        "m21.build-trigger",
        "m21.cloud-training",
        "m24.load-test",
    ]
    assert skipped[4].strip() == "skipped: ignored (M21): no cloud credits"
    assert skipped[6].strip() == "skipped: ignored (m24.load-test): done in the demo"
