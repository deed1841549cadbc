"""The cohort outputs for a gradebook: `-f gradebook` (CSV, one row per group), `-f jsonl` (one
per-repository JSON object per line) and `-f gradescope` (a Gradescope `results.json` per group).

Each takes the `CohortResult`s of `verifier.verify_many` in the order the groups were given. Repository
and group-list text goes through `verifier.sanitize` for the format it goes into (CSV cells, JSON with
credentials redacted).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .cohort import CohortResult
from .engine import VERDICTS, Verification
from .sanitize import escape_surrogates_in_json, for_csv, for_text, redact_data
from .views import ANSWER_PROBLEMS, answer_dict, fmt_score

GRADEBOOK_COLUMNS = (
    "group",
    "students",
    "repo",
    "commit",
    "deadline",
    "commits_after_deadline",
    "score",
    "honesty",
    *VERDICTS,
    "unsupported_items",
    "contradicted_items",
    "answer_problems",
    "warnings",
    "error",
)
# Points per checklist item in Gradescope: a supported tick or an honest blank earns the point, a weak or
# template-only tick half of it, an unsupported or contradicted tick none (the consistency score's weights).
GRADESCOPE_POINTS = {
    "confirmed": 1.0,
    "consistent": 1.0,
    "weakly-supported": 0.5,
    "template-only": 0.5,
    "unclaimed": 0.0,
    "unsupported": 0.0,
    "contradicted": 0.0,
}
GRADESCOPE_VISIBILITY = "after_published"
_FOLDER_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def answer_problems(result: Verification) -> list[str]:
    """The answer findings that need a look, as `Q8 coverage: inconsistent`."""
    problems = []
    for finding in map(answer_dict, result.answers):
        if finding.get("verdict") in ANSWER_PROBLEMS:
            problems.append(f"Q{finding.get('question')} {finding.get('check')}: {finding.get('verdict')}")
    return problems


def rule_ids(result: Verification, verdict: str) -> list[str]:
    """The rule ids of the items with `verdict`, each once, in report order."""
    return list(dict.fromkeys(item.rule for item in result.items if item.verdict == verdict and item.rule))


def render_gradebook(results: Sequence[CohortResult]) -> str:
    """The gradebook CSV: one row per group in the order given, `GRADEBOOK_COLUMNS`. A group that could
    not be verified (no usable repository in the group list, a failed clone, no commit before the
    deadline, no report) keeps its row with the reason in `error`. Students are joined by `; `; the ids of
    unsupported and contradicted items and the answer problems by spaces and `; `. No cell is split by a
    line break or read as a spreadsheet formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(GRADEBOOK_COLUMNS)
    for graded in results:
        head = [
            for_csv(graded.group or ""),
            for_csv("; ".join(graded.students)),
            for_csv(graded.source or ""),
            for_csv(graded.commit or ""),
            for_csv(graded.deadline.isoformat() if graded.deadline else ""),
            "" if graded.commits_after is None else graded.commits_after,
        ]
        entry = graded.entry
        if not isinstance(entry, Verification):
            writer.writerow([*head, "", "", *([""] * len(VERDICTS)), "", "", "", "", for_csv(entry.error)])
            continue
        writer.writerow(
            [
                *head,
                fmt_score(entry.score),
                fmt_score(entry.honesty),
                *(entry.counts[verdict] for verdict in VERDICTS),
                for_csv(" ".join(rule_ids(entry, "unsupported"))),
                for_csv(" ".join(rule_ids(entry, "contradicted"))),
                for_csv("; ".join(answer_problems(entry))),
                len(entry.warnings),
                "",
            ]
        )
    return buffer.getvalue()


def jsonl_object(graded: CohortResult) -> dict[str, Any]:
    """The per-repository JSON object (`result.schema.json`: a verification or a failure) with the group,
    the commit and the deadline under `cohort`; credentials redacted."""
    data = graded.entry.to_dict()
    data["cohort"] = graded.cohort_fields()
    return redact_data(data)  # type: ignore[no-any-return]


def render_jsonl(results: Sequence[CohortResult]) -> str:
    """One JSON object per line (`jsonl_object`), in the order given: every prefix of the stream is valid."""
    return "".join(_json_line(jsonl_object(graded)) for graded in results)


def _json_line(data: dict[str, Any]) -> str:
    return escape_surrogates_in_json(json.dumps(data, ensure_ascii=False, separators=(",", ":"))) + "\n"


def gradescope_results(graded: CohortResult) -> dict[str, Any]:
    """A Gradescope autograder `results.json` for one group: a test per scored checklist item (max score 1:
    `GRADESCOPE_POINTS`), failed for an unsupported or contradicted tick; the total is `score`, the
    summary and the answers' problems are `output`, and the group, commit and consistency/honesty scores
    are `extra_data`. A group that could not be verified scores 0 with the reason as its output. Every
    result is visible `after_published`."""
    entry = graded.entry
    extra = {**graded.cohort_fields(), "consistency": graded.score, "honesty": graded.honesty}
    if not isinstance(entry, Verification):
        return redact_data(  # type: ignore[no-any-return]
            {
                "score": 0.0,
                "output": f"Not verified: {for_text(entry.error)}",
                "output_format": "text",
                "visibility": GRADESCOPE_VISIBILITY,
                "extra_data": extra,
                "tests": [],
            }
        )
    tests = []
    for number, item in enumerate(entry.items, start=1):
        points = GRADESCOPE_POINTS.get(str(item.verdict))
        if points is None:
            continue
        output = for_text(item.message)
        locations = item.evidence.locations[:3] if item.evidence else ()
        if locations:
            output += "\n" + "\n".join(f"at {for_text(location)}" for location in locations)
        tests.append(
            {
                "name": f"{for_text(item.rule or '?')}: {for_text(item.item.text)[:120]}",
                "number": str(number),
                "score": points,
                "max_score": 1.0,
                "status": "failed" if item.verdict in ("unsupported", "contradicted") else "passed",
                "output": f"{item.verdict} (line {item.item.line}): {output}",
                "output_format": "text",
                "tags": list(item.item.modules),
                "visibility": GRADESCOPE_VISIBILITY,
            }
        )
    summary = [
        f"mlops-verifier: consistency {fmt_score(entry.score)}, honesty {fmt_score(entry.honesty)}; "
        f"commit {(graded.commit or entry.commit or 'none')[:10]}"
        + (
            f", {graded.commits_after} commits after the deadline" if graded.commits_after is not None else ""
        ),
        *(f"answer: {problem}" for problem in answer_problems(entry)),
        *(f"warning: {for_text(warning)}" for warning in entry.warnings[:20]),
    ]
    return redact_data(  # type: ignore[no-any-return]
        {
            "score": sum(test["score"] for test in tests),
            "output": "\n".join(summary),
            "output_format": "text",
            "visibility": GRADESCOPE_VISIBILITY,
            "extra_data": extra,
            "tests": tests,
        }
    )


def gradescope_folder(graded: CohortResult) -> str:
    """The folder name of a group's results.json: `group-<number>`, else the repository's last path part
    with its place in the list (`3-repo`); only letters, digits, `.`, `_` and `-`."""
    if graded.group:
        name = f"group-{graded.group}"
    else:
        tail = graded.source.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git") or "repo"
        name = f"{graded.index + 1}-{tail}"
    return _FOLDER_NAME.sub("_", name).strip("._") or f"entry-{graded.index + 1}"


def write_gradescope(results: Sequence[CohortResult], folder: str | Path) -> list[Path]:
    """Write `<folder>/<gradescope_folder>/results.json` for every result; the files written. Two results
    that would share a folder name get `-2`, `-3` appended."""
    folder = Path(folder)
    written: list[Path] = []
    used: set[str] = set()
    for graded in results:
        name = base = gradescope_folder(graded)
        suffix = 2
        while name in used:
            name, suffix = f"{base}-{suffix}", suffix + 1
        used.add(name)
        path = folder / name / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(gradescope_results(graded), indent=2, ensure_ascii=False)
        path.write_text(escape_surrogates_in_json(text) + "\n", encoding="utf-8")
        written.append(path)
    return written
