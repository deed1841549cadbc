"""Pair every checklist item with its rule's evidence, give each a verdict, and score the whole.

The stages run in one direction: find and parse the report (`discovery`), index the repository (`Repo`),
run each matched rule (`rule.run_rule`), let the answers testify (`witness`), check the answers
(`answers`); the result types they fill live in `results`, which imports none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from .answers import check_answers
from .discovery import DEFAULT_REPORT, Found, Prescan, find_report, load_explicit
from .evidence import Evidence, Location, Status
from .project import (
    NESTED_GITHUB,
    answers_in_repository,
    in_repository,
    nested_github_weakened,
    project_folder,
    project_note,
    stronger,
)
from .pyview import cycle_collection_paused
from .registry import all_rules, match_item, select_rules
from .remote import CLONE_TIMEOUT, cloned, is_remote
from .repo import Repo
from .report import Answer, ChecklistItem, Report, ReportError
from .results import (
    ACCUSATIONS,
    SCHEMA_VERSION,
    VERDICTS,
    AnswerFinding,
    ItemResult,
    Override,  # noqa: F401  (importable from here as before)
    Verdict,
    Verification,
    verdict_for,
)
from .rule import Rule, run_rule
from .templates import match_blob
from .witness import Testimony, Witness


def _best_per_rule(matches: Iterable[tuple[ChecklistItem, Any]]) -> dict[str, tuple[float, int]]:
    """For each rule, the best score of the items matching it and the line of the first such item."""
    best: dict[str, tuple[float, int]] = {}
    for item, match in matches:
        if match.rule is not None and match.score > best.get(match.rule.id, (-1.0, 0))[0]:
            best[match.rule.id] = (match.score, item.line)
    return best


def load_report(
    repo: Repo, report: str | Path | Found | None, prescan: Prescan | None = None
) -> tuple[Report, str]:
    """Read and parse the report; ReportError with one actionable line when it is missing or unreadable.

    Without `report`, the report is found by `verifier.discovery.find_report` (`reports/README.md` first,
    then the tracked Markdown files most like a report); the returned `Report` names the files its answers
    and its checklist came from (`source`, `checklist_source`). A named `report` relative to the repository
    is its own file, anything else the grader's own file; both are read with the report's size cap. A
    `Found` is a report `find_report` already found in this `repo`, used as it is. `prescan`: the default
    report as scanned while git listed the files (`verifier.discovery.Prescan`).
    """
    if isinstance(report, Found):
        return report.report, report.path
    if report is not None:
        return load_explicit(repo, report)
    found = find_report(repo, prescan)
    return found.report, found.path


def verify(
    path: str | Path | Repo,
    report: str | Path | Found | None = None,
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
    memory budget. `report` may also be the `Found` that `verifier.discovery.find_report` gave for the
    `Repo` passed as `path`, so a caller that looked for the report first does not look twice.
    `select` and `ignore` take rule ids, id prefixes or modules (`"m17"`, `"M21"`);
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
    # A verification leaves no reference cycles (tests/test_repo_views.py), so reference counting frees
    # what it drops; pausing the cycle collector spares its walks over every text and fact held, which cost
    # a fifth of the run on a repository of 200 modules.
    with cycle_collection_paused():
        return _verify_local(path, **options)  # type: ignore[arg-type]


def _verify_local(
    path: str | Path | Repo,
    report: str | Path | Found | None,
    select: Iterable[str] | None,
    ignore: Iterable[str] | Mapping[str, str] | None,
    *,
    check_answers: bool,
    measure_coverage: bool,
    include_untracked: bool,
) -> Verification:
    # While git lists the files the default report is scanned; then git reads the history while the report
    # is read and the rules run (those that read the history run last).
    prescan = Prescan() if report is None and not isinstance(path, Repo) else None
    repo = (
        path
        if isinstance(path, Repo)
        else Repo(
            path,
            include_untracked=include_untracked,
            start_history=True,
            while_listing=prescan.run if prescan is not None else None,
        )
    )
    repo.start_history()  # a Repo given by the caller: from now on
    parsed, report_path = load_report(repo, report, prescan)
    warnings: list[str] = list(parsed.warnings)
    repo, outside, shown, checklist_shown, note = _project_view(repo, report_path, parsed.checklist_source)
    if note:
        warnings.append(note)
    repo.report, repo.report_path = parsed, shown
    repo.report_files = {shown, checklist_shown or shown}
    if outside is not None:
        outside.report, outside.report_path = parsed, report_path
        outside.report_files = {report_path, parsed.checklist_source or report_path}
    # Byte for byte only: the layout-blind fingerprints of `Repo.template_match` are of code, Dockerfiles
    # and Makefiles, never of a report, and folding a whole report's layout for them cost milliseconds.
    untouched = match_blob(repo.blob_id(shown)) if repo.has(shown) else None
    if untouched is not None:
        warnings.append(
            f"{report_path} is the course's unfilled report template ({untouched.template}): nothing was claimed"
        )
    rules = all_rules(warnings)
    select = list(select) if select is not None else None
    reasons = dict(ignore) if isinstance(ignore, Mapping) else dict.fromkeys(ignore or (), "")
    active = select_rules(rules, select, reasons)
    instances: dict[str, Rule] = {}
    testimonies: dict[str, Testimony] = {}
    # each rule's evidence as it gave it, for the answer checks that would ask the rule again
    rule_evidence: dict[str, Evidence] = {}
    witness = Witness(parsed, repo, shown)
    planned: list[ItemResult | tuple[ChecklistItem, type[Rule], float]] = []
    matches = [(item, match_item(item, rules)) for item in parsed.checklist]
    best = _best_per_rule(matches)
    for item, match in matches:
        if match.rule is None:
            planned.append(ItemResult(item, None, None, Verdict.UNKNOWN, match.score))
            continue
        best_score, best_line = best[match.rule.id]
        if match.score < best_score - 0.02:
            # Another line answers this rule better: this one is an item the group added or reworded (an API
            # test item that reads like the data-test item), not a second claim of the same item.
            warnings.append(
                f"line {item.line}: '{item.text[:60]}' reads like the item at line {best_line} "
                f"({match.rule.id}), which matches it better; not verified as a second claim"
            )
            planned.append(ItemResult(item, None, None, Verdict.UNKNOWN, match.score))
            continue
        rule_id = match.rule.id
        if rule_id not in active:
            reason = _skip_reason(match.rule, rules, select, reasons)
            planned.append(ItemResult(item, rule_id, None, Verdict.SKIPPED, match.score, skip_reason=reason))
            continue
        planned.append((item, match.rule, match.score))
    to_run = {entry[1].id: entry[1] for entry in planned if isinstance(entry, tuple)}
    for rule_id, rule in sorted(
        to_run.items(), key=lambda pair: pair[1].reads_history and repo.history_pending
    ):
        instances[rule_id] = rule()
        rule_evidence[rule_id] = run_rule(instances[rule_id], repo)
        evidence, from_outside = _rooted_evidence(repo, outside, rule, rule_evidence[rule_id])
        testimony = witness.testify(instances[rule_id], evidence)
        shown_evidence = in_repository(repo, testimony.evidence, already_shown=from_outside)
        testimonies[rule_id] = replace(testimony, evidence=shown_evidence)
    results = []
    for entry in planned:
        if isinstance(entry, ItemResult):
            results.append(entry)
            continue
        item, rule, score = entry
        testimony = testimonies[rule.id]
        verdict = verdict_for(item.claimed, testimony.evidence.status, testimony.denial is not None)
        results.append(ItemResult(item, rule.id, testimony.evidence, verdict, score))
    verification = Verification(
        repo=str(path.root if isinstance(path, Repo) else path),
        report_path=report_path,
        commit=repo.history.head,
        items=results,
        report=parsed,
        checklist_source=parsed.checklist_source,
        project=repo.project,
    )
    if check_answers:
        findings = _check_answers(repo, parsed, verification, measure_coverage, rule_evidence)
        verification.answers = answers_in_repository(repo, findings)
    verification.warnings = warnings + [w for w in repo.warnings if w not in warnings]
    verification.not_searched = repo.search_skipped()
    return verification


def _project_view(
    repo: Repo, report_path: str, checklist_source: str | None
) -> tuple[Repo, Repo | None, str, str | None, str]:
    """The view the rules run in: the repository, or the project folder the report belongs to
    (`verifier.project`); the repository without that folder (None at the root), where a rule that finds
    less in the project looks again (`_rooted_evidence`); the report's and the checklist's paths in the
    view; and the warning line that says so ("" at the root). A report that is not a listed file (a
    grader's own) keeps the root."""
    at_root = (repo, None, report_path, checklist_source, "")
    if not repo.has(report_path):
        return at_root
    folder, found = project_folder(repo, report_path)
    if not folder or found is None:
        return at_root
    try:
        view = repo.project_view(folder)
    except ValueError as error:
        repo.warn(f"the project folder {error}; the repository root was verified")
        return at_root
    prefix = folder + "/"
    shown = report_path.removeprefix(prefix)
    checklist = checklist_source.removeprefix(prefix) if checklist_source else None
    outside = repo.project_view_without(prefix)
    return view, outside, shown, checklist, project_note(folder, found)


def _rooted_evidence(
    repo: Repo, outside: Repo | None, rule: type[Rule], evidence: Evidence
) -> tuple[Evidence, frozenset[Location]]:
    """The evidence of a rule run in a project view, and those of its locations that are already shown
    from the repository root. Evidence found only thanks to the project's own `.github/` is weak
    (`verifier.project.nested_github_weakened`: the rule runs again on the view without it). Evidence short
    of found is replaced by what the rule finds in the rest of the repository (`outside`), when that is
    stronger: a workflow at the repository root that runs the project's tests, a root Dockerfile."""

    def without_github() -> Evidence:
        hidden = repo.project_view_without(NESTED_GITHUB)
        return run_rule(rule(), hidden) if hidden is not None else evidence

    evidence = nested_github_weakened(repo, evidence, without_github)
    if outside is None or evidence.status is Status.FOUND:
        return evidence, frozenset()
    elsewhere = run_rule(rule(), outside)
    if stronger(elsewhere, evidence):
        return elsewhere, frozenset(elsewhere.locations)
    return evidence, frozenset()


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
    repo: Repo,
    report: Report,
    verification: Verification,
    measure_coverage: bool,
    rule_evidence: Mapping[str, Evidence],
) -> list[AnswerFinding]:
    return check_answers(
        repo, report, verification, measure_coverage=measure_coverage, rule_evidence=rule_evidence
    )


__all__ = [
    "ACCUSATIONS",
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
    "run_rule",
    "verdict_for",
    "verify",
]
