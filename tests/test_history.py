"""Git history through GitPython: commits, authors, merges, per-file counts, template hints."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

import verifier.history as history
from verifier.repo import Repo

from conftest import git, git_init


def build(root: Path) -> Path:
    root.mkdir()
    (root / "README.md").write_text("# p\n")
    (root / "train.py").write_text("print(1)\n")
    git_init(root, "initial commit")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "train.py").write_text("print(2)\n")
    git(root, "commit", "-qam", "change train", author=("ada student", "ADA@example.org"))
    git(root, "checkout", "-q", "main")
    (root / "data.py").write_text("x = 1\n")
    git(root, "add", "data.py")
    git(root, "commit", "-qm", "data", author=("Bo Li", "bo@example.org"))
    git(root, "merge", "-q", "--no-ff", "feature", "-m", "Merge branch 'feature'")
    return root


def test_commits_authors_merges_and_files(tmp_path: Path) -> None:
    history = Repo(build(tmp_path / "r")).history
    assert history.available and history.branch == "main" and not history.shallow
    assert len(history.commits) == 4
    assert [c.subject for c in history.merges] == ["Merge branch 'feature'"]
    assert history.merged_branches() == ["feature"]
    authors = {a.names[0]: a for a in history.authors()}
    assert set(authors) == {"Ada Student", "Bo Li"}
    assert authors["Ada Student"].commits == 3
    # merged once per verification: a second question gets the same list, with or without the bots
    assert history.authors() is history.authors() and history.authors(include_bots=True) == history.authors()
    assert history.authors() == history._merged_authors(False)
    counts = history.file_commit_counts()
    assert counts["train.py"] == 2 and counts["README.md"] == 1
    assert history.last_commit("train.py").subject == "change train"
    assert history.untouched_since_first_commit() == {"README.md"}


def test_shallow_clone_and_no_git(tmp_path: Path) -> None:
    origin = build(tmp_path / "origin")
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", "shallow")
    shallow = Repo(tmp_path / "shallow").history
    assert shallow.available and shallow.shallow and len(shallow.commits) == 1
    assert shallow.untouched_since_first_commit() == set()
    plain = tmp_path / "plain"
    shutil.copytree(origin, plain, ignore=shutil.ignore_patterns(".git"))
    none = Repo(plain).history
    assert not none.available and none.commits == [] and none.reason
    assert shallow.head == shallow.commits[0].sha
    assert shallow.remotes == {"origin": f"file://{origin}"}
    assert "main" in shallow.branches and "origin/main" in shallow.branches


def test_head_branches_and_a_repository_without_commits(tmp_path: Path) -> None:
    root = build(tmp_path / "r")
    history = Repo(root).history
    assert history.head == git(root, "rev-parse", "HEAD").strip()
    assert sorted(history.branches) == ["feature", "main"] and history.remotes == {}
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q", "-b", "main")
    nothing = Repo(empty).history
    assert nothing.available and nothing.commits == [] and nothing.head is None
    assert nothing.reason == "the repository has no commits"


def test_a_failing_history_read_is_a_reason_but_running_out_of_memory_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = build(tmp_path / "repo")

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("a bug")

    monkeypatch.setattr(history, "read_history", broken)
    repo = Repo(root)
    assert repo.history.unreadable and "a bug" in (repo.history.reason or "")
    assert any(w.startswith("git history not read") for w in repo.warnings)

    def starved(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise MemoryError

    monkeypatch.setattr(history, "read_history", starved)
    with pytest.raises(MemoryError):
        Repo(root).history  # noqa: B018


def _commit(number: int, author: str, email: str) -> history.Commit:
    return history.Commit(f"{number:040x}", (), author, email, "2026-01-01T00:00:00+00:00", f"c{number}")


def test_each_identity_is_judged_once_and_authors_merge_as_every_commit_would() -> None:
    """Hundreds of commits by a few identities: each (author, e-mail) pair is judged once, and the merged
    authors (names, e-mails, counts, order of ties) are those of judging every commit."""
    identities = [
        ("Lin Zhu", "lin@example.org"),
        ("linzhu", "lin@example.org"),
        ("Bo Li", "bo@example.org"),
        ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
        ("Ada", "ada@example.org"),
        ("Ada", "ada@students.example.org"),
        ("", ""),
        ("Cy", "cy@example.org"),
    ]
    commits = [_commit(n, *identities[n % len(identities)]) for n in range(400)]
    commits += [_commit(401, "Cy", "cy@example.org")]  # Cy then ties with nobody: one more commit
    judged: list[str] = []
    original = history._is_bot

    def counting(author: str, email: str) -> bool:
        judged.append(author)
        return original(author, email)

    found = history.History(available=True, reason="", commits=commits)
    try:
        history._is_bot = counting  # type: ignore[assignment]
        people = found._merged_authors(False)
        with_bots = found._merged_authors(True)
    finally:
        history._is_bot = original  # type: ignore[assignment]
    assert len(judged) == len(identities)  # once per identity (with bots included, none is asked about)
    assert [(a.names, a.emails, a.commits) for a in people] == [
        (("Ada",), ("ada@example.org", "ada@students.example.org"), 100),
        (("linzhu", "Lin Zhu"), ("lin@example.org",), 100),  # oldest first: the list is newest first
        (("Cy",), ("cy@example.org",), 51),
        (("Bo Li",), ("bo@example.org",), 50),
    ]
    assert [a.names[0] for a in with_bots] == ["Ada", "linzhu", "Cy", "dependabot[bot]", "Bo Li"]


def test_a_commit_read_from_the_log_is_the_commit_its_constructor_makes() -> None:
    """`Commit.of` fills the fields without the frozen `__init__`: the same fields (a field added to Commit
    and not to `of` fails here), equality, hash and repr, and still frozen; a near miss differs."""
    sha, parent, other = "a" * 40, "b" * 40, "c" * 40
    fields = (sha, (parent,), "Ada", "ada@example.org", "2026-01-05T10:00:00+01:00", "train")
    made, built = history.Commit.of(*fields), history.Commit(*fields)
    assert vars(made) == vars(built) and type(made) is history.Commit
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert made != history.Commit(sha, (other,), *fields[2:])
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.author = "Bo"  # type: ignore[misc]
    output = f"\0{sha}\0{parent} {other} nonsense\0Ada\0ada@example.org\0{fields[4]}\0train\0{sha}".encode()
    (read,), records = history.parse_log(output)
    assert records == 1 and vars(read) == vars(history.Commit(sha, (parent, other), *fields[2:]))


def _authors_judging_every_commit(commits: list[history.Commit], include_bots: bool) -> list[tuple]:
    """The merge as written before identities were remembered: every commit judged and merged in turn."""
    groups: list[tuple[set[str], set[str], list[str], int]] = []
    for commit in reversed(commits):
        person = history._person(commit.author, commit.email, include_bots)
        if person is None:
            continue
        display, key, email = person
        matches = [g for g in groups if key in g[0] or (email and email in g[1])]
        keys, emails, names, count = {key}, {email} if email else set(), [display], 1
        for group in matches:
            keys |= group[0]
            emails |= group[1]
            names = group[2] + [n for n in names if n not in group[2]]
            count += group[3]
            groups.remove(group)
        groups.append((keys, emails, names, count))
    ordered = sorted(groups, key=lambda g: -g[3])
    return [(tuple(names), tuple(sorted(emails)), count) for _, emails, names, count in ordered]


def test_authors_merge_as_judging_every_commit_on_random_histories() -> None:
    """Identities that join a group late (an e-mail or a name shared with another group merges both), ties,
    bots and empty identities, in random orders: the same authors, names, e-mails, counts and order."""
    import random

    randomness = random.Random(5)
    names = ["Lin Zhu", "linzhu", "Bo", "bo", "Ada", "", "github-actions[bot]", "Cy"]
    emails = [
        "lin@x.org",
        "bo@x.org",
        "ada@x.org",
        "",
        "41898282+github-actions[bot]@users.noreply.github.com",
    ]
    merged_late = 0
    for _ in range(300):
        pool = [
            (randomness.choice(names), randomness.choice(emails)) for _ in range(randomness.randint(1, 6))
        ]
        commits = [_commit(n, *randomness.choice(pool)) for n in range(randomness.randint(0, 40))]
        for include_bots in (False, True):
            found = history.History(available=True, reason="", commits=commits)
            got = [(a.names, a.emails, a.commits) for a in found._merged_authors(include_bots)]
            assert got == _authors_judging_every_commit(commits, include_bots), commits
        merged_late += len({c.author for c in commits}) > len(found._merged_authors(True))
    assert merged_late > 50  # many histories merged two identities' groups into one


def _log_output(records: list[tuple[str, str, str, str, str, str]]) -> bytes:
    """`git log -z LOG_FORMAT` output of records (id, parents, author, e-mail, date, subject), newest first."""
    return "".join(
        f"\0{sha}\0{parents}\0{a}\0{e}\0{d}\0{s}\0{sha}\0" for sha, parents, a, e, d, s in records
    ).encode()


def test_a_whole_log_gives_the_commits_and_authors_parse_log_gives_without_making_commits() -> None:
    """`CommitLog.read` of a log whose records are all whole: the commits `parse_log` reads (parents that are
    not ids dropped, names, e-mails and subjects cut), the same count, HEAD and authors; the count, HEAD and
    authors are read without making a Commit; the first `max_commits` only, the records all counted."""
    import random

    randomness = random.Random(7)
    people = [
        ("Lin Zhu", "lin@x.org"),
        ("linzhu", "LIN@x.org"),
        ("Bo", "bo@x.org"),
        ("", ""),
        ("B" * 300, "b@x"),
    ]
    people += [("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"), ("Ada", "ada@x.org")]
    for _ in range(100):
        count = randomness.randint(1, 30)
        ids = [f"{randomness.getrandbits(160):040x}" for _ in range(count)]
        records = [
            (
                sha,
                " ".join([*ids[n + 1 : n + 3], "nonsense"][: randomness.randint(0, 3)]),
                *randomness.choice(people),
                "2026-01-01T00:00:00+00:00",
                "s" * randomness.choice((3, 500)),
            )
            for n, sha in enumerate(ids)
        ]
        output = _log_output(records)
        parsed, records_read = history.parse_log(output)
        for max_commits in (count, count - 1 or 1, 5000):
            log, total = history.CommitLog.read(output, max_commits)
            assert total == records_read == count and len(log) == min(count, max_commits)
            assert log.newest_id == ids[0]
            lazy = history.History(available=True, reason="", commits=log)
            made = history.History(available=True, reason="", commits=parsed[:max_commits])
            for include_bots in (False, True):
                assert lazy._merged_authors(include_bots) == made._merged_authors(include_bots)
            assert log._made is None  # counted, HEAD and authors read: no Commit made
            assert (
                log == parsed[:max_commits]
                and list(log) == parsed[:max_commits]
                and log[-1] == parsed[:max_commits][-1]
            )
            assert log.identities_oldest_first() == [
                (c.author, c.email) for c in reversed(parsed[:max_commits])
            ]
            assert lazy == made


def test_a_log_that_is_not_whole_is_left_to_parse_log() -> None:
    """A field holding NULs (a crafted commit: here one forging a commit and an author), anything after the
    last record, a record whose closing id is another, an id that is no commit id, or no record at all:
    `CommitLog.read` declines and `parse_log` reads the output record by record."""
    sha, fake, parent = "a" * 40, "f" * 40, "b" * 40
    whole = _log_output(
        [(sha, parent, "Eve", "eve@x.org", "2026", "s"), (parent, "", "Bo", "bo@x.org", "2026", "t")]
    )
    assert history.CommitLog.read(whole, 10) is not None
    forged = f"Eve\0\0{fake}\0\0Mallory\0mallory@x.org\0x\0forged\0{fake}"
    crafted = _log_output(
        [(sha, parent, forged, "eve@x.org", "2026", "s"), (parent, "", "Bo", "bo@x.org", "2026", "t")]
    )
    for output in (
        crafted,
        whole + b"tail",
        whole[:-1],
        f"\0{sha}\0{parent}\0Eve\0eve@x.org\02026\0s\0{fake}\0".encode(),
        _log_output([("nonsense", parent, "Eve", "eve@x.org", "2026", "s")]),
        b"",
    ):
        assert history.CommitLog.read(output, 10) is None, output
    commits, records = history.parse_log(crafted)
    assert [c.author for c in commits] == ["Bo"] and records == 2
