"""The answers as a second witness (DESIGN.md; issue #18, section 1).

Fixtures under fixtures/witness/ hold a report and a small repository for every cell of the
silent-repository table (denies, shows an artifact, describes, silent/unanswered/missing) with a code
practice (profiling) and console work (Cloud Run deployment) side by side, the near misses the design
names (a denial of another practice, a hypothetical, a denial of a sub-part), and a 27-question report.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from test_cli import schema

from verifier.engine import ItemResult, Verification, verdict_for, verify
from verifier.evidence import Evidence, Status
from verifier.registry import all_rules
from verifier.render import render_cohort, render_csv, render_html, render_junit, render_markdown, render_text
from verifier.report import parse_report
from verifier.rule import Trace
from verifier.witness import PRACTICES, QUESTIONS, Witness, hosted_elsewhere, judge

from conftest import FIXTURES, SEEDS, SEEDS_MISSING

pytest_plugins = ["pytester"]

WITNESS = FIXTURES / "witness"
RULES = {rule.id: rule for rule in all_rules()}


def verified(case: str, tmp_path: Path) -> Verification:
    """Verify a copy of fixtures/witness/<case> (a plain tree: the walk reads every file)."""
    target = tmp_path / case
    shutil.copytree(WITNESS / case, target)
    return verify(target, check_answers=False)


def item(result: Verification, rule_id: str) -> ItemResult:
    found = result.item(rule_id)
    assert found is not None, f"{rule_id} not in the report"
    return found


def report_line(case: str, text: str) -> int:
    """The 1-based line of the report of fixture `case` holding `text`."""
    lines = (WITNESS / case / "reports" / "README.md").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


# ---------------------------------------------------------------------- the map: rules, questions, kinds


def test_every_rule_has_one_entry_in_the_map_and_every_entry_a_rule() -> None:
    assert set(PRACTICES) == set(RULES)


def test_every_topic_of_the_map_is_a_question_of_the_template() -> None:
    topics = {topic for practice in PRACTICES.values() for topic in (*practice.topics, *practice.shot_topics)}
    assert topics <= set(QUESTIONS)
    for practice in PRACTICES.values():
        assert set(practice.shot_topics) <= set(practice.topics)


def test_the_kinds_the_design_names_are_declared_on_the_rules() -> None:
    code = {"m13.profiling", "m14.sweep", "m16.coverage", "m23.torchserve", "m32.github-pages"}
    console = {
        "m21.bucket-dvc",
        "m21.build-trigger",
        "m21.cloud-training",
        "m23.cloud-deploy",
        "m28.cloud-monitoring",
        "m28.alerts",
    }
    assert {rule_id for rule_id, rule in RULES.items() if rule.trace is Trace.CODE} == code
    assert console <= {rule_id for rule_id, rule in RULES.items() if rule.trace is Trace.CONSOLE}
    assert RULES["m08.dvc"].trace is Trace.REPOSITORY  # DVC leaves files: the repository decides


def test_rules_the_answers_settle_name_their_practice_and_its_artifacts() -> None:
    for rule_id, rule in RULES.items():
        practice = PRACTICES[rule_id]
        if rule.trace is Trace.CODE or (rule.trace is Trace.CONSOLE and rule_id != "m20.gcp-project"):
            assert practice.words, rule_id
            assert practice.urls or practice.quoted or practice.shots, rule_id


@pytest.mark.parametrize(
    "seed",
    sorted(SEEDS.glob("*.md")) or [pytest.param(None, marks=pytest.mark.skip(reason=SEEDS_MISSING))],
    ids=lambda p: p.stem if p else "no-seeds",
)
def test_the_map_finds_every_question_of_the_31_question_seeds(seed: Path) -> None:
    witness = Witness(parse_report(seed.read_bytes()))
    assert witness.modern
    for topic, question in QUESTIONS.items():
        answer = witness.answer_to(topic)
        assert answer is not None and answer.number == question.modern, topic


def test_the_map_finds_every_question_of_a_27_question_report() -> None:
    witness = Witness(parse_report((WITNESS / "legacy-27" / "reports" / "README.md").read_bytes()))
    assert not witness.modern
    for topic, question in QUESTIONS.items():
        answer = witness.answer_to(topic)
        assert (answer.number if answer else None) == question.legacy, topic


def numbered_report(numbers: range, prompts: dict[int, str]) -> str:
    body = "".join(
        f"### Question {n}\n\n"
        + (f"> **{prompts[n]}**\n>\n" if n in prompts else "")
        + "> Answer:\n\nText.\n\n"
        for n in numbers
    )
    return f"# Exam\n\n## Overall project checklist\n\n* [x] Create a git repository (M5)\n\n## Group information\n\n{body}"


def test_without_prompts_the_number_decides_in_either_numbering() -> None:
    modern = Witness(parse_report(numbered_report(range(1, 32), {})))
    legacy = Witness(parse_report(numbered_report(range(1, 28), {})))
    assert modern.answer_to("deployment").number == 24 and modern.answer_to("monitoring").number == 26
    assert legacy.answer_to("deployment").number == 22 and legacy.answer_to("monitoring").number == 23
    assert legacy.answer_to("cloud-training") is None  # the 27-question template does not ask it


def test_a_question_moved_to_another_number_is_found_by_its_prompt() -> None:
    prompts = {16: "List all the GCP services that you made use of", 17: "how did you perform debugging?"}
    witness = Witness(parse_report(numbered_report(range(1, 32), prompts)))
    assert witness.answer_to("debugging").number == 17
    assert witness.answer_to("gcp-services").number == 16


def test_the_answer_at_the_templates_number_is_taken_without_reading_the_other_prompts() -> None:
    debugging = "how did you perform debugging?"
    # Question 5 asks it too (a copy pasted into the wrong place): the template's number still wins
    witness = Witness(parse_report(numbered_report(range(1, 32), {5: debugging, 16: debugging})))
    assert witness.answer_to("debugging").number == 16
    assert "_folded_questions" not in vars(witness)  # the other 30 prompts were not folded nor searched
    # near-miss: the template's number holds another prompt, so every prompt is read to find the moved one
    moved = Witness(parse_report(numbered_report(range(1, 32), {5: debugging, 16: "Which GCP services?"})))
    assert moved.answer_to("debugging").number == 5
    assert "_folded_questions" in vars(moved)


# ---------------------------------------------------------------------- denial scoped to the practice

PROFILING = re.compile(PRACTICES["m13.profiling"].words or "", re.IGNORECASE)
DEPLOY = re.compile(PRACTICES["m23.cloud-deploy"].words or "", re.IGNORECASE)
LOCAL = re.compile(PRACTICES["m23.cloud-deploy"].elsewhere, re.IGNORECASE)
CI = re.compile(PRACTICES["m17.ci"].words or "", re.IGNORECASE)
DVC = re.compile(PRACTICES["m08.dvc"].words or "", re.IGNORECASE)
BUCKET = re.compile(PRACTICES["m21.bucket-dvc"].words or "", re.IGNORECASE)
ALERTS = re.compile(PRACTICES["m28.alerts"].words or "", re.IGNORECASE)
DRIFT = re.compile(PRACTICES["m27.drift-robustness"].words or "", re.IGNORECASE)
TRAINING = re.compile(PRACTICES["m21.cloud-training"].words or "", re.IGNORECASE)


@pytest.mark.parametrize(
    ("sentence", "words", "says"),
    [
        ("We didn't run any specific profiling.", PROFILING, "denies"),
        ("As for profiling, we did not formally profile our code during the project.", PROFILING, "denies"),
        (
            "As the focus was on CI, CD, and cloud no profiling was done as the code was fast enough.",
            PROFILING,
            "denies",
        ),
        ("Profiling was not performed.", PROFILING, "denies"),
        ("We did not see much use for profiling in our case.", PROFILING, "denies"),
        ("We did not use DVC in this project.", DVC, "denies"),
        ("We did not get to serving it in the cloud.", DEPLOY, "denies"),
        ("We profiled the training loop with cProfile.", PROFILING, "describes"),
        # a denial of another practice in the same sentence
        ("We did not use a debugger; instead we profiled the training loop.", PROFILING, "describes"),
        ("We didn't use any debugger, we profiled the code with cProfile.", PROFILING, "describes"),
        # a negation about something else than doing the work: no denial (and, unclear, no description either)
        ("We didn't greatly benefit from DVC, as the data never changed.", DVC, None),
        ("We had no problems setting up DVC.", DVC, None),
        ("We are not able to detect or view data drift without labels.", DRIFT, None),
        ("Profiling showed no bottlenecks worth fixing.", PROFILING, "describes"),
        # hypotheticals say nothing either way
        ("We would have liked to deploy the model to Cloud Run.", DEPLOY, None),
        ("If we had more time, we would profile the data loading.", PROFILING, None),
        (
            "By implementing these practices, we would ensure uptime, and that we are alerted early.",
            ALERTS,
            None,
        ),
        ("We set up monitoring, and we are alerted by e-mail when latency grows.", ALERTS, "describes"),
        # a denial of a part: the other part is described
        ("We did not deploy the frontend, but the API runs on Cloud Run.", DEPLOY, "describes"),
        ("We did not deploy it directly from GitHub, we used the console.", DEPLOY, None),
        ("We did not train the model in the cloud with GPUs.", TRAINING, None),
        ("We did not train the model in the cloud.", TRAINING, "denies"),
        ("We store the training data in a GCP bucket.", TRAINING, None),
        ("(linux and Mac - Windows was difficult to get up and running)", CI, None),
        ("We did not use DVC: the data lives in a GCP bucket.", BUCKET, "describes"),
        ("We did not use DVC: the data lives in a GCP bucket.", DVC, "denies"),
        # "so" before a new subject starts a clause: its mood is its own
        (
            "We created alerting policies in Cloud Monitoring so we would get notifications on high latency.",
            ALERTS,
            "describes",
        ),
        ("We would have set up alerting policies so we get notified.", ALERTS, None),
        ("We did not have time, so we skipped profiling.", PROFILING, "denies"),
    ],
)
def test_judging_a_sentence_about_a_practice(sentence: str, words: re.Pattern[str], says: str | None) -> None:
    assert judge(sentence, words) == says


def test_a_local_deployment_says_nothing_about_a_cloud_one() -> None:
    assert judge("We deployed the API locally with uvicorn.", DEPLOY, LOCAL) is None
    assert judge("We did not deploy it locally, only on Cloud Run.", DEPLOY, LOCAL) == "describes"


# ---------------------------------------------------------------------- the table, cell by cell


@pytest.mark.parametrize(
    ("case", "rule_id", "verdict", "status", "said"),
    [
        # denies
        (
            "denies",
            "m13.profiling",
            "contradicted",
            Status.ABSENT,
            "We didn't run any specific profiling of the code",
        ),
        (
            "denies",
            "m23.cloud-deploy",
            "contradicted",
            Status.ABSENT,
            "we did not get to serving it in the cloud",
        ),
        ("denies", "m08.dvc", "consistent", Status.ABSENT, "We did not use DVC"),
        # shows an artifact
        ("artifact", "m13.profiling", "weakly-supported", Status.WEAK, "the screenshot figures/profile.png"),
        (
            "artifact",
            "m23.cloud-deploy",
            "weakly-supported",
            Status.WEAK,
            "https://digits-api-abc123-ew.a.run.app",
        ),
        ("artifact", "m21.bucket-dvc", "weakly-supported", Status.WEAK, "the screenshot figures/bucket.png"),
        # describes it, no artifact: only the report's word
        ("describes", "m13.profiling", "unverifiable", Status.UNVERIFIABLE, "Only the report's word"),
        ("describes", "m23.cloud-deploy", "unverifiable", Status.UNVERIFIABLE, "Only the report's word"),
        # silent, unanswered or missing: absent for code, unverifiable for console work
        ("silent", "m13.profiling", "unsupported", Status.ABSENT, "does not mention it"),
        # "We deployed the API locally": it names deployment, never a cloud one, and is quoted as such
        (
            "silent",
            "m23.cloud-deploy",
            "unverifiable",
            Status.UNVERIFIABLE,
            'names it, but no sentence of it was read as saying it was done ("We deployed the API locally with uvicorn',
        ),
        (
            "unanswered",
            "m13.profiling",
            "unsupported",
            Status.ABSENT,
            "leaves Question 16, which asks about it, unanswered",
        ),
        ("unanswered", "m23.cloud-deploy", "unverifiable", Status.UNVERIFIABLE, "unanswered"),
        ("missing", "m13.profiling", "unsupported", Status.ABSENT, "the report has no answer about it"),
        (
            "missing",
            "m23.cloud-deploy",
            "unverifiable",
            Status.UNVERIFIABLE,
            "the report has no answer about it",
        ),
        # 27-question numbering: the profiling question is 16, the deployment question 22
        (
            "legacy-27",
            "m13.profiling",
            "contradicted",
            Status.ABSENT,
            "We did not see much use for profiling",
        ),
        ("legacy-27", "m23.torchserve", "unsupported", Status.ABSENT, "Question 22, which asks about it"),
        ("legacy-27", "m23.cloud-deploy", "unverifiable", Status.UNVERIFIABLE, "Question 22 describes it"),
    ],
)
def test_the_silent_repository_table(
    tmp_path: Path, case: str, rule_id: str, verdict: str, status: Status, said: str
) -> None:
    result = item(verified(case, tmp_path), rule_id)
    assert (result.verdict, result.evidence.status if result.evidence else None) == (verdict, status)
    assert said in result.message


def test_a_denial_quotes_the_sentence_and_points_at_its_report_line(tmp_path: Path) -> None:
    result = item(verified("denies", tmp_path), "m13.profiling")
    assert (
        "Question 16" in result.message
        and '"We didn\'t run any specific profiling of the code"' in result.message
    )
    at = result.evidence.locations[0]
    assert (at.path, at.line) == ("reports/README.md", report_line("denies", "We didn't run any specific"))


def test_an_artifact_points_at_its_report_line(tmp_path: Path) -> None:
    result = verified("artifact", tmp_path)
    deploy = item(result, "m23.cloud-deploy").evidence.locations[0]
    shot = item(result, "m13.profiling").evidence.locations[0]
    assert (deploy.path, deploy.line) == ("reports/README.md", report_line("artifact", "run.app/predict"))
    assert shot.line == report_line("artifact", "figures/profile.png")


def test_a_described_item_points_at_the_sentence(tmp_path: Path) -> None:
    result = item(verified("describes", tmp_path), "m23.cloud-deploy")
    assert result.evidence.locations[0].line == report_line("describes", "We deployed the API to Cloud Run")


def test_a_denial_never_overrides_found_evidence(tmp_path: Path) -> None:
    result = item(verified("denies-found", tmp_path), "m13.profiling")
    assert result.verdict == "confirmed" and result.evidence.status is Status.FOUND
    assert "Question 16 says otherwise" in result.message and "the repository shows it" in result.message
    assert result.evidence.locations[0].path == "src/proj/profile_train.py"
    assert result.evidence.locations[-1].path == "reports/README.md"


def test_a_denial_outweighs_a_weak_trace_and_keeps_it_in_view(tmp_path: Path) -> None:
    result = item(verified("denies-weak", tmp_path), "m13.profiling")
    assert result.verdict == "contradicted" and result.evidence.status is Status.ABSENT
    assert [loc.path for loc in result.evidence.locations] == ["reports/README.md", "requirements.txt"]
    assert "only a trace" in result.message


def test_near_miss_a_denial_of_another_practice_or_of_a_benefit(tmp_path: Path) -> None:
    result = verified("near-miss-other-practice", tmp_path)
    profiling, dvc = item(result, "m13.profiling"), item(result, "m08.dvc")
    assert profiling.verdict == "unverifiable" and "Only the report's word" in profiling.message
    assert dvc.verdict == "weakly-supported" and "Question 10" not in dvc.message


def test_near_miss_a_hypothetical_is_no_denial(tmp_path: Path) -> None:
    result = verified("near-miss-hypothetical", tmp_path)
    assert item(result, "m23.cloud-deploy").verdict == "unverifiable"
    # nothing said about profiling but a wish: a silent answer, not a denial
    profiling = item(result, "m13.profiling")
    assert profiling.verdict == "unsupported"
    assert result.counts["contradicted"] == 0
    # ... and the wish is quoted and pointed at, not said to be missing
    assert "does not mention it" not in profiling.message
    assert (
        "Question 16, which asks about it, names it, but no sentence of it was read as saying it was done "
        '("If we had had more time, we would have profiled the data loading")' in profiling.message
    )
    (at,) = profiling.evidence.locations
    assert (at.path, at.line) == (
        "reports/README.md",
        report_line("near-miss-hypothetical", "we would have profiled"),
    )


def test_near_miss_a_denial_of_a_sub_part_denies_only_that_part(tmp_path: Path) -> None:
    result = verified("near-miss-sub-part", tmp_path)
    assert (
        item(result, "m17.ci").verdict == "confirmed"
        and "says otherwise" not in item(result, "m17.ci").message
    )
    assert item(result, "m17.ci-matrix-cache").verdict == "confirmed"
    assert (
        item(result, "m21.bucket-dvc").verdict == "weakly-supported"
    )  # "we did not use DVC" is not the bucket
    assert (
        item(result, "m23.cloud-deploy").verdict == "weakly-supported"
    )  # the frontend was not deployed, the API was
    assert item(result, "m08.dvc").verdict == "contradicted"  # but it does deny DVC itself


def test_a_report_outside_the_repository_is_located_at_the_question(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(WITNESS / "denies", root)
    outside = tmp_path / "report.md"
    (root / "reports" / "README.md").rename(outside)
    result = item(verify(root, report=outside, check_answers=False), "m13.profiling")
    assert result.verdict == "contradicted"
    heading = next(
        n for n, line in enumerate(outside.read_text().splitlines(), 1) if line == "### Question 16"
    )
    assert result.evidence.locations[0].line == heading


# ---------------------------------------------------------------------- scores and outputs


def test_contradicted_weighs_like_unsupported_in_both_scores(tmp_path: Path) -> None:
    result = verified("denies", tmp_path)
    as_unsupported = Verification(
        result.repo,
        result.report_path,
        None,
        [
            ItemResult(
                r.item, r.rule, r.evidence, "unsupported" if r.verdict == "contradicted" else r.verdict
            )
            for r in result.items
        ],
    )
    assert result.counts["contradicted"] == 2
    assert (result.score, result.honesty) == (as_unsupported.score, as_unsupported.honesty)
    assert result.honesty == 0.0 and result.score == pytest.approx(1 / 3, abs=1e-4)


def test_contradicted_in_every_output_format(tmp_path: Path) -> None:
    result = verified("denies", tmp_path)
    data = json.loads(json.dumps(result.to_dict()))
    jsonschema.validate(data, schema())
    assert data["counts"]["contradicted"] == 2
    assert "CONTRADICTED: ticked, but the group's own answer says it was not done (2)" in render_text(result)
    assert "| contradicted | 7 | m13.profiling |" in render_markdown(result)
    assert render_html(result).count('<span class="badge v-contradicted">contradicted</span>') >= 2
    cohort = render_cohort([result])
    profiling = next(line.split() for line in cohort.splitlines() if line.startswith("m13.profiling"))
    assert "contr contradicted" in cohort and profiling[-2] == "1"  # the last column, before the share
    header, row = (line.split(",") for line in render_csv([result]).splitlines()[:2])
    column = header.index("contradicted")  # the last verdict column, before error
    assert header[column - 1 : column + 2] == ["skipped", "contradicted", "error"] and row[column] == "2"
    suite = ET.fromstring(render_junit([result]).split("?>", 1)[1]).find("testsuite")
    failures = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert suite.get("failures") == "2" and {f.find("failure").get("type") for f in failures} == {
        "contradicted"
    }


def test_the_pytest_plugin_fails_a_contradicted_item(pytester: pytest.Pytester) -> None:
    shutil.copytree(WITNESS / "denies", pytester.path, dirs_exist_ok=True)
    result = pytester.runpytest("--verify-report", "-p", "no:cacheprovider", "reports/README.md")
    assert result.parseoutcomes()["failed"] == 2
    result.stdout.fnmatch_lines(["*m13.profiling: contradicted*", "*We didn't run any specific profiling*"])


# ---------------------------------------------------------------------- work that lives elsewhere


def test_a_tool_documentation_url_is_not_the_group_s_docs_elsewhere() -> None:
    pages = RULES["m32.github-pages"]
    absent = Evidence.absent("No GitHub Pages publishing was found.")
    tool_docs = "\n### Question 4\n\n> Answer:\n\nInstall uv with the official guide [here](https://docs.astral.sh/uv/).\n"
    assert (
        hosted_elsewhere(pages, absent, parse_report(numbered_report(range(1, 4), {}) + tool_docs)) is absent
    )
    our_docs = (
        "\n### Question 4\n\n> Answer:\n\nOur documentation is published at https://team.github.io/proj.\n"
    )
    moved = hosted_elsewhere(pages, absent, parse_report(numbered_report(range(1, 4), {}) + our_docs))
    assert moved.status is Status.UNVERIFIABLE and "https://team.github.io/proj" in moved.message


@pytest.mark.parametrize(
    ("claimed", "status", "verdict"),
    [
        (True, Status.WEAK, "contradicted"),
        (True, Status.TEMPLATE, "contradicted"),
        (True, Status.ABSENT, "contradicted"),
        (True, Status.UNVERIFIABLE, "contradicted"),
        (False, Status.WEAK, "consistent"),
        (False, Status.ABSENT, "consistent"),
        (True, Status.FOUND, "confirmed"),  # the repository shows it: a denial never overrides found
        (False, Status.FOUND, "unclaimed"),
    ],
)
def test_the_verdict_of_a_denied_item(claimed: bool, status: Status, verdict: str) -> None:
    assert verdict_for(claimed, status, denied=True) == verdict


def test_hostile_answers_are_read_in_linear_time() -> None:
    """Unclosed fences, image brackets and tags, and a 400,000-character answer: no regex of the witness
    backtracks (the answer is built directly: the report parser is measured in its own tests)."""
    import time

    from verifier.report import Answer, Report

    hostile = " ![a" * 20_000 + " <img src" * 20_000 + " [x](" * 20_000 + " we did not" * 20_000
    text = (
        "We didn't run any specific profiling.\n\n" + hostile + "\n\n```" + hostile
    )  # the last fence is open
    report = Report(
        answers=[Answer(16, 3, "how did you perform debugging?", text), Answer(31, 9, "contributions", "")]
    )
    started = time.perf_counter()
    testimony = Witness(report).testify(RULES["m13.profiling"], Evidence.unverifiable("no trace"))
    assert time.perf_counter() - started < 5
    assert testimony.denial is not None and testimony.denial.question == 16
