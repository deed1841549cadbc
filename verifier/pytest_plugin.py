"""pytest plugin: a group's report checked as tests (`pytest --verify-report`). Inert unless asked."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("verifier", "mlops-verifier: check reports/README.md against the repository")
    group.addoption(
        "--verify-report", action="store_true", default=False, help="check the exam report as tests"
    )
    parser.addini("verify_report", type="bool", default=False, help="check the exam report as tests")
