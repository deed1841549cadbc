"""Grader overrides: decisions a TA made by hand, applied after the automatic evidence on every re-run.

An overrides file is YAML, one entry per repository, each a list of decisions:

    group-07:                       # the repository as given to verify, or its last path component
      - item: m23.cloud-deploy      # a rule id of the report's checklist
        verdict: confirmed          # what the grader decided
        reason: Cloud Run service shown in the screenshot of Question 23
        grader: TA Jane             # optional
        date: 2026-01-25            # optional
        commit: '51cae13d1a'        # optional, quoted: the decision holds while HEAD starts with this

The automatic verdict stays in the result next to the grader's (`automatic_verdict`), the reason is
shown wherever the item is, and a decision that names no item of the report, or was made for another
commit, is not applied and gives a warning. A malformed file is refused whole: grades must not change
silently because one entry had a typo.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .results import Override
from .safe_yaml import YamlRefused, load

if TYPE_CHECKING:
    from .results import Verification

OVERRIDABLE = (
    "confirmed",
    "weakly-supported",
    "template-only",
    "unsupported",
    "contradicted",
    "unclaimed",
    "consistent",
    "unverifiable",
)


class OverridesError(ValueError):
    """The overrides file cannot be used; the message is one line naming the file and the entry."""


def load_overrides(path: str | Path) -> dict[str, list[Override]]:
    """The decisions of an overrides file by repository key; OverridesError for anything malformed."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise OverridesError(f"{path}: cannot read the overrides file ({error.strerror})") from None
    try:
        document = load(text)
    except YamlRefused as error:
        raise OverridesError(f"{path}: {error}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise OverridesError(f"{path}: expected repositories as keys, each with a list of decisions")
    overrides: dict[str, list[Override]] = {}
    for repo, entries in document.items():
        if not isinstance(entries, list):
            raise OverridesError(f"{path}: {repo}: expected a list of decisions")
        overrides[str(repo)] = [
            _override(path, str(repo), number, entry) for number, entry in enumerate(entries, 1)
        ]
    return overrides


def _override(path: str | Path, repo: str, number: int, entry: Any) -> Override:
    where = f"{path}: {repo}, decision {number}"
    if not isinstance(entry, dict):
        raise OverridesError(f"{where}: expected item, verdict and reason")
    if isinstance(entry.get("commit"), (int, float)):
        raise OverridesError(
            f"{where}: write the commit in quotes ('{entry['commit']}'): YAML reads digits as a number"
        )
    fields = {key: "" if value is None else str(value).strip() for key, value in entry.items()}
    unknown = sorted(set(fields) - {"item", "verdict", "reason", "grader", "date", "commit"})
    if unknown:
        raise OverridesError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if not fields.get("item"):
        raise OverridesError(f"{where}: no item (a rule id such as m23.cloud-deploy)")
    if fields.get("verdict") not in OVERRIDABLE:
        raise OverridesError(f"{where}: verdict must be one of {', '.join(OVERRIDABLE)}")
    if not fields.get("reason"):
        raise OverridesError(f"{where}: no reason (say why, for the audit trail)")
    return Override(**fields)


def overrides_for(target: str, overrides: dict[str, list[Override]]) -> tuple[str | None, list[Override]]:
    """The key and decisions for a repository given as `target`: the key equal to it, or to its last path
    component (without `.git`)."""
    name = target.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].removesuffix(".git")
    for key in (target, target.rstrip("/"), name):
        if key in overrides:
            return key, overrides[key]
    return None, []


def apply_overrides(result: Verification, overrides: list[Override]) -> None:
    """Set the grader's verdict on the matching items; warn about decisions that match nothing or are stale."""
    for override in overrides:
        items = [item for item in result.items if item.rule == override.item and item.evidence is not None]
        if not items:
            result.warnings.append(
                f"override for {override.item}: no item of this report was verified with that rule (a typo, or "
                "left out by --select/--ignore?); not applied"
            )
            continue
        if override.commit and not (result.commit or "").startswith(override.commit):
            result.warnings.append(
                f"override for {override.item} was made for commit {override.commit}, HEAD is "
                f"{(result.commit or 'unknown')[:10]}; not applied (check the item again)"
            )
            continue
        for item in items:
            item.override = override
            item.automatic_verdict = item.verdict
            item.verdict = override.verdict
