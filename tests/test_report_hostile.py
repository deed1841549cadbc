"""A report of a few hostile bytes never hangs, never crashes and is never read from outside the repository.

Each case ran for seconds to minutes (or raised ValueError) before the parser's patterns were made linear
and its input bounded; each now has to finish well inside a bound, measured in a forked child so that a
regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from verifier import report as report_module
from verifier.engine import load_report, verify
from verifier.repo import Repo
from verifier.report import MAX_ITEM_CHARS, MAX_ITEMS, ReportError, parse_report

from conftest import git_init, write_tree

BOUND_SECONDS = 5.0
pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="the time bound runs the case in a forked child"
)

TEMPLATE = (
    "# Exam template for 02476 Machine Learning Operations\n\n## Overall project checklist\n\n### Week 1\n\n"
    "{items}\n\n## Group information\n\n### Question 1\n\n> **Enter the group number**\n>\n> Answer:\n\n{answer}\n"
)


def _child(queue: Any, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    start = time.perf_counter()
    try:
        outcome: Any = function(*args)
    except Exception as error:
        outcome = error
    queue.put((time.perf_counter() - start, outcome))


def within(seconds: float, function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)` run in a forked child; fails the test when it takes longer than `seconds`."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child, args=(queue, function, args))
    child.start()
    try:
        elapsed, outcome = queue.get(timeout=seconds)  # before join: a large result fills the pipe
    except queue_module.Empty:
        child.kill()
        child.join()
        pytest.fail(f"{getattr(function, '__name__', function)} took longer than {seconds} s")
    child.join()
    assert elapsed < seconds
    return outcome


def summary(text: str) -> tuple[int, list[tuple[int, str, tuple[str, ...], bool]], list[int]]:
    """What a parse gives, small enough to send back from the child: items, answers, or the error."""
    try:
        report = parse_report(text)
    except ReportError as error:
        return -1, [(0, str(error), (), False)], []
    items = [(len(item.text), item.mark, item.modules, item.ticked) for item in report.checklist]
    return len(report.checklist), items, [answer.number for answer in report.answers]


def report_with(items: str = "* [x] Create a git repository (M5)", answer: str = "Group 7") -> str:
    return TEMPLATE.format(items=items, answer=answer)


def test_the_module_tag_does_not_backtrack_exponentially() -> None:
    line = "* [x] Setup version control for your data (M8" + " + 8" * 30
    count, items, _ = within(BOUND_SECONDS, summary, report_with(line))
    assert count == 1 and items[0][2] == ()  # no closing parenthesis: no tag, but the item is kept


def test_a_long_module_tag_list_is_still_read() -> None:
    count, items, _ = within(BOUND_SECONDS, summary, report_with("* [x] Deploy it (M21 + M23, M 24 and 25)"))
    assert count == 1 and items[0][2] == ("M21", "M23", "M24", "M25")


LONG = 80_000
HOSTILE_LINES = {
    "checklist heading": "#" + " " * LONG,
    "bold checklist heading": "**" + " " * LONG,
    "question heading": "##" + " " * LONG + "x",
    "heading with closing hashes": "## " + "# " * (LONG // 2) + "x",
    "placeholder dashes": "-" * LONG,
    "html images": "<img " * (LONG // 5),
    "html image sources": '<img src="' * (LONG // 10),
    "answer markers": "> " + " " * LONG + "x",
    "quoted answer markers": "> " * (LONG // 2) + "x",
    "html comments": "<!--" * (LONG // 4),
    "dashed remarks": "* [x] Create a git repository" + " - -" * (LONG // 4),
    "markdown images": "![" * (LONG // 2),
    "markdown image paths": "![a](" * (LONG // 5),
    "length hint": "> Recommended answer length:" + " " * LONG + "x",
    "bold question": "> **" + "a*" * (LONG // 2),
    "parentheses": "* [x] Create a git repository " + "(" * LONG,
    "nested brackets": "* [x] " + "[" * LONG,
    "bold lines": "**" + "a" * 70 + "*" * LONG,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_LINES))
def test_a_hostile_line_in_the_checklist_or_an_answer_is_read_in_linear_time(name: str) -> None:
    line = HOSTILE_LINES[name]
    for text in (report_with(items=f"* [x] Create a git repository (M5)\n{line}"), report_with(answer=line)):
        count, _, answers = within(BOUND_SECONDS, summary, text)
        assert count >= 1 and answers == [1]


@pytest.mark.parametrize(
    "text",
    [
        report_with() + "\n### Question " + "5" * 5000 + "\n\nanswer\n",
        report_with("* [x] Create a git repository (M" + "5" * 5000 + ")"),
        report_with(answer="x")
        + "\n### Question 2\n\n> Recommended answer length: "
        + "1" * 5000
        + "-200 words\n",
    ],
    ids=["question number", "module number", "length hint"],
)
def test_a_huge_number_is_no_question_module_or_length(text: str) -> None:
    report = parse_report(text)
    assert [answer.number for answer in report.answers] in ([1], [1, 2])
    assert all(len(module) <= 4 for item in report.checklist for module in item.modules)
    assert all(answer.length_range is None for answer in report.answers)


def test_a_huge_item_is_cut_and_matched_in_bounded_time(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path, {"reports/README.md": report_with("* [x] Create a git repository " + "a" * 80_000)}
    )
    result = within(BOUND_SECONDS * 3, verify, root)
    (item,) = result.items
    assert len(item.item.text) <= MAX_ITEM_CHARS and item.item.ticked


def test_an_item_wrapped_over_thousands_of_lines_joins_only_a_few() -> None:
    text = report_with("* [x] Create a git repository\n" + "word\n" * 5000)
    count, items, _ = within(BOUND_SECONDS, summary, text)
    assert count == 1 and items[0][0] < 100


def test_a_wrapped_item_still_joins_its_second_line() -> None:
    text = report_with(
        "* [x] Remember to fill out the `requirements.txt` and `requirements_dev.txt` file with whatever\n"
        "    dependencies that you are using (M2+M6)"
    )
    (item,) = parse_report(text).checklist
    assert item.modules == ("M2", "M6") and item.text.endswith("dependencies that you are using (M2+M6)")


def test_five_megabytes_of_newlines_or_items_stay_fast() -> None:
    many = report_with("* [x] Create a git repository (M5)\n" * 100_000)
    count, _, _ = within(BOUND_SECONDS * 3, summary, many)
    assert count == MAX_ITEMS
    assert any(
        f"more than {MAX_ITEMS} items" in w for w in parse_report(report_with("* [x] A\n" * 600)).warnings
    )
    blank = report_with() + "\n" * 5_000_000
    assert within(BOUND_SECONDS * 3, summary, blank)[0] == 1


def test_text_over_the_cap_is_cut_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_module, "MAX_REPORT_CHARS", 2_000)
    text = report_with() + "\n" + "filler line\n" * 1_000 + "### Question 2\n\nlate answer\n"
    report = parse_report(text)
    assert [a.number for a in report.answers] == [1]
    assert any("only its start was read" in warning for warning in report.warnings)


def test_a_large_sparse_report_is_read_up_to_its_cap(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"reports/README.md": report_with()})
    with open(root / "reports" / "README.md", "r+b") as handle:
        handle.truncate(2 * 1024**3)  # a 2 GB sparse file: NUL bytes after the report
    outcome = within(BOUND_SECONDS * 2, lambda: load_report(Repo(root), None)[0])
    assert isinstance(outcome, ReportError) and "binary" in str(outcome)


def test_a_report_over_the_read_cap_is_cut_with_a_warning(tmp_path: Path) -> None:
    text = report_with() + "\n" + "x" * 100 + "\n"
    root = write_tree(tmp_path, {"reports/README.md": text + "filler\n" * 1_000_000})  # about 7 MB
    parsed, shown = within(BOUND_SECONDS * 2, load_report, Repo(root), None)
    assert shown == "reports/README.md" and len(parsed.checklist) == 1
    assert any("MB" in warning and "reports/README.md" in warning for warning in parsed.warnings)


def test_a_report_linked_outside_the_repository_is_not_read(tmp_path: Path) -> None:
    other = write_tree(tmp_path / "other-group", {"reports/README.md": report_with()})
    root = git_init(write_tree(tmp_path / "group", {"src/app.py": "x = 1\n"}))
    (root / "reports").mkdir()
    os.symlink(other / "reports" / "README.md", root / "reports" / "README.md")
    with pytest.raises(ReportError, match="outside the repository"):
        load_report(Repo(root), None)


def test_a_link_outside_does_not_hide_a_real_report_elsewhere(tmp_path: Path) -> None:
    other = write_tree(tmp_path / "other-group", {"reports/README.md": report_with()})
    root = write_tree(
        tmp_path / "group", {"report/README.md": report_with("* [ ] Create a git repository (M5)")}
    )
    (root / "reports").mkdir()
    os.symlink(other / "reports" / "README.md", root / "reports" / "README.md")
    parsed, shown = load_report(Repo(root), None)
    assert shown == "report/README.md" and not parsed.checklist[0].ticked


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_report_does_not_hang(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", {"src/app.py": "x = 1\n"})
    (root / "reports").mkdir()
    os.mkfifo(root / "reports" / "README.md")
    outcome = within(BOUND_SECONDS, lambda: load_report(Repo(root), None))
    assert isinstance(outcome, ReportError) and "not a regular file" in str(outcome)
    fifo = tmp_path / "elsewhere.md"
    os.mkfifo(fifo)
    outcome = within(BOUND_SECONDS, lambda: load_report(Repo(root), str(fifo)))
    assert isinstance(outcome, ReportError) and "not a regular file" in str(outcome)


def test_an_explicit_report_outside_the_repository_is_the_graders_choice_and_read_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifier import discovery

    monkeypatch.setattr(discovery, "MAX_REPORT_BYTES", 5_000)
    root = write_tree(tmp_path / "group", {"src/app.py": "x = 1\n"})
    mine = tmp_path / "grader" / "report.md"
    mine.parent.mkdir()
    mine.write_text(report_with() + "\n" + "filler\n" * 5_000, encoding="utf-8")
    parsed, shown = load_report(Repo(root), str(mine))
    assert shown == str(mine) and len(parsed.checklist) == 1
    assert any("only its first" in warning for warning in parsed.warnings)


# ReDoS check of every module-level pattern, built from each pattern's own characters: its literal runs
# ("<img", "answer", "(", "M") and the characters its classes accept, put together in the three shapes that
# make a backtracking engine slow: a run repeated (`<img <img ...`), a prefix and a long filler that then
# fails (`#` + spaces + NUL), and a prefix with a short pumped group repeated (`(M8` + ` + 8` x 25).
CLASS_SAMPLES = {"s": " \t", "d": "8", "w": "a", "S": "a", "W": " ", "D": "a"}


def _pattern_tokens(pattern: re.Pattern[str]) -> tuple[list[str], list[str]]:
    """(literal runs in order, single characters the pattern's classes and escapes accept)."""
    source, runs, current, singles = pattern.pattern, [], "", {" ", "8", "a", "\t"}
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            following = source[i + 1 : i + 2]
            if following.isalnum():
                runs.append(current)
                current = ""
                singles.update(CLASS_SAMPLES.get(following, ""))
            else:
                current += following
            i += 2
        elif char == "[":
            close = i + 1 + (source[i + 1 : i + 2] == "^")
            close = source.index("]", close + 1 if source[close : close + 1] == "]" else close)
            while source[close - 1] == "\\" and source[close - 2] != "\\":
                close = source.index("]", close + 1)
            klass = source[i + 1 : close].lstrip("^")
            singles.update(ch for ch in re.sub(r"\\[a-zA-Z]", "", klass).replace("\\", "") if ch != "-")
            runs.append(current)
            current = ""
            i = close + 1
        elif char in "()|?*+^$.{}":
            runs.append(current)
            current = ""
            if char == "{":
                i = source.index("}", i)
            elif char == "(" and source[i + 1 : i + 2] == "?":
                i += (
                    2
                    if source[i + 2 : i + 3] in ":=!"
                    else (source.index(">", i) if source[i + 2] == "P" else i + 3) - i
                )
            i += 1
        else:
            current += char
            i += 1
    runs.append(current)
    return [run for run in runs if run and not run.isspace()], sorted(singles)


def _adversarial_inputs(pattern: re.Pattern[str], size: int = 20_000) -> list[str]:
    runs, singles = _pattern_tokens(pattern)
    inputs = [(run + " ") * (size // (len(run) + 1)) for run in runs]
    inputs += [run * (size // len(run)) + "\u0000" for run in runs]
    prefixes = ["", *runs[:4], *(run * 2 for run in runs[:4]), "".join(runs[:2]) + "8", " ".join(runs[:2])]
    for prefix in dict.fromkeys(prefixes):
        for filler in singles:
            inputs.append(prefix + filler * size + "\u0000")
        for pump_char in singles:
            for pump in (f" {pump_char} 8", f"{pump_char}8", f"{pump_char} "):
                inputs.append(prefix + pump * 25 + "\u0000")
    return inputs


def _check_patterns(
    names: list[str], module: Any = report_module, limit: float = 0.5
) -> list[tuple[str, str]]:
    slow = []
    for name in names:
        pattern = getattr(module, name)
        for text in _adversarial_inputs(pattern):
            start = time.perf_counter()
            pattern.match(text)
            pattern.search(text)
            for _ in pattern.finditer(text):
                pass
            if time.perf_counter() - start > limit:
                slow.append((name, text[:40]))
                break
    return slow


MODULE_PATTERNS = sorted(
    name for name, value in vars(report_module).items() if isinstance(value, re.Pattern) and name.isupper()
)


def test_every_module_level_pattern_of_the_parser_is_checked() -> None:
    assert {"MODULE_TAG", "CHECKLIST_HEADING", "QUESTION_HEADING", "PLACEHOLDER", "ANSWER_MARKER"} <= set(
        MODULE_PATTERNS
    )


@pytest.mark.parametrize("chunk", range(3))
def test_no_module_level_pattern_backtracks_on_its_own_characters(chunk: int) -> None:
    names = MODULE_PATTERNS[chunk::3]
    slow = within(60, _check_patterns, names)
    assert slow == []
