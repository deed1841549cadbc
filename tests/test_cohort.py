"""`verify_many` and its parts: the deadline (parsing, the commit by committer date along first parents,
commits after it, author/committer disagreement), the clone cache (clone once, then `git fetch`), the
results database (a re-run verifies only what changed, resumes after a stop, stores exactly), and one
failure never stopping the run."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cohort_repos import bare_copy, commit_change, make_project, push, remove_file, run_git

import verifier
from verifier import cohort
from verifier.cache import CloneCache, commit_at, parse_log
from verifier.cohort import DeadlineError, Progress, parse_deadline, verify_many
from verifier.db import ResultsDB, entry_from_row, entry_to_row, rules_version
from verifier.groups import Target
from verifier.render import render_json, render_markdown, render_text

from conftest import TableUnreadable, write_tree

DEADLINE = "2026-01-23 23:59 Europe/Copenhagen"
BEFORE = "2026-01-20T10:00:00+01:00"
AFTER = "2026-01-25T10:00:00+01:00"


def docker_verdict(result: verifier.Verification) -> str:
    item = next(item for item in result.items if item.item.text.startswith("Construct one"))
    return str(item.verdict)


def run(sources: list[str | Target], tmp_path: Path, **options: object) -> list[cohort.CohortResult]:
    options.setdefault("jobs", 2)
    options.setdefault("cache", tmp_path / "cache")
    results = list(verify_many(sources, **options))  # type: ignore[arg-type]
    return sorted(results, key=lambda graded: graded.index)


# ----------------------------------------------------------------- the deadline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-23 23:59 Europe/Copenhagen", datetime(2026, 1, 23, 22, 59, tzinfo=timezone.utc)),
        ("2026-07-01 12:00 Europe/Copenhagen", datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)),  # summer
        ("2026-01-23 23:59 UTC", datetime(2026, 1, 23, 23, 59, tzinfo=timezone.utc)),
        ("2026-01-23T23:59+01:00", datetime(2026, 1, 23, 22, 59, tzinfo=timezone.utc)),
        ("2026-01-23T23:59:00Z", datetime(2026, 1, 23, 23, 59, tzinfo=timezone.utc)),
    ],
)
def test_a_deadline_is_read_with_its_time_zone(text: str, expected: datetime) -> None:
    assert parse_deadline(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-01-23 23:59", "no time zone"),
        ("2026-01-23 23:59 Mars/Olympus", "unknown time zone"),
        ("tomorrow", "cannot read the deadline"),
        ("2026-01-23T23:59+01:00 Europe/Copenhagen", "both an offset and a time zone"),
    ],
)
def test_a_deadline_without_a_usable_zone_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(DeadlineError, match=reason):
        parse_deadline(text)


def log(*commits: tuple[str, int, int, str]) -> bytes:
    return "".join(
        f"{sha} {authored} {committed} {parents}\n" for sha, authored, committed, parents in commits
    ).encode()


def test_the_commit_is_the_last_at_or_before_the_deadline_by_committer_date() -> None:
    deadline = datetime(2026, 1, 23, 23, 59, tzinfo=timezone.utc)
    limit = int(deadline.timestamp())
    commits = parse_log(
        log(("c3", limit + 60, limit + 60, "c2"), ("c2", limit, limit, "c1"), ("c1", 1, 1, ""))
    )
    picked = commit_at(commits, deadline, "main")
    assert (picked.sha, picked.after, picked.warnings) == ("c2", 1, ())  # at the deadline itself counts
    assert commit_at(commits, None, "main").sha == "c3"


def test_a_branch_merged_after_the_deadline_is_not_verified_though_its_commits_are_older() -> None:
    deadline = datetime(2026, 1, 23, tzinfo=timezone.utc)
    limit = int(deadline.timestamp())
    # main: m1 <- merge (after the deadline) whose second parent f1 was committed before it
    commits = parse_log(
        log(
            ("merge", limit + 10, limit + 10, "m1 f1"), ("f1", limit - 50, limit - 50, "m1"), ("m1", 1, 1, "")
        )
    )
    picked = commit_at(commits, deadline, "main")
    assert picked.sha == "m1"
    assert picked.after == 2  # the merge and the feature commit came to main after it
    assert "authored before the deadline was committed after it" not in " ".join(picked.warnings)


def test_author_and_committer_dates_across_the_deadline_are_warned_about() -> None:
    deadline = datetime(2026, 1, 23, tzinfo=timezone.utc)
    limit = int(deadline.timestamp())
    commits = parse_log(
        log(
            (
                "rebased",
                limit - 3600,
                limit + 3600,
                "backdated",
            ),  # authored before, committed after: a rebase
            ("backdated", limit + 7200, limit - 10, "base"),  # authored after, committed before: set by hand
            ("base", 1, 1, ""),
        )
    )
    picked = commit_at(commits, deadline, "main")
    assert picked.sha == "backdated"
    rebase, by_hand = picked.warnings
    assert "1 commit authored before the deadline was committed after it (rebased)" in rebase
    assert "a rebase or amend" in rebase
    assert "1 commit authored after the deadline has a committer date at or before it (backdated)" in by_hand


def test_no_commit_before_the_deadline_is_a_failure_with_the_reason() -> None:
    deadline = datetime(2026, 1, 23, tzinfo=timezone.utc)
    commits = parse_log(log(("late", 1, int(deadline.timestamp()) + 1, "")))
    with pytest.raises(cohort.SnapshotError, match="nothing was handed in by then"):
        commit_at(commits, deadline, "main")


def test_a_remote_is_verified_as_of_the_deadline_and_names_the_commits_after_it(tmp_path: Path) -> None:
    work = make_project(tmp_path / "work", when=BEFORE)
    at_deadline = run_git(work, "rev-parse", "HEAD")
    remove_file(work, "Dockerfile", when=AFTER)
    commit_change(work, {"notes.txt": "late\n"}, when=AFTER)
    url = bare_copy(work, tmp_path / "remote.git")
    with_deadline, without = run([url], tmp_path, deadline=DEADLINE)[0], run([url], tmp_path)[0]
    assert with_deadline.commit == at_deadline and with_deadline.entry.commit == at_deadline
    assert with_deadline.commits_after == 2 and with_deadline.branch == "main"
    assert docker_verdict(with_deadline.entry) == "confirmed"  # the Dockerfile was there at the deadline
    assert with_deadline.entry.warnings[0].startswith(
        "verified as of the deadline 2026-01-23 23:59 Europe/Copenhagen"
    )
    assert "2 commits came after it" in with_deadline.entry.warnings[0]
    assert without.commits_after is None and docker_verdict(without.entry) == "unsupported"


def test_a_local_folder_verified_as_of_the_deadline_is_never_written_to(tmp_path: Path) -> None:
    work = make_project(tmp_path / "work", when=BEFORE)
    remove_file(work, "Dockerfile", when=AFTER)
    head = run_git(work, "rev-parse", "HEAD")
    before = {path: path.stat().st_mtime_ns for path in work.rglob("*")}
    (graded,) = run([str(work)], tmp_path, deadline=DEADLINE)
    assert docker_verdict(graded.entry) == "confirmed" and graded.commits_after == 1
    assert run_git(work, "rev-parse", "HEAD") == head
    assert {path: path.stat().st_mtime_ns for path in work.rglob("*")} == before
    assert not (work / "Dockerfile").exists()


def test_a_group_that_handed_in_nothing_before_the_deadline_fails_alone(tmp_path: Path) -> None:
    late = make_project(tmp_path / "late", when=AFTER)
    early = make_project(tmp_path / "early", when=BEFORE)
    late_result, early_result = run([str(late), str(early)], tmp_path, deadline=DEADLINE)
    assert "no commit on main at or before the deadline" in (late_result.error or "")
    assert early_result.ok and early_result.commits_after == 0


def test_a_rebase_after_the_deadline_is_warned_about(tmp_path: Path) -> None:
    work = make_project(tmp_path / "work", when=BEFORE)
    commit_change(work, {"more.py": "x = 1\n"}, when=AFTER, authored=BEFORE)
    (graded,) = run([str(work)], tmp_path, deadline=DEADLINE)
    assert graded.commits_after == 1
    assert any("a rebase or amend after the deadline" in w for w in graded.deadline_warnings)
    assert any("a rebase or amend after the deadline" in w for w in graded.entry.warnings)


# ----------------------------------------------------------------- the clone cache


def test_a_clone_is_kept_and_updated_with_fetch_not_cloned_again(tmp_path: Path) -> None:
    work = make_project(tmp_path / "work", docker=False, when=BEFORE)
    bare = tmp_path / "remote.git"
    url = bare_copy(work, bare)
    (first,) = run([url], tmp_path)
    entry = CloneCache(tmp_path / "cache").path_for(url)
    marker = entry / ".git" / "kept-by-the-test"
    marker.write_text("this file goes if the entry is cloned again\n")
    new_commit = commit_change(work, {"Dockerfile": "FROM python:3.12\n"}, when=BEFORE)
    push(work, bare)
    (second,) = run([url], tmp_path)
    assert marker.exists()
    assert (first.commit != second.commit) and second.commit == new_commit
    assert docker_verdict(first.entry) == "unsupported" and docker_verdict(second.entry) == "confirmed"


def test_a_cache_entry_is_named_without_the_urls_credentials(tmp_path: Path) -> None:
    cache = CloneCache(tmp_path)
    path = cache.path_for("https://student:ghp_secret123@github.com/org/group-7.git")
    assert "ghp_secret123" not in str(path) and "student" not in path.name
    assert path.name.startswith("org-group-7-")
    assert path != cache.path_for("https://github.com/org/group-7.git")


def test_a_cache_entry_of_another_url_is_replaced(tmp_path: Path) -> None:
    first = bare_copy(make_project(tmp_path / "a", docker=False, when=BEFORE), tmp_path / "a.git")
    second = bare_copy(make_project(tmp_path / "b", when=BEFORE), tmp_path / "b.git")
    cache = CloneCache(tmp_path / "cache")
    repository = cache.update(first)
    # an entry whose remote is not the URL (a hash collision, a hand edit) is not trusted: cloned anew
    run_git(repository.root, "config", "remote.origin.url", second)
    assert cache.update(first).root == repository.root
    assert run_git(repository.root, "config", "--get", "remote.origin.url") == first


def test_a_failed_clone_names_the_reason_and_the_others_go_on(tmp_path: Path) -> None:
    good = bare_copy(make_project(tmp_path / "good", when=BEFORE), tmp_path / "good.git")
    missing = (tmp_path / "missing.git").as_uri()
    failed, verified = run([missing, good], tmp_path)
    assert failed.error is not None and failed.error.startswith(f"git clone of {missing} failed")
    assert verified.ok and docker_verdict(verified.entry) == "confirmed"


# ----------------------------------------------------------------- the results database


def test_a_re_run_reads_every_unchanged_result_from_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = [str(make_project(tmp_path / f"g{n}", docker=n % 2 == 0, when=BEFORE)) for n in range(3)]
    url = bare_copy(make_project(tmp_path / "remote", when=BEFORE), tmp_path / "remote.git")
    database = tmp_path / "results.sqlite"
    first = run([*folders, url], tmp_path, db=database)
    assert [graded.cached for graded in first] == [False] * 4
    verified_again: list[object] = []
    original = cohort.run_many

    def counting(function: object, targets: list[object], **options: object) -> object:
        verified_again.extend(targets)
        return original(function, targets, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(cohort, "run_many", counting)
    second = run([*folders, url], tmp_path, db=database)
    assert [graded.cached for graded in second] == [True] * 4 and verified_again == []
    assert [render_json(graded.entry) for graded in second] == [render_json(graded.entry) for graded in first]
    # a file the verification reads changes in one folder, not committed yet: only that folder is verified again
    report = Path(folders[1]) / "reports" / "README.md"
    report.write_text(report.read_text().replace("* [x] Construct", "* [ ] Construct"))
    third = run([*folders, url], tmp_path, db=database)
    assert [graded.cached for graded in third] == [True, False, True, True]
    assert docker_verdict(first[1].entry) == "unsupported" and docker_verdict(third[1].entry) == "consistent"
    # a file not committed and so not verified changes nothing
    write_tree(Path(folders[2]), {"scratch.txt": "notes\n"})
    assert run([*folders, url], tmp_path, db=database)[2].cached
    # other options are another result
    fourth = run([*folders, url], tmp_path, db=database, ignore=["M12"])
    assert not any(graded.cached for graded in fourth)


def test_a_stopped_run_resumes_with_what_it_had_stored(tmp_path: Path) -> None:
    folders = [str(make_project(tmp_path / f"g{n}", when=BEFORE)) for n in range(4)]
    database = tmp_path / "results.sqlite"
    runs = verify_many(folders, jobs=1, db=database, cache=tmp_path / "cache")
    done = [next(runs), next(runs)]
    runs.close()  # what Ctrl-C does to the generator: the workers are stopped, the rows stay
    assert all(not graded.cached for graded in done)
    again = run(folders, tmp_path, db=database)
    assert sorted(graded.index for graded in again if graded.cached) == sorted(
        graded.index for graded in done
    )
    assert sum(not graded.cached for graded in again) == 2


def test_a_missing_report_is_stored_and_a_timeout_is_tried_again(tmp_path: Path) -> None:
    no_report = tmp_path / "no-report"
    write_tree(no_report, {"src/app.py": "x = 1\n"})
    run_git(no_report, "init", "-q", "-b", "main")
    run_git(no_report, "add", "-A")
    run_git(no_report, "commit", "-q", "-m", "code only", when=BEFORE)
    database = tmp_path / "results.sqlite"
    first, second = run([str(no_report)], tmp_path, db=database), run([str(no_report)], tmp_path, db=database)
    assert first[0].error and "report" in first[0].error and not first[0].cached
    assert second[0].cached and second[0].error == first[0].error
    slow = make_project(tmp_path / "slow", when=BEFORE)
    timed_out = run([str(slow)], tmp_path, db=tmp_path / "t.sqlite", timeout=0.001)
    assert timed_out[0].error and "over its time budget" in timed_out[0].error
    assert ResultsDB(tmp_path / "t.sqlite").count() == 0


REPORT_WITH_MARKS = """# Exam

## Overall project checklist

### Week 1

* [x] Create a git repository (M5)
* [/] Construct one or multiple docker files for your code (M10)
* [x] Use profiling to optimize your code (M12) (An attempt was made but it failed)
"""


def test_a_stored_result_renders_exactly_like_the_verified_one(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", when=BEFORE)
    write_tree(project, {"reports/README.md": REPORT_WITH_MARKS})
    result = verifier.verify(project)
    assert any(item.item.partial for item in result.items) and any(
        item.item.withdrawn for item in result.items
    )
    stored = entry_from_row(json.loads(json.dumps(entry_to_row(result))))
    assert isinstance(stored, verifier.Verification)
    for render in (render_json, render_markdown, lambda e: render_text(e, verbose=True)):
        assert render(stored) == render(result)


def test_the_rules_version_changes_with_a_rule_modules_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "cohort_test_rule.py"
    module.write_text("from verifier.rule import Rule\n\nclass Probe(Rule):\n    id = 'x.probe'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    loaded = importlib.import_module("cohort_test_rule")
    monkeypatch.setattr("verifier.db.all_rules", lambda: [loaded.Probe])
    version = rules_version.__wrapped__()
    assert version == rules_version.__wrapped__()
    module.write_text(module.read_text() + "    title = 'changed'\n")
    importlib.reload(loaded)
    assert rules_version.__wrapped__() != version
    assert len(version) == 16


# ----------------------------------------------------------------- the run as a whole


def test_results_are_yielded_as_they_finish_and_each_has_its_place(tmp_path: Path) -> None:
    folders = [str(make_project(tmp_path / f"g{n}", when=BEFORE)) for n in range(3)]
    sources: list[str | Target] = [
        *folders,
        str(tmp_path / "nowhere"),
        Target("", "9", ("s1",), "no repository given"),
    ]
    seen: list[str] = []
    results = list(
        verify_many(sources, jobs=2, cache=tmp_path / "cache", progress=lambda p: seen.append(p.line()))
    )
    assert sorted(graded.index for graded in results) == [0, 1, 2, 3, 4]
    by_index = {graded.index: graded for graded in results}
    assert by_index[3].error == f"{tmp_path / 'nowhere'}: not a directory"
    assert by_index[4].error == "no repository given" and by_index[4].group == "9"
    assert all(by_index[n].ok for n in range(3))
    assert seen[0].startswith("[0/5] done 0 · failed 0 · cached 0") and seen[-1].startswith(
        "[5/5] done 3 · failed 2"
    )


def test_two_groups_with_one_repository_are_verified_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = str(make_project(tmp_path / "shared", when=BEFORE))
    verified: list[object] = []
    original = cohort.run_many

    def counting(function: object, targets: list[object], **options: object) -> object:
        verified.extend(targets)
        return original(function, targets, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(cohort, "run_many", counting)
    first, second = run([Target(folder, "1"), Target(folder, "2")], tmp_path)
    assert len(verified) == 1
    assert first.ok and second.ok and first.entry is not second.entry
    assert render_json(first.entry) == render_json(second.entry)


def test_the_progress_line_counts_and_estimates() -> None:
    progress = Progress(10)
    progress.started -= 30
    assert progress.line() == "[0/10] done 0 · failed 0 · cached 0 · resolving · 30s elapsed"
    progress.verifying_since = progress.started + 10
    for ok in (True, True, False):
        entry = verifier.Failure("x", "e") if not ok else object.__new__(verifier.Verification)
        progress.count(cohort.CohortResult(Target("x"), 0, entry))  # type: ignore[arg-type]
    assert progress.line().startswith("[3/10] done 2 · failed 1 · cached 0 · ETA ")
    eta = progress.eta()
    assert eta is not None and abs(eta - 20 / 3 * 7) < 2


def test_the_default_jobs_are_the_cores_this_process_may_use() -> None:
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert cohort.default_jobs() == expected


def test_a_deadline_in_the_future_verifies_the_tip(tmp_path: Path) -> None:
    work = make_project(tmp_path / "work", when=BEFORE)
    future = datetime.now(timezone.utc) + timedelta(days=3650)
    (graded,) = run([str(work)], tmp_path, deadline=future)
    assert graded.commit == run_git(work, "rev-parse", "HEAD") and graded.commits_after == 0


def test_the_database_keeps_no_credential_of_a_url(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", when=BEFORE)
    result = verifier.verify(project)
    source = "https://student:ghp_token123@github.com/org/repo.git"
    result.repo = source
    result.warnings.append(f"the remote {source} is private")
    with ResultsDB(tmp_path / "r.sqlite") as database:
        database.put(source, "abc", "{}", result, 1.0)
        stored = database.get(source, "abc", "{}")
        assert stored is not None and stored.entry.repo == "https://***@github.com/org/repo.git"
        assert database.get("https://github.com/org/repo.git", "abc", "{}") is None  # another source
    raw = (tmp_path / "r.sqlite").read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("r.sqlite-*"))
    assert b"ghp_token123" not in raw and b"github.com/org/repo.git" in raw


@pytest.mark.parametrize("warmed", [True, False])
def test_the_workers_inherit_the_template_table_the_warm_up_loaded(
    warmed: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warm-up reads the table before the workers are forked; a worker that read it again would fail
    here. Without the warm-up's read (the control) each worker needs the table and fails."""
    from verifier import templates, warmup

    if cohort.start_method() != "fork":
        pytest.skip("the workers inherit the parent's state only when they are forked")
    folders = [str(make_project(tmp_path / f"g{n}", when=BEFORE)) for n in range(2)]
    templates._table.cache_clear()
    monkeypatch.setattr(warmup, "_warm", not warmed)  # an earlier test may have warmed this process up
    original = templates.prepare

    def prepare_then_forbid_reading() -> None:
        original()
        monkeypatch.setattr(templates, "resources", TableUnreadable)

    monkeypatch.setattr(templates, "prepare", prepare_then_forbid_reading)
    if not warmed:
        monkeypatch.setattr(templates, "resources", TableUnreadable)
    errors = [getattr(result.entry, "error", None) for result in run(folders, tmp_path)]
    if warmed:
        assert errors == [None, None]
    else:
        assert all(error and "the fingerprint table was read again" in error for error in errors)
