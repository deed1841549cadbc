"""The typed Python API: `verifier.verify` on a directory or a URL, verdicts as the `Verdict` enum, exported
result types, and the PEP 561 marker."""

from __future__ import annotations

import importlib.resources
import json
import pickle
import shutil
import typing
from pathlib import Path

import pytest
import yaml

import verifier
from verifier import AnswerFinding, ItemResult, RemoteError, Verdict, Verification
from verifier.engine import VERDICTS
from verifier.overrides import Override, apply_overrides

from conftest import FIXTURES, git, git_init

EXAMPLE = FIXTURES / "example-project"


def test_every_public_name_is_exported_and_the_package_is_typed() -> None:
    for name in verifier.__all__:
        assert getattr(verifier, name) is not None
    assert importlib.resources.files("verifier").joinpath("py.typed").is_file()
    hints = typing.get_type_hints(ItemResult)
    assert hints["verdict"] is Verdict and hints["automatic_verdict"] == Verdict | None
    assert typing.get_type_hints(Verification)["answers"] == list[AnswerFinding]


def test_verdicts_are_an_enum_that_is_also_the_json_string() -> None:
    assert tuple(v.value for v in Verdict) == VERDICTS
    assert Verdict.UNSUPPORTED == "unsupported" and f"{Verdict.WEAKLY_SUPPORTED}" == "weakly-supported"
    assert {"template-only": 1}[Verdict.TEMPLATE_ONLY] == 1  # hashes as its string
    result = verifier.verify(EXAMPLE)
    assert all(type(item.verdict) is Verdict for item in result.items)
    assert [item.rule for item in result.items if item.verdict is Verdict.UNSUPPORTED] == ["m24.load-test"]
    data = result.to_dict()
    assert all(type(item["verdict"]) is str for item in data["items"])  # plain strings: any serializer works
    assert yaml.safe_load(yaml.safe_dump(data))["items"][0]["verdict"] == data["items"][0]["verdict"]
    assert all(isinstance(answer, AnswerFinding) for answer in result.answers)
    copy = pickle.loads(pickle.dumps(result))
    assert [item.verdict for item in copy.items] == [item.verdict for item in result.items]


def test_an_overridden_verdict_is_a_verdict_too() -> None:
    result = verifier.verify(EXAMPLE)
    apply_overrides(result, [Override("m24.load-test", "confirmed", "seen in the demo")])
    item = result.item("m24.load-test")
    assert item is not None and item.verdict is Verdict.CONFIRMED
    assert item.automatic_verdict is Verdict.UNSUPPORTED
    data = next(entry for entry in result.to_dict()["items"] if entry["rule"] == "m24.load-test")
    assert (data["verdict"], data["automatic_verdict"]) == ("confirmed", "unsupported")
    with pytest.raises(ValueError, match="'approved' is not a valid Verdict"):
        item.verdict = "approved"  # type: ignore[assignment]


@pytest.fixture
def remote(tmp_path: Path) -> tuple[str, str, str]:
    """A git repository reachable by a file:// URL, with two commits: (url, first commit, second commit)."""
    origin = shutil.copytree(EXAMPLE, tmp_path / "origin")
    git_init(origin, "first")
    first = git(origin, "rev-parse", "HEAD").strip()
    (origin / "Dockerfile").write_text("FROM python:3.12-slim\n", encoding="utf-8")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "second")
    return origin.as_uri(), first, git(origin, "rev-parse", "HEAD").strip()


def test_verify_clones_a_url_like_the_command_line(remote: tuple[str, str, str], tmp_path: Path) -> None:
    url, first, second = remote
    result = verifier.verify(url)
    assert result.repo == url and result.commit == second
    assert result.counts == verifier.verify(Path(url.removeprefix("file://"))).counts
    older = verifier.verify(url, ref=first)
    assert older.commit == first


def test_a_refused_url_or_a_ref_for_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RemoteError, match="refusing a git transport helper URL"):
        verifier.verify("ext::sh -c touch% /tmp/pwned")
    with pytest.raises(RemoteError, match=r"git clone of file://.* failed"):
        verifier.verify((tmp_path / "nothing").as_uri())
    with pytest.raises(ValueError, match="ref works with git URLs only"):
        verifier.verify(EXAMPLE, ref="main")


def test_ignore_takes_reasons_and_select_leaves_the_rest_skipped_with_why() -> None:
    result = verifier.verify(EXAMPLE, select=["M10", "M24"], ignore={"m24.load-test": "done in the demo"})
    load = result.item("m24.load-test")
    hydra = result.item("m11.hydra")
    docker = result.item("m10.dockerfiles")
    assert load is not None and load.verdict is Verdict.SKIPPED
    assert load.skip_reason == "ignored (m24.load-test): done in the demo"
    assert load.message == "skipped: ignored (m24.load-test): done in the demo"
    assert hydra is not None and hydra.skip_reason == "not selected (select: M10, M24)"
    assert docker is not None and docker.verdict is Verdict.CONFIRMED
    assert "skip_reason" not in docker.to_dict()
    listed = verifier.verify(EXAMPLE, ignore=["M24"]).item("m24.load-test")
    assert listed is not None and listed.skip_reason == "ignored (M24)"


def test_a_folder_not_in_git_gives_the_same_result_from_the_api_as_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from verifier.cli import main

    group = git_init(shutil.copytree(EXAMPLE, tmp_path / "group"))
    assert main([str(group), "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(verifier.verify(group).to_dict()))
