"""mlops-verifier: check a DTU 02476 MLOps exam report checklist against the group's repository.

>>> import verifier
>>> result = verifier.verify("path/to/repo")
>>> result.score, result.honesty, result.counts["unsupported"]
"""

from __future__ import annotations

__version__ = "0.1.0"

from .engine import ItemResult, Verification, verify
from .evidence import Evidence, Location, Status
from .repo import Repo
from .report import ChecklistItem, Report, ReportError, parse_report
from .rule import Rule

__all__ = [
    "ChecklistItem",
    "Evidence",
    "ItemResult",
    "Location",
    "Repo",
    "Report",
    "ReportError",
    "Rule",
    "Status",
    "Verification",
    "__version__",
    "parse_report",
    "verify",
]
