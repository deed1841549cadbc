"""What every output format shares: the entry of a repository that could not be verified, the order in
which verdicts are shown, and what `--show problems` keeps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from . import __version__
from .results import SCHEMA_VERSION, ItemResult, Verification

Show = Literal["all", "problems"]
SHOW: tuple[Show, ...] = ("all", "problems")

# Item verdicts in the order a grader reads them: the ticks that need a look first.
ORDER = (
    "unsupported",
    "contradicted",
    "template-only",
    "weakly-supported",
    "unclaimed",
    "confirmed",
    "unverifiable",
    "consistent",
    "unknown",
    "skipped",
)
# Ticks that need a look (`--show problems`), in that order; the first three fail in JUnit, SARIF and pytest.
PROBLEMS = ("unsupported", "contradicted", "template-only", "weakly-supported")
FAILING = ("unsupported", "contradicted", "template-only")
# Answer findings that need a look: the repository contradicts the answer, or the answer is unfinished.
ANSWER_PROBLEMS = ("inconsistent", "incomplete")
ANSWER_ORDER = ("inconsistent", "incomplete", "unverifiable", "consistent")


@dataclass(frozen=True)
class Failure:
    """A repository that could not be verified (no report, a failed clone, over its time or memory budget,
    a crash): it keeps its place in every output format with the one-line reason, so no group goes
    missing from a cohort's results."""

    repo: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of a failed repository (`$defs/failure` in the published schema)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "repo": self.repo,
            "error": self.error,
        }


Entry = Verification | Failure


def answer_dict(answer: object) -> dict[str, Any]:
    """An answer finding as a plain dict (an AnswerFinding, or a dict already)."""
    return answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)  # type: ignore[call-overload]


def shown_items(result: Verification, show: Show) -> list[ItemResult]:
    """The items `show` keeps, in report order: all, or the ticks that need a look."""
    return [item for item in result.items if show == "all" or item.verdict in PROBLEMS]


def shown_answers(result: Verification, show: Show) -> list[dict[str, Any]]:
    """The answer findings `show` keeps, problems first, then by question."""
    findings = [answer_dict(a) for a in result.answers]
    if show == "problems":
        findings = [f for f in findings if f.get("verdict") in ANSWER_PROBLEMS]
    rank = {verdict: index for index, verdict in enumerate(ANSWER_ORDER)}
    return sorted(findings, key=lambda f: (rank.get(str(f.get("verdict")), len(rank)), _number(f)))


def _number(finding: dict[str, Any]) -> int:
    question = finding.get("question")
    return question if isinstance(question, int) else 0


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 place`, `2 places`: a count with its noun in the right number."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def fmt_score(value: float | None) -> str:
    """A score with two decimals, `n/a` when it could not be computed."""
    return "n/a" if value is None else f"{value:.2f}"


def count_by(values: Iterable[str]) -> dict[str, int]:
    """How often each value occurs, in first-seen order."""
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts
