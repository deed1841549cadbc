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


def test_a_profiler_reached_through_torch_is_found(make_repo: Callable[..., Repo]) -> None:
    code = "import torch\n\nwith torch.profiler.profile(record_shapes=True) as prof:\n    pass\n"
    evidence = check("m13.profiling", make_repo({"src/p/train.py": code}))
    assert evidence.status is Status.FOUND and evidence.locations[0].line == 3


def test_an_unchanged_course_exercise_copy_is_weak(make_repo: Callable[..., Repo], monkeypatch) -> None:
    from verifier import templates

    code = "import cProfile\n\ncProfile.run('main()')\n"
    table = templates._table()
    entry = {"id": templates.git_blob_id(code.encode()), "file": "s4/exercise_files/profiler.py"}
    patched = {**table, "blobs": [*table["blobs"], {**entry, "template": "DM course exercise file"}]}
    monkeypatch.setattr(templates, "_table", lambda: patched)
    evidence = check("m13.profiling", make_repo({"exercises/profiler.py": code}))
    assert evidence.status is Status.WEAK and "s4/exercise_files/profiler.py" in evidence.message


def test_a_profiler_only_declared_as_a_dependency_is_weak(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({"requirements.txt": "torch\ntorch_tb_profiler\n", "src/p/train.py": "import torch\n"})
    evidence = check("m13.profiling", repo)
    assert evidence.status is Status.WEAK and "declared dependency" in evidence.message
    assert (evidence.locations[0].path, evidence.locations[0].line) == ("requirements.txt", 2)


def test_a_library_that_only_profiles_on_the_side_is_no_profiler_dependency(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo({"requirements.txt": "torch\ntensorboard\n", "src/p/train.py": "import torch\n"})
    assert check("m13.profiling", repo).status is Status.UNVERIFIABLE


def test_a_profiler_keyword_spelled_outside_ascii_is_still_found(make_repo: Callable[..., Repo]) -> None:
    # Python normalizes identifiers (NFKC): the full-width p (U+FF50) makes this the keyword `profiler`, though the
    # text lacks the word; the text pre-check must not pass such a file over.
    code = "import lightning as L\n\ntrainer = L.Trainer(max_epochs=1, \uff50rofiler='simple')\n"
    evidence = check("m13.profiling", make_repo({"src/digits/train.py": code}))
    assert evidence.status is Status.FOUND
    assert (evidence.locations[0].path, evidence.locations[0].line) == ("src/digits/train.py", 3)


def test_files_without_the_keyword_are_not_looked_at_call_by_call(
    make_repo: Callable[..., Repo], monkeypatch
) -> None:
    from verifier.checks import may_name

    files = {
        "src/digits/model.py": "import torch\n\nnet = torch.nn.Linear(2, 2)\n",
        "src/digits/train.py": "import lightning as L\n\ntrainer = L.Trainer(profiler='simple')\n",
        "src/digits/notebook.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
    }
    repo = make_repo(files)
    asked = [path for path in repo.python_files if may_name(repo, path, "profiler")]
    assert asked == ["src/digits/notebook.ipynb", "src/digits/train.py"]  # a notebook is always looked at
    assert check("m13.profiling", repo).locations[0].path == "src/digits/train.py"
