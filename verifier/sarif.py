"""SARIF 2.1.0 (`verify -f sarif`): the ticks that fail, as results GitHub code scanning shows on the report.

One run per repository. Each unsupported, contradicted or template-only tick is one result of its rule,
located at the checklist line of the report (so code scanning annotates `reports/README.md`), with the
evidence places as related locations and what was looked for in the message; unsupported and
contradicted ticks are errors, template-only ticks warnings. The rules' metadata (title, what counts as
evidence, modules) comes from the rule classes. An item left out by select or ignore is a not-applicable
result suppressed with its reason (shown as dismissed, never hidden). Repository warnings are tool
notifications of the run; a
repository that could not be verified is a run whose invocation failed, with the reason.

Messages are SARIF plain text made safe by `sanitize.for_sarif` (no embedded link can be formed by
repository text); file names are percent-encoded URIs relative to `%SRCROOT%`; credentials in URLs are
redacted as in the JSON output.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from . import __version__
from .engine import ItemResult, Verification
from .evidence import Location
from .registry import all_rules
from .rule import Rule
from .sanitize import escape_surrogates_in_json, for_sarif, for_text, redact_data
from .views import FAILING, Entry, Failure

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
PROJECT_URL = "https://github.com/mlops-verifier/mlops-verifier"
SOURCE_ROOT = "%SRCROOT%"
LEVELS = {"unsupported": "error", "contradicted": "error", "template-only": "warning"}
HEADLINES = {
    "unsupported": "ticked, but nothing was found where it would be",
    "contradicted": "ticked, but the group's own answer says it was not done",
    "template-only": "ticked, but only the course template's defaults support it",
}


def render_sarif(results: Sequence[Entry] | Entry) -> str:
    """A SARIF 2.1.0 log with one run per repository, in the order given.

    A log of one repository leaves the category to the upload (`category:` of the upload action). A log of
    several gives each run its own category (`automationDetails.id`, `mlops-verifier/<n>-<repository>/`):
    GitHub code scanning refuses an upload with two runs of one tool in one category."""
    entries = [results] if isinstance(results, (Verification, Failure)) else list(results)
    rules = sorted(all_rules(), key=lambda rule: rule.id)
    runs = [_run(entry, rules) for entry in entries]
    if len(runs) > 1:
        for number, (entry, run) in enumerate(zip(entries, runs, strict=True), start=1):
            run["automationDetails"] = {"id": f"mlops-verifier/{number}-{_category_name(entry.repo)}/"}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": runs,
    }
    return escape_surrogates_in_json(json.dumps(redact_data(log), indent=2, ensure_ascii=False)) + "\n"


def _category_name(repo: str) -> str:
    """The last part of a repository's path or URL, in characters safe in a category (`group-7`)."""
    name = repo.rstrip("/\\").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].removesuffix(".git")
    return (
        "".join(char if char.isascii() and (char.isalnum() or char in "-_.") else "-" for char in name)[:60]
        or "repository"
    )


def _run(entry: Entry, rules: list[type[Rule]]) -> dict[str, Any]:
    index = {rule.id: position for position, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "mlops-verifier",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": PROJECT_URL,
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
    }
    if isinstance(entry, Failure):
        run["invocations"] = [
            {
                "executionSuccessful": False,
                "toolExecutionNotifications": [_notification("error", f"not verified: {entry.error}")],
            }
        ]
        run["results"] = []
        run["properties"] = {"repo": entry.repo}
        return run
    run["invocations"] = [
        {
            "executionSuccessful": True,
            "toolExecutionNotifications": [_notification("warning", w) for w in entry.warnings],
        }
    ]
    report = _artifact(entry.report_path)
    run["results"] = [
        _result(item, report, index.get(item.rule or "")) for item in entry.items if item.verdict in FAILING
    ] + [
        _skipped(item, report, index.get(item.rule or ""))
        for item in entry.items
        if item.verdict == "skipped"
    ]
    run["properties"] = {
        "repo": entry.repo,
        "commit": entry.commit,
        "report": entry.report_path,
        "score": entry.score,
        "honesty": entry.honesty,
        "counts": entry.counts,
    }
    return run


def _descriptor(rule: type[Rule]) -> dict[str, Any]:
    """The reportingDescriptor of a rule class: its id, title, what counts as evidence, its modules."""
    modules = ", ".join(rule.modules) or "no module tag"
    docs = rule.docs() or rule.title
    return {
        "id": rule.id,
        "name": rule.__name__,
        "shortDescription": {"text": for_sarif(rule.title or rule.id)},
        "fullDescription": {"text": for_sarif(rule.summary() or rule.title or rule.id)},
        "help": {
            "text": f"{docs}\n\nCourse modules: {modules}. Checklist item: {rule.texts[0] if rule.texts else rule.title}",
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["mlops-verifier", *rule.modules], "modules": list(rule.modules)},
    }


def _artifact(path: str) -> dict[str, Any]:
    """An artifactLocation: a repository-relative path as a percent-encoded URI relative to %SRCROOT%, an
    absolute path (a --report outside the repository) as a file URI."""
    if PurePosixPath(path).is_absolute():
        return {"uri": "file://" + _encoded(path)}
    return {"uri": _encoded(path), "uriBaseId": SOURCE_ROOT}


def _encoded(path: str) -> str:
    # surrogateescape: an undecodable byte of a file name (a lone surrogate) is encoded as that byte.
    return quote(path, safe="/", encoding="utf-8", errors="surrogateescape")


def _result(item: ItemResult, report: dict[str, Any], rule_index: int | None) -> dict[str, Any]:
    verdict = str(item.verdict)
    evidence = item.evidence
    text = f"{verdict}: {HEADLINES[verdict]}. {for_sarif(item.message)}"
    if evidence and evidence.looked_for and verdict != "template-only":
        text += f" Looked for: {for_sarif('; '.join(evidence.looked_for))}."
    result: dict[str, Any] = {
        "ruleId": item.rule or "unknown",
        "kind": "fail",
        "level": LEVELS[verdict],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": report,
                    "region": {"startLine": item.item.line, "snippet": {"text": for_text(item.item.text)}},
                }
            }
        ],
        "partialFingerprints": {"mlopsVerifierItem/v1": _fingerprint(item)},
        "properties": {
            "verdict": verdict,
            "evidence": evidence.status.value if evidence else None,
            "section": item.item.section,
            "modules": list(item.item.modules),
        },
    }
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    related = [
        _related(number, location)
        for number, location in enumerate(evidence.locations if evidence else (), 1)
    ]
    if related:
        result["relatedLocations"] = related
    return result


def _skipped(item: ItemResult, report: dict[str, Any], rule_index: int | None) -> dict[str, Any]:
    """An item left out by select/ignore: a not-applicable result, suppressed with the reason (a grader or
    code scanning sees it as dismissed, never not at all)."""
    reason = for_sarif(item.skip_reason or "left out by select/ignore")
    result: dict[str, Any] = {
        "ruleId": item.rule,
        "kind": "notApplicable",
        "level": "none",
        "message": {"text": f"skipped: {reason}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": report,
                    "region": {"startLine": item.item.line, "snippet": {"text": for_text(item.item.text)}},
                }
            }
        ],
        "suppressions": [{"kind": "external", "status": "accepted", "justification": reason}],
        "partialFingerprints": {"mlopsVerifierItem/v1": _fingerprint(item)},
        "properties": {
            "verdict": "skipped",
            "section": item.item.section,
            "modules": list(item.item.modules),
        },
    }
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    return result


def _related(number: int, location: Location) -> dict[str, Any]:
    """An evidence place; a region (line and snippet) only with a line, as SARIF wants a start."""
    physical: dict[str, Any] = {"artifactLocation": _artifact(location.path)}
    if location.line and location.cell is None:  # a notebook's line counts in its cell, not in the file
        physical["region"] = {"startLine": location.line}
        if location.snippet:
            physical["region"]["snippet"] = {"text": for_text(location.snippet)}
    return {"id": number, "physicalLocation": physical, "message": {"text": for_sarif(str(location))}}


def _fingerprint(item: ItemResult) -> str:
    """Stable while the item keeps its rule, verdict and text, wherever the line moves (code scanning
    matches alerts across commits by it)."""
    key = "\0".join((item.rule or "", str(item.verdict), " ".join(item.item.text.split())))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _notification(level: str, text: str) -> dict[str, Any]:
    return {"level": level, "message": {"text": for_sarif(text)}}
