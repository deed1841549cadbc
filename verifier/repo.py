"""The repository view every rule reads through: one indexing pass, cached reads and parsed views.

Rules never touch the disk themselves. A `Repo` lists the files once (the git-tracked files of a git
work tree root, since a grader verifies what was pushed; otherwise a walk that honours .gitignore),
reads lazily with a size cap and binary detection, and builds each parsed view (YAML, TOML,
workflows, dependencies, Dockerfiles, Python facts, history) once, on first use. Every failure to
read or parse becomes one warning in `Repo.warnings`; it never stops the verification.
"""

from __future__ import annotations

import bisect
import errno
import os
import posixpath
import re
import sys
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

import pathspec

from . import dependencies as deps
from . import gitsafe
from .evidence import Location
from .history import History, read_history
from .listing import Listing, folder_end
from .pyfacts import Call, PythonFacts, imports_any, name_matches, notebook_code, parse_python
from .safe_yaml import YamlRefused, has_key
from .safe_yaml import load_all as yaml_load_all
from .templates import TemplateMatch, git_blob_id, match_blob, match_stub
from .workflows import Step, Workflow, parse_workflow, runs_command

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_FILE_BYTES = 1_000_000
MAX_NOTEBOOK_BYTES = 50_000_000  # notebooks with plotted outputs; only their code cells are kept
READ_AS_TEXT = "(read as text)"  # marks locations in Python files this interpreter could not parse
MAX_MARKED_SNIPPET = 140  # a marked snippet keeps the mark within the 160 characters of a Location
UNTRACKED_TIMEOUT = 10.0  # seconds for the untracked and deleted listings (see Repo._git_side_by_side)
MAX_IGNORE_BYTES = 100_000  # of a .gitignore or .gitmodules (real ones hold a few kB)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # 0 on Windows: links are checked with lstat there
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
LARGE_REPOSITORY = 20_000
# What in a gitignore pattern is no literal text: a character class (`[]c]` and `[!]c]` hold "]"), a lone
# bracket, a wildcard or an escape. Dropping more than needed only widens the candidates.
GLOB_NOT_LITERAL = re.compile(r"\[[!^]?\]?[^\]]*\]|[\[\]*?\\]")
NARROW_AMONG = 2_000  # a search among more earlier matches than this costs more than a listing search
FROM_IMAGE = re.compile(r"(?m)^FROM\s+(--platform=\S+\s+)?[\w./:@${}-]+(\s+AS\s+[\w.-]+)?\s*$")
LS_TREE_ENTRY = re.compile(r"(\d+) \w+ ([0-9a-f]+)\t([^\x00]+)\x00")
GITIGNORE = "gitignore"  # pathspec >= 1.0 name of the gitignore pattern style
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
# A pasted checklist line ("- [x] Used Hydra ...") is a claim, never evidence.
CHECKBOX_LINE = re.compile(r"^\s*(?:>\s*)?[-*+]\s+\[[^\]]{0,4}\]\s")
TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$")


@dataclass(frozen=True)
class Dockerfile:
    path: str
    instructions: tuple[tuple[int, str, str], ...]

    def get(self, keyword: str) -> list[tuple[int, str]]:
        return [(line, args) for line, word, args in self.instructions if word == keyword.upper()]

    @property
    def base_images(self) -> list[str]:
        return [
            args.split()[-1] if " AS " not in args.upper() else args.split()[0]
            for _, args in self.get("FROM")
        ]


class Repo:
    """A read-only, indexed view of the repository at `root` (see the module docstring).

    In a git work tree root the files are the tracked ones: untracked files do not count (a warning says
    how many there are), because a grader verifies what was pushed; `include_untracked=True` adds the
    untracked files that .gitignore does not exclude, for a student checking work not yet committed.
    Folders of committed virtualenvs (known names, or any folder holding a pyvenv.cfg) are never listed.
    git runs only through `gitsafe` (validated repository, isolated environment, no program of the group),
    each command within `git_timeout` seconds; a repository git may not read is listed by a directory walk,
    and `git_problem` says why.
    """

    def __init__(
        self,
        root: str | Path,
        *,
        max_file_bytes: int = MAX_FILE_BYTES,
        include_untracked: bool = False,
        git_timeout: float = gitsafe.READ_TIMEOUT,
    ) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(f"{root}: not a directory")
        self.max_file_bytes = max_file_bytes
        self.include_untracked = include_untracked
        self.warnings: list[str] = []
        self.report: Any = None
        self.report_path: str | None = None
        self.report_files: set[str] = set()  # the files the report was read from: never evidence
        self._text: dict[str, str | None] = {}
        self._yaml: dict[str, list[Any]] = {}
        self._python: dict[str, PythonFacts] = {}
        self._globs: dict[tuple[str, ...], list[str]] = {}
        self._containing: dict[tuple[str, bool], list[str]] = {}
        self._searches: dict[tuple[Any, ...], list[Location]] = {}
        self.truncated: set[str] = set()
        self.is_git = os.path.lexists(self.root / ".git")
        self.git_timeout = git_timeout
        self.git_problem: str | None = None
        self._git_repository: gitsafe.GitRepository | None = None
        self._blob_ids: dict[str, str] = {}
        self._template_matches: dict[str, TemplateMatch | None] = {}
        self._resolved_dirs: dict[str, Path | None] = {}
        self._listed: Listing | None = None
        listed = self._list_files()
        self.files: tuple[str, ...] = tuple(listed if self._listed is not None else sorted(listed))

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # ----------------------------------------------------------------- listing

    def _list_files(self) -> Iterable[str]:
        if self.is_git:
            try:
                self._git_repository = gitsafe.locate(self.root)
            except gitsafe.GitError as error:
                self.git_problem = error.reason
                self.warn(f"{error.reason} (every file on disk was checked instead)")
            if self._git_repository is None:
                self.is_git = False
            else:
                listed = self._git_files()
                if listed is not None:
                    return listed
        return self._walk_files()

    def _git(self, *args: str) -> str:
        """The output of read command `git args` (GitError when it fails; see `gitsafe`)."""
        assert self._git_repository is not None
        output = self._git_repository.run(*args, timeout=self.git_timeout)
        return output.decode("utf-8", errors="replace")

    def _git_files(self) -> list[str] | None:
        """Tracked files (`git ls-files`); None to fall back to a directory walk.

        Blob ids are not listed: `blob_id` hashes a file when a template check asks for it, which keeps
        the listing of a repository with 50,000 committed data files to one short git call and a split.
        """
        try:
            output = self._git("ls-files", "-z")
        except gitsafe.GitError as error:
            self.warn(f"git could not list the files ({error.reason}); walking the directory instead")
            self.is_git = False
            return None
        if not output:
            return self._head_tree_files()
        paths = output.split("\x00")
        paths.pop()  # after the last NUL
        # Checking every file on disk (deleted or untracked ones) costs a stat each; in a large repository a
        # tracked file deleted locally is left in the list and simply reads as missing, and untracked files
        # are not counted.
        deleted: set[str] = set()
        if len(paths) <= LARGE_REPOSITORY or self.include_untracked:
            untracked, deleted_output = self._git_side_by_side(
                ("ls-files", "--others", "--exclude-standard", "-z"), ("ls-files", "--deleted", "-z")
            )
            new = [path for path in (untracked or "").split("\x00") if path]
            self._warn_untracked(len(new))
            deleted = set(filter(None, (deleted_output or "").split("\x00")))
            if self.include_untracked and new:
                paths += new
                output += "\x00".join(new) + "\x00"
        gitlinks = self._submodule_paths()
        paths.sort()
        listing = Listing(paths)
        if deleted or gitlinks or listing.any_folder(_skipped, _SKIP_MARKERS):
            paths = self._kept(paths, deleted | gitlinks)
        if any(path.endswith("/pyvenv.cfg") for path in listing.containing("/pyvenv.cfg")):
            paths = _without_virtualenvs(paths)
        if paths is listing.paths:
            self._listed = listing
        return paths

    def _head_tree_files(self) -> list[str] | None:
        """The files of the HEAD commit, for a clone whose checkout failed (no index although HEAD has files)."""
        try:
            output = self._git("ls-tree", "-r", "-z", "HEAD")
        except gitsafe.GitError:
            output = ""
        if not output:
            self.warn("the git repository has no committed files; every file on disk was checked")
            return None
        self.warn("the git index is missing or empty; the files of the HEAD commit were listed instead")
        entries = LS_TREE_ENTRY.findall(output)  # (mode, blob id, path)
        self._blob_ids.update((path, blob) for _, blob, path in entries)
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
        return {match.strip().strip("/") for match in re.findall(r"(?m)^[ \t]*path[ \t]*=[ \t]*(.+)$", text)}

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

    def _git_side_by_side(self, *commands: tuple[str, ...]) -> list[str | None]:
        """The output of each git command, run at the same time; None, with a warning, for one that failed.

        Listing untracked files opens every .gitignore of the work tree, and git blocks on one that is a named
        pipe: unless untracked files are included, these listings get at most UNTRACKED_TIMEOUT seconds, as
        their only use then is a count in a warning (and deleted files, which then simply read as missing)."""
        assert self._git_repository is not None
        timeout = self.git_timeout if self.include_untracked else min(self.git_timeout, UNTRACKED_TIMEOUT)
        outputs: list[str | None] = []
        for command, result in zip(
            commands, self._git_repository.run_all(*commands, timeout=timeout), strict=True
        ):
            if isinstance(result, gitsafe.GitError):
                which = "untracked" if "--others" in command else "deleted"
                self.warn(f"git could not list the {which} files ({result.reason}); they were not counted")
                outputs.append(None)
            else:
                outputs.append(result.decode("utf-8", errors="replace"))
        return outputs

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

    # ----------------------------------------------------------------- paths

    def has(self, path: str) -> bool:
        index = bisect.bisect_left(self.files, path)
        return index < len(self.files) and self.files[index] == path

    def glob(self, *patterns: str) -> list[str]:
        """Files matching any gitignore-style pattern (`*.dvc` anywhere, `dockerfiles/*.dockerfile` anchored)."""
        key = tuple(patterns)
        if key not in self._globs:
            found: set[str] = set()
            for pattern in patterns:
                spec = pathspec.PathSpec.from_lines(GITIGNORE, [pattern])
                found.update(path for path in self._candidates(pattern) if spec.match_file(path))
            self._globs[key] = sorted(found)
        return self._globs[key]

    def _candidates(self, pattern: str) -> Sequence[str]:
        """The files that contain every literal part of the pattern (`.dvc` for `*.dvc`, `configs/` for
        `configs/`), which every match must contain; all files when it has no part of two characters or
        more. The part searched first is the one with the fewest paths to read or filter: a part with a
        dot or a slash (never in folders of other data files) unless it is in all of a folder of them."""
        parts = [
            literal
            for part in GLOB_NOT_LITERAL.split(pattern.lstrip("!").rstrip())
            if len(literal := part.lstrip("/")) >= 2  # `**/x` matches `x` at the root: no leading slash
        ]
        if not parts:
            return self.files
        searched = min(parts, key=lambda part: (self._listing.search_cost(part), -len(part)))
        others = [part for part in parts if part not in searched]
        found = self.paths_containing(searched)
        return [path for path in found if all(part in path for part in others)] if others else found

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
        dot = needle.rfind(".")
        if 0 < dot < len(needle) - 2:
            self.paths_containing(needle[dot:], ignore_case)
        narrower = [
            paths
            for (known, case), paths in self._containing.items()
            if case == ignore_case and known in needle and len(paths) <= NARROW_AMONG
        ]
        if narrower:
            found = [
                path for path in min(narrower, key=len) if needle in (path.lower() if ignore_case else path)
            ]
        else:
            found = self._scan_listing(needle, ignore_case)
        self._containing[key] = found
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

    def git_ignores(self, path: str) -> bool:
        """The root .gitignore excludes `path` (a secret or a data folder a group rightly did not commit)."""
        spec = self._root_gitignore
        return spec is not None and spec.match_file(re.sub(r"^(\./)+", "", path))

    @cached_property
    def _root_gitignore(self) -> pathspec.PathSpec | None:
        text = self.read(".gitignore") if self.has(".gitignore") else None
        return pathspec.PathSpec.from_lines(GITIGNORE, text.splitlines()) if text else None

    def is_generated(self, path: str) -> bool:
        """True for files inside tool output folders (wandb/, outputs/, multirun/, mlruns/, .hydra/ ...)."""
        return bool(GENERATED.search(path))

    def is_test(self, path: str) -> bool:
        return bool(TEST_PATH.search(path))

    # ----------------------------------------------------------------- reads

    def is_text(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        suffix = os.path.splitext(name)[1].lower()
        # Files without a suffix (.dvc/config, Makefile, Procfile, scripts) are read; `read` still
        # returns None for binary content.
        return suffix in TEXT_SUFFIXES or not suffix or bool(re.match(r"(?i)(.*\.)?dockerfile", name))

    def _resolved_dir(self, path: str, folder: str) -> Path | None:
        """The folder of `path` with links resolved (cached); None, with a warning, when it leaves the repository."""
        if folder not in self._resolved_dirs:
            self._resolved_dirs[folder] = self._resolve_inside(folder) if folder else self.root
        parent = self._resolved_dirs[folder]
        if parent is None:
            self.warn(f"{path}: inside a folder that links outside the repository; not read")
        return parent

    def _safe_path(self, path: str) -> Path | None:
        folder, _, name = path.rpartition("/")
        parent = self._resolved_dir(path, folder)
        if parent is None:
            return None
        full = parent / name
        if not os.path.islink(full):
            return full
        resolved = self._resolve_inside(path)
        if resolved is None:
            self.warn(f"{path}: a symbolic link pointing outside the repository; not read")
        return resolved

    def _resolve_inside(self, path: str) -> Path | None:
        """`path` with every link resolved, or None when that leaves the repository (or cannot resolve)."""
        try:
            resolved = (self.root / path).resolve()
        except (OSError, RuntimeError):
            return None
        if resolved != self.root and self.root not in resolved.parents:
            return None
        return resolved

    def size(self, path: str) -> int:
        full = self._safe_path(path)
        try:
            return full.stat().st_size if full else 0
        except OSError:
            return 0

    def read(self, path: str) -> str | None:
        """The file's text (at most `max_file_bytes`, decoded leniently); None for binary or unreadable files.

        Reading a whole file also records its git blob id, so template checks need no second read.
        """
        if path in self._text:
            return self._text[path]
        text = None
        if self.has(path) or (self.root / path).is_file():
            try:
                data = self._read_up_to(path, self.max_file_bytes)
                if data is not None:
                    if len(data) <= self.max_file_bytes:
                        self._blob_ids.setdefault(path, git_blob_id(data))
                    if b"\x00" not in data[:8192]:
                        text = data[: self.max_file_bytes].decode("utf-8", errors="replace")
                        if len(data) > self.max_file_bytes:
                            self.truncated.add(path)
                            self.warn(
                                f"{path}: larger than {self.max_file_bytes // 1000} kB; only its start was read"
                            )
            except IsADirectoryError:
                self.warn(
                    f"{path}: a folder committed as a link to another git repository (a submodule or an embedded "
                    "repository); its files were not checked"
                )
            except OSError as error:
                self.warn(f"{path}: unreadable ({error.strerror or error})")
        self._text[path] = text
        return text

    def _read_up_to(self, path: str, limit: int) -> bytes | None:
        """The first `limit` + 1 bytes of `path` (one more tells a longer file); None for a link that leaves."""
        handle = self._open(path)
        if handle is None:
            return None
        with handle:
            return handle.read(limit + 1)

    def _open(self, path: str) -> BinaryIO | None:
        """`path` opened for reading, never through a link that leaves the repository (None, with a warning).

        The file itself is opened with O_NOFOLLOW, so a regular file costs no extra `lstat`; only a link is
        resolved and checked. O_NONBLOCK keeps a named pipe in a walked directory from hanging the read.
        """
        if not _O_NOFOLLOW:
            full = self._safe_path(path)
            return open(full, "rb") if full is not None else None
        folder, _, name = path.rpartition("/")
        parent = self._resolved_dir(path, folder)
        if parent is None:
            return None
        try:
            descriptor = os.open(os.path.join(parent, name), os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK)
        except OSError as error:
            if error.errno not in (errno.ELOOP, errno.EMLINK):
                raise
            resolved = self._resolve_inside(path)
            if resolved is None:
                self.warn(f"{path}: a symbolic link pointing outside the repository; not read")
                return None
            descriptor = os.open(resolved, os.O_RDONLY | _O_NONBLOCK)
        try:
            return os.fdopen(descriptor, "rb")
        except OSError:  # a folder (a submodule's link) opens, but is no file
            os.close(descriptor)
            raise

    def lines(self, path: str) -> list[str]:
        text = self.read(path)
        return text.splitlines() if text is not None else []

    def location(self, path: str, line: int | None = None, snippet: str | None = None) -> Location:
        """A Location whose snippet is the file's own line, unless one is given; in a Python file this
        interpreter could not parse (its facts read from tokens), the snippet ends with "(read as text)"."""
        if snippet is None and line:
            lines = self.lines(path)
            snippet = lines[line - 1] if 0 < line <= len(lines) else ""
        facts = self._python.get(path)
        if facts is not None and facts.read_as_text:
            snippet = f"{' '.join((snippet or '').split())[:MAX_MARKED_SNIPPET]} {READ_AS_TEXT}".lstrip()
        return Location(path, line, snippet or "")

    def step_location(self, path: str, step: Step, pattern: str) -> Location:
        """The line of a workflow step's `run:` script with a command matching `pattern` that is not an
        install command (`Step.runs_command`), cited at its own line; for a step without one (a `uses:`
        step), the step's first line."""
        lines = self.lines(path)
        for number in range(step.line or 1, min(len(lines), (step.line or 1) + 200) + 1):
            text = lines[number - 1].strip().removeprefix("- ").removeprefix("run:").strip()
            if text and text in step.run and runs_command(text, pattern):
                return Location(path, number, text)
        return self.location(path, step.line or None, step.text)

    def cloudbuild_steps(self, pattern: str) -> list[Location]:
        """Cloud Build steps (in YAML files of any name) whose `name args entrypoint script` text matches
        the regex `pattern`, e.g. r"run\\s+deploy" for `args: ['run', 'deploy', ...]`."""
        compiled, found = re.compile(pattern, re.IGNORECASE), []
        for path, document in self.yaml_documents():
            steps = document.get("steps") if isinstance(document, dict) else None
            for step in steps if isinstance(steps, list) else []:
                if not isinstance(step, dict):
                    continue
                args = step.get("args") or []
                parts = (
                    step.get("name", ""),
                    *(args if isinstance(args, list) else [args]),
                    step.get("entrypoint", ""),
                    step.get("script", ""),
                )
                text = " ".join(str(part) for part in parts if part)
                if compiled.search(text):
                    found.append(self.location(path, getattr(step, "line", None) or 1, text.strip()))
        return found

    def line_of(self, path: str, pattern: str, flags: int = re.IGNORECASE) -> int | None:
        compiled = re.compile(pattern, flags)
        return next((n for n, line in enumerate(self.lines(path), start=1) if compiled.search(line)), None)

    def text_files(self, *patterns: str) -> list[str]:
        candidates = self.glob(*patterns) if patterns else self.files
        return [path for path in candidates if self.is_text(path)]

    def search(
        self, pattern: str, *globs: str, limit: int = 20, flags: int = re.IGNORECASE, excluded: bool = False
    ) -> list[Location]:
        """Lines matching the regex `pattern` in text files (optionally only those matching `globs`).

        Files that are never evidence (`is_excluded`) are skipped unless `excluded=True`, and so are
        checklist lines pasted anywhere (`- [x] Used Hydra ...`): a claim is not evidence. Outside prose
        files, commented-out lines (`# docker build ...`) are skipped too.
        """
        key = (pattern, globs, limit, flags, excluded)
        if key in self._searches:
            return self._searches[key]
        compiled = re.compile(pattern, flags | re.MULTILINE)
        hits: list[Location] = []
        for path in self.text_files(*globs):
            if (not excluded and self.is_excluded(path)) or len(hits) >= limit:
                continue
            text = self.read(path)
            if not text:
                continue
            prose = path.lower().endswith((".md", ".rst", ".txt", ".html"))
            for match in compiled.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                location = self.location(path, line)
                if CHECKBOX_LINE.match(location.snippet) or (
                    not prose and location.snippet.startswith(("#", "//"))
                ):
                    continue
                hits.append(location)
                if len(hits) >= limit:
                    break
        self._searches[key] = hits
        return hits

    # ----------------------------------------------------------------- fingerprints

    def blob_id(self, path: str) -> str | None:
        """The git blob id of the file's content (as `git hash-object` gives it); None for a file that cannot be
        read or is larger than the read cap (no template file is)."""
        if path not in self._blob_ids:
            self.read(path)
        return self._blob_ids.get(path)

    def template_match(self, path: str) -> TemplateMatch | None:
        """The template default this file is an untouched copy of: byte-identical (git blob id), or for
        code, Dockerfiles and Makefiles identical up to comments, layout and the package name."""
        if path in self._template_matches:
            return self._template_matches[path]
        found = match_blob(self.blob_id(path))
        if found is None and self.is_text(path):
            text = self.read(path)
            if text is not None and text.strip():
                packages = [p.rsplit("/", 1)[-1] for p in self.package_dirs] or [None]
                found = next((m for package in packages if (m := match_stub(text, package))), None)
        self._template_matches[path] = found
        return found

    # ----------------------------------------------------------------- structured files

    def yaml_all(self, path: str) -> list[Any]:
        """Every document of a YAML file (empty on error, with a warning)."""
        if path not in self._yaml:
            text = self.read(path)
            documents: list[Any] = []
            if text is not None:
                try:
                    documents = yaml_load_all(text)
                except YamlRefused as error:
                    self.warn(f"{path}: {error}; file skipped")
            self._yaml[path] = documents
        return self._yaml[path]

    def yaml(self, path: str) -> Any:
        documents = self.yaml_all(path)
        return documents[0] if documents else None

    def yaml_documents(self, *patterns: str) -> Iterator[tuple[str, Any]]:
        """(path, document) for every YAML document in files matching `patterns` (default: all YAML)."""
        for path in self.glob(*(patterns or ("*.yaml", "*.yml"))):
            if self.is_excluded(path):
                continue
            for document in self.yaml_all(path):
                yield path, document

    @cached_property
    def cloudbuild_files(self) -> list[str]:
        """YAML files (any name) holding a Cloud Build document: a top-level `steps` list of mappings with `name`."""
        return sorted(
            {
                path
                for path, document in self.yaml_documents()
                if isinstance(document, dict)
                and isinstance(steps := document.get("steps"), list)
                and steps
                and all(isinstance(step, dict) and "name" in step for step in steps)
            }
        )

    @cached_property
    def vertex_configs(self) -> list[str]:
        """YAML files (any name) holding a Vertex AI job config: a `workerPoolSpecs` key at any depth."""
        return sorted(
            {path for path, document in self.yaml_documents() if has_key(document, "workerPoolSpecs")}
        )

    def toml(self, path: str) -> dict[str, Any] | None:
        text = self.read(path)
        if text is None:
            return None
        try:
            return tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError, ValueError) as error:
            self.warn(f"{path}: invalid TOML ({error}); file skipped")
            return None

    @cached_property
    def pyproject(self) -> dict[str, Any]:
        return (self.toml("pyproject.toml") or {}) if self.has("pyproject.toml") else {}

    @cached_property
    def workflows(self) -> list[Workflow]:
        """GitHub Actions workflows under .github/workflows/ (YAML 1.1 `on:` read as True is handled)."""
        found = []
        for path in self.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
            if path.count("/") != 2:
                continue
            workflow = parse_workflow(path, self.yaml(path), self.read(path) or "")
            if workflow.error and workflow.error != "no 'on:' triggers":
                self.warn(f"{path}: not a workflow ({workflow.error})")
            found.append(workflow)
        return found

    @cached_property
    def dependencies(self) -> list[deps.Dependency]:
        """Declared dependencies from pyproject, requirements*.txt, uv.lock, poetry.lock, environment.yml."""
        found: list[deps.Dependency] = []
        for path in self.glob("pyproject.toml"):
            data = self.pyproject if path == "pyproject.toml" else self.toml(path)
            if data:
                found += deps.from_pyproject(path, self.read(path) or "", data)
        for path in self.glob(
            "requirements*.txt", "requirements/*.txt", "*requirements*.txt", "*.requirements"
        ):
            found += deps.from_requirements_txt(path, self.read(path) or "")
        for path in self.glob("uv.lock", "poetry.lock"):
            data = self.toml(path)
            if data:
                found += deps.from_lock(path, data)
        for path in self.glob("environment.yml", "environment.yaml", "conda*.yml", "conda*.yaml"):
            found += deps.from_environment_yml(path, self.read(path) or "", self.yaml(path))
        for dockerfile in self.dockerfiles:
            for line, command in dockerfile.get("RUN"):
                found += deps.from_pip_install(dockerfile.path, line, command)
        return [dep for dep in found if not self.is_generated(dep.path)]

    def dependency(self, *names: str) -> list[deps.Dependency]:
        """Declarations of any of the distributions `names` (compared as PEP 503 names)."""
        wanted = {deps.normalize(name) for name in names}
        return [dep for dep in self.dependencies if dep.name in wanted]

    def dependency_locations(self, *names: str) -> list[Location]:
        return [self.location(d.path, d.line, None if d.line else d.spec) for d in self.dependency(*names)]

    @cached_property
    def dockerfiles(self) -> list[Dockerfile]:
        """Dockerfiles anywhere, parsed into instructions: Dockerfile, Dockerfile.api, Dockerfile_train,
        Dockerfile-api, api.dockerfile, api_dockerfile, Containerfile, and files without a suffix in a
        dockerfiles/ folder that start with a FROM instruction."""
        named = re.compile(r"(?i)^(.*\.)?dockerfile(\..*)?$")
        # Other spellings count when the file has a FROM instruction (not docs/dockerfile_notes.md).
        spelled = re.compile(r"(?i)^(.*[._-])?(docker|container)file([._-].*)?$")
        candidates = self.paths_containing("dockerfile", ignore_case=True) + self.paths_containing(
            "containerfile", ignore_case=True
        )
        found = []
        for path in sorted(set(candidates)):
            folder, _, name = path.rpartition("/")
            if self.is_excluded(path):
                continue
            if named.match(name):
                found.append(_parse_dockerfile(path, self.read(path) or ""))
            elif os.path.splitext(name)[1].lower() in TEXT_SUFFIXES - {".dockerfile"}:
                continue  # docs/dockerfile_notes.md
            elif spelled.match(name) or (folder.lower().endswith("dockerfiles") and "." not in name):
                text = self.read(path) or ""
                # An upper-case FROM with an image, not prose ("From this folder").
                if FROM_IMAGE.search(text):
                    found.append(_parse_dockerfile(path, text))
        return found

    @cached_property
    def precommit(self) -> dict[str, Any] | None:
        """The pre-commit config: {'path', 'repos': [repo urls], 'hooks': [hook ids], 'entries': [the `entry`
        commands of local hooks, e.g. "ruff check --fix"]} or None."""
        for path in (".pre-commit-config.yaml", ".pre-commit-config.yml"):
            if self.has(path):
                data = self.yaml(path)
                repos = [
                    r
                    for r in (data.get("repos") if isinstance(data, dict) else None) or []
                    if isinstance(r, dict)
                ]
                hooks = [hook for repo in repos for hook in repo.get("hooks") or [] if isinstance(hook, dict)]
                return {
                    "path": path,
                    "repos": [str(repo.get("repo")) for repo in repos],
                    "hooks": [str(hook.get("id")) for hook in hooks],
                    "entries": [str(hook["entry"]) for hook in hooks if hook.get("entry")],
                }
        return None

    # ----------------------------------------------------------------- python

    @cached_property
    def package_dirs(self) -> list[str]:
        """Directories of the group's packages: src/<pkg>/ and top-level <pkg>/ with an __init__.py."""
        found = []
        for path in self.glob("__init__.py"):
            parent = path.rsplit("/", 1)[0] if "/" in path else ""
            top_level = parent.count("/") == 0 or (parent.startswith("src/") and parent.count("/") == 1)
            if parent and top_level and not self.is_test(parent + "/"):
                found.append(parent)
        return sorted(found)

    @cached_property
    def python_files(self) -> list[str]:
        """Python files and notebooks that may hold evidence (excluded places left out)."""
        return [p for p in self.glob("*.py", "*.ipynb") if not self.is_excluded(p)]

    @cached_property
    def code_files(self) -> list[str]:
        """The group's own code: Python files and notebooks that are not tests."""
        return [path for path in self.python_files if not self.is_test(path)]

    @cached_property
    def test_files(self) -> list[str]:
        return [path for path in self.python_files if self.is_test(path) and path.endswith(".py")]

    def python(self, path: str) -> PythonFacts:
        """Facts of a Python file, or of a notebook's code cells (a notebook is read whole up to
        MAX_NOTEBOOK_BYTES, since its outputs can make it far larger than the read cap while its code is small)."""
        if path not in self._python:
            if path.endswith(".ipynb"):
                code = notebook_code(self._notebook_text(path), self.max_file_bytes)
                if code.note:
                    self.warn(f"{path}: {code.note}")
                text = code.source
            else:
                text = self.read(path) or ""
            facts = parse_python(text)
            if facts.error and path.endswith(".py"):
                how = "; read as text" if facts.read_as_text else ""
                self.warn(f"{path}: Python not parsed ({facts.error}){how}")
            self._python[path] = facts
        return self._python[path]

    def _notebook_text(self, path: str) -> str:
        text = self.read(path)
        if text is None or path not in self.truncated:
            return text or ""
        try:
            data = self._read_up_to(path, MAX_NOTEBOOK_BYTES)
        except OSError:
            return ""
        if data is None:
            return ""
        if len(data) > MAX_NOTEBOOK_BYTES:
            self.warn(
                f"{path}: a notebook larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB; its code was not read"
            )
            return ""
        return data.decode("utf-8", errors="replace")

    def _paths(self, paths: Iterable[str] | None) -> Iterable[str]:
        return self.python_files if paths is None else paths

    def imports(self, *modules: str, paths: Iterable[str] | None = None) -> list[Location]:
        """Import statements of `modules` (or their submodules) in Python files and notebooks."""
        if paths is None:
            candidates = (
                entry for module in modules for entry in self._imports_by_top.get(module.split(".")[0], ())
            )
            return [
                self.location(path, line)
                for path, (name, line) in _in_order(candidates)
                if imports_any(name, modules)
            ]
        return [
            self.location(path, line) for path in paths for line in self.python(path).imports_module(*modules)
        ]

    def calls(self, *names: str, paths: Iterable[str] | None = None) -> list[tuple[str, Call]]:
        """(path, call) for calls resolved to one of `names` (`torch.onnx.export`, `onnx.export`, `export`)."""
        if paths is None:
            candidates = (
                entry for name in names for entry in self._calls_by_last.get(name.rpartition(".")[2], ())
            )
            return [(path, call) for path, call in _in_order(candidates) if name_matches(call.name, names)]
        return [(path, call) for path in paths for call in self.python(path).calls_to(*names)]

    @cached_property
    def _imports_by_top(self) -> dict[str, list[tuple[int, int, str, tuple[str, int]]]]:
        """Every import of every Python file by its top-level module, with its (file, position) order:
        one pass, so each `imports()` query looks at the files that import that module only."""
        index: dict[str, list[tuple[int, int, str, tuple[str, int]]]] = {}
        for order, path in enumerate(self.python_files):
            for position, entry in enumerate(self.python(path).imports):
                index.setdefault(entry[0].split(".")[0], []).append((order, position, path, entry))
        return index

    @cached_property
    def _calls_by_last(self) -> dict[str, list[tuple[int, int, str, Call]]]:
        """Every call of every Python file by the last part of its name, with its (file, position) order."""
        index: dict[str, list[tuple[int, int, str, Call]]] = {}
        for order, path in enumerate(self.python_files):
            for position, call in enumerate(self.python(path).calls):
                index.setdefault(call.name.rpartition(".")[2], []).append((order, position, path, call))
        return index

    def call_locations(self, *names: str, paths: Iterable[str] | None = None) -> list[Location]:
        return [self.location(path, call.line) for path, call in self.calls(*names, paths=paths)]

    def decorators(self, *names: str, paths: Iterable[str] | None = None) -> list[Location]:
        return [
            self.location(path, line)
            for path in self._paths(paths)
            for _, line in self.python(path).decorated_with(*names)
        ]

    def subclasses(self, *bases: str, paths: Iterable[str] | None = None) -> list[Location]:
        return [
            self.location(path, cls.line)
            for path in self._paths(paths)
            for cls in self.python(path).subclasses_of(*bases)
        ]

    # ----------------------------------------------------------------- history

    @cached_property
    def history(self) -> History:
        """The git history (see `verifier.history`); without one, `History.reason` says why."""
        if self._git_repository is not None:
            try:
                history = read_history(self.root, repository=self._git_repository, timeout=self.git_timeout)
            except Exception as error:  # a bug must not cost the other items
                history = History(reason=f"git history unreadable: {error}", unreadable=True)
            if history.unreadable:
                self.warn(f"git history not read: {history.reason}")
            return history
        if self.git_problem:
            return History(reason=self.git_problem, unreadable=True)
        return History(reason=gitsafe.NO_GIT)


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


def _parse_dockerfile(path: str, text: str) -> Dockerfile:
    instructions: list[tuple[int, str, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if not pending:
            start = number
        if line.startswith("#"):
            continue
        pending.append(line.rstrip("\\").strip())
        if not line.endswith("\\"):
            joined = " ".join(part for part in pending if part)
            word, _, args = joined.partition(" ")
            instructions.append((start, word.upper(), args.strip()))
            pending = []
    return Dockerfile(path, tuple(instructions))


def _in_order(entries: Iterable[tuple[int, int, str, Any]]) -> list[tuple[str, Any]]:
    """(path, fact) of index entries once each, in file order and then in order within the file."""
    unique = {(order, position): (path, fact) for order, position, path, fact in entries}
    return [unique[key] for key in sorted(unique)]
