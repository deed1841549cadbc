"""mlops-verifier: check a DTU 02476 MLOps exam report checklist against the group's repository.

>>> import verifier
>>> result = verifier.verify("path/to/repo")          # a directory, or a git URL (cloned, then removed)
>>> result.score, result.honesty, result.counts["unsupported"]
>>> [item.rule for item in result.items if item.verdict is verifier.Verdict.UNSUPPORTED]

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
}

if TYPE_CHECKING:
    from .engine import verify
    from .evidence import Evidence, Location, Status
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
    "Evidence",
    "Failure",
    "ItemResult",
    "Location",
    "RemoteError",
    "Repo",
    "Report",
    "ReportError",
    "Rule",
    "Status",
    "Verdict",
    "Verification",
    "__version__",
    "parse_report",
    "verify",
]
