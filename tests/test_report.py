"""The report parser: the five real seed reports, messy formatting, answers and clear errors."""

from __future__ import annotations

import random

import pytest

from verifier.report import ReportError, parse_report

from conftest import SEEDS, SEEDS_MISSING

# Counted by hand (grep of the checklist section of each seed) and cross-checked line by line.
SEED_COUNTS = {
    "report_000_2d705bfbe9e4abaa.md": (52, 27),
    "report_001_e0ab1e959fb8e4da.md": (53, 41),
    "report_002_50ce95aa54058d4a.md": (52, 37),
    "report_003_b17a86171296bf63.md": (53, 32),
    "report_004_d7de2aacc495ab03.md": (53, 43),
}


def seed(name: str) -> str:
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed report {name} missing; {SEEDS_MISSING}")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(SEED_COUNTS))
def test_seed_reports_parse_without_loss(name: str) -> None:
    report = parse_report(seed(name))
    items, ticked = SEED_COUNTS[name]
    assert len(report.checklist) == items
    assert len(report.ticked) == ticked
    assert [a.number for a in report.answers] == list(range(1, 32))
    assert {item.section for item in report.checklist} == {"Week 1", "Week 2", "Week 3", "Extra"}
    assert report.warnings == []


def test_seed_wrapped_item_is_joined_with_its_compound_tag() -> None:
    report = parse_report(seed("report_000_2d705bfbe9e4abaa.md"))
    wrapped = next(item for item in report.checklist if item.line == 55)
    assert wrapped.text.endswith("with whatever dependencies that you are using (M2+M6)")
    assert wrapped.modules == ("M2", "M6")
    assert wrapped.ticked and wrapped.mark == "x"


def test_seed_modules_and_marks_by_hand() -> None:
    report = parse_report(seed("report_002_50ce95aa54058d4a.md"))
    by_line = {item.line: item for item in report.checklist}
    assert by_line[78].mark == "X" and by_line[78].ticked and by_line[78].modules == ("M17",)
    assert by_line[67].modules == ("M12",)  # profiling is tagged M12 in every report
    assert by_line[71].ticked is False and by_line[71].modules == ("M15",)
    untagged = [item for item in report.checklist if not item.modules]
    assert [item.line for item in untagged] == [109, 110, 111, 112]


def test_seed_answer_written_inline_after_the_answer_marker() -> None:
    report = parse_report(seed("report_004_d7de2aacc495ab03.md"))
    answer = report.answer(8)
    assert answer is not None
    assert answer.text.startswith("Based on the checklist, we calculated code coverage")
    assert answer.length_range == (100, 200)


def test_seed_answer_without_hint_lines_and_placeholders() -> None:
    report = parse_report(seed("report_000_2d705bfbe9e4abaa.md"))
    assert report.answer(12).placeholder and report.answer(12).words == 0
    assert report.answer(19).images == ("figures/bucket_1.png", "figures/bucket_2.png")
    assert report.answer(3).question.startswith(
        "A requirement to the project is that you include a third-party"
    )


CHECKLIST = """# Exam template for 02476 Machine Learning Operations

## Overall project checklist

### Week 1

{items}

## Group information

### Question 1

> **Enter the group number**
>
> Answer:

Group 7
"""


def parse_items(*lines: str):
    return parse_report(CHECKLIST.format(items="\n".join(lines))).checklist


def test_bullets_marks_and_partial_claims() -> None:
    items = parse_items(
        "* [x] Create a git repository (M5)",
        "- [X] Create a git repository (M5)",
        "+ [✓] Create a git repository (M5)",
        "* [ ] Create a git repository (M5)",
        "* [/] Create a git repository (M5)",
        "* [-] Create a git repository (M5)",
    )
    assert [i.ticked for i in items] == [True, True, True, False, False, False]
    assert [i.partial for i in items] == [False, False, False, False, True, True]
    assert [i.mark for i in items] == ["x", "X", "✓", " ", "/", "-"]


def test_partial_marks_are_reported_as_warnings() -> None:
    report = parse_report(
        CHECKLIST.format(items="* [~] Use logging to log important events in your code (M14)")
    )
    assert report.warnings == ["line 7: box marked '[~]' is read as a partial claim, not a tick"]


def test_remark_after_tag_and_withdrawn_claim() -> None:
    items = parse_items(
        "* [x] Used Hydra to load the configurations and manage your hyperparameters (M11) (Ástríður)",
        "* [x] Deploy to the cloud a drift detection API (M27) (An attempt was made failed due to permissions)",
    )
    assert items[0].remark == "(Ástríður)" and not items[0].withdrawn and items[0].claimed
    assert items[0].text.endswith("(M11)")
    assert items[1].withdrawn and items[1].ticked and not items[1].claimed


def test_duplicated_bullets_stay_separate_items() -> None:
    items = parse_items("* [x] Create a git repository (M5)", "* [x] Create a git repository (M5)")
    assert [item.line for item in items] == [7, 8]


def test_checklist_ends_at_next_level_two_heading() -> None:
    report = parse_report(
        CHECKLIST.format(items="* [x] Create a git repository (M5)") + "\n* [x] not an item\n"
    )
    assert len(report.checklist) == 1


def test_other_checklists_are_not_the_report() -> None:
    text = "# README\n\n## To-Do's\n\n* [x] Create a git repository (M5)\n"
    with pytest.raises(ReportError, match="no '## Overall project checklist'"):
        parse_report(text)


def test_no_ticks_is_a_result_not_an_error() -> None:
    items = parse_items(
        "* [ ] Create a git repository (M5)", "* [ ] Use logging to log important events (M14)"
    )
    assert len(items) == 2 and not any(item.ticked for item in items)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("<!DOCTYPE html><html><body>report</body></html>", "HTML"),
        ("# Just a readme\n\nNothing here.\n", "no '## Overall project checklist'"),
        ("## Overall project checklist\n\nNo boxes here.\n\n## Group information\n", "contains no"),
    ],
)
def test_unusable_input_gives_one_clear_error(data: str | bytes, message: str) -> None:
    with pytest.raises(ReportError, match=message) as caught:
        parse_report(data)
    assert "\n" not in str(caught.value)


def test_invalid_utf8_is_decoded_leniently() -> None:
    text = CHECKLIST.format(items="* [x] Create a git repository (M5) caf\xe9").encode("latin-1")
    items = parse_report(text).checklist
    assert items[0].ticked and items[0].modules == ("M5",)


def test_early_report_without_checklist_keeps_its_answers() -> None:
    questions = "\n\n".join(
        f"### Question {n}\n\n> **Q{n}?**\n>\n> Answer:\n\nAnswer {n}." for n in range(1, 28)
    )
    report = parse_report("# Exam template for 02476 Machine Learning Operations\n\n" + questions)
    assert report.checklist == []
    assert len(report.answers) == 27 and report.answer(27).text == "Answer 27."
    assert "no '## Overall project checklist'" in report.warnings[0]


def test_answers_read_by_heading_not_position() -> None:
    text = CHECKLIST.format(items="* [x] Create a git repository (M5)") + (
        "\n### Question 3\n\n> **Q3?**\n> Recommended answer length: 100-200 words.\n>\n> Answer:\n\n"
        "Our answer has a heading inside it:\n\n## Results\n\nstill Q3.\n\n"
        "## Coding environment\n\n> In the following section ...\n\n### Question 4\n\n> **Q4?**\n>\n> Answer:\n\n"
        "> quoted answer for four\n"
    )
    report = parse_report(text)
    assert report.answer(3).text.endswith("still Q3.")
    assert "Coding environment" not in report.answer(3).text
    assert report.answer(3).length_range == (100, 200)
    assert report.answer(4).text == "quoted answer for four"
    assert report.answer(2) is None


@pytest.mark.parametrize(
    "line",
    [
        "* [x] Load test your application (M24) (doesn't work)",
        "* [x] Load test your application (M24) (WIP)",
        "* [x] Load test your application (M24) (not fully working)",
        "* [x] Deploy to the cloud a drift detection API (failed due to permissions) (M27)",
        "* [x] Get your model training in GCP using either the Engine or Vertex AI - tried but failed due to quota",
        "* [x] ~~Deploy to the cloud a drift detection API (M27)~~",
        "* [x] Consider running a hyperparameter optimization sweep (M14) - Not applicable",
        "* [x] If applicable, play around with distributed model training (M30) (N/A)",
        "* [x] If applicable, consider deploying the model locally using torchserve - not applicable for our model",
    ],
)
def test_remarks_that_take_the_tick_back(line: str) -> None:
    (item,) = parse_items(line)
    assert item.ticked and item.withdrawn and not item.claimed


@pytest.mark.parametrize(
    "line",
    [
        "* [x] Create one or more alert systems in GCP (M28) - alert when requests fail",
        "* [x] Write unit tests related to model construction and or model training (M16) (incl. tests for failure cases)",
        "* [x] Get your model training in GCP using either the Engine or Vertex AI (M21) (attempted with Vertex AI, then succeeded on Engine)",
        "* [x] Deploy your model in GCP using either Functions or Run as the backend (M23) - works, but couldn't get GPU",
        "* [x] If applicable, optimize the performance of your training pipeline by using distributed training (M30)",
        "* [x] Use PyTorch-lightning (if applicable) to reduce the amount of boilerplate in your code (M15) - applicable, used",
    ],
)
def test_remarks_that_describe_the_work_keep_the_tick(line: str) -> None:
    (item,) = parse_items(line)
    assert item.claimed


@pytest.mark.parametrize(
    ("line", "text", "remark", "claimed"),
    [
        (
            "* [✔] Used Hydra to load the configurations and manage your hyperparameters -> Comment: We used Weights and Biases",
            "Used Hydra to load the configurations and manage your hyperparameters",
            "Comment: We used Weights and Biases",
            True,
        ),
        (
            "* [x] Add pre-commit hooks to your version control setup → see .pre-commit-config.yaml",
            "Add pre-commit hooks to your version control setup",
            "see .pre-commit-config.yaml",
            True,
        ),
        (
            "* [x] Load test your application => did not work",
            "Load test your application",
            "did not work",
            False,
        ),
        # near miss: an arrow inside a word or code is no remark
        (
            "* [x] Write API tests for your application (x->y mapping)",
            "Write API tests for your application (x->y mapping)",
            "",
            True,
        ),
    ],
)
def test_an_arrow_starts_a_remark_on_an_untagged_item(
    line: str, text: str, remark: str, claimed: bool
) -> None:
    (item,) = parse_items(line)
    assert (item.text, item.remark, item.claimed) == (text, remark, claimed)


def test_a_sub_bullet_remark_takes_the_tick_back() -> None:
    first, second = parse_items(
        "* [x] Deploy to the cloud a drift detection API (M27)",
        "  - Did not work due to permissions",
        "* [x] Create a git repository (M5)",
    )
    assert first.withdrawn and "Did not work" in first.remark and second.claimed


def test_a_later_sub_bullet_remark_takes_the_tick_back_too() -> None:
    first, second = parse_items(
        "* [x] Deploy to the cloud a drift detection API (M27)",
        "  - Written with Evidently",
        "  - Did not work due to permissions",
        "* [x] Create a git repository (M5)",
    )
    assert first.withdrawn and first.remark == "Did not work due to permissions" and second.claimed


def test_a_sub_bullet_that_describes_the_work_keeps_the_tick() -> None:
    (item,) = parse_items(
        "* [x] Deploy to the cloud a drift detection API (M27)",
        "  - Counts failed requests as drift alerts",
    )
    assert item.claimed and not item.withdrawn


def test_boxes_of_every_shape_are_separate_items() -> None:
    parsed = parse_items(
        "* [x] Create a git repository (M5)",
        "<!-- * [ ] Check how robust your model is towards data drifting (M27) -->",
        "[x] Construct one or multiple docker files for your code (M10)",
        "1. [x] Use logging to log important events in your code (M14)",
        "-[ ] Calculate the code coverage (M16)",
        "* [\u2714\ufe0f] Add pre-commit hooks to your version control setup (M18)",
        "#12 closed by PR",
        "* [x] Write one or multiple configurations files for your experiments (M11)",
    )
    assert [(i.modules, i.claimed) for i in parsed] == [
        (("M5",), True),
        (("M10",), True),
        (("M14",), True),
        (("M16",), False),
        (("M18",), True),
        (("M11",), True),
    ]


@pytest.mark.parametrize(
    "heading", ["## Checklist", "## \U0001f4cb Overall project checklist", "#### Project check list"]
)
def test_a_renamed_checklist_heading_and_level_two_weeks(heading: str) -> None:
    text = CHECKLIST.format(items="* [x] Create a git repository (M5)").replace(
        "## Overall project checklist", heading
    )
    text = text.replace("### Week 1", "## Week 1")
    (item,) = parse_report(text).checklist
    assert item.claimed and item.section == "Week 1"


def test_utf16_reports_and_other_question_headings() -> None:
    text = (
        CHECKLIST.format(items="* [x] Create a git repository (M5)")
        + "\n### Q2\n\nAnswer two.\n\n### **Question 3**\n\nAnswer three.\n"
    )
    report = parse_report(text.encode("utf-16"))
    assert [a.number for a in report.answers] == [1, 2, 3]
    assert report.answer(3).text == "Answer three."


@pytest.mark.parametrize(
    "lines",
    [
        (
            "* [x] Setup monitoring for the system telemetry of your deployed model (M28)",
            "    - counts failed requests and latency",
        ),
        (
            "* [x] Deploy your model in GCP using either Functions or Run as the backend (Cloud Run, Functions did not work) (M23)",
        ),
        ("* [x] Create a frontend for your API (M26) (Streamlit, runs locally, not deployed)",),
        ("* [x] Use DVC - remote storage not deployed on GCP",),
    ],
)
def test_remarks_about_part_of_the_work_keep_the_tick(lines: tuple[str, ...]) -> None:
    (item,) = parse_items(*lines)
    assert item.claimed


def test_a_footnote_is_no_item() -> None:
    assert len(parse_items("* [x] Create a git repository (M5)", "[^1] we did this early")) == 1


# The literal each pre-check of the parser asks for before a pattern runs, and the pattern: a line without
# the literal is never tried, so the pattern must be unable to match it.
PRE_CHECKED = {
    "ANSWER_MARKER": (lambda line: ":" in line, "match"),
    "QUOTE_PREFIX": (lambda line: ">" in line, "match"),
    "QUESTION_HEADING": (lambda line: "#" in line, "match"),
    "HEADING": (lambda line: "#" in line, "match"),
    "BOLD_LINE": (lambda line: "**" in line or "__" in line, "match"),
    "MODULE_TAG": (lambda line: "(" in line, "search"),
    "PARENTHESIZED": (lambda line: "(" in line, "search"),
    "STRUCK": (lambda line: line.startswith("~~"), "match"),
    "ARROW_REMARK": (lambda line: ">" in line or "→" in line or "⇒" in line, "search"),
    "BULLET": (lambda line: "[" in line, "match"),
    "EMOJI_ITEM": (lambda line: not line.isascii(), "match"),
    "STRETCH_END": (lambda line: line.lstrip().startswith(("#", "**")), "match"),
    "PLACEHOLDER": ("_may_hold_placeholder", "search"),
}


def test_a_pre_check_never_passes_over_a_line_its_pattern_matches() -> None:
    from verifier import report

    rng = random.Random(17)
    pieces = [
        " ",
        "  ",
        "\t",
        ">",
        "> ",
        "#",
        "## ",
        "**",
        "__",
        "*",
        "_",
        "(",
        ")",
        "M5",
        "(M5)",
        "(M2 + M6)",
        "- ✅ ",
        "1. ❌ ",
        "~~",
        "-",
        "->",
        "=>",
        "→",
        "⇒",
        "[",
        "]",
        "[x]",
        "x",
        "1.",
        "✅",
        "❌",
        ":",
        "Answer",
        "answer",
        "Question 3",
        "Q4",
        "text",
        "Checklist",
        "Deployment",
        "-- question 3 fill here --",
        "-- QUEſTION 2 FILL HERE --",  # the long s matches "s" when the case is ignored
    ]
    matched = {name: 0 for name in PRE_CHECKED}
    for _ in range(40_000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        for name, (needed, how) in PRE_CHECKED.items():
            if getattr(getattr(report, name), how)(line):
                matched[name] += 1
                check = getattr(report, needed) if isinstance(needed, str) else needed
                assert check(line), (name, line)
    assert all(count > 20 for count in matched.values()), str(matched)


def test_question_headings_are_the_question_ends_of_the_one_heading_pass() -> None:
    """The answers start at the lines QUESTION_HEADING matches, found in the one pass of STRETCH_END over the
    heading lines (`_Lines.ends`): its other branches never take a question heading."""
    from verifier import report

    rng = random.Random(62)
    parts = [
        ["", " ", "   ", "    ", "\t"],
        ["#", "##", "###", "####", "#####", "**", "*", "_", "x"],
        ["", " ", "  ", "*", "_ ", " **"],
        [
            "Question ",
            "question",
            "Q",
            "Checklist",
            "Overall project check list",
            "Deployment",
            "Group information",
            "",
        ],
        ["3", "12", "1234", " 4", "", ":"],
        ["", " #", " text", "**"],
    ]
    lines = ["".join(map(rng.choice, parts)) for _ in range(5_000)]
    parsed = report._Lines.of("\n".join(lines))
    expected = [
        (i, int(m.group(1)))
        for i, line in enumerate(parsed.cut)
        if (m := report.QUESTION_HEADING.match(line))
    ]
    found = [
        (i, int(end.group(report.QUESTION_NUMBER_GROUP)))
        for i, end in parsed.ends.items()
        if end.lastgroup == "question"
    ]
    assert found == expected and len(expected) > 100
    every_end = [i for i, line in enumerate(parsed.cut) if report.STRETCH_END.match(line)]
    assert list(parsed.ends) == every_end and len(every_end) > len(expected)


def test_checklist_and_answers_read_through_the_pre_checks() -> None:
    report = parse_report(
        "# R\n\n## Overall project checklist\n\n__Week 1__\n\n"
        "* [x] Create a git repository ⇒ shared with the TAs\n"
        "* [x] ~~Use DVC for managing data (M8)~~\n"
        "* [x] Deploy the model (failed due to permissions) in the cloud\n"
        "* [x] Write unit tests → all green\n"
        "* [ ] Use a linter\n\n"
        "## Group information\n\n"
        "### Question 1\n> **What is the group number?**\n>\n> Answer length: 10-20 words.\n>\n> Answer:\n\n"
        "We are > group 3.\n\n"
        "### Question 2\n> **Which tools?**\n\nAnswer - a line without the colon, so no marker\n\nMany tools.\n"
    )
    git, dvc, deploy, tests, lint = report.checklist
    assert report.checklist[0].section == "Week 1"
    assert git.text == "Create a git repository" and git.remark == "shared with the TAs" and git.claimed
    assert dvc.withdrawn and dvc.remark == "struck through"
    assert deploy.withdrawn and deploy.remark == "failed due to permissions"
    assert tests.text == "Write unit tests" and tests.remark == "all green" and tests.claimed
    assert not lint.ticked
    first, second = report.answers
    assert first.question == "What is the group number?" and first.length_range == (10, 20)
    assert first.text == "We are > group 3."
    assert second.question == "Which tools?"
    assert second.text == "Answer - a line without the colon, so no marker\n\nMany tools."


def test_bold_texts_are_the_bold_pattern_s_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from verifier import report

    rng = random.Random(5)
    pieces = ["*", "**", "***", "a", "bb ", "\n", "Question?"]
    for bound in (report.MAX_BOLD_CHARS, 3):
        monkeypatch.setattr(report, "MAX_BOLD_CHARS", bound)
        pattern = re.compile(rf"\*\*(.{{1,{bound}}}?)\*\*", re.DOTALL)
        for _ in range(20_000):
            prompt = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 24)))
            assert report._bold_texts(prompt) == pattern.findall(prompt), (bound, prompt)
    assert report._bold_texts("**ab** **xxxxx**") == ["ab"]  # the second is longer than the bound, 3
    monkeypatch.undo()
    assert report._bold_texts("**What?** and **xxxxx** ***") == ["What?", "xxxxx"]


def test_an_answer_s_lines_are_unquoted_in_one_pass_as_line_by_line() -> None:
    """`_unquote_lines` takes the quote marks off each line as `_unquote` does, whatever the white space."""
    from verifier import report

    rng = random.Random(7)
    pieces = [">", "> ", ">>", " ", "\t", "\u00a0", "a", "\n", "b > c", "\r"]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        lines = text.split("\n")
        assert report._unquote_lines(text) == "\n".join(map(report._unquote, lines)), repr(text)
    assert report._unquote_lines("plain answer\nwith two lines") == "plain answer\nwith two lines"


def test_a_quote_mark_past_the_line_cut_is_not_taken_off() -> None:
    """A line blank in its first MAX_LINE_CHARS is no line of an answer: its ">" stays (the near miss: one
    character less of white space, and the line is a quoted line)."""
    from verifier import report

    inside = " " * (report.MAX_LINE_CHARS - 1) + "> kept"
    past = " " * report.MAX_LINE_CHARS + "> kept"
    assert report._unquote_lines(f"a\n{inside}") == "a\nkept"
    assert report._unquote_lines(f"a\n{past}") == f"a\n{past}"
    answer = parse_report(
        f"## Overall project checklist\n\n* [x] A\n\n### Question 1\n\n> Answer:\n\n{past}\n"
    ).answer(1)
    assert answer is not None and answer.text == past.strip()


@pytest.mark.parametrize(
    "prompt",
    [
        "> **Question?**\n>\n> Answer length: 100-200 words.",
        "ANSWER LENGTH 5 to 9",
        "an answer, and then the answer length: 30 – 50",
        "Answer length: many words",  # no numbers: no hint
        "the answer is long",
        "anſwer length: 10-20",  # outside ASCII: a long s is an "s" to a case-insensitive pattern
        "Ånswer: answer length 10-20",
        "",
    ],
)
def test_the_length_hint_is_found_from_the_first_answer_as_by_the_pattern(prompt: str) -> None:
    from verifier import report

    found, expected = report._length_hint(prompt), report.LENGTH_HINT.search(prompt)
    assert (found and (found.span(), found.groups())) == (expected and (expected.span(), expected.groups()))


def test_images_are_read_only_from_an_answer_holding_their_markup() -> None:
    text = (
        "## Overall project checklist\n\n* [x] A\n\n"
        "### Question 1\n\n> Answer:\n\n![the run](figures/run.png) and <IMG src='figures/b.png'>\n\n"
        "### Question 2\n\n> Answer:\n\n[not an image](figures/c.png) and a <b>bold</b> word, a -> b\n"
    )
    report = parse_report(text)
    assert report.answer(1).images == ("figures/run.png", "figures/b.png")  # type: ignore[union-attr]
    assert report.answer(2).images == ()  # type: ignore[union-attr]


def test_a_placeholder_in_a_quoted_answer_is_dropped_and_the_quote_marks_taken_off() -> None:
    text = (
        "## Overall project checklist\n\n* [x] A\n\n"
        "### Question 3\n\n> **What?**\n>\n> Answer:\n\n"
        "> --- question 3 fill here ---\n> We used `--fast` runs\n>\n> -- Question 3 fill here -- and more\n"
    )
    answer = parse_report(text).answer(3)
    assert answer is not None and answer.placeholder
    assert answer.text == "We used `--fast` runs\n\n and more"
