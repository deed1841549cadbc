"""M19 triggers: `on:` read as True, a **/*.dvc paths filter, repository_dispatch staged_model."""

from __future__ import annotations

from verifier.evidence import Status

from conftest import check

DATA = """name: data
on:
  push:
    paths:
      - '**/*.dvc'
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - run: dvc pull
"""


def test_dvc_paths_filter_is_found(make_repo) -> None:
    ev = check("m19.data-trigger", make_repo({".github/workflows/data.yaml": DATA}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/data.yaml", 5)


def test_on_key_read_as_true_keeps_its_triggers(make_repo) -> None:
    repo = make_repo({".github/workflows/data.yaml": DATA})
    assert repo.workflows[0].triggered_by("push")
    assert "**/*.dvc" in repo.workflows[0].path_filters()


def test_dvc_pull_without_paths_is_weak(make_repo) -> None:
    ev = check(
        "m19.data-trigger",
        make_repo({".github/workflows/data.yaml": DATA.replace("    paths:\n      - '**/*.dvc'\n", "")}),
    )
    assert ev.status is Status.WEAK
    assert ev.locations[0].path == ".github/workflows/data.yaml"


def test_repository_dispatch_staged_model_is_found(make_repo) -> None:
    wf = "on:\n  repository_dispatch:\n    types: [staged_model]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n"
    ev = check("m19.registry-trigger", make_repo({".github/workflows/stage.yaml": wf}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/stage.yaml", 2)
    assert "staged_model" in ev.locations[0].snippet


def test_no_dispatch_says_what_was_looked_for(make_repo) -> None:
    ev = check("m19.registry-trigger", make_repo({".github/workflows/data.yaml": DATA}))
    assert ev.status is Status.ABSENT
    assert any("repository_dispatch" in item for item in ev.looked_for)


REGISTRY_STEP = (
    "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python link_to_model_registry.py\n"
)


def test_scheduled_workflow_acting_on_the_registry_is_found(make_repo) -> None:
    wf = "on:\n  schedule:\n    - cron: '0 3 * * *'\n" + REGISTRY_STEP
    ev = check("m19.registry-trigger", make_repo({".github/workflows/registry.yaml": wf}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/registry.yaml", 8)


def test_manual_only_workflow_acting_on_the_registry_is_weak(make_repo) -> None:
    wf = "on: workflow_dispatch\n" + REGISTRY_STEP
    ev = check("m19.registry-trigger", make_repo({".github/workflows/registry.yaml": wf}))
    assert ev.status is Status.WEAK
    assert "by hand" in ev.message
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/registry.yaml", 6)
