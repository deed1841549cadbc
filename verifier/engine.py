"""Pair every checklist item with its rule's evidence, give each a verdict, and score the whole."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .discovery import DEFAULT_REPORT, find_report, load_explicit
from .evidence import Evidence, Location, Status
from .overrides import Override
from .registry import all_rules, match_item, select_rules
from .repo import Repo
from .report import Answer, ChecklistItem, Report, ReportError
from .rule import Rule
from .witness import Testimony, Witness

VERDICTS = (
    "unsupported",
    "template-only",
    "weakly-supported",
    "confirmed",
    "unclaimed",
    "consistent",
    "unverifiable",
    "unknown",
    "skipped",
    # last, so that CSV columns and JSON counts of earlier versions keep their places
    "contradicted",
)
_TABLE = {
    (True, Status.FOUND): "confirmed",
    (True, Status.WEAK): "weakly-supported",
    (True, Status.TEMPLATE): "template-only",
    (True, Status.ABSENT): "unsupported",
    (False, Status.FOUND): "unclaimed",
    (False, Status.WEAK): "unclaimed",
    (False, Status.TEMPLATE): "consistent",
    (False, Status.ABSENT): "consistent",
}


# Verdicts that score like `unsupported`: a tick the repository or the group's own answer does not bear out.
ACCUSATIONS = ("unsupported", "contradicted")


def verdict_for(claimed: bool, status: Status, denied: bool = False) -> str:
    """The verdict table of DESIGN.md; unverifiable evidence is unverifiable whatever the tick. `denied`:
    the group's own answer says the work was not done, which decides whatever the repository shows short
    of `found` (`contradicted` when ticked, `consistent` when not)."""
    if denied and status is not Status.FOUND:
        return "contradicted" if claimed else "consistent"
    return "unverifiable" if status is Status.UNVERIFIABLE else _TABLE[(claimed, status)]


@dataclass
class ItemResult:
    item: ChecklistItem
    rule: str | None
    evidence: Evidence | None
    verdict: str
    match_score: float = 0.0
    override: Override | None = None
    automatic_verdict: str | None = None

    @property
    def message(self) -> str:
        if self.override is not None:
            return (
                f"{self.override.describe()} (automatic: {self.automatic_verdict}). {self._automatic_message}"
            )
        return self._automatic_message

    @property
    def _automatic_message(self) -> str:
        if self.evidence is None:
            return (
                "skipped by --select/--ignore"
                if self.verdict == "skipped"
                else "matches no known checklist item"
            )
        message = self.evidence.message
        if self.item.withdrawn:
            message = f"ticked, but the remark '{self.item.remark}' withdraws the claim; read as not ticked. {message}"
        elif self.item.partial:
            message = f"marked '[{self.item.mark}]' (partial claim, read as not ticked). {message}"
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
            "verdict": self.verdict,
            "message": self.message,
            "looked_for": list(evidence.looked_for) if evidence else [],
            "locations": [loc.to_dict() for loc in evidence.locations] if evidence else [],
            **(
                {"automatic_verdict": self.automatic_verdict, "override": self.override.to_dict()}
                if self.override
                else {}
            ),
        }


@dataclass
class Verification:
    repo: str
    report_path: str
    commit: str | None
    items: list[ItemResult] = field(default_factory=list)
    answers: list[Any] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    report: Report | None = None
    checklist_source: str | None = None

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
        return next((item for item in self.items if item.rule == rule_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 2,
            "tool_version": __version__,
            "repo": self.repo,
            "commit": self.commit,
            "report": self.report_path,
            **({"checklist_source": self.checklist_source} if self.checklist_source else {}),
            "score": self.score,
            "honesty": self.honesty,
            "counts": self.counts,
            "items": [item.to_dict() for item in self.items],
            "answers": [a.to_dict() if hasattr(a, "to_dict") else a for a in self.answers],
            "warnings": list(self.warnings),
        }


def _best_per_rule(matches: Iterable[tuple[ChecklistItem, Any]]) -> dict[str, tuple[float, int]]:
    """For each rule, the best score of the items matching it and the line of the first such item."""
    best: dict[str, tuple[float, int]] = {}
    for item, match in matches:
        if match.rule is not None and match.score > best.get(match.rule.id, (-1.0, 0))[0]:
            best[match.rule.id] = (match.score, item.line)
    return best


def run_rule(rule: Rule, repo: Repo) -> Evidence:
    """A rule's evidence; a rule that raises gives unverifiable evidence naming the error."""
    try:
        evidence = rule.check(repo)
        if not isinstance(evidence, Evidence):
            raise TypeError(f"check() returned {type(evidence).__name__}, not Evidence")
        return evidence
    except Exception as error:
        repo.warn(f"rule {rule.id} failed: {type(error).__name__}: {error}")
        return Evidence.unverifiable(f"the rule failed with {type(error).__name__}: {error}")


def load_report(repo: Repo, report: str | Path | None) -> tuple[Report, str]:
    """Read and parse the report; ReportError with one actionable line when it is missing or unreadable.

    Without `report`, the report is found by `verifier.discovery.find_report` (`reports/README.md` first,
    then the tracked Markdown files most like a report); the returned `Report` names the files its answers
    and its checklist came from (`source`, `checklist_source`). A named `report` relative to the repository
    is its own file, anything else the grader's own file; both are read with the report's size cap.
    """
    if report is not None:
        return load_explicit(repo, report)
    found = find_report(repo)
    return found.report, found.path


def verify(
    path: str | Path | Repo,
    report: str | Path | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    *,
    check_answers: bool = True,
    measure_coverage: bool = False,
    include_untracked: bool = False,
) -> Verification:
    """Verify the repository at `path` against its report (default `reports/README.md`).

    Raises `ReportError` (one line) when there is no readable report; everything else that goes wrong
    becomes a warning in the result. `measure_coverage` runs the group's test suite under coverage
    (it executes their code, in a subprocess with a time limit); it is off by default.
    `include_untracked` also checks files not committed yet (not ignored by .gitignore).
    """
    repo = path if isinstance(path, Repo) else Repo(path, include_untracked=include_untracked)
    parsed, shown = load_report(repo, report)
    repo.report, repo.report_path = parsed, shown
    repo.report_files = {shown, parsed.checklist_source or shown}
    warnings: list[str] = list(parsed.warnings)
    untouched = repo.template_match(shown) if repo.has(shown) else None
    if untouched is not None:
        warnings.append(
            f"{shown} is the course's unfilled report template ({untouched.template}): nothing was claimed"
        )
    rules = all_rules(warnings)
    active = select_rules(rules, select, ignore)
    instances: dict[str, Rule] = {}
    testimonies: dict[str, Testimony] = {}
    witness = Witness(parsed, repo, shown)
    results = []
    matches = [(item, match_item(item, rules)) for item in parsed.checklist]
    best = _best_per_rule(matches)
    for item, match in matches:
        if match.rule is None:
            results.append(ItemResult(item, None, None, "unknown", match.score))
            continue
        best_score, best_line = best[match.rule.id]
        if match.score < best_score - 0.02:
            # Another line answers this rule better: this one is an item the group added or reworded (an API
            # test item that reads like the data-test item), not a second claim of the same item.
            warnings.append(
                f"line {item.line}: '{item.text[:60]}' reads like the item at line {best_line} "
                f"({match.rule.id}), which matches it better; not verified as a second claim"
            )
            results.append(ItemResult(item, None, None, "unknown", match.score))
            continue
        rule_id = match.rule.id
        if rule_id not in active:
            results.append(ItemResult(item, rule_id, None, "skipped", match.score))
            continue
        if rule_id not in testimonies:
            instances[rule_id] = match.rule()
            testimonies[rule_id] = witness.testify(instances[rule_id], run_rule(instances[rule_id], repo))
        testimony = testimonies[rule_id]
        verdict = verdict_for(item.claimed, testimony.evidence.status, testimony.denial is not None)
        results.append(ItemResult(item, rule_id, testimony.evidence, verdict, match.score))
    verification = Verification(
        repo=str(path.root if isinstance(path, Repo) else path),
        report_path=shown,
        commit=repo.history.head,
        items=results,
        report=parsed,
        checklist_source=parsed.checklist_source,
    )
    if check_answers:
        verification.answers = _check_answers(repo, parsed, verification, measure_coverage)
    verification.warnings = warnings + [w for w in repo.warnings if w not in warnings]
    return verification


def _check_answers(
    repo: Repo, report: Report, verification: Verification, measure_coverage: bool
) -> list[Any]:
    try:
        from .answers import check_answers
    except ImportError:
        return []
    return check_answers(repo, report, verification, measure_coverage=measure_coverage)


__all__ = [
    "DEFAULT_REPORT",
    "Answer",
    "ItemResult",
    "Location",
    "ReportError",
    "Verification",
    "load_report",
    "verdict_for",
    "verify",
]
