"""M8 DVC beyond the fixture table: a path that merely contains ".dvc" is not DVC."""

from __future__ import annotations

from collections.abc import Callable

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check

DVC_FILE = "outs:\n- md5: 0123456789abcdef0123456789abcdef.dir\n  path: data\n"


def test_dvc_pipeline_file_is_found(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {"dvc.yaml": "stages:\n  prepare:\n    cmd: python prepare.py\n", ".dvc/config": "[core]\n"}
    )
    evidence = check("m08.dvc", repo)
    assert evidence.status is Status.FOUND
    assert evidence.locations[0].path == "dvc.yaml"


def test_nested_dvc_file_is_found(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m08.dvc", make_repo({"data/raw.dvc": DVC_FILE}))
    assert evidence.status is Status.FOUND
    assert (evidence.locations[0].path, evidence.locations[0].line) == ("data/raw.dvc", 1)


def test_dvc_named_only_in_a_file_name_is_absent(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m08.dvc", make_repo({"notes/my.dvc.notes.md": "dvc\n", "src/a.py": "x = 1\n"}))
    assert evidence.status is Status.ABSENT
    assert "*.dvc files" in evidence.looked_for


def test_dvc_dependency_only_is_weak(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m08.dvc", make_repo({"requirements.txt": "dvc[gs]\n"}))
    assert evidence.status is Status.WEAK
    assert evidence.locations[0].path == "requirements.txt"
