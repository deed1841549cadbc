"""The file listing of a repository, made once, and the path queries over it.

In a git work tree root the files are the tracked ones (`git ls-files`; the HEAD commit's files when the
index is missing), else a directory walk that honours every .gitignore. Folders that are never the group's
work (virtualenvs, caches, .git, node_modules) and submodule entries are left out. Path queries (`has`,
`glob`, `paths_containing`) are answered from the sorted listing without a Python step per file, so a
repository with 50,000 committed data files costs a fraction of a millisecond per query.
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import functools
import os
import posixpath
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Protocol

import pathspec

from . import gitsafe
from .listing import END, MIN_PATHS, Listing, folder_end

UNTRACKED_TIMEOUT = 10.0  # seconds for a listing that includes untracked files (see FileList._tagged_listing)
# Every tracked, untracked and deleted file, each after its status tag (`parse_tagged_listing`). `-t` and these
# options are as old as git 1.x; `--format` (git 2.38) is not needed.
TAGGED_LISTING = ("ls-files", "-t", "--cached", "--others", "--deleted", "--exclude-standard", "-z")
TRACKED_LISTING = ("ls-files", "-t", "--cached", "--deleted", "-z")  # no .gitignore is read for it
CACHED_LISTING = ("ls-files", "-z")  # every entry is tracked: no tags (`parse_cached_listing`)
LISTING_TAGS = {"H": "tracked", "S": "tracked", "M": "tracked", "?": "untracked", "R": "deleted"}
INDEX_HEADER = 12  # bytes: "DIRC", the version, the number of entries
MAX_IGNORE_BYTES = 100_000  # of a .gitignore or .gitmodules (real ones hold a few kB)
LARGE_REPOSITORY = 20_000
# What in a gitignore pattern is no literal text: a character class (`[]c]` and `[!]c]` hold "]"), a lone
# bracket, a wildcard or an escape. Dropping more than needed only widens the candidates.
GLOB_NOT_LITERAL = re.compile(r"\[[!^]?\]?[^\]]*\]|[\[\]*?\\]")
NARROW_AMONG = 2_000  # a search among more earlier matches than this costs more than a listing search
GITIGNORE = "gitignore"  # pathspec >= 1.0 name of the gitignore pattern style
HEX = frozenset("0123456789abcdef")
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".env",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".ipynb_checkpoints",
        "site-packages",
    }
)
TEXT_SUFFIXES = frozenset(
    {
        ".py",
        ".pyi",
        ".ipynb",
        ".md",
        ".rst",
        ".txt",
        ".toml",
        ".cfg",
        ".ini",
        ".yaml",
        ".yml",
        ".json",
        ".sh",
        ".bash",
        ".ps1",
        ".bat",
        ".dockerfile",
        ".dvc",
        ".lock",
        ".env",
        ".sql",
        ".html",
        ".htm",
        ".js",
        ".jsx",
        ".ts",
        ".tsx",
        ".css",
        ".tf",
        ".hcl",
        ".r",
        ".jinja",
        ".j2",
        ".conf",
        ".xml",
        ".csv",
        ".mk",
        ".gitignore",
        ".dockerignore",
        ".dvcignore",
        ".python-version",
        ".example",
        ".sample",
    }
)
# Places whose text is never evidence: the report itself, the course's agent files and copies of
# course material (EVIDENCE.md, "General principles").
EXCLUDED = re.compile(
    r"^(reports/README\.md|reports/report\.py|\.github/(agents|prompts)/|AGENTS\.md$|CLAUDE\.md$|"
    r"(.*/)?docs?/course/|(.*/)?dtu_mlops/)",
    re.IGNORECASE,
)
# Folders that tools write into (experiment trackers, Hydra runs): their files are outputs, not the group's setup.
GENERATED = re.compile(r"(^|/)(wandb|outputs|multirun|mlruns|lightning_logs|\.hydra|site-packages)/")
TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$")
DOCKERFILE_NAME = re.compile(r"(?i)(.*\.)?dockerfile")
SUBMODULE_PATH = re.compile(r"(?m)^[ \t]*path[ \t]*=[ \t]*(.+)$")


class Warnings(list[str]):
    """The warnings of one repository, each once, in the order they were first given. The views get its
    `add` (no reference back to the `Repo`, so a Repo is freed as soon as it is dropped)."""

    def add(self, message: str) -> None:
        if message not in self:
            self.append(message)


class FileList:
    """The listed files of the repository at `root` (sorted, relative, "/"-separated) and the queries over them.

    `warn` receives every problem met while listing (one line each). `report_files` are the files the
    report was read from: never evidence (`is_excluded`). See `verifier.repo.Repo` for `include_untracked`.
    `on_git` is called with the located repository as soon as git has listed its files, so that a caller
    can start git reads of its own (the history) to run while it works. Not before the listing: a second git
    started while the first runs waits for a processor (milliseconds on two cores), and the listing is
    needed first. `while_listing` is called with the located repository once while git lists the files
    (after the listing command is started, before its output is read): work that needs no listing fills
    the wait.
    """

    def __init__(
        self,
        root: Path,
        *,
        include_untracked: bool,
        git_timeout: float,
        warn: Callable[[str], None],
        on_git: Callable[[gitsafe.GitRepository], None] | None = None,
        while_listing: Callable[[gitsafe.GitRepository], None] | None = None,
    ) -> None:
        self.root = root
        self._while_listing = while_listing
        self.include_untracked = include_untracked
        self.git_timeout = git_timeout
        self.warn = warn
        self.report_files: set[str] = set()
        self.is_git = os.path.lexists(root / ".git")
        self.git_problem: str | None = None
        self.git_repository: gitsafe.GitRepository | None = None
        self.listed_blob_ids: dict[str, str] = {}  # from `git ls-tree` when the index is missing
        self._globs: dict[tuple[str, ...], list[str]] = {}
        self._text_files: dict[tuple[str, ...], list[str]] = {}
        self._containing: dict[tuple[str, bool], list[str]] = {}
        # The answers of `paths_containing` with few files (at most NARROW_AMONG), by `ignore_case`: those
        # a later text that contains one is looked for among (only these are gone through for each text).
        self._narrowing: dict[bool, dict[str, list[str]]] = {False: {}, True: {}}
        self._is_text: dict[str, bool] = {}
        self._listed: Listing | None = None
        listed = self._list_files(on_git)  # not kept: no reference back to the caller
        self._while_listing = None  # nor this, when git did not list the files
        self.files: tuple[str, ...] = tuple(listed if self._listed is not None else sorted(listed))

    # ----------------------------------------------------------------- listing

    def _list_files(self, on_git: Callable[[gitsafe.GitRepository], None] | None) -> Iterable[str]:
        if self.is_git:
            try:
                self.git_repository = gitsafe.locate(self.root)
            except gitsafe.GitError as error:
                self.git_problem = error.reason
                self.warn(f"{error.reason} (every file on disk was checked instead)")
            if self.git_repository is None:
                self.is_git = False
            else:
                listed = self._git_files()
                if on_git is not None:
                    on_git(self.git_repository)
                if listed is not None:
                    return listed
        return self._walk_files()

    def _git_files(self) -> list[str] | None:
        """Tracked files (`git ls-files`); None to fall back to a directory walk.

        One `git ls-files -t` lists the tracked, untracked and deleted files at once (`TAGGED_LISTING`; see
        `parse_tagged_listing`). Blob ids are not listed: `Reader.blob_id` hashes a file when a template check
        asks for it, which keeps the listing of a repository with 50,000 committed data files to one short
        git call and a split.

        Without an index file git tracks nothing (`git ls-files` would list nothing), so the files of the
        HEAD commit are listed at once; when that fails, the listing below runs and says why.
        """
        assert self.git_repository is not None
        if not os.path.lexists(self.git_repository.git_dir / "index"):
            tree = self._head_tree()
            if tree:
                return self._head_tree_files(tree)
        listing = self._tagged_listing()
        if listing is None:
            return None
        paths = listing.tracked
        if not paths:
            return self._head_tree_files(self._head_tree())
        # Checking every file on disk (deleted or untracked ones) costs a stat each; in a large repository a
        # tracked file deleted locally is left in the list and simply reads as missing, and untracked files
        # are not counted.
        deleted: set[str] = set()
        if listing.complete and (len(paths) <= LARGE_REPOSITORY or self.include_untracked):
            if listing.untracked_problem is not None:
                self.warn(
                    f"git could not list the untracked files ({listing.untracked_problem}); they were not counted"
                )
            self._warn_untracked(len(listing.untracked))
            deleted = listing.deleted
            if self.include_untracked and listing.untracked:
                paths += listing.untracked
        gitlinks = self._submodule_paths()
        if not listing.ordered:
            paths.sort()
        listing = Listing(paths, text=listing.text if listing.ordered else None)
        if deleted or gitlinks or listing.any_folder(_skipped, _SKIP_MARKERS):
            paths = self._kept(paths, deleted | gitlinks)
        if any(path.endswith("/pyvenv.cfg") for path in listing.containing("/pyvenv.cfg")):
            paths = _without_virtualenvs(paths)
        if paths is listing.paths:
            self._listed = listing
        return paths

    def _head_tree(self) -> str:
        """`git ls-tree -r -z HEAD` output; "" when git fails (no commit yet, a damaged repository)."""
        try:
            output = self._listed_while_waiting("ls-tree", "-r", "-z", "HEAD", timeout=self.git_timeout)
        except gitsafe.GitError:
            return ""
        return output.decode("utf-8", errors="replace")

    def _listed_while_waiting(
        self, *command: str, timeout: float, stream: Callable[[bytes], None] | None = None
    ) -> bytes:
        """The output of the listing command `git command` (GitError when it fails), `while_listing` run
        (the first time) while git works; with `stream`, the output goes there as it is read (and b"" is
        returned)."""
        assert self.git_repository is not None
        with self.git_repository.start(command, timeout=timeout, stream=stream) as started:
            while_listing, self._while_listing = self._while_listing, None
            if while_listing is not None:
                while_listing(self.git_repository)
            output = started.result(0)
        if isinstance(output, gitsafe.GitError):
            raise output
        return output

    def _head_tree_files(self, output: str) -> list[str] | None:
        """The files of the HEAD commit (`output` of `_head_tree`), for a clone whose checkout failed (no index
        although HEAD has files); None, with a warning, when it has none."""
        if not output:
            self.warn("the git repository has no committed files; every file on disk was checked")
            return None
        self.warn("the git index is missing or empty; the files of the HEAD commit were listed instead")
        entries = tree_entries(output)
        self.listed_blob_ids.update((path, blob) for _, blob, path in entries)
        gitlinks = {path for mode, _, path in entries if mode == "160000"}
        paths = [path for _, _, path in entries]
        missing = {path for path in paths if not os.path.lexists(os.path.join(self.root, path))}
        return _without_virtualenvs(self._kept(paths, missing | gitlinks))

    def _kept(self, paths: list[str], dropped: set[str]) -> list[str]:
        """`paths` without `dropped` ones and without those inside skipped folders (one check per folder)."""
        skipped_folders: dict[str, bool] = {}
        kept = []
        for path in paths:
            folder = path[: path.rfind("/") + 1]
            skipped = skipped_folders.get(folder)
            if skipped is None:
                skipped = skipped_folders[folder] = bool(folder) and _skipped(folder)
            if not (skipped or path in dropped or path.endswith(".DS_Store")):
                kept.append(path)
        return kept

    def _submodule_paths(self) -> set[str]:
        """Submodule folders named in .gitmodules: git lists each as one entry, which is not a file."""
        text = self._ignore_file_text(".gitmodules", self.root / ".gitmodules")
        return {match.strip().strip("/") for match in SUBMODULE_PATH.findall(text)}

    def _ignore_file_text(self, shown: str, path: Path) -> str:
        """The start (MAX_IGNORE_BYTES) of a .gitignore or .gitmodules; "" with a warning for one that is a
        link, named pipe or device (git does not follow a link there either) or cannot be read."""
        try:
            data = gitsafe.read_regular(path, MAX_IGNORE_BYTES)
        except gitsafe.NotRegularFile as error:
            link = (
                " (a link there is not followed, as git does not)" if error.kind == "a symbolic link" else ""
            )
            self.warn(f"{shown}: not a regular file ({error.kind}){link}; not read")
            return ""
        except OSError as error:
            self.warn(f"{shown}: unreadable ({error.strerror}); not read")
            return ""
        if data is None:
            return ""
        if len(data) > MAX_IGNORE_BYTES:
            self.warn(f"{shown}: larger than {MAX_IGNORE_BYTES // 1000} kB; only its start was read")
            data = data[:MAX_IGNORE_BYTES]
        return data.decode("utf-8", errors="replace")

    def _warn_untracked(self, untracked: int) -> None:
        if untracked and self.include_untracked:
            self.warn(
                f"{untracked} untracked file(s) were checked too (include_untracked): a grader sees only "
                "what is committed and pushed"
            )
        elif untracked:
            self.warn(
                f"{untracked} untracked file(s) were not checked: only committed files count, "
                "as a grader sees what was pushed (git add and commit them, or check them with "
                "--include-untracked)"
            )

    def _tagged_listing(self) -> TaggedListing | None:
        """The tracked, untracked and deleted files from one `git ls-files -t`; None (with a warning) when
        git could not list the files.

        Listing untracked files opens every .gitignore of the work tree, and git blocks on one that is a named
        pipe: unless untracked files are included, that listing gets at most UNTRACKED_TIMEOUT seconds, and
        when it fails the tracked and deleted files are listed alone (no .gitignore is read for them) within
        the whole time-out, the untracked ones reported as not counted. A large repository (by its index
        header, `index_entries`) has only its tracked files listed, as the others would go unused."""
        assert self.git_repository is not None
        problem: str | None = None
        if self.include_untracked or index_entries(self.git_repository) <= LARGE_REPOSITORY:
            timeout = self.git_timeout if self.include_untracked else min(self.git_timeout, UNTRACKED_TIMEOUT)
            try:
                return parse_tagged_listing(self._listed_while_waiting(*TAGGED_LISTING, timeout=timeout))
            except gitsafe.GitError as error:
                problem = error.reason
        try:
            if problem:
                listing = parse_tagged_listing(
                    self.git_repository.run(*TRACKED_LISTING, timeout=self.git_timeout)
                )
            else:
                reader = CachedListingReader()
                self._listed_while_waiting(*CACHED_LISTING, timeout=self.git_timeout, stream=reader.feed)
                listing = reader.listing()
        except gitsafe.GitError as error:
            self.warn(f"git could not list the files ({error.reason}); walking the directory instead")
            self.is_git = False
            return None
        return dataclasses.replace(listing, complete=problem is not None, untracked_problem=problem)

    def _walk_files(self) -> Iterator[str]:
        ignores: list[tuple[str, pathspec.PathSpec]] = []
        for directory, dirnames, filenames in os.walk(self.root, followlinks=False):
            relative = os.path.relpath(directory, self.root).replace(os.sep, "/")
            prefix = "" if relative == "." else relative + "/"
            if ".gitignore" in filenames:
                text = self._ignore_file_text(prefix + ".gitignore", Path(directory) / ".gitignore")
                if text:
                    ignores.append((prefix, pathspec.PathSpec.from_lines(GITIGNORE, text.splitlines())))
            kept = []
            for name in sorted(dirnames):
                path = prefix + name
                if _skipped(path + "/") or (Path(directory) / name / "pyvenv.cfg").exists():
                    continue
                if not _ignored(ignores, path + "/"):
                    kept.append(name)
            dirnames[:] = kept
            for name in filenames:
                path = prefix + name
                if name != ".git" and not _skipped(path) and not _ignored(ignores, path):
                    yield path

    def within(self, folder: str, *, hidden: Sequence[str] = ()) -> FileList:
        """The listing of the project kept in `folder` (a listed folder, "/"-separated; "" for this listing's
        own root): its files relative to it, read under `root / folder`, with the same git repository (and so the same
        history) and no cached query of this listing. Folders named in `hidden` (relative to `folder`,
        ending in "/") are left out, for a view that must not see them."""
        prefix = folder.strip("/") + "/" if folder.strip("/") else ""
        start = bisect.bisect_left(self.files, prefix) if prefix else 0
        end = folder_end(self.files, prefix, start) if prefix else len(self.files)
        files = [path[len(prefix) :] for path in self.files[start:end]]
        if hidden:
            files = [path for path in files if not path.startswith(tuple(hidden))]
        view = copy.copy(self)
        for name, attribute in vars(FileList).items():
            if isinstance(attribute, cached_property):
                view.__dict__.pop(name, None)
        view.root = self.root / prefix.rstrip("/") if prefix else self.root
        view.files = tuple(files)
        view.report_files = set()
        view.listed_blob_ids = {
            path[len(prefix) :]: blob
            for path, blob in self.listed_blob_ids.items()
            if path.startswith(prefix)
        }
        view._globs, view._text_files, view._containing, view._narrowing = {}, {}, {}, {False: {}, True: {}}
        view._listed = None
        return view

    # ----------------------------------------------------------------- path queries

    def has(self, path: str) -> bool:
        index = bisect.bisect_left(self.files, path)
        return index < len(self.files) and self.files[index] == path

    def glob(self, *patterns: str) -> list[str]:
        """Files matching any gitignore-style pattern (`*.dvc` anywhere, `dockerfiles/*.dockerfile` anchored)."""
        key = tuple(patterns)
        found = self._globs.get(key)
        if found is None:
            if len(patterns) == 1:
                spec = glob_spec(patterns[0])
                found = [path for path in self._candidates(patterns[0]) if spec.match_file(path)]
            else:  # each pattern's files once, shared by every combination the rules ask for
                found = sorted({path for pattern in patterns for path in self.glob(pattern)})
            self._globs[key] = found
        return found

    def _candidates(self, pattern: str) -> Sequence[str]:
        """The files that contain every literal part of the pattern (`.dvc` for `*.dvc`, `configs/` for
        `configs/`), which every match must contain; all files when it has no part of two characters or
        more. The part searched first is the one with the fewest paths to read or filter: a part with a
        dot or a slash (never in folders of other data files) unless it is in all of a folder of them."""
        pieces = GLOB_NOT_LITERAL.split(pattern.lstrip("!").rstrip())
        parts = [
            literal
            for part in pieces
            if len(literal := part.lstrip("/")) >= 2  # `**/x` matches `x` at the root: no leading slash
        ]
        if not parts:
            return self.files
        searched = (
            parts[0]
            if len(parts) == 1
            else min(parts, key=lambda part: (self._listing.search_cost(part), -len(part)))
        )
        others = [part for part in parts if part not in searched]
        ends = parts[-1] == searched and pieces[-1].endswith(searched) and not searched.endswith("/")
        if ends and self._listing.search_cost(searched):  # it would scan runs of data files
            found = self._ending_with(searched)
        else:
            found = self.paths_containing(searched)
        return [path for path in found if all(part in path for part in others)] if others else found

    def _ending_with(self, tail: str) -> Sequence[str]:
        """The files that hold `tail` where it ends a glob: at their end, or followed by "/" (the glob's last
        name may name a folder, whose files it matches). A search for the end skips most runs of data files
        (`Makefile` may be inside the stem of a `.png`, never end its name); only when some path holds the
        tail followed by "/" (rare) are all paths that contain it searched for."""
        if self._listing.containing(tail + "/"):
            return self.paths_containing(tail)
        return self._listing.containing(tail + END)

    def paths_containing(self, text: str, ignore_case: bool = False) -> list[str]:
        """The files whose path contains `text`, in listing order.

        A substring search over all paths joined by NUL characters (C speed, no per-file Python step), so a
        repository with 50,000 committed data files costs a fraction of a millisecond per query. A text that
        contains one already searched (`data.py` after `.py`, whose suffix is searched first) is looked for
        among that one's files only, when they are few.
        """
        needle = text.lower() if ignore_case else text
        key = (needle, ignore_case)
        found = self._containing.get(key)
        if found is not None:
            return found
        if len(self.files) < MIN_PATHS:  # one listing search is cheaper than looking for a narrower one
            found = self._containing[key] = self._scan_listing(needle, ignore_case)
            return found
        dot = needle.rfind(".")
        if 0 < dot < len(needle) - 2:
            self.paths_containing(needle[dot:], ignore_case)
        narrowing = self._narrowing[ignore_case]
        narrower = [paths for known, paths in narrowing.items() if known in needle]
        if narrower:
            found = [
                path for path in min(narrower, key=len) if needle in (path.lower() if ignore_case else path)
            ]
        else:
            found = self._scan_listing(needle, ignore_case)
        self._containing[key] = found
        if len(found) <= NARROW_AMONG:
            narrowing[needle] = found
        return found

    def _scan_listing(self, needle: str, ignore_case: bool) -> list[str]:
        if not ignore_case:
            return self._listing.containing(needle)
        lowercase = self._listing_lower
        if lowercase is None:
            return [path for path in self.files if needle in path.lower()]
        return lowercase.containing(needle)

    @cached_property
    def _listing(self) -> Listing:
        """Every listed path between NUL characters, searched by substring (verifier.listing)."""
        return self._listed if self._listed is not None else Listing(self.files)

    @cached_property
    def _listing_lower(self) -> Listing | None:
        return self._listing.lowercase()

    @cached_property
    def top_folders(self) -> set[str]:
        """The folders at the repository root that hold files (one bisect per folder, not a pass per file)."""
        found: set[str] = set()
        index = 0
        while index < len(self.files):
            folder, slash, _ = self.files[index].partition("/")
            if slash:
                found.add(folder)
                index = folder_end(self.files, folder + "/", index)
            else:
                index += 1
        return found

    def match(self, pattern: str, flags: int = re.IGNORECASE) -> list[str]:
        """Files whose path matches the regular expression `pattern` (searched, not anchored)."""
        compiled = re.compile(pattern, flags)
        return [path for path in self.files if compiled.search(path)]

    def link_target(self, link: str, base: str = "reports") -> str:
        """The repository path a relative link written in a Markdown file in folder `base` points at, as
        GitHub resolves it: URL-decoded (%20), `./` and `../` resolved, a leading `/` from the repository
        root. When that path is not in the repository but the link read from the root is, the latter."""
        target = urllib.parse.unquote(link.split("#", 1)[0].split("?", 1)[0]).strip()
        root_relative = posixpath.normpath(target.lstrip("/")) if target else ""
        if target.startswith("/"):
            return root_relative
        path = posixpath.normpath(posixpath.join(base, target))
        return root_relative if not self.has(path) and self.has(root_relative) else path

    def is_excluded(self, path: str) -> bool:
        """True for files that are never evidence: the report, course agent files, copied course notes."""
        return bool(EXCLUDED.match(path)) or path in self.report_files

    def is_generated(self, path: str) -> bool:
        """True for files inside tool output folders (wandb/, outputs/, multirun/, mlruns/, .hydra/ ...)."""
        return bool(GENERATED.search(path))

    def is_test(self, path: str) -> bool:
        return bool(TEST_PATH.search(path))

    def is_text(self, path: str) -> bool:
        """Whether `path` may be text by its name (a known text suffix, no suffix, or a Dockerfile); reading
        it still tells binary content apart. Each path is judged once (the searches ask again and again)."""
        known = self._is_text.get(path)
        if known is None:
            name = path.rsplit("/", 1)[-1]
            suffix = os.path.splitext(name)[1].lower()
            # Files without a suffix (.dvc/config, Makefile, Procfile, scripts) are read; `read` still
            # returns None for binary content.
            known = self._is_text[path] = (
                suffix in TEXT_SUFFIXES or not suffix or bool(DOCKERFILE_NAME.match(name))
            )
        return known

    def text_files(self, *patterns: str) -> list[str]:
        """The files that may be text (`is_text`), of those matching `patterns` (all files without any)."""
        found = self._text_files.get(patterns)
        if found is None:
            candidates = self.glob(*patterns) if patterns else self.files
            found = self._text_files[patterns] = [path for path in candidates if self.is_text(path)]
        return found


class PathMatcher(Protocol):
    """What `FileList.glob` asks of a compiled glob: a `pathspec.PathSpec` or a `StarGlob`."""

    def match_file(self, file: str) -> bool: ...


@functools.lru_cache(maxsize=4096)
def glob_spec(pattern: str) -> PathMatcher:
    """The gitignore-style `pattern` made ready to match paths: a `StarGlob` when it is one of the plain
    shapes nearly every rule uses (`*.py`, `Dockerfile*`, `configs/`, `requirements/*.txt`), which needs no
    regular expression; else the pattern compiled by pathspec (a compile costs more than matching a
    listing, and each forked worker starts without compiled patterns)."""
    return StarGlob.of(pattern) or pathspec.PathSpec.from_lines(GITIGNORE, [pattern])


def _star_match(glob: str, name: str) -> bool:
    """Whether `glob`, literal text and `*` (any run of characters), matches all of `name`. Each `*` takes
    the fewest characters that let the next literal part follow, which finds a match whenever there is one
    (no backtracking: linear in the name)."""
    parts = glob.split("*")
    if len(parts) == 1:
        return glob == name
    first, last = parts[0], parts[-1]
    if len(name) < len(first) + len(last) or not name.startswith(first) or not name.endswith(last):
        return False
    position, end = len(first), len(name) - len(last)
    for part in parts[1:-1]:
        found = name.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


@dataclasses.dataclass(slots=True)  # not frozen: a frozen class's __init__ costs three times as much
class StarGlob:
    """A gitignore pattern of literal text, `*` and `/` only, matched as pathspec's "gitignore" style matches
    it, without a regular expression (tests/test_repo.py compares the two on thousands of paths).

    What pathspec does with such a pattern: one without an inner slash matches at any depth (`**/` before
    it); one with a slash is anchored at the root. A trailing slash matches directories only (something must
    follow); a pattern that ends in a segment that is `*` alone matches one level only (`foo/*` matches
    `foo/x` and `foo/x/`, not `foo/x/y`); any other matches a path and all that is under it. A `*` alone
    stands for a non-empty segment, and `*` within a segment for any run of characters but `/`.
    """

    segments: tuple[str, ...]
    anchored: bool
    directory: bool
    pattern: str
    shape: str = ""  # NAME, SUFFIX or PREFIX: an unanchored glob matched by a substring test (`match_file`)

    @classmethod
    def of(cls, pattern: str) -> StarGlob | None:
        """The StarGlob of `pattern`; None when pathspec must read it: a bracket, `?`, escape, `**`, a
        negation or comment, surrounding spaces, an empty segment, or a lone `*` that pathspec special-cases."""
        if (
            not pattern
            or pattern != pattern.strip()
            or pattern[0] in "#!"
            or "**" in pattern
            or not _STAR_GLOB_CHARS.isdisjoint(pattern)
        ):
            return None
        directory = pattern.endswith("/")
        body = pattern[1:] if pattern.startswith("/") else pattern
        body = body[:-1] if directory else body
        segments = tuple(body.split("/"))
        if "" in segments or "." in segments or ".." in segments:
            return None
        anchored = pattern.startswith("/") or len(segments) > 1
        if not anchored and segments[0] == "*":
            return None
        return cls(segments, anchored, directory, pattern, "" if anchored else _shape(segments[0], directory))

    def match_file(self, file: str) -> bool:
        """Whether the gitignore pattern matches `file`, a relative "/"-separated path. A path pathspec would
        first normalise (a leading `/` or `./`) or holding a newline (which its regex treats apart) is
        handed to pathspec itself."""
        if file.startswith(("/", "./")) or "\n" in file or "//" in file:
            return bool(pathspec.PathSpec.from_lines(GITIGNORE, [self.pattern]).match_file(file))
        shape = self.shape
        if shape:
            glob = self.segments[0]
            if shape == NAME:
                return f"/{glob}/" in (f"/{file}" if self.directory else f"/{file}/")
            if shape == SUFFIX:
                return f"{glob[1:]}/" in file or (not self.directory and file.endswith(glob[1:]))
            return file.startswith(glob[:-1]) or f"/{glob[:-1]}" in file  # PREFIX
        names = file.split("/")
        if not self.anchored:
            glob = self.segments[0]
            last = len(names) - 1 if self.directory else len(names)
            return any(_star_match(glob, name) for name in names[:last])
        count = len(self.segments)
        if len(names) < count:
            return False
        for glob, name in zip(self.segments, names[:count], strict=True):
            if not (name if glob == "*" else _star_match(glob, name)):
                return False
        if self.directory:
            return len(names) > count
        if self.segments[-1] == "*":
            return len(names) == count or (len(names) == count + 1 and not names[count])
        return True


_STAR_GLOB_CHARS = frozenset("?[]\\\n\r")

# The shapes of an unanchored one-segment glob that a substring test decides. Such a glob matches a path when
# it matches one of the path's names (but the last, for a folder glob `x/`), and the name holds no "/": so
# `uv.lock` matches when "/uv.lock/" is in "/" + path + "/"; `*.py` when the path ends with ".py" or holds
# ".py/" (a name ends there); `Dockerfile*` when the path starts with "Dockerfile" or holds "/Dockerfile".
NAME, SUFFIX, PREFIX = "name", "suffix", "prefix"


def _shape(glob: str, directory: bool) -> str:
    """NAME (no star), SUFFIX (`*` then literal text) or PREFIX (literal text then `*`, not a folder glob)
    for a glob a substring test decides; "" for any other (`*config*.yaml`), matched name by name."""
    stars = glob.count("*")
    if stars == 0:
        return NAME
    if stars == 1 and len(glob) > 1 and glob.startswith("*"):
        return SUFFIX
    if stars == 1 and len(glob) > 1 and glob.endswith("*") and not directory:
        return PREFIX
    return ""


@dataclasses.dataclass(frozen=True)
class TaggedListing:
    """What one `git ls-files -t` printed: the tracked paths in index order (an unmerged path once per
    stage, as plain `git ls-files` prints it), the untracked ones and the deleted ones. `complete` is False
    when only the tracked files were asked for; `untracked_problem` is why the untracked files could not be
    listed, when they could not."""

    tracked: list[str]
    untracked: list[str]
    deleted: set[str]
    complete: bool = True
    untracked_problem: str | None = None
    ordered: bool = False  # `tracked` is sorted already
    text: str | None = None  # when `ordered`: the paths between NULs, as a `Listing` holds them


def parse_tagged_listing(output: bytes) -> TaggedListing:
    """The paths of `git ls-files -t -z` output, each record a one-letter status tag, a space and a path.

    H (cached), S (skip-worktree) and M (unmerged) are the entries plain `git ls-files` lists; ? is an
    untracked file and R a tracked file missing from the work tree (which git also lists as H). A record of
    any other shape raises GitError: the listing is then not trusted."""
    text = output.decode("utf-8", errors="replace")
    if (
        text.startswith("H ")
        and text.endswith("\x00")
        and not text.startswith("H \x00")
        and "\x00H \x00" not in text
    ):
        # Every record tracked and present, as in a fresh clone or a large repository's `--cached` listing:
        # split at C speed (a path holds no NUL), not record by record (12 ms for 50,000 files). The split
        # gives one path per record when every NUL ends one (no other tag follows a NUL), and no record is
        # an empty path ("H " then its NUL, looked for in the text rather than among 50,000 paths).
        paths = text[2:-1].split("\x00H ")
        if len(paths) == text.count("\x00"):
            return TaggedListing(paths, [], set())
    found: dict[str, list[str]] = {"tracked": [], "untracked": [], "deleted": []}
    records = text.split("\x00")
    records.pop()  # after the last NUL
    for record in records:
        kind = LISTING_TAGS.get(record[:1]) if record[1:2] == " " and len(record) > 2 else None
        if kind is None:
            raise gitsafe.GitError(f"git ls-files printed an unexpected record {record[:40]!r}")
        found[kind].append(record[2:])
    return TaggedListing(found["tracked"], found["untracked"], set(found["deleted"]))


def parse_cached_listing(output: bytes) -> TaggedListing:
    """The paths of plain `git ls-files -z` output (all tracked: what a large repository lists); see
    `CachedListingReader`, which reads the same output as it arrives."""
    reader = CachedListingReader()
    reader.feed(output)
    return reader.listing()


class CachedListingReader:
    """Reads plain `git ls-files -z` output piece by piece (`feed`), as git writes it, and gives its paths
    (`listing`): in order (`ordered`) unless a path is not valid UTF-8; an empty path or an unended one
    raises GitError.

    Each piece is cut after its last NUL and split at C speed (half the time of the tagged form's parse),
    so the split of a large repository's 50,000 paths runs while git still writes the rest: git writes a
    listing over several milliseconds, after reading its index. A NUL is never part of a UTF-8 sequence,
    so pieces cut after one decode as the whole output would."""

    ERROR_CONTEXT = 160  # bytes kept of the output's start: the 40 characters an error shows

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.pieces: list[str] = []
        self.rest = b""  # after the last NUL read so far
        self.start = b""
        self.empty_path = False

    def feed(self, chunk: bytes) -> None:
        if len(self.start) < self.ERROR_CONTEXT:
            self.start += chunk[: self.ERROR_CONTEXT - len(self.start)]
        data = self.rest + chunk if self.rest else chunk
        cut = data.rfind(b"\x00") + 1
        self.rest = data[cut:]
        if cut:
            piece = data[:cut].decode("utf-8", errors="replace")
            # every piece starts after a NUL: one starting with a NUL holds an empty path
            self.empty_path = self.empty_path or piece.startswith("\x00") or "\x00\x00" in piece
            self.pieces.append(piece)
            self.paths += piece[:-1].split("\x00")

    def listing(self) -> TaggedListing:
        if not self.pieces and not self.rest:
            return TaggedListing([], [], set())
        if self.rest or self.empty_path:
            shown = self.start.decode("utf-8", errors="replace")[:40]
            raise gitsafe.GitError(f"git ls-files printed an unexpected listing {shown!r}")
        # git keeps the index in byte order of the paths (it refuses an index out of order), which is their
        # code point order when they decode without a replacement character: no sort needed then
        ordered = not any("\ufffd" in piece for piece in self.pieces)
        return TaggedListing(
            self.paths, [], set(), ordered=ordered, text="".join([END, *self.pieces]) if ordered else None
        )


def index_entries(repository: gitsafe.GitRepository) -> int:
    """The number of entries the index's header gives (0 when there is no index or it cannot be read).

    Never more than `git ls-files` lists (a split or sparse index holds fewer entries than it stands for),
    so a header above LARGE_REPOSITORY tells a large repository before git is started."""
    try:
        header = gitsafe.read_regular(repository.git_dir / "index", INDEX_HEADER) or b""
    except OSError:
        return 0
    if len(header) < INDEX_HEADER or header[:4] != b"DIRC":
        return 0
    return int.from_bytes(header[8:12], "big")


def tree_entries(output: str) -> list[tuple[str, str, str]]:
    """(mode, object id, path) of each entry of `git ls-tree -r -z` output (`<mode> <type> <id>\\t<path>`
    between NULs); a record of another shape is left out. Split, never matched by a pattern: a path holds
    anything but NUL, and a pattern over it would retry from every digit of a long run of digits."""
    entries = []
    for record in output.split("\x00"):
        info, tab, path = record.partition("\t")
        fields = info.split(" ")
        if not tab or not path or len(fields) != 3:
            continue
        mode, kind, object_id = fields
        if mode.isascii() and mode.isdigit() and kind and object_id and HEX.issuperset(object_id):
            entries.append((mode, object_id, path))
    return entries


_SKIPPED = re.compile(
    r"(^|/)(" + "|".join(re.escape(d) for d in sorted(SKIP_DIRS)) + r")/|(^|/)\.dvc/cache/|(^|/)\.DS_Store$"
)


# Substrings, at least one of which every path that _skipped() refuses contains (".venv/", "venv/" and ".env/"
# all contain "env/"): a listing without any has nothing to skip, and eleven searches cost less than seventeen.
_SKIP_MARKERS = (
    "env/",
    "cache",
    ".git/",
    ".hg/",
    ".svn/",
    "node_modules/",
    ".tox/",
    ".nox/",
    "checkpoints/",
    "site-packages/",
    ".DS_Store",
)


def _without_virtualenvs(paths: list[str]) -> list[str]:
    """`paths` without the files of committed virtualenvs found by their pyvenv.cfg (any folder name)."""
    venvs = tuple(p[: -len("pyvenv.cfg")] for p in paths if p.endswith("/pyvenv.cfg"))
    return [p for p in paths if not p.startswith(venvs)] if venvs else paths


def _skipped(path: str) -> bool:
    return _SKIPPED.search(path) is not None


def _ignored(ignores: list[tuple[str, pathspec.PathSpec]], path: str) -> bool:
    return any(path.startswith(prefix) and spec.match_file(path[len(prefix) :]) for prefix, spec in ignores)
