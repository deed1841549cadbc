"""The result types of a verification: verdicts, one result per checklist item, the answers' findings, a
grader's override, and the whole `Verification` with its scores.

They hold data and compute the scores; nothing here reads a repository or a report, so every stage
(engine, answers, overrides, the renderers) imports them without importing another stage.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from . import __version__
from .evidence import Evidence, Location, Status
from .report import ChecklistItem, Report  # at run time too: typing.get_type_hints() resolves the fields

# The version of the JSON result (verifier/schema/result.schema.json); a breaking change bumps it.
SCHEMA_VERSION = 2


class Verdict(str, Enum):
    """What a checklist item's tick and the repository's evidence say together (README, "Verdicts and
    scores"). A member is a `str` equal to its value (`Verdict.UNSUPPORTED == "unsupported"`), so it can
    be compared with, and used as, the strings of the JSON output."""

    UNSUPPORTED = "unsupported"
    TEMPLATE_ONLY = "template-only"
    WEAKLY_SUPPORTED = "weakly-supported"
    CONFIRMED = "confirmed"
    UNCLAIMED = "unclaimed"
    CONSISTENT = "consistent"
    UNVERIFIABLE = "unverifiable"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"
    # last, so that CSV columns and JSON counts of earlier versions keep their places
    CONTRADICTED = "contradicted"

    def __str__(self) -> str:
        return self.value


# Ticks the repository does not bear out: a remark the group wrote on such an item ("-> Comment: We used
# Weights and Biases") is shown with the verdict, since a grader weighs an openly named substitute differently.
QUESTIONED = frozenset({Verdict.UNSUPPORTED, Verdict.TEMPLATE_ONLY, Verdict.WEAKLY_SUPPORTED})
# Every verdict in the order of the CSV columns and JSON counts.
VERDICTS: tuple[str, ...] = tuple(verdict.value for verdict in Verdict)
_TABLE = {
    (True, Status.FOUND): Verdict.CONFIRMED,
    (True, Status.WEAK): Verdict.WEAKLY_SUPPORTED,
    (True, Status.TEMPLATE): Verdict.TEMPLATE_ONLY,
    (True, Status.ABSENT): Verdict.UNSUPPORTED,
    (False, Status.FOUND): Verdict.UNCLAIMED,
    (False, Status.WEAK): Verdict.UNCLAIMED,
    (False, Status.TEMPLATE): Verdict.CONSISTENT,
    (False, Status.ABSENT): Verdict.CONSISTENT,
}


# Verdicts that score like `unsupported`: a tick the repository or the group's own answer does not bear out.
ACCUSATIONS = ("unsupported", "contradicted")


def verdict_for(claimed: bool, status: Status, denied: bool = False) -> Verdict:
    """The verdict table of DESIGN.md; unverifiable evidence is unverifiable whatever the tick. `denied`:
    the group's own answer says the work was not done, which decides whatever the repository shows short
    of `found` (`contradicted` when ticked, `consistent` when not)."""
    if denied and status is not Status.FOUND:
        return Verdict.CONTRADICTED if claimed else Verdict.CONSISTENT
    return Verdict.UNVERIFIABLE if status is Status.UNVERIFIABLE else _TABLE[(claimed, status)]


@dataclass
class ItemResult:
    """One checklist line of the report with its rule, the rule's evidence and the verdict.

    `verdict` and `automatic_verdict` are always `Verdict` members (a plain string assigned to them, as an
    override's verdict, is converted). `skip_reason` says why a `skipped` item was left out: the reason an
    ignore table gives, or which `select`/`ignore` left it out."""

    item: ChecklistItem
    rule: str | None
    evidence: Evidence | None
    verdict: Verdict
    match_score: float = 0.0
    override: Override | None = None
    automatic_verdict: Verdict | None = None
    skip_reason: str | None = None

    def __setattr__(self, name: str, value: object) -> None:
        if name in ("verdict", "automatic_verdict") and value is not None:
            value = Verdict(value)
        super().__setattr__(name, value)

    @property
    def message(self) -> str:
        """One sentence for a grader or a student: the evidence's message, with the grader's override, a
        withdrawn or partial tick, or the reason an item was skipped."""
        if self.override is not None:
            return (
                f"{self.override.describe()} (automatic: {self.automatic_verdict}). {self._automatic_message}"
            )
        return self._automatic_message

    @property
    def _automatic_message(self) -> str:
        if self.evidence is None:
            if self.verdict == "skipped":
                return f"skipped: {self.skip_reason or 'left out by --select/--ignore'}"
            return "matches no known checklist item"
        message = self.evidence.message
        if self.item.withdrawn:
            message = f"ticked, but the remark '{self.item.remark}' withdraws the claim; read as not ticked. {message}"
        elif self.item.partial:
            message = f"marked '[{self.item.mark}]' (partial claim, read as not ticked). {message}"
        elif self.verdict in QUESTIONED and any(char.isalnum() for char in self.item.remark):
            message = f"ticked with the remark '{self.item.remark}'. {message}"
        return message

    def to_dict(self) -> dict[str, Any]:
        evidence = self.evidence
        return {
            "line": self.item.line,
            "section": self.item.section,
            "text": self.item.text,
            "remark": self.item.remark,
            "modules": list(self.item.modules),
            "mark": self.item.mark,
            "ticked": self.item.ticked,
            "claimed": self.item.claimed,
            "partial": self.item.partial,
            "withdrawn": self.item.withdrawn,
            "rule": self.rule,
            "evidence": evidence.status.value if evidence else None,
            "verdict": self.verdict.value,
            "message": self.message,
            "looked_for": list(evidence.looked_for) if evidence else [],
            "locations": [loc.to_dict() for loc in evidence.locations] if evidence else [],
            **({"skip_reason": self.skip_reason} if self.skip_reason else {}),
            **(
                {"automatic_verdict": str(self.automatic_verdict), "override": self.override.to_dict()}
                if self.override
                else {}
            ),
        }


@dataclass
class Verification:
    """The result of verifying one repository: every checklist item with its verdict, the answer findings,
    the warnings, and the scores computed from the verdicts.

    `not_searched` says what the rules' text searches left out, by reason (generated files: profiler
    traces, lock files, data dumps, tool run folders; notebooks' outputs): (files, bytes). It is shown by
    `verify --verbose` and is not part of the JSON result. `project` is the folder the project was verified
    in when it is not the repository root (`verifier.project`); every path shown is from the root."""

    repo: str
    report_path: str
    commit: str | None
    items: list[ItemResult] = field(default_factory=list)
    answers: list[AnswerFinding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    report: Report | None = None
    checklist_source: str | None = None
    not_searched: dict[str, tuple[int, int]] = field(default_factory=dict)
    project: str = ""

    @property
    def counts(self) -> dict[str, int]:
        counter = Counter(item.verdict for item in self.items)
        return {verdict: counter.get(verdict, 0) for verdict in VERDICTS}

    @property
    def score(self) -> float | None:
        """Consistency: (confirmed + consistent + 0.5 (weakly-supported + template-only)) / scored items;
        `contradicted` weighs like `unsupported`."""
        c = self.counts
        scored = sum(
            c[v] for v in ("confirmed", "consistent", "weakly-supported", "template-only", *ACCUSATIONS)
        )
        scored += c["unclaimed"]
        if not scored:
            return None
        return round(
            (c["confirmed"] + c["consistent"] + 0.5 * (c["weakly-supported"] + c["template-only"])) / scored,
            4,
        )

    @property
    def honesty(self) -> float | None:
        """Claim precision: (confirmed + 0.5 (weakly-supported + template-only)) / scored ticked items;
        `contradicted` weighs like `unsupported`."""
        c = self.counts
        claimed = c["confirmed"] + c["weakly-supported"] + c["template-only"] + sum(c[v] for v in ACCUSATIONS)
        if not claimed:
            return None
        return round((c["confirmed"] + 0.5 * (c["weakly-supported"] + c["template-only"])) / claimed, 4)

    def item(self, rule_id: str) -> ItemResult | None:
        """The first item verified with the rule `rule_id`, or None."""
        return next((item for item in self.items if item.rule == rule_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the result (`verifier/schema/result.schema.json`)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "repo": self.repo,
            "commit": self.commit,
            "report": self.report_path,
            **({"checklist_source": self.checklist_source} if self.checklist_source else {}),
            **({"project": self.project} if self.project else {}),
            "score": self.score,
            "honesty": self.honesty,
            "counts": self.counts,
            "items": [item.to_dict() for item in self.items],
            "answers": [a.to_dict() if hasattr(a, "to_dict") else a for a in self.answers],
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Override:
    item: str
    verdict: str
    reason: str
    grader: str = ""
    date: str = ""
    commit: str = ""

    def describe(self) -> str:
        """`by TA Jane on 2026-01-25: reason`, with the parts that were given."""
        who = f" by {self.grader}" if self.grader else ""
        when = f" on {self.date}" if self.date else ""
        return f"overridden{who}{when}: {self.reason}"

    def to_dict(self) -> dict[str, str]:
        return {key: value for key, value in self.__dict__.items() if value}


@dataclass(frozen=True)
class AnswerFinding:
    """One checked claim of one answer."""

    question: int
    check: str
    claim: str
    observed: str
    verdict: str
    message: str
    locations: tuple[Location, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "check": self.check,
            "claim": self.claim,
            "observed": self.observed,
            "verdict": self.verdict,
            "message": self.message,
            "locations": [location.to_dict() for location in self.locations],
        }
