"""What the verifier reads of a repository's git data with fewer git processes (issue #17): the one tagged
`git ls-files` listing, and the refs and remote URLs read in Python. Each reader is compared with git's own
answer on generated repositories, including the shapes that could make them differ."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from verifier import filelist, gitsafe, templates
from verifier.repo import Repo

from conftest import git, git_init, write_tree

POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="named pipes and odd file names are POSIX")
ODD_NAME = 'with\nnewline "and quotes".py'


def nul_fields(output: str) -> list[str]:
    return [field for field in output.split("\x00") if field]


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """The git command (arguments after the global options) of every process gitsafe starts."""
    commands: list[list[str]] = []
    real_start = gitsafe._start

    def counting(argv: list[str], *args: object, **kwargs: object) -> object:
        after = next(index for index, arg in enumerate(argv) if arg.startswith("--work-tree"))
        options = argv[after + 1 :]
        while options and options[0] == "-c":
            options = options[2:]
        commands.append(options)
        return real_start(argv, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gitsafe, "_start", counting)
    yield commands


def mixed_repository(root: Path) -> Path:
    """A work tree with every kind of entry `git ls-files` tells apart: tracked, skip-worktree, unmerged (a
    conflicted merge), deleted, untracked, ignored, and an odd file name."""
    files: dict[str, str | bytes] = {
        "a.py": "a = 1\n",
        "gone.py": "gone = 1\n",
        "hidden.py": "hidden = 1\n",
        "conflict.txt": "base\n",
        ".gitignore": "*.log\nbuild/\n",
    }
    if os.name == "posix":
        files[ODD_NAME] = "odd = 1\n"
    git_init(write_tree(root, files))
    git(root, "checkout", "-q", "-b", "other")
    (root / "conflict.txt").write_text("other\n")
    git(root, "commit", "-qam", "other side")
    git(root, "checkout", "-q", "main")
    (root / "conflict.txt").write_text("main\n")
    git(root, "commit", "-qam", "main side")
    subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True, check=False)
    git(root, "update-index", "--skip-worktree", "hidden.py")
    (root / "hidden.py").unlink()  # skip-worktree: git counts it neither deleted nor untracked
    (root / "gone.py").unlink()
    write_tree(root, {"new.py": "new = 1\n", "debug.log": "x\n", "build/out.py": "o = 1\n", "H x": "h\n"})
    return root


# ----------------------------------------------------------------- the tagged listing


def test_one_tagged_listing_gives_what_gits_three_listings_give(tmp_path: Path) -> None:
    root = mixed_repository(tmp_path / "group")
    repository = gitsafe.locate(root)
    assert repository is not None
    listing = filelist.parse_tagged_listing(repository.run(*filelist.TAGGED_LISTING))
    tracked = nul_fields(git(root, "ls-files", "-z"))
    assert listing.tracked == tracked and tracked.count("conflict.txt") == 3  # one entry per stage
    assert listing.untracked == nul_fields(git(root, "ls-files", "--others", "--exclude-standard", "-z"))
    assert set(listing.untracked) == {"new.py", "H x"}
    assert listing.deleted == set(nul_fields(git(root, "ls-files", "--deleted", "-z"))) == {"gone.py"}
    assert listing.complete and listing.untracked_problem is None
    if os.name == "posix":
        assert ODD_NAME in listing.tracked


def test_the_repo_lists_with_one_git_process_and_the_same_files(tmp_path: Path, started: list) -> None:
    root = mixed_repository(tmp_path / "group")
    repo = Repo(root)
    assert [command[0] for command in started] == ["ls-files"]
    expected = sorted(set(nul_fields(git(root, "ls-files", "-z"))) - {"gone.py"})
    assert list(repo.files) == sorted(expected + ["conflict.txt"] * 2)  # an unmerged path once per stage
    assert any(w.startswith("2 untracked file(s) were not checked") for w in repo.warnings)
    assert "new.py" in Repo(root, include_untracked=True).files


def test_a_record_of_another_shape_is_not_trusted() -> None:
    parsed = filelist.parse_tagged_listing(b"H a.py\x00? H b.py\x00R a.py\x00S c\x00M d\x00M d\x00")
    assert parsed.tracked == ["a.py", "c", "d", "d"] and parsed.untracked == ["H b.py"]
    assert parsed.deleted == {"a.py"}
    for output in (b"K a.py\x00", b"a.py\x00", b"H\x00", b"Ha.py\x00", b"C a.py\x00"):
        with pytest.raises(gitsafe.GitError, match="unexpected record"):
            filelist.parse_tagged_listing(output)
    assert filelist.parse_tagged_listing(b"") == filelist.TaggedListing([], [], set())
    # all tracked: the same as record by record, including paths that hold a tag-like part
    clean = b"H a.py\x00H dir/H x.py\x00H name with H space\x00H \xc3\xa9.py\x00"
    assert filelist.parse_tagged_listing(clean) == filelist.TaggedListing(
        ["a.py", "dir/H x.py", "name with H space", "\u00e9.py"], [], set()
    )
    # all tracked but one of another shape, or an empty path: still not trusted
    for output in (
        b"H a.py\x00H \x00",
        b"H a.py\x00Hb.py\x00",
        b"H \x00",
        b"H \x00H a\x00",
        b"H a\x00H \x00H b\x00",
    ):
        with pytest.raises(gitsafe.GitError, match="unexpected record"):
            filelist.parse_tagged_listing(output)


def test_the_plain_listing_of_a_large_repository_gives_gits_tracked_files(tmp_path: Path) -> None:
    root = mixed_repository(tmp_path / "group")
    repository = gitsafe.locate(root)
    assert repository is not None
    listing = filelist.parse_cached_listing(repository.run(*filelist.CACHED_LISTING))
    assert listing.tracked == nul_fields(git(root, "ls-files", "-z"))
    assert listing.tracked.count("conflict.txt") == 3 and "gone.py" in listing.tracked
    assert listing.untracked == [] and listing.deleted == set()
    assert filelist.parse_cached_listing(b"") == filelist.TaggedListing([], [], set())
    parsed = filelist.parse_cached_listing(b"a.py\x00dir/H x.py\x00\xc3\xa9.py\x00")
    assert parsed.tracked == ["a.py", "dir/H x.py", "\u00e9.py"] and parsed.ordered
    assert parsed.text == "\x00" + "\x00".join(parsed.tracked) + "\x00"  # as a Listing holds it
    unordered = filelist.parse_cached_listing(b"a\xff.py\x00a.py\x00")  # replaced: order unknown
    assert not unordered.ordered and unordered.text is None
    for output in (b"a.py", b"\x00", b"a.py\x00\x00b.py\x00", b"\x00a.py\x00"):  # cut short, empty paths
        with pytest.raises(gitsafe.GitError, match="unexpected listing"):
            filelist.parse_cached_listing(output)


def test_the_index_header_tells_a_large_repository_before_git_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, started: list
) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n", "b.py": "b\n", "c.py": "c\n"}))
    (root / "b.py").unlink()
    (root / "notes.txt").write_text("untracked\n")
    repository = gitsafe.locate(root)
    assert repository is not None and filelist.index_entries(repository) == 3
    monkeypatch.setattr(filelist, "LARGE_REPOSITORY", 2)
    large = Repo(root)
    assert started == [list(filelist.CACHED_LISTING)]  # no work tree walk, no stat of every file
    assert "b.py" in large.files and not any("untracked" in w for w in large.warnings)
    started.clear()
    assert "notes.txt" in Repo(root, include_untracked=True).files
    assert started == [list(filelist.TAGGED_LISTING)]


def test_a_large_repository_lists_its_files_in_order_without_sorting_them_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["b.py", "B.py", "a/z.py", "a-b.py", "a.py", "\u00e9.py", "e.py", "\u4e2d.md", "_x.py"]
    root = git_init(write_tree(tmp_path / "group", dict.fromkeys(names, "x\n")))
    monkeypatch.setattr(filelist, "LARGE_REPOSITORY", 2)
    file_list = Repo(root).file_list
    assert list(file_list.files) == sorted(names)
    assert file_list._listing.text == "\x00" + "\x00".join(sorted(names)) + "\x00"
    assert file_list.paths_containing(".py") == sorted(name for name in names if ".py" in name)


@pytest.mark.parametrize("index", [b"", b"DIRC\x00\x00", b"XXXX\x00\x00\x00\x02\xff\xff\xff\xff", None])
def test_an_index_header_that_cannot_be_read_counts_nothing(tmp_path: Path, index: bytes | None) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n"}))
    path = root / ".git" / "index"
    path.unlink()
    if index is not None:
        path.write_bytes(index)
    repository = gitsafe.locate(root)
    assert repository is not None and filelist.index_entries(repository) == 0


@POSIX_ONLY
def test_an_index_that_is_a_link_is_not_followed(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n"}))
    index = root / ".git" / "index"
    index.rename(root / ".git" / "index.real")
    index.symlink_to("index.real")
    repository = gitsafe.locate(root)
    assert repository is not None and filelist.index_entries(repository) == 0


@POSIX_ONLY
def test_when_untracked_files_cannot_be_listed_the_deleted_ones_still_are(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n", "b.py": "b\n", "scratch/keep.py": "k\n"}))
    (root / "b.py").unlink()
    os.mkfifo(root / "scratch" / ".gitignore")  # git blocks reading it while it lists untracked files
    repo = Repo(root, git_timeout=1)
    assert repo.files == ("a.py", "scratch/keep.py")
    assert any(w.startswith("git could not list the untracked files") and "1 s" in w for w in repo.warnings)
    assert not gitsafe._live


# ----------------------------------------------------------------- remote URLs from the config file

CONFIG_BODIES = [
    '[remote "origin"]\n\turl = https://github.com/a/b.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
    '[remote "up.stream"]\n\tURL = "git@github.com:a/b.git" ; a comment\n[Remote "Origin"]\n\turl=x # y\n',
    '[remote "hash"]\n\turl = "https://h.example/a#b;c"  \n\turl = second-is-ignored\n',
    '[remote "nourl"]\n\tfetch = x\n\tpushurl = p\n\turl-x = q\n[remote]\n\turl = top\n[remotes "r"]\n\turl = r\n',
    '[remote "bare"]\n\turl\n[remote "empty"]\n\turl =\n[remote.Legacy]\n\turl = l\n',
    '[remote "crlf"]\r\n\turl = a\\\r\n  b\\tc  "d  e" f\r\n[remote "x"] url = same-line\n',
    '[remote "utf8"]\n\turl = "https://example.org/\xc3\xa9t\xc3\xa9"\n',
]


def git_remote_urls(root: Path) -> dict[str, str | None] | None:
    """git's own answer (the command `history` used to run), or None when git rejects the config."""
    done = subprocess.run(
        ["git", "config", "--local", "--no-includes", "-z", "--get-regexp", r"^remote\..*\.url$"],
        cwd=root,
        capture_output=True,
        env={"PATH": os.environ["PATH"], "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root)},
        check=False,
    )
    if done.returncode not in (0, 1) or done.stderr:
        return None
    urls: dict[str, str | None] = {}
    for entry in done.stdout.decode("utf-8", errors="replace").split("\x00"):
        key, newline, url = entry.partition("\n")
        if key:
            urls.setdefault(key[len("remote.") : -len(".url")], url if newline else None)
    return urls


def with_config(root: Path, body: str) -> gitsafe.GitRepository:
    config = root / ".git" / "config"
    config.write_bytes(config.read_bytes().split(b"[remote", 1)[0] + body.encode("latin-1"))
    repository = gitsafe.locate(root)
    assert repository is not None
    return repository


@pytest.mark.parametrize("body", CONFIG_BODIES)
def test_the_remote_urls_read_in_python_are_gits(tmp_path: Path, body: str) -> None:
    from verifier import gitdata

    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n"}))
    urls = gitdata.remote_urls(with_config(root, body))
    assert urls is not None and urls == git_remote_urls(root)


def test_the_config_reader_keeps_git_quoting_comments_and_sections(tmp_path: Path) -> None:
    from verifier import gitdata

    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n"}))
    assert gitdata.remote_urls(with_config(root, "".join(CONFIG_BODIES[:5]))) == {
        "origin": "https://github.com/a/b.git",
        "up.stream": "git@github.com:a/b.git",
        "Origin": "x",
        "hash": "https://h.example/a#b;c",
        "bare": None,
        "empty": "",
        "legacy": "l",
    }
    assert gitdata.remote_urls(with_config(root, CONFIG_BODIES[5])) == {
        "crlf": "a  b\tc  d  e f",  # a blank inside stays, even after a line break
        "x": "same-line",
    }


def test_a_config_read_a_line_at_a_time_gives_the_entries_read_a_character_at_a_time(tmp_path: Path) -> None:
    """Random config files from the pieces git writes and near misses (blanks, tabs, comments, quotes,
    empty and odd sections, a key without `=`, an entry after a header, a form feed): wherever the line
    reader reads a file, it gives what the character reader does; git's own files are read a line at a
    time, as are most of these."""
    import random

    from verifier import gitdata

    pieces = [
        "[core]",
        '[Remote "Origin"]',
        '[remote\t"a b"]',
        '[remote ""]',
        "[remote.Legacy]",
        "[a-b.C]",
        "[]",
        "[remote ]",
        '[remote "x"] url = y',
        '[remote"x"]',
        "[core] # c",
        "[core];c",
        "[core]x",
        "\turl = https://github.com/a/b.git",
        "url=x",
        "url =",
        "url",
        "url  ",
        "URL = a  b\t c ",
        "url = a # b",
        "url = a;b",
        "url = #",
        "9url = x",
        "url # x",
        'url = "q"',
        "url-x = q",
        "u-9 = v",
        "x = [y]",
        "# comment",
        "; comment",
        "  \t# c",
        "",
        " ",
        "\t",
        "\f",
        "url = a\fb",
        "k = v\x7f",
    ]
    randomness = random.Random(11)
    read_by_line = 0
    for _ in range(3000):
        lines = [randomness.choice(pieces) for _ in range(randomness.randint(0, 6))]
        text = "\n".join(lines) + randomness.choice(["", "\n"])
        by_line = gitdata._plain_lines(text)
        if by_line is not None:
            read_by_line += 1
            assert by_line == gitdata._read_by_character(text.encode()), text
    assert read_by_line > 500
    written = git_init(write_tree(tmp_path / "group", {"a.py": "a\n"})) / ".git" / "config"
    data = written.read_bytes() + CONFIG_BODIES[0].encode()
    assert gitdata._plain_lines(data.decode()) == gitdata._read_by_character(data) is not None


@pytest.mark.parametrize(
    "body",
    [
        '[remote "a"]\n\turl = bad\\q\n',  # an escape git does not know
        '[remote "a"]\n\turl = "unclosed\n',
        '[remote "a\n\turl = x\n',
        "[remote a]\n\turl = x\n",
        '[remote "a"]\n\t9url = x\n',
        '[remote "a"]\n\turl # x\n',
        "[]\n",
    ],
)
def test_a_config_git_rejects_is_left_to_git(tmp_path: Path, body: str) -> None:
    from verifier import gitdata

    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n"}))
    config = root / ".git" / "config"
    config.write_bytes(config.read_bytes() + body.encode())
    repository = gitsafe.GitRepository(root, root / ".git", root / ".git")  # locate would refuse some
    assert gitdata.remote_urls(repository) is None and git_remote_urls(root) is None


def test_a_config_the_reader_is_not_sure_of_is_left_to_git(tmp_path: Path) -> None:
    from verifier import gitdata

    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n"}))
    repository = with_config(root, '[remote "a\\"b"]\n\turl = x\n')  # escapes in a subsection
    assert gitdata.remote_urls(repository) is None and git_remote_urls(root) == {'a"b': "x"}
    config = root / ".git" / "config"
    config.write_bytes(b'[remote "a"]\n\turl = x\x00y\n')
    assert gitdata.remote_urls(repository) is None
    config.write_bytes(b"[core]\n" + b"#" * gitdata.MAX_CONFIG_BYTES)
    assert gitdata.remote_urls(repository) is None
    config.unlink()
    assert gitdata.remote_urls(repository) == {}
    if os.name == "posix":
        (root / "elsewhere").write_text('[remote "a"]\n\turl = x\n')
        config.symlink_to(root / "elsewhere")
        assert gitdata.remote_urls(repository) is None  # a link is never followed


def test_a_git_file_reads_the_config_of_the_folder_it_names(tmp_path: Path, started: list) -> None:
    root = write_tree(tmp_path / "group", {"a.py": "a\n"})
    git(root, "init", "-q", "-b", "main", f"--separate-git-dir={root / 'store'}")
    git(root, "add", "a.py")
    git(root, "commit", "-qm", "one")
    git(root, "remote", "add", "origin", "https://user:s3cret@example.org/group/repo.git")
    assert (root / ".git").is_file()
    history = Repo(root).history
    assert history.remotes == {"origin": "https://***@example.org/group/repo.git"}  # credentials redacted
    assert not any(command[0] == "config" for command in started)


def test_the_history_asks_git_for_the_remotes_only_where_the_reader_is_not_sure(
    tmp_path: Path, started: list
) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n"}))
    with_config(root, '[remote "a\\"b"]\n\turl = https://example.org/x.git\n')
    assert Repo(root).history.remotes == {'a"b': "https://example.org/x.git"}
    assert [command[0] for command in started].count("config") == 1


# ----------------------------------------------------------------- branches from the refs


def git_branches(root: Path) -> list[str]:
    output = git(root, "for-each-ref", "--format=%(refname:short)%00", "refs/heads", "refs/remotes")
    return [name.strip() for name in output.split("\x00") if name.strip()]


def branches_of(root: Path) -> list[str] | None:
    from verifier import gitdata

    repository = gitsafe.locate(root)
    assert repository is not None
    return gitdata.branch_names(repository)


def cloned_group(tmp_path: Path) -> Path:
    """A clone (remote-tracking branches packed, `origin/HEAD` a loose symbolic ref) of a repository with a
    merged branch, an unmerged one, odd but valid branch names and an annotated tag (a peeled line)."""
    upstream = git_init(write_tree(tmp_path / "upstream", {"a.py": "a = 1\n"}))
    for branch in ("feature/merged", "testing-&-precommit", "unmerged#1"):
        git(upstream, "checkout", "-q", "-b", branch, "main")
        (upstream / f"{branch.replace('/', '_')}.py").write_text("x = 1\n")
        git(upstream, "add", "-A")
        git(upstream, "commit", "-qm", branch)
    git(upstream, "checkout", "-q", "main")
    git(upstream, "merge", "-q", "--no-ff", "-m", "merge", "feature/merged")
    git(upstream, "tag", "-a", "-m", "release", "v1.0")
    git(tmp_path, "clone", "-q", str(upstream), "group")
    return tmp_path / "group"


def test_the_branches_read_in_python_are_gits_in_a_fresh_clone(tmp_path: Path, started: list) -> None:
    root = cloned_group(tmp_path)
    assert "^" in (root / ".git" / "packed-refs").read_text()  # the tag's peeled line
    expected = git_branches(root)
    assert "origin/HEAD" in expected and "origin/unmerged#1" in expected
    assert branches_of(root) == expected
    assert Repo(root).history.branches == expected
    assert [command[0] for command in started] == ["ls-files", "log"]


def test_a_loose_ref_wins_over_the_packed_one_of_its_name(tmp_path: Path) -> None:
    root = cloned_group(tmp_path)
    git(root, "pack-refs", "--all")
    git(root, "branch", "-f", "feature/merged", "HEAD~1")  # a loose ref over the packed one
    git(root, "branch", "extra")
    (root / ".git" / "refs" / "heads" / "main.lock").write_text("junk\n")  # skipped, as git skips it
    (root / ".git" / "refs" / "heads" / ".hidden").write_text("junk\n")
    (root / ".git" / "refs" / "heads" / "no-newline").write_text(git(root, "rev-parse", "HEAD").strip())
    assert branches_of(root) == git_branches(root) and "extra" in git_branches(root)


def test_an_ambiguous_short_name_is_left_to_git(tmp_path: Path) -> None:
    root = cloned_group(tmp_path)
    git(root, "tag", "main")  # refs/heads/main and refs/tags/main: git prints "heads/main"
    git(root, "update-ref", "refs/heads/origin/main", "HEAD")  # "origin/main" names two refs
    assert "heads/main" in git_branches(root) and "remotes/origin/main" in git_branches(root)
    assert branches_of(root) is None
    assert Repo(root).history.branches == git_branches(root)


def test_a_ref_to_a_missing_object_is_listed_as_git_lists_it(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n"}))
    (root / ".git" / "refs" / "heads" / "ghost").write_text("1" * 40 + "\n")
    assert git_branches(root) == ["ghost", "main"]  # for-each-ref includes refs whose object is missing
    assert branches_of(root) == ["ghost", "main"]


@pytest.mark.parametrize(
    "content", ["garbage\n", "0" * 40 + "\n", "ref: refs/heads/nowhere\n", "ref: HEAD\n", "A" * 40 + "\n"]
)
def test_a_ref_git_calls_broken_or_reads_otherwise_is_left_to_git(tmp_path: Path, content: str) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n"}))
    (root / ".git" / "refs" / "heads" / "odd").write_text(content)
    assert branches_of(root) is None
    assert Repo(root).history.branches == git_branches(root)


@pytest.mark.parametrize("change", ["packed-line", "packed-twice", "reftable", "non-ascii", "bad-name"])
def test_refs_the_reader_is_not_sure_of_are_left_to_git(tmp_path: Path, change: str) -> None:
    root = cloned_group(tmp_path)
    dot_git = root / ".git"
    head = git(root, "rev-parse", "HEAD").strip()
    if change == "packed-line":
        with open(dot_git / "packed-refs", "a") as handle:
            handle.write("not a ref line\n")
    elif change == "packed-twice":
        with open(dot_git / "packed-refs", "a") as handle:
            handle.write(f"{head} refs/remotes/origin/main\n")
    elif change == "reftable":
        (dot_git / "reftable").mkdir()
    elif change == "non-ascii":
        git(root, "branch", "f\u00e9ature")
    else:
        (dot_git / "refs" / "heads" / "a..b").write_text(head + "\n")
    assert branches_of(root) is None


@POSIX_ONLY
def test_a_link_among_the_refs_is_never_followed(tmp_path: Path) -> None:
    root = cloned_group(tmp_path)
    (root / "ref.txt").write_text(git(root, "rev-parse", "HEAD"))
    (root / ".git" / "refs" / "heads" / "linked").symlink_to(root / "ref.txt")
    assert gitsafe.locate(root) is not None  # a link inside the repository: git may follow it
    assert branches_of(root) is None


def test_a_linked_worktree_reads_the_branches_of_its_common_folder(tmp_path: Path) -> None:
    from verifier import gitdata

    root = cloned_group(tmp_path)
    git(root, "worktree", "add", "-q", "-b", "wt-branch", str(tmp_path / "wt"))
    git(tmp_path / "wt", "update-ref", "refs/bisect/bad", "HEAD")  # a ref of that worktree only
    worktree = gitsafe.GitRepository(tmp_path / "wt", root / ".git" / "worktrees" / "wt", root / ".git")
    expected = git_branches(tmp_path / "wt")
    assert "wt-branch" in expected and gitdata.branch_names(worktree) == expected


def test_an_empty_packed_refs_and_a_linked_refs_folder(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n"}))
    (root / ".git" / "packed-refs").write_text("")
    assert branches_of(root) == git_branches(root) == ["main"]
    if os.name == "posix":
        (root / ".git" / "refs").rename(root / "refs-elsewhere")
        (root / ".git" / "refs").symlink_to(root / "refs-elsewhere")
        assert branches_of(root) is None


# ----------------------------------------------------------------- a work tree without an index


def test_without_an_index_the_head_commit_is_listed_by_one_process(tmp_path: Path, started: list) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n", "src/b.py": "b\n", "gone.py": "g\n"}))
    (root / ".git" / "index").unlink()
    (root / "gone.py").unlink()
    (root / "untracked.py").write_text("u\n")
    repo = Repo(root)
    assert started == [["ls-tree", "-r", "-z", "HEAD"]]
    assert repo.files == ("a.py", "src/b.py")  # the files of HEAD that are on disk
    assert any("index is missing" in warning for warning in repo.warnings)
    assert set(repo.file_list.listed_blob_ids) == {"a.py", "src/b.py", "gone.py"}


def test_a_blob_id_the_listing_gave_is_matched_whatever_the_file_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = git_init(write_tree(tmp_path / "group", {"tasks.py": "template tasks\n"}))
    (root / ".git" / "index").unlink()
    (root / "tasks.py").write_text("changed on disk, to another size\n")
    blob = {"id": templates.git_blob_id(b"template tasks\n"), "file": "tasks.py", "template": "T"}
    monkeypatch.setattr(templates, "_table", lambda: {"blobs": [{**blob, "size": 15}], "stubs": []})
    assert Repo(root).template_match("tasks.py") == templates.TemplateMatch("tasks.py", "T")


def test_without_an_index_or_a_commit_the_listing_still_says_why(tmp_path: Path, started: list) -> None:
    root = write_tree(tmp_path / "group", {"a.py": "a\n"})
    git(root, "init", "-q", "-b", "main")
    repo = Repo(root)
    assert [command[0] for command in started] == ["ls-tree", "ls-files", "ls-tree"]
    assert repo.files == ("a.py",) and any("no committed files" in w for w in repo.warnings)


def test_with_an_index_no_tree_is_listed(tmp_path: Path, started: list) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a\n"}))
    assert Repo(root).files == ("a.py",) and [command[0] for command in started] == ["ls-files"]


def test_nested_refs_are_read_and_too_many_are_left_to_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from verifier import gitdata

    root = cloned_group(tmp_path)
    git(root, "branch", "/".join(["d"] * 60) + "/tip")
    assert branches_of(root) == git_branches(root)
    monkeypatch.setattr(gitdata, "MAX_LOOSE_REFS", 2)
    assert len(list((root / ".git" / "refs").rglob("*"))) > 2 and branches_of(root) is None


def test_each_field_is_cut_as_it_arrives_however_the_output_is_chunked() -> None:
    """A sink with `max_field` keeps the start of every NUL-separated field, whether a chunk holds no long
    field (kept whole) or a field longer than the cap starts, ends or lies within it."""
    import random

    randomness = random.Random(17)
    cap = 8
    for _ in range(500):
        fields = [
            bytes(randomness.choice(b"ab\n") for _ in range(randomness.choice((0, 3, cap, cap + 1, 30))))
            for _ in range(randomness.randint(1, 12))
        ]
        output = b"\x00".join(fields)
        sink = gitsafe._Sink(1 << 20, False, lambda: None, cap)
        start = 0
        while start < len(output):
            end = start + randomness.randint(1, 20)
            sink.feed(output[start:end])
            start = end
        assert sink.output() == b"\x00".join(field[:cap] for field in fields)


def test_a_repo_asked_to_start_its_history_starts_git_log_as_soon_as_the_listing_is_done(
    tmp_path: Path, started: list
) -> None:
    """`start_history=True`: the log is started right after `git ls-files` (a second git started while the
    first runs can wait milliseconds for a processor), runs while the caller works, and reads the same
    history as a Repo that reads it when asked; without it, no log is started before the history is asked
    for."""
    root = cloned_group(tmp_path)
    early = Repo(root, start_history=True)
    assert [command[0] for command in started] == ["ls-files", "log"]
    assert early.history_pending
    early_history = early.history
    assert not early.history_pending
    assert [command[0] for command in started] == ["ls-files", "log"]  # collected, not read again
    started.clear()
    late = Repo(root)
    assert [command[0] for command in started] == ["ls-files"] and not late.history_pending
    late_history = late.history
    assert [command[0] for command in started] == ["ls-files", "log"]
    assert early_history == late_history and early_history.available and len(early_history.commits) >= 3
    assert early_history.branches == late_history.branches and early_history.head == late_history.head


def test_a_folder_without_git_starts_no_history_however_asked(tmp_path: Path, started: list) -> None:
    root = write_tree(tmp_path / "plain", {"a.py": "a = 1\n"})
    repo = Repo(root, start_history=True)
    assert started == [] and not repo.history.available and repo.history.reason == gitsafe.NO_GIT
    nested = write_tree(tmp_path / "group" / "inner", {"b.py": "b = 1\n"})
    git_init(tmp_path / "group")
    inner = Repo(nested, start_history=True)  # inside a work tree, not its root: not a repository of its own
    assert started == [] and not inner.history.available


def test_work_given_to_fill_the_listing_wait_runs_once_while_git_lists(tmp_path: Path, started: list) -> None:
    """`while_listing` runs after `git ls-files` was started and before its output is read, once, with the
    root; the files listed are the same as without it."""
    root = cloned_group(tmp_path)
    calls: list[tuple[Path, list[str]]] = []
    repo = Repo(root, while_listing=lambda where: calls.append((where, [c[0] for c in started])))
    assert calls == [(root.resolve(), ["ls-files"])]
    assert repo.files == Repo(root).files
    os.remove(root / ".git" / "index")  # the HEAD commit's files are listed: the wait is filled there too
    calls.clear()
    Repo(root, while_listing=lambda where: calls.append((where, [c[0] for c in started])))
    assert [commands[-1] for _, commands in calls] == ["ls-tree"]


def test_work_given_to_fill_the_listing_wait_does_not_run_without_git(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "plain", {"a.py": "a = 1\n"})
    calls: list[Path] = []
    Repo(root, while_listing=calls.append)
    assert calls == []


def test_a_command_started_to_run_meanwhile_can_write_its_output_unread(tmp_path: Path) -> None:
    """A started read (the log) gets a pipe wide enough to write ~1 MB unread, so it ends while the caller
    works instead of waiting, with a full 64 kB pipe, for its reader."""
    fcntl = pytest.importorskip("fcntl")
    if getattr(fcntl, "F_SETPIPE_SZ", None) is None:
        pytest.skip("pipes cannot be widened here")
    root = write_tree(tmp_path / "big", {"big.txt": "x" * 500_000 + "\n"})
    git_init(root)
    repository = gitsafe.locate(root)
    assert repository is not None
    with repository.start(("cat-file", "-p", "HEAD:big.txt")) as reads:
        process = reads._pending[0].process
        assert process.wait(timeout=20) == 0  # ended before anything was read
        (output,) = reads.results()
    assert output == b"x" * 500_000 + b"\n"


def test_the_branches_and_remotes_are_read_while_git_lists_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Repo that starts its history reads the remote URLs from the git folder while git lists the files,
    and the history uses them without reading them again; the branch names are read once, when first asked
    for; the same history as a Repo that reads them when asked."""
    from verifier import gitdata

    root = cloned_group(tmp_path)
    reads: list[str] = []
    real_names, real_urls = gitdata.branch_names, gitdata.remote_urls
    monkeypatch.setattr(gitdata, "branch_names", lambda r: reads.append("branches") or real_names(r))
    monkeypatch.setattr(gitdata, "remote_urls", lambda r: reads.append("remotes") or real_urls(r))
    early = Repo(root, start_history=True)
    assert reads == ["remotes"]  # during the listing, before anything asked
    history = early.history
    assert reads == ["remotes"]  # not read again, and the branches not yet
    assert history.branches and history.branches is history.branches
    assert reads == ["remotes", "branches"]  # once, when asked
    late = Repo(root).history
    assert reads == ["remotes", "branches", "remotes"]
    assert history.branches == late.branches and history.remotes == late.remotes
    assert reads == ["remotes", "branches", "remotes", "branches"]


def _whole_cached_listing(output: bytes) -> filelist.TaggedListing:
    """The parse of plain `git ls-files -z` output read whole, as it was before the output was read piece
    by piece: the oracle of `CachedListingReader`."""
    text = output.decode("utf-8", errors="replace")
    if not text:
        return filelist.TaggedListing([], [], set())
    if not text.endswith("\x00") or text.startswith("\x00") or "\x00\x00" in text:
        raise gitsafe.GitError(f"git ls-files printed an unexpected listing {text[:40]!r}")
    ordered = "\ufffd" not in text
    return filelist.TaggedListing(
        text[:-1].split("\x00"), [], set(), ordered=ordered, text="\x00" + text if ordered else None
    )


CACHED_OUTPUTS = [
    b"",
    b"a.py\x00b/c.py\x00",
    "\u00e9t\u00e9/\u4e2d\u6587.py\x00z\u00df.md\x00".encode(),  # multi-byte characters to cut through
    b"a\xff.py\x00a.py\x00\xe2\x82\x00x.py\x00",  # invalid UTF-8, an unfinished sequence before a NUL
    b"a.py\x00\x00b.py\x00",  # an empty path
    b"\x00a.py\x00",
    b"a.py\x00b.py",  # cut short
    b"no-nul-at-all.py",
    "\u00e9".encode() * 100 + b"\x00",
]


@pytest.mark.parametrize("output", CACHED_OUTPUTS)
def test_the_listing_read_piece_by_piece_is_the_listing_read_whole(output: bytes) -> None:
    """However git's output is cut into pieces (through a character, next to a NUL, one byte at a time),
    the paths, order, text and errors are those of the whole output."""
    import random

    try:
        expected: filelist.TaggedListing | str = _whole_cached_listing(output)
    except gitsafe.GitError as error:
        expected = str(error)
    cuttings = [[len(output)], [1] * len(output)]
    generator = random.Random(17)
    cuttings += [[generator.randint(1, 7) for _ in range(len(output))] for _ in range(30)]
    for sizes in cuttings:
        reader, position = filelist.CachedListingReader(), 0
        for size in sizes:
            if position >= len(output):
                break
            reader.feed(output[position : position + size])
            position += size
        try:
            got: filelist.TaggedListing | str = reader.listing()
        except gitsafe.GitError as error:
            got = str(error)
        assert got == expected, sizes


def test_a_started_command_can_hand_its_output_over_as_it_is_read(tmp_path: Path) -> None:
    """With `stream`, every byte of the output reaches it in order and none is kept; the output cap still
    holds (nothing past it is handed over, and the command fails); a stream reads one command only."""
    root = git_init(write_tree(tmp_path / "big", {"big.txt": "".join(f"{n}\n" for n in range(100_000))}))
    repository = gitsafe.locate(root)
    assert repository is not None
    pieces: list[bytes] = []
    with repository.start(("cat-file", "-p", "HEAD:big.txt"), stream=pieces.append) as reads:
        (output,) = reads.results()
    assert output == b"" and b"".join(pieces) == (root / "big.txt").read_bytes()
    pieces.clear()
    with repository.start(("cat-file", "-p", "HEAD:big.txt"), max_output=1000, stream=pieces.append) as reads:
        (failed,) = reads.results()
    assert isinstance(failed, gitsafe.GitError) and "more than 1000 bytes" in str(failed)
    assert sum(map(len, pieces)) <= 1000
    with pytest.raises(ValueError, match="one command"):
        repository.start(("status",), ("log",), stream=pieces.append)


def test_a_large_repository_splits_its_listing_while_git_writes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plain listing of a large repository goes to a `CachedListingReader` as git writes it, and lists
    the files a listing read whole lists."""
    names = [f"data/{n:05}.bin" for n in range(3000)] + ["src/a.py", "\u00e9.py"]
    root = git_init(write_tree(tmp_path / "group", dict.fromkeys(names, "x\n")))
    fed: list[int] = []
    real_feed = filelist.CachedListingReader.feed

    def feed(self: filelist.CachedListingReader, chunk: bytes) -> None:
        fed.append(len(chunk))
        real_feed(self, chunk)

    monkeypatch.setattr(filelist, "LARGE_REPOSITORY", 2)
    monkeypatch.setattr(filelist.CachedListingReader, "feed", feed)
    files = Repo(root).files
    assert fed and sum(fed) == len(git(root, "ls-files", "-z").encode())
    assert list(files) == sorted(names) == _whole_cached_listing(git(root, "ls-files", "-z").encode()).tracked
