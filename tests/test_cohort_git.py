"""The git a cohort run adds, as hostile input sees it: a private copy of a local repository made for an
older commit runs no program of the group's config and leaves the group's folder as it was; a kept clone
is updated with `git fetch`; outcomes can come as they finish."""

from __future__ import annotations

import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from cohort_repos import bare_copy, run_git
from test_hostile_git import build_every_program_key, group, marker_of, program

from verifier import gitsafe
from verifier.batch import run_many
from verifier.cache import CloneCache, Snapshot, prepared, resolve
from verifier.remote import RemoteError

FUTURE = datetime(2100, 1, 1, tzinfo=timezone.utc)


def test_a_private_copy_at_a_deadline_runs_no_program_of_the_groups_config(tmp_path: Path) -> None:
    script = program(tmp_path)
    root = group(tmp_path / "group", {".gitattributes": "* filter=evil diff=evil\n"})
    hooks = root / ".git" / "evil-hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "reference-transaction", "post-index-change", "fsmonitor-watchman"):
        shutil.copy(script, hooks / hook)
    for key in (
        "filter.evil.smudge",
        "filter.evil.clean",
        "filter.evil.process",
        "core.fsmonitor",
        "core.pager",
    ):
        run_git(root, "config", key, str(script))
    run_git(root, "config", "core.hooksPath", str(hooks))
    run_git(root, "config", "filter.evil.required", "true")
    snapshot = resolve(str(root), deadline=FUTURE)
    assert snapshot.kind == "copy" and snapshot.commit == run_git(root, "rev-parse", "HEAD")
    listing_before = {path: path.stat().st_mtime_ns for path in root.rglob("*")}
    with prepared(snapshot) as copy:
        assert copy != root and (copy / "reports" / "README.md").is_file()
        assert run_git(copy, "rev-parse", "HEAD") == snapshot.commit
        assert (
            run_git(
                copy, "config", "--get-regexp", "^(filter|core\\.fsmonitor|core\\.hookspath)", check=False
            )
            == ""
        )
    assert not copy.exists()
    assert not marker_of(tmp_path).exists()
    assert {path: path.stat().st_mtime_ns for path in root.rglob("*")} == listing_before


def test_a_damaged_repository_with_every_program_key_runs_nothing_when_copied(tmp_path: Path) -> None:
    root = build_every_program_key(tmp_path)
    snapshot = resolve(str(root), deadline=FUTURE)
    try:
        with prepared(snapshot):
            pass
    except RemoteError as error:  # its HEAD tree is missing: the checkout may fail, with git's reason
        assert "checking out" in str(error)
    assert not marker_of(tmp_path).exists()


def test_a_cache_entry_is_checked_out_without_the_groups_filters(tmp_path: Path) -> None:
    script = program(tmp_path)
    root = group(tmp_path / "group", {".gitattributes": "* filter=evil diff=evil\n"})
    bare = tmp_path / "remote.git"
    url = bare_copy(root, bare)
    for key in ("filter.evil.smudge", "filter.evil.process", "core.fsmonitor", "core.hooksPath"):
        run_git(bare, "config", key, str(script))  # the server's config never reaches a clone
    snapshot = resolve(url, cache=CloneCache(tmp_path / "cache"))
    with prepared(snapshot) as entry:
        assert (entry / ".gitattributes").is_file()
        assert run_git(entry, "rev-parse", "HEAD") == snapshot.commit
        assert run_git(entry, "branch", "--show-current") == "main"
    assert not marker_of(tmp_path).exists()


def test_fetch_updates_a_kept_clone(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    run_git(work, "init", "-q", "-b", "main")
    run_git(work, "commit", "-q", "--allow-empty", "-m", "one")
    bare = tmp_path / "remote.git"
    url = bare_copy(work, bare)
    cache = CloneCache(tmp_path / "cache")
    repository = cache.update(url)
    run_git(work, "commit", "-q", "--allow-empty", "-m", "two")
    run_git(work, "push", "-q", str(bare), "HEAD:main")
    gitsafe.fetch(repository, timeout=30)
    assert run_git(repository.root, "rev-parse", "origin/main") == run_git(work, "rev-parse", "HEAD")


def test_a_folder_is_verified_where_it_is_when_no_deadline_applies(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    snapshot = resolve(str(plain))
    assert snapshot == Snapshot(str(plain), "folder", plain, None)
    with prepared(snapshot) as folder:
        assert folder == plain


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_outcomes_can_come_as_they_finish_with_their_place() -> None:
    outcomes = list(run_many(nap, [0.6, 0.05, 0.3], jobs=3, ordered=False))
    assert [outcome.value for outcome in outcomes] == [0.05, 0.3, 0.6]
    assert [outcome.index for outcome in outcomes] == [1, 2, 0]
    ordered = list(run_many(nap, [0.2, 0.05], jobs=2))
    assert [(outcome.index, outcome.value) for outcome in ordered] == [(0, 0.2), (1, 0.05)]
