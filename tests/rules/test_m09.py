"""M9 CLI beyond the fixture table: the group's own typer/argparse/click, scripts and extra tasks."""

from __future__ import annotations

from collections.abc import Callable

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check

TEMPLATE_TASKS = "from invoke import task\n\n\n@task\ndef train(ctx):\n    ctx.run('python train.py')\n"


def test_argparse_in_a_script_is_found(make_repo: Callable[..., Repo]) -> None:
    code = "import argparse\n\nparser = argparse.ArgumentParser()\n"
    evidence = check("m09.cli", make_repo({"scripts/evaluate.py": code}))
    assert evidence.status is Status.FOUND
    assert (evidence.locations[0].path, evidence.locations[0].line) == ("scripts/evaluate.py", 3)


def test_extra_invoke_task_is_found_but_default_tasks_are_template(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m09.cli", make_repo({"tasks.py": TEMPLATE_TASKS}))
    assert evidence.status is Status.TEMPLATE
    extra = TEMPLATE_TASKS + "\n\n@task\ndef sweep(ctx):\n    ctx.run('wandb sweep configs/sweep.yaml')\n"
    evidence = check("m09.cli", make_repo({"tasks.py": extra}))
    assert evidence.status is Status.FOUND
    assert evidence.locations[0].path == "tasks.py" and evidence.locations[0].line == 10


def test_project_scripts_are_found(make_repo: Callable[..., Repo]) -> None:
    pyproject = '[project]\nname = "digits"\n\n[project.scripts]\ntrain = "digits.train:main"\n'
    evidence = check("m09.cli", make_repo({"pyproject.toml": pyproject}))
    assert evidence.status is Status.FOUND
    assert (evidence.locations[0].path, evidence.locations[0].line) == ("pyproject.toml", 4)


def test_nothing_is_absent_and_names_what_was_looked_for(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m09.cli", make_repo({"src/digits/model.py": "import torch\n"}))
    assert evidence.status is Status.ABSENT
    assert "typer/click/argparse in the code" in evidence.looked_for
