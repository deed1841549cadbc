"""mlops-verifier: check a DTU 02476 MLOps exam report checklist against the group's repository.

>>> import verifier
>>> result = verifier.verify("path/to/repo")          # a directory, or a git URL (cloned, then removed)
>>> result.score, result.honesty, result.counts["unsupported"]
>>> [item.rule for item in result.items if item.verdict is verifier.Verdict.UNSUPPORTED]
>>> for graded in verifier.verify_many(verifier.read_groups("group_info.csv"), deadline="2026-01-23 23:59 UTC"):
...     print(graded.group, graded.commit, graded.commits_after, graded.score, graded.error)

The package is typed (PEP 561): `Verification`, `ItemResult` (its `verdict` a `Verdict`), `Evidence` with
its `Status`, and `AnswerFinding` for the checks of the report's answers.

The names below are imported on first use (PEP 562), so `import verifier` and `verify --version` load
no rule, no YAML library and no entry point; `from verifier import verify` works as always.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Each public name and the module that defines it.
_PUBLIC = {
    "VERDICTS": "results",
    "AnswerFinding": "results",
    "ItemResult": "results",
    "Verdict": "results",
    "Verification": "results",
    "verify": "engine",
    "Evidence": "evidence",
    "Location": "evidence",
    "Status": "evidence",
    "RemoteError": "remote",
    "Repo": "repo",
    "ChecklistItem": "report",
    "Report": "report",
    "ReportError": "report",
    "parse_report": "report",
    "Rule": "rule",
    "Failure": "views",
    "CohortResult": "cohort",
    "DeadlineError": "cohort",
    "Progress": "cohort",
    "parse_deadline": "cohort",
    "verify_many": "cohort",
    "Target": "groups",
    "read_groups": "groups",
}

if TYPE_CHECKING:
    from .cohort import CohortResult, DeadlineError, Progress, parse_deadline, verify_many
    from .engine import verify
    from .evidence import Evidence, Location, Status
    from .groups import Target, read_groups
    from .remote import RemoteError
    from .repo import Repo
    from .report import ChecklistItem, Report, ReportError, parse_report
    from .results import VERDICTS, AnswerFinding, ItemResult, Verdict, Verification
    from .rule import Rule
    from .views import Failure


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'verifier' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})


__all__ = [
    "VERDICTS",
    "AnswerFinding",
    "ChecklistItem",
    "CohortResult",
    "DeadlineError",
    "Evidence",
    "Failure",
    "ItemResult",
    "Location",
    "Progress",
    "RemoteError",
    "Repo",
    "Report",
    "ReportError",
    "Rule",
    "Status",
    "Target",
    "Verdict",
    "Verification",
    "__version__",
    "parse_deadline",
    "parse_report",
    "read_groups",
    "verify",
    "verify_many",
]
