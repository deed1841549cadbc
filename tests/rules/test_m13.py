"""M13 profiling beyond the fixture table: an explicit profiler=None is no profiling."""

from __future__ import annotations

from collections.abc import Callable

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check


def test_lightning_profiler_argument_is_found(make_repo: Callable[..., Repo]) -> None:
    code = "import lightning as L\n\ntrainer = L.Trainer(max_epochs=1, profiler='simple')\n"
    evidence = check("m13.profiling", make_repo({"src/digits/train.py": code}))
    assert evidence.status is Status.FOUND
    assert (evidence.locations[0].path, evidence.locations[0].line) == ("src/digits/train.py", 3)


def test_profiler_none_is_not_profiling(make_repo: Callable[..., Repo]) -> None:
    code = "import lightning as L\n\ntrainer = L.Trainer(max_epochs=1, profiler=None)\n"
    evidence = check("m13.profiling", make_repo({"src/digits/train.py": code}))
    assert evidence.status is Status.UNVERIFIABLE
    assert evidence.looked_for


def test_cprofile_command_in_a_task_is_found(make_repo: Callable[..., Repo]) -> None:
    tasks = "from invoke import task\n\n\n@task\ndef profile(c):\n    c.run('python -m cProfile -o out.prof src/digits/train.py')\n"
    evidence = check("m13.profiling", make_repo({"tasks.py": tasks}))
    assert evidence.status is Status.FOUND
    assert evidence.locations[0].path == "tasks.py" and evidence.locations[0].line == 6
