"""Pair every checklist item with its rule's evidence, give each a verdict, and score the whole."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from . import __version__
from .answers import AnswerFinding
from .discovery import DEFAULT_REPORT, find_report, load_explicit
from .evidence import Evidence, Location, Status
from .overrides import Override
from .registry import all_rules, match_item, select_rules
from .remote import CLONE_TIMEOUT, cloned, is_remote
from .repo import Repo
from .report import Answer, ChecklistItem, Report, ReportError
from .rule import Rule
from .witness import Testimony, Witness

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
    the warnings, and the scores computed from the verdicts."""

    repo: str
    report_path: str
    commit: str | None
    items: list[ItemResult] = field(default_factory=list)
    answers: list[AnswerFinding] = field(default_factory=list)
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
    ignore: Iterable[str] | Mapping[str, str] | None = None,
    *,
    check_answers: bool = True,
    measure_coverage: bool = False,
    include_untracked: bool = False,
    ref: str | None = None,
    timeout: float = CLONE_TIMEOUT,
) -> Verification:
    """Verify the repository at `path` against its report (default `reports/README.md`).

    `path` is a directory, a `Repo`, or a git URL (https, ssh, `git@host:org/repo`, file), which is cloned
    into a temporary directory that is always removed (`ref`: a branch, tag or commit to check out;
    `timeout`: seconds for the clone), as `verify URL` does; `RemoteError` (one line) when the URL is
    refused or the clone fails. Unlike the command line, this runs in the calling process, without a
    memory budget. `select` and `ignore` take rule ids, id prefixes or modules (`"m17"`, `"M21"`);
    `ignore` may map each key to the reason it is ignored, shown with every skipped item.

    Raises `ReportError` (one line) when there is no readable report; everything else that goes wrong
    becomes a warning in the result. `measure_coverage` runs the group's test suite under coverage
    (it executes their code, in a subprocess with a time limit); it is off by default.
    `include_untracked` also checks files not committed yet (not ignored by .gitignore).
    """
    options = {
        "report": report,
        "select": select,
        "ignore": ignore,
        "check_answers": check_answers,
        "measure_coverage": measure_coverage,
        "include_untracked": include_untracked,
    }
    if isinstance(path, str) and is_remote(path):
        with cloned(path, ref, timeout=timeout) as local:
            result = verify(local, **options)  # type: ignore[arg-type]
        result.repo = path
        return result
    if ref is not None:
        raise ValueError("ref works with git URLs only; check out the ref in the directory instead")
    return _verify_local(path, **options)  # type: ignore[arg-type]


def _verify_local(
    path: str | Path | Repo,
    report: str | Path | None,
    select: Iterable[str] | None,
    ignore: Iterable[str] | Mapping[str, str] | None,
    *,
    check_answers: bool,
    measure_coverage: bool,
    include_untracked: bool,
) -> Verification:
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
    select = list(select) if select is not None else None
    reasons = dict(ignore) if isinstance(ignore, Mapping) else dict.fromkeys(ignore or (), "")
    active = select_rules(rules, select, reasons)
    instances: dict[str, Rule] = {}
    testimonies: dict[str, Testimony] = {}
    witness = Witness(parsed, repo, shown)
    results = []
    matches = [(item, match_item(item, rules)) for item in parsed.checklist]
    best = _best_per_rule(matches)
    for item, match in matches:
        if match.rule is None:
            results.append(ItemResult(item, None, None, Verdict.UNKNOWN, match.score))
            continue
        best_score, best_line = best[match.rule.id]
        if match.score < best_score - 0.02:
            # Another line answers this rule better: this one is an item the group added or reworded (an API
            # test item that reads like the data-test item), not a second claim of the same item.
            warnings.append(
                f"line {item.line}: '{item.text[:60]}' reads like the item at line {best_line} "
                f"({match.rule.id}), which matches it better; not verified as a second claim"
            )
            results.append(ItemResult(item, None, None, Verdict.UNKNOWN, match.score))
            continue
        rule_id = match.rule.id
        if rule_id not in active:
            reason = _skip_reason(match.rule, rules, select, reasons)
            results.append(ItemResult(item, rule_id, None, Verdict.SKIPPED, match.score, skip_reason=reason))
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


def _skip_reason(
    rule: type[Rule], rules: list[type[Rule]], select: list[str] | None, reasons: dict[str, str]
) -> str:
    """Why `rule` was left out: the reason of the first ignore key that names it (or that key), else that no
    select key names it."""
    for key, reason in reasons.items():
        if rule.id not in select_rules(rules, None, [key]):
            return f"ignored ({key}): {reason}" if reason else f"ignored ({key})"
    return f"not selected (select: {', '.join(select or ())})"


def _check_answers(
    repo: Repo, report: Report, verification: Verification, measure_coverage: bool
) -> list[AnswerFinding]:
    try:
        from .answers import check_answers
    except ImportError:
        return []
    return check_answers(repo, report, verification, measure_coverage=measure_coverage)


__all__ = [
    "DEFAULT_REPORT",
    "SCHEMA_VERSION",
    "VERDICTS",
    "Answer",
    "ItemResult",
    "Location",
    "ReportError",
    "Verdict",
    "Verification",
    "load_report",
    "verdict_for",
    "verify",
]
