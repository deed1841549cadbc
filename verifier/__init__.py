"""mlops-verifier: check a DTU 02476 MLOps exam report checklist against the group's repository.

>>> import verifier
>>> result = verifier.verify("path/to/repo")          # a directory, or a git URL (cloned, then removed)
>>> result.score, result.honesty, result.counts["unsupported"]
>>> [item.rule for item in result.items if item.verdict is verifier.Verdict.UNSUPPORTED]
>>> for graded in verifier.verify_many(verifier.read_groups("group_info.csv"), deadline="2026-01-23 23:59 UTC"):
...     print(graded.group, graded.commit, graded.commits_after, graded.score, graded.error)

The package is typed (PEP 561): `Verification`, `ItemResult` (its `verdict` a `Verdict`), `Evidence` with
its `Status`, and `AnswerFinding` for the checks of the report's answers.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .answers import AnswerFinding
from .cohort import CohortResult, DeadlineError, Progress, parse_deadline, verify_many
from .engine import VERDICTS, ItemResult, Verdict, Verification, verify
from .evidence import Evidence, Location, Status
from .groups import Target, read_groups
from .remote import RemoteError
from .repo import Repo
from .report import ChecklistItem, Report, ReportError, parse_report
from .rule import Rule
from .views import Failure

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
