"""M10 beyond the fixture table: Dockerfiles under any name and builds wired into automation."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check

DOCKERFILE = "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n"


def test_dockerfile_with_a_suffix_name_is_found(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m10.dockerfiles", make_repo({"docker/Dockerfile.api": DOCKERFILE}))
    assert evidence.status is Status.FOUND
    assert (evidence.locations[0].path, evidence.locations[0].line) == ("docker/Dockerfile.api", 1)


def test_file_without_from_is_not_a_dockerfile(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m10.dockerfiles", make_repo({"Dockerfile": "# todo\n"}))
    assert evidence.status is Status.ABSENT
    assert evidence.looked_for


def test_docker_compose_build_is_found(make_repo: Callable[..., Repo]) -> None:
    compose = "services:\n  api:\n    build:\n      context: .\n      dockerfile: Dockerfile\n"
    repo = make_repo({"Dockerfile": DOCKERFILE, "docker-compose.yml": compose})
    evidence = check("m10.docker-build", repo)
    assert evidence.status is Status.FOUND
    assert evidence.locations[0].path == "docker-compose.yml"


def test_build_without_any_dockerfile_is_absent(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m10.docker-build", make_repo({"src/a.py": "x = 1\n"}))
    assert evidence.status is Status.ABSENT
    assert evidence.looked_for


@pytest.mark.parametrize(
    "path",
    ["Dockerfile_train", "Dockerfile-api", "docker/api_dockerfile", "Containerfile", "dockerfiles/train"],
)
def test_other_dockerfile_spellings_with_a_from_are_found(make_repo: Callable[..., Repo], path: str) -> None:
    evidence = check("m10.dockerfiles", make_repo({path: DOCKERFILE}))
    assert evidence.status is Status.FOUND and evidence.locations[0].path == path


def test_a_build_of_an_underscore_dockerfile_is_found(make_repo: Callable[..., Repo]) -> None:
    makefile = "build:\n\tdocker build -f Dockerfile_train -t train .\n"
    evidence = check("m10.docker-build", make_repo({"Dockerfile_train": DOCKERFILE, "Makefile": makefile}))
    assert evidence.status is Status.FOUND and evidence.locations[0].path == "Makefile"


def test_notes_named_like_a_dockerfile_are_not_one(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m10.dockerfiles", make_repo({"docs/dockerfile-notes.md": "FROM python:3.11\n"}))
    assert evidence.status is Status.ABSENT


def test_a_cloud_build_file_of_any_name_building_the_image_is_found(make_repo: Callable[..., Repo]) -> None:
    build = "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: ['build', '-t', 'gcr.io/p/app', '.']\n"
    evidence = check("m10.docker-build", make_repo({"Dockerfile": DOCKERFILE, "build.yaml": build}))
    assert evidence.status is Status.FOUND and evidence.locations[0].path == "build.yaml"


def test_prose_starting_with_from_is_no_dockerfile(make_repo: Callable[..., Repo]) -> None:
    readme = "From this folder you build the images:\n\n    docker build -f dockerfiles/api .\n"
    assert check("m10.dockerfiles", make_repo({"dockerfiles/README": readme})).status is Status.ABSENT


TASKS = '''from invoke import Context, task

WINDOWS = False


@task
def train(ctx: Context) -> None:
    ctx.run("uv run src/digits/train.py --epochs 20", echo=True)


@task
def docker_build(ctx: Context, progress: str = "plain") -> None:
    """Build docker images."""
    ctx.run(
        f"docker build -t train:latest . -f dockerfiles/train.dockerfile --progress={progress}",
        echo=True,
        pty=not WINDOWS,
    )
'''


def test_the_template_docker_build_task_in_a_changed_tasks_file_is_template(make_repo) -> None:
    evidence = check(
        "m10.docker-build", make_repo({"dockerfiles/train.dockerfile": DOCKERFILE, "tasks.py": TASKS})
    )
    assert evidence.status is Status.TEMPLATE
    assert (evidence.locations[0].path, evidence.locations[0].line) == ("tasks.py", 15)


def test_a_docker_build_task_of_the_groups_own_is_found(make_repo) -> None:
    own = TASKS.replace(
        "-t train:latest . -f dockerfiles/train.dockerfile",
        "-t digits-trainer:v2 -f docker/trainer.dockerfile .",
    )
    evidence = check(
        "m10.docker-build", make_repo({"docker/trainer.dockerfile": DOCKERFILE, "tasks.py": own})
    )
    assert evidence.status is Status.FOUND and evidence.locations[0].line == 15
