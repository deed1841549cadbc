"""M18 pre-commit: the sample hooks at any rev are template, a ruff hook is found."""

from __future__ import annotations

from verifier.evidence import Status

from conftest import check

SAMPLE = """repos:
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v9.9.9
    hooks:
      - id: trailing-whitespace
      - id: end-of-file-fixer
      - id: check-yaml
      - id: check-added-large-files
"""
RUFF = (
    "  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.8.0\n    hooks:\n      - id: ruff\n"
)


def test_sample_hooks_with_bumped_rev_are_template(make_repo) -> None:
    ev = check("m18.pre-commit", make_repo({".pre-commit-config.yaml": SAMPLE}))
    assert ev.status is Status.TEMPLATE
    assert (ev.locations[0].path, ev.locations[0].line) == (".pre-commit-config.yaml", 5)


def test_ruff_hook_is_found(make_repo) -> None:
    ev = check("m18.pre-commit", make_repo({".pre-commit-config.yaml": SAMPLE + RUFF}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".pre-commit-config.yaml", 12)


def test_dependency_only_is_absent(make_repo) -> None:
    ev = check("m18.pre-commit", make_repo({"requirements_dev.txt": "pre-commit\n"}))
    assert ev.status is Status.ABSENT
    assert any(".pre-commit-config.yaml" in item for item in ev.looked_for)
