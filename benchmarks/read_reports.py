"""How many real reports the verifier finds and reads in full (not part of the test suite).

Give it folders of cloned student repositories (kept outside the project: never commit them):

    python benchmarks/read_reports.py /tmp/rr/* [--json out.json] [--quiet]

For each repository it asks the verifier for its report exactly as `verify PATH` does
(`verifier.engine.load_report(repo, None)`: discovery when the installed version has it, only
`reports/README.md` before), and prints whether a report was found, the file the checklist and the
answers came from, how many checklist items were read, how many of them match a course item, and
whether the checklist was read in full.

Read in full, the criterion. An independent reference scan, deliberately looser than the parser and
sharing none of its code except the course-item matching (`verifier.registry.match_item`), reads
every tracked Markdown file of the repository (not the course's own copies: `.github/agents/`,
`AGENTS.md`, `CLAUDE.md`, `docs/course/`, `dtu_mlops/`). A line is checkbox-like when, after optional
indentation, a quote `>` and a bullet or a number, it starts with a bracketed mark of up to six
characters (`[x]`, `[ ]`, `[ok]`, `[(X)]`, `[50%]`) or with a tick or cross emoji (`✅`, `❌`, ...).
Its text after the mark is a course item when `match_item` pairs it with a rule. Then:

- the repository "has a checklist" when some file holds at least `--min-items` (10) such lines, at
  least one of them ticked unless the file is `reports/README.md` (an untouched copy of the course's
  list elsewhere, such as the course's project page, is course material, not a claim);
- its checklist is "read in full" when the verifier found a report, the file its checklist came from
  holds as many course lines as the best file of the repository, and every course line of that file
  became a checklist item (same line number).

Marks read right, a second measure: among the course lines of the chosen file whose mark is
unambiguous (`[x]`, `[X]`, `[✅]`, `[✔]`, `[(x)]`, `[ok]`, `✅` for a tick; `[ ]`, `[]`, `❌` for none),
the number the parser read the other way.

A repository without a checklist anywhere is counted apart: found with answers only, or not found.
`--group FILE` (a Markdown list of `owner/name` such as shared/devset.md) prints the totals for the
repositories it names and for the others separately; clone folders are named `owner+name`.
Totals at the end: the share read in full among repositories that have a checklist, with the shape
of every miss (not found, other file chosen, lines missed, and the first missed line).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from verifier.engine import load_report
from verifier.registry import all_rules, match_item
from verifier.repo import Repo
from verifier.report import ChecklistItem, ReportError

REFERENCE_BOX = re.compile(
    r"^[ \t]{0,12}(?:>[ \t]{0,4})?(?:(?:[-*+]|\d{1,3}[.)])[ \t]{0,4})?"
    r"(?:\[(?P<mark>[^\]\n]{0,6})\]|(?P<emoji>[\u2705\u274c\u2714\u2713\u2611\u2610\u2b1c\u2716\u2717\u2718\u274e]))"
    r"\ufe0f?[ \t]*(?P<text>\S.{0,600})"
)
REFERENCE_TAG = re.compile(
    r"\(\s{0,2}M\s?(\d{1,3})(?:\s{0,2}[+,/&]\s{0,2}M?\s?(\d{1,3})){0,4}\s{0,2}\)", re.I
)
NOT_THE_GROUPS = re.compile(
    r"^(\.github/(agents|prompts)/|AGENTS\.md$|CLAUDE\.md$|(.*/)?docs?/course/|(.*/)?dtu_mlops/)", re.I
)
MAX_BYTES = 5_000_000
CLEAR_TICKS = frozenset({"x", "X", "\u2705", "\u2714", "\u2713", "(x)", "(X)", "ok", "OK"})
CLEAR_EMPTY = frozenset({" ", "", "\u274c"})


@dataclass
class Row:
    repo: str
    found: bool
    error: str = ""
    report: str = ""
    checklist_source: str = ""
    items: int = 0
    course_items: int = 0
    answers: int = 0
    reference_best: int = 0
    reference_best_file: str = ""
    reference_in_chosen: int = 0
    missed_lines: list[int] = field(default_factory=list)
    first_missed: str = ""
    has_checklist: bool = False
    marks_misread: int = 0
    full: bool = False
    seconds: float = 0.0


def course_lines(text: str, rules: list) -> dict[int, tuple[str, str]]:
    """Line number -> (line, mark), for every checkbox-like line whose text matches a course item."""
    found: dict[int, tuple[str, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        box = REFERENCE_BOX.match(line[:2000])
        if not box:
            continue
        body = box.group("text")
        tag = REFERENCE_TAG.search(body)
        modules = tuple(f"M{int(n)}" for n in tag.groups() if n) if tag else ()
        item = ChecklistItem(
            line=number, section="", text=body.strip(), mark="", ticked=False, modules=modules
        )
        if match_item(item, rules).rule is not None:
            mark = box.group("mark") if box.group("mark") is not None else box.group("emoji")
            found[number] = (line.strip(), mark.replace("\ufe0f", ""))
    return found


def markdown_files(root: Path, repo: Repo) -> list[str]:
    return [p for p in repo.files if p.lower().endswith((".md", ".markdown")) and not NOT_THE_GROUPS.match(p)]


def read(root: Path, path: str) -> str:
    try:
        with open(root / path, "rb") as handle:
            return handle.read(MAX_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""


def measure(root: Path, rules: list, min_items: int) -> Row:
    row = Row(repo=root.name, found=False)
    repo = Repo(root)
    reference = {path: course_lines(read(root, path), rules) for path in markdown_files(root, repo)}
    reference = {
        path: lines
        for path, lines in reference.items()
        if path == "reports/README.md" or any(mark.strip() not in CLEAR_EMPTY for _, mark in lines.values())
    }
    if reference:
        best = max(reference, key=lambda p: (len(reference[p]), p == "reports/README.md"))
        row.reference_best, row.reference_best_file = len(reference[best]), best
    row.has_checklist = row.reference_best >= min_items
    start = time.perf_counter()
    try:
        report, shown = load_report(repo, None)
    except ReportError as error:
        row.seconds = time.perf_counter() - start
        row.error = str(error)[:200]
        return row
    row.seconds = time.perf_counter() - start
    row.found = True
    row.report = shown
    row.checklist_source = getattr(report, "checklist_source", None) or shown
    row.items = len(report.checklist)
    row.course_items = sum(match_item(item, rules).rule is not None for item in report.checklist)
    row.answers = len(report.answers)
    chosen = reference.get(row.checklist_source)
    if chosen is None:
        chosen = course_lines(read(root, row.checklist_source), rules)
    row.reference_in_chosen = len(chosen)
    item_lines = {item.line for item in report.checklist}
    row.missed_lines = sorted(set(chosen) - item_lines)
    row.first_missed = chosen[row.missed_lines[0]][0][:100] if row.missed_lines else ""
    by_line = {item.line: item for item in report.checklist}
    for number, (_, mark) in chosen.items():
        item = by_line.get(number)
        if item is not None and (
            (mark.strip() in CLEAR_TICKS and not item.ticked) or (mark.strip() in CLEAR_EMPTY and item.ticked)
        ):
            row.marks_misread += 1
    row.full = row.has_checklist and len(chosen) >= row.reference_best and not row.missed_lines
    return row


def shape(row: Row) -> str:
    if not row.found:
        return "not found"
    if row.reference_in_chosen < row.reference_best:
        return f"checklist taken from {row.checklist_source} ({row.reference_in_chosen}), best is {row.reference_best_file} ({row.reference_best})"
    return f"{len(row.missed_lines)} course lines missed, first: {row.first_missed!r}"


def totals(rows: list[Row], label: str) -> None:
    with_checklist = [row for row in rows if row.has_checklist]
    full = [row for row in with_checklist if row.full]
    misread = [row for row in with_checklist if row.marks_misread]
    share = len(full) / len(with_checklist) if with_checklist else 0.0
    print(
        f"{label}: {len(rows)} repositories, {len(with_checklist)} with a course checklist; read in full "
        f"{len(full)}/{len(with_checklist)} = {share:.1%}; marks misread in {len(misread)} "
        f"({sum(row.marks_misread for row in misread)} lines); report found in "
        f"{sum(row.found for row in rows)}/{len(rows)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--min-items", type=int, default=10)
    parser.add_argument("--json", type=Path, help="write one row per repository to this file")
    parser.add_argument("--quiet", action="store_true", help="only the totals and the misses")
    parser.add_argument("--group", type=Path, help="a Markdown list of owner/name to total apart")
    args = parser.parse_args(argv)
    rules = all_rules()
    rows = [measure(path, rules, args.min_items) for path in sorted(args.repos) if path.is_dir()]
    if not args.quiet:
        for row in rows:
            status = "FULL" if row.full else ("found" if row.found else "NONE")
            print(
                f"{status:5} {row.repo[:55]:55} items={row.items:3} course={row.course_items:3} misread={row.marks_misread} "
                f"answers={row.answers:2} ref={row.reference_best:3} checklist={row.checklist_source or '-'} "
                f"report={row.report or '-'} {row.seconds * 1000:.0f}ms"
            )
    with_checklist = [row for row in rows if row.has_checklist]
    without = [row for row in rows if not row.has_checklist]
    print()
    totals(rows, "all")
    if args.group:
        named = set(re.findall(r"\b([\w.-]+/[\w.-]+)\b", args.group.read_text(encoding="utf-8")))
        inside = [row for row in rows if row.repo.replace("+", "/", 1) in named]
        totals(inside, f"named in {args.group.name}")
        totals([row for row in rows if row not in inside], "the others")
    print(
        f"without a checklist: {len(without)} (report found with answers only: "
        f"{sum(r.found for r in without)}, not found: {sum(not r.found for r in without)})"
    )
    for row in with_checklist:
        if not row.full:
            print(f"  miss {row.repo}: {shape(row)}")
        elif row.marks_misread:
            print(f"  marks misread {row.repo}: {row.marks_misread} lines")
    for row in without:
        print(f"  no checklist {row.repo}: {'found ' + row.report if row.found else row.error[:120]}")
    if args.json:
        args.json.write_text(json.dumps([asdict(row) for row in rows], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
