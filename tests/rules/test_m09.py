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


TEMPLATE_MAKEFILE = "create_environment:\n\tconda create -n p\n\nrequirements:\n\tpip install -r requirements.txt\n\nclean:\n\trm -rf build\n"


def test_makefile_targets_of_the_groups_own_are_found(make_repo: Callable[..., Repo]) -> None:
    makefile = TEMPLATE_MAKEFILE + "\ntrain: data\n\tpython src/p/train.py\n\n.PHONY: train\n"
    evidence = check("m09.cli", make_repo({"Makefile": makefile}))
    assert evidence.status is Status.FOUND
    assert (evidence.locations[0].path, evidence.locations[0].line) == ("Makefile", 10)


def test_a_makefile_with_only_template_targets_is_weak(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m09.cli", make_repo({"Makefile": TEMPLATE_MAKEFILE}))
    assert evidence.status is Status.WEAK


def test_justfile_recipes_script_tables_and_lightning_cli_are_found(make_repo: Callable[..., Repo]) -> None:
    just = check(
        "m09.cli", make_repo({"justfile": "train epochs='10':\n    uv run python train.py {{epochs}}\n"})
    )
    assert just.status is Status.FOUND and just.locations[0].path == "justfile"
    poetry = '[tool.poetry]\nname = "p"\n\n[tool.poetry.scripts]\ntrain = "p.train:main"\n'
    scripts = check("m09.cli", make_repo({"pyproject.toml": poetry}))
    assert scripts.status is Status.FOUND and scripts.locations[0].line == 4
    lightning = "from lightning.pytorch.cli import LightningCLI\n\n\ndef main():\n    LightningCLI(object)\n"
    cli = check("m09.cli", make_repo({"src/p/cli.py": lightning}))
    assert cli.status is Status.FOUND and cli.locations[0].line == 5


def test_ccds_v2_template_targets_and_makefile_variables_are_no_own_commands(
    make_repo: Callable[..., Repo],
) -> None:
    ccds = "requirements:\n\tpip install -r r.txt\n\nformat:\n\truff format\n\ntest:\n\tpytest\n\nsync_data_down:\n\tgsutil cp\n"
    assert check("m09.cli", make_repo({"Makefile": ccds})).status is Status.WEAK
    variable = "IMAGE     = europe-west1-docker.pkg.dev/p/r/app:latest\n\nrequirements:\n\tpip install x\n"
    assert check("m09.cli", make_repo({"Makefile": variable})).status is Status.WEAK
    spaced = "requirements:\n\tpip install x\n\ntrain :\n\tpython train.py\n"
    assert check("m09.cli", make_repo({"Makefile": spaced})).status is Status.FOUND
