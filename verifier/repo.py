"""The repository view every rule reads through: one listing, cached reads and parsed views.

Rules never touch the disk themselves. `Repo` is a thin facade over focused views, each built once, on
first use, and each in its own module:

    filelist.FileList        the listed files (git-tracked, or a walk honouring .gitignore) and path queries
    reader.Reader            bounded, link-safe reads, each file read once; notebooks' code cells
    textsearch.TextSearch    `search`: one literal check per file, a regex only where its literals are
    configfiles.ConfigFiles  YAML, TOML, workflows, Dockerfiles, Cloud Build, pre-commit, dependencies
    pyview.PythonView        Python facts of every Python file and notebook, indexed by import and call
    history.history_of       the git history

Every failure to read or parse becomes one warning in `Repo.warnings`; it never stops the verification.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pathspec

from . import dependencies as deps
from . import gitsafe
from .configfiles import FROM_IMAGE, ConfigFiles, Dockerfile
from .evidence import Evidence, Location
from .filelist import (
    EXCLUDED,
    GENERATED,
    GITIGNORE,
    GLOB_NOT_LITERAL,
    LARGE_REPOSITORY,
    MAX_IGNORE_BYTES,
    NARROW_AMONG,
    SKIP_DIRS,
    TEST_PATH,
    TEXT_SUFFIXES,
    UNTRACKED_TIMEOUT,
    FileList,
    Warnings,
)
from .history import History, RefsRead, history_of, read_refs, start_reading
from .pyfacts import Call, PythonFacts
from .pyview import PythonView
from .reader import MAX_FILE_BYTES, MAX_MARKED_SNIPPET, MAX_NOTEBOOK_BYTES, READ_AS_TEXT, Reader
from .templates import TemplateMatch, match_blob, match_stub_of_any, may_match_blob
from .textsearch import CHECKBOX_LINE, TextSearch, value_follows
from .workflows import Step, Workflow

if TYPE_CHECKING:
    from .rule import Rule

__all__ = [
    "CHECKBOX_LINE",
    "EXCLUDED",
    "FROM_IMAGE",
    "GENERATED",
    "GITIGNORE",
    "GLOB_NOT_LITERAL",
    "LARGE_REPOSITORY",
    "MAX_FILE_BYTES",
    "MAX_IGNORE_BYTES",
    "MAX_MARKED_SNIPPET",
    "MAX_NOTEBOOK_BYTES",
    "NARROW_AMONG",
    "READ_AS_TEXT",
    "SKIP_DIRS",
    "TEST_PATH",
    "TEXT_SUFFIXES",
    "UNTRACKED_TIMEOUT",
    "Dockerfile",
    "Repo",
]


class Repo:
    """A read-only, indexed view of the repository at `root` (see the module docstring).

    In a git work tree root the files are the tracked ones: untracked files do not count (a warning says
    how many there are), because a grader verifies what was pushed; `include_untracked=True` adds the
    untracked files that .gitignore does not exclude, for a student checking work not yet committed.
    Folders of committed virtualenvs (known names, or any folder holding a pyvenv.cfg) are never listed.
    git runs only through `gitsafe` (validated repository, isolated environment, no program of the group),
    each command within `git_timeout` seconds; a repository git may not read is listed by a directory walk,
    and `git_problem` says why. `start_history=True` starts reading the git history as soon as git
    has listed the files, to run while the caller works (see `start_history`). `while_listing(root)` is
    called once while git lists the files, for work that needs no listing to fill that wait (see
    `FileList`).
    """

    def __init__(
        self,
        root: str | Path,
        *,
        max_file_bytes: int = MAX_FILE_BYTES,
        include_untracked: bool = False,
        git_timeout: float = gitsafe.READ_TIMEOUT,
        start_history: bool = False,
        while_listing: Callable[[Path], None] | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(f"{root}: not a directory")
        self.max_file_bytes = max_file_bytes
        self.include_untracked = include_untracked
        self.git_timeout = git_timeout
        self.warnings = Warnings()
        self.repository_root = self.root
        self.project = ""
        self._history = _SharedHistory()
        self._attach(
            FileList(
                self.root,
                include_untracked=include_untracked,
                git_timeout=git_timeout,
                warn=self.warnings.add,
                on_git=self._start_reading if start_history else None,
                while_listing=_filling_the_wait(while_listing, self._history if start_history else None),
            )
        )

    def _attach(self, file_list: FileList) -> None:
        """Build the views over `file_list`. They refer to each other in one direction (and to `warnings`),
        never back to the Repo: a Repo dropped is freed at once, not kept with its texts and facts until a
        garbage collection."""
        warn = self.warnings.add
        self.report: Any = None
        self.report_path: str | None = None
        self.file_list = file_list
        self.files: tuple[str, ...] = file_list.files
        self.reader = Reader(
            self.root, file_list, max_file_bytes=self.max_file_bytes, warn=warn, boundary=self.repository_root
        )
        self.text_search = TextSearch(file_list, self.reader)
        self.configs = ConfigFiles(file_list, self.reader, warn=warn)
        self.python_view = PythonView(file_list, self.reader, warn=warn)
        self._template_matches: dict[str, TemplateMatch | None] = {}
        # Each rule's evidence in this view, by rule class (`rule.checked`): a rule whose verdict another
        # rule or an answer check builds on is checked once.
        self.rule_evidence: dict[type[Rule], Evidence] = {}
        self._without: dict[str, Repo | None] = {}

    def project_view(self, folder: str, *, hidden: tuple[str, ...] = ()) -> Repo:
        """The view of the project kept in `folder` of this repository (`dtu_mlops_69`: its pyproject.toml,
        src/, tests/, .github/workflows/ are there): every path a rule looks up or returns is relative to
        `folder`, as if it were the root, while the listing (tracked files only, as here), the git history
        and the warnings stay this repository's. `shown_path` turns a path of the view back into the
        repository's. `hidden` folders of the project (ending in "/") are left out of the view.
        Raises ValueError for a folder that holds no listed file or is no real folder inside the root."""
        folder = folder.strip("/")
        target = (self.root / folder).resolve()
        if not folder or target.parent == target or self.root not in target.parents or not target.is_dir():
            raise ValueError(f"{folder or '.'}: not a folder inside {self.root}")
        file_list = self.file_list.within(folder, hidden=hidden)
        if not file_list.files:
            raise ValueError(f"{folder}: holds no listed file")
        return self._derived(target, f"{self.project}/{folder}" if self.project else folder, file_list)

    def project_view_without(self, folder: str) -> Repo | None:
        """This view without the files of its `folder` (ending in "/"), made once; None when it has none."""
        if folder not in self._without:
            file_list = self.file_list.within("", hidden=(folder,))
            kept = len(file_list.files) < len(self.files)
            self._without[folder] = self._derived(self.root, self.project, file_list) if kept else None
        return self._without[folder]

    def _derived(self, root: Path, project: str, file_list: FileList) -> Repo:
        view = Repo.__new__(Repo)
        view.root = root
        view.max_file_bytes = self.max_file_bytes
        view.include_untracked = self.include_untracked
        view.git_timeout = self.git_timeout
        view.warnings = self.warnings
        view.repository_root = self.repository_root
        view.project = project
        view._history = self._history
        view._attach(file_list)
        return view

    def shown_path(self, path: str) -> str:
        """The repository-relative path of a path of this view (`pyproject.toml` of the project view of
        `dtu_mlops_69` is `dtu_mlops_69/pyproject.toml`); `.git`, which stands for the repository's history,
        and an empty path stay as they are."""
        if not self.project or not path or path == ".git" or path.startswith(".git/"):
            return path
        return f"{self.project}/{path}"

    def warn(self, message: str) -> None:
        """Add a warning (each once)."""
        self.warnings.add(message)

    @property
    def report_files(self) -> set[str]:
        """The files the report was read from: never evidence (`is_excluded`)."""
        return self.file_list.report_files

    @report_files.setter
    def report_files(self, paths: set[str]) -> None:
        self.file_list.report_files = set(paths)
        self.text_search.forget_exclusions()
        self.rule_evidence.clear()  # a rule checked before may have cited a file now excluded

    @property
    def is_git(self) -> bool:
        return self.file_list.is_git

    @property
    def git_problem(self) -> str | None:
        return self.file_list.git_problem

    @property
    def truncated(self) -> set[str]:
        """Files longer than the read cap, of which only the start was read."""
        return self.reader.truncated

    # ----------------------------------------------------------------- paths (filelist.FileList)

    def has(self, path: str) -> bool:
        return self.file_list.has(path)

    def glob(self, *patterns: str) -> list[str]:
        """Files matching any gitignore-style pattern (`*.dvc` anywhere, `dockerfiles/*.dockerfile` anchored)."""
        return self.file_list.glob(*patterns)

    def paths_containing(self, text: str, ignore_case: bool = False) -> list[str]:
        """The files whose path contains `text`, in listing order."""
        return self.file_list.paths_containing(text, ignore_case)

    @property
    def top_folders(self) -> set[str]:
        """The folders at the repository root that hold files."""
        return self.file_list.top_folders

    def match(self, pattern: str, flags: int = re.IGNORECASE) -> list[str]:
        """Files whose path matches the regular expression `pattern` (searched, not anchored)."""
        return self.file_list.match(pattern, flags)

    def link_target(self, link: str, base: str = "reports") -> str:
        """The repository path a relative link in a Markdown file in folder `base` points at (as GitHub
        resolves it)."""
        return self.file_list.link_target(link, base)

    def is_excluded(self, path: str) -> bool:
        """True for files that are never evidence: the report, course agent files, copied course notes."""
        return self.file_list.is_excluded(path)

    def is_generated(self, path: str) -> bool:
        """True for files inside tool output folders (wandb/, outputs/, multirun/, mlruns/, .hydra/ ...)."""
        return self.file_list.is_generated(path)

    def is_test(self, path: str) -> bool:
        return self.file_list.is_test(path)

    def is_text(self, path: str) -> bool:
        return self.file_list.is_text(path)

    def text_files(self, *patterns: str) -> list[str]:
        return self.file_list.text_files(*patterns)

    def git_ignores(self, path: str) -> bool:
        """The root .gitignore excludes `path` (a secret or a data folder a group rightly did not commit)."""
        spec = self._root_gitignore
        return spec is not None and spec.match_file(re.sub(r"^(\./)+", "", path))

    @cached_property
    def _root_gitignore(self) -> pathspec.PathSpec | None:
        text = self.read(".gitignore") if self.has(".gitignore") else None
        return pathspec.PathSpec.from_lines(GITIGNORE, text.splitlines()) if text else None

    # ----------------------------------------------------------------- reads (reader.Reader)

    def read(self, path: str) -> str | None:
        """The file's text (at most `max_file_bytes`, decoded leniently); None for binary or unreadable files."""
        return self.reader.read(path)

    def size(self, path: str) -> int:
        return self.reader.size(path)

    def blob_id(self, path: str) -> str | None:
        """The git blob id of the file's content; None for a file that cannot be read or is over the read cap."""
        return self.reader.blob_id(path)

    def _open(self, path: str) -> BinaryIO | None:
        """`path` opened for reading, never through a link that leaves the repository (`Reader.open`)."""
        return self.reader.open(path)

    def lines(self, path: str) -> list[str]:
        """The file's lines; of a notebook, the lines of its code cells joined (the lines Python facts and
        `location` count in)."""
        return list(self.reader.code_lines(path))

    def location(self, path: str, line: int | None = None, snippet: str | None = None) -> Location:
        """A Location whose snippet is the file's own line, unless one is given (`Reader.location`: in a
        notebook, the cell and the line within it)."""
        return self.reader.location(path, line, snippet)

    def line_of(self, path: str, pattern: str | re.Pattern[str], flags: int = re.IGNORECASE) -> int | None:
        """The first line of `path` matching `pattern` (of a notebook: counted in its code cells joined): a
        string compiled with `flags`, or a pattern a rule compiled once at import (its own flags count)."""
        compiled = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        return next(
            (n for n, line in enumerate(self.reader.code_lines(path), start=1) if compiled.search(line)), None
        )

    def line_of_value(
        self, path: str, before: re.Pattern[str], value: str, after: re.Pattern[str] | None = None
    ) -> int | None:
        """`line_of(path, before.pattern + re.escape(value) + after.pattern)` with `before`'s flags, for a
        `value` read from the group's files, without compiling a regex for each value
        (`textsearch.value_follows` says which `before` patterns this holds for)."""
        return next(
            (
                number
                for number, line in enumerate(self.reader.code_lines(path), start=1)
                if value_follows(line, before, value, after)
            ),
            None,
        )

    def may_match(self, path: str, pattern: str | re.Pattern[str], flags: int = re.IGNORECASE) -> bool:
        """False when `path` cannot hold a match of `pattern` (a string compiled with `flags`, or a pattern
        a rule compiled at import, its own flags counting) as it lacks the literals every match holds; a
        cheap check before a rule reads a file line by line (`TextSearch.may_match`)."""
        if isinstance(pattern, re.Pattern):
            return self.text_search.may_match(path, pattern.pattern, pattern.flags)
        return self.text_search.may_match(path, pattern, flags)

    def search(
        self, pattern: str, *globs: str, limit: int = 20, flags: int = re.IGNORECASE, excluded: bool = False
    ) -> list[Location]:
        """Lines matching the regex `pattern` in text files (optionally only those matching `globs`).

        Files that are never evidence (`is_excluded`) are skipped unless `excluded=True`, and so are
        checklist lines pasted anywhere (`- [x] Used Hydra ...`): a claim is not evidence. Outside prose
        files, commented-out lines (`# docker build ...`) are skipped too. Generated files (profiler traces,
        lock files, data dumps, tool run folders) are searched only when `globs` name them, and notebooks
        in their code cells only (`verifier.textsearch`).
        """
        return self.text_search.search(pattern, *globs, limit=limit, flags=flags, excluded=excluded)

    def searchable(self, *globs: str) -> list[str]:
        """The text files `search` reads with these `globs`: not excluded, and not generated unless a glob
        names them (`TextSearch.searchable`). For a rule that reads such files line by line itself."""
        return self.text_search.searchable(globs)

    def search_skipped(self) -> dict[str, tuple[int, int]]:
        """What the searches so far left out, by reason: (files, bytes) (`TextSearch.skipped`)."""
        return self.text_search.skipped()

    def template_match(self, path: str) -> TemplateMatch | None:
        """The template default this file is an untouched copy of: byte-identical (git blob id), or for
        code, Dockerfiles and Makefiles identical up to comments, layout and the package name (a notebook
        is JSON, never a source stub: it matches byte for byte or not at all)."""
        if path in self._template_matches:
            return self._template_matches[path]
        found = None
        # A file of a size no template blob has is not read or hashed for the byte-for-byte check (report
        # figures are most of the bytes asked about); a blob id the listing gave costs nothing to look up.
        if path in self.file_list.listed_blob_ids or may_match_blob(self.size(path)):
            found = match_blob(self.blob_id(path))
        if found is None and self.is_text(path) and not path.endswith(".ipynb"):
            text = self.read(path)
            if text is not None and text.strip():
                packages = [p.rsplit("/", 1)[-1] for p in self.package_dirs] or [None]
                found = match_stub_of_any(text, packages)
        self._template_matches[path] = found
        return found

    # ----------------------------------------------------------------- configuration files (configfiles)

    def yaml_all(self, path: str, holding: Iterable[str] = ()) -> list[Any]:
        """Every document of a YAML file (empty on error, with a warning); with `holding`, none of a file
        not parsed yet whose text cannot hold one of those literals (`ConfigFiles.yaml_all`)."""
        return self.configs.yaml_all(path, holding)

    def yaml(self, path: str) -> Any:
        return self.configs.yaml(path)

    def yaml_documents(self, *patterns: str, holding: Iterable[str] = ()) -> Iterator[tuple[str, Any]]:
        """(path, document) for every YAML document in files matching `patterns` (default: all YAML); with
        `holding`, files not parsed yet are parsed only when their text may hold one of those literals (a key
        or value the caller needs; `ConfigFiles.yaml_documents`)."""
        return self.configs.yaml_documents(*patterns, holding=holding)

    @property
    def cloudbuild_files(self) -> list[str]:
        """YAML files (any name) holding a Cloud Build document."""
        return self.configs.cloudbuild_files

    @property
    def vertex_configs(self) -> list[str]:
        """YAML files (any name) holding a Vertex AI job config (a `workerPoolSpecs` key at any depth)."""
        return self.configs.vertex_configs

    def cloudbuild_steps(self, pattern: str | re.Pattern[str]) -> list[Location]:
        """Cloud Build steps whose `name args entrypoint script` text matches the regex `pattern`."""
        return self.configs.cloudbuild_steps(pattern)

    def toml(self, path: str) -> dict[str, Any] | None:
        return self.configs.toml(path)

    @property
    def pyproject(self) -> dict[str, Any]:
        return self.configs.pyproject

    @property
    def workflows(self) -> list[Workflow]:
        """GitHub Actions workflows under .github/workflows/."""
        return self.configs.workflows

    def step_location(self, path: str, step: Step, pattern: str | re.Pattern[str]) -> Location:
        """The line of a workflow step's `run:` script with a command matching `pattern` (`ConfigFiles`)."""
        return self.configs.step_location(path, step, pattern)

    @property
    def dependencies(self) -> list[deps.Dependency]:
        """Declared dependencies from pyproject, requirements*.txt, uv.lock, poetry.lock, environment.yml
        and Dockerfiles' pip installs; of a lock file only the direct ones (`ConfigFiles.dependencies`)."""
        return self.configs.dependencies

    @property
    def transitive_locked(self) -> list[deps.Dependency]:
        """Packages a lock file holds only as dependencies of other packages (`ConfigFiles.transitive_locked`)."""
        return self.configs.transitive_locked

    def dependency(self, *names: str) -> list[deps.Dependency]:
        """Declarations of any of the distributions `names` (compared as PEP 503 names)."""
        return self.configs.dependency(*names)

    def dependency_locations(self, *names: str) -> list[Location]:
        return self.configs.dependency_locations(*names)

    @property
    def dockerfiles(self) -> list[Dockerfile]:
        """Dockerfiles anywhere, parsed into instructions."""
        return self.configs.dockerfiles

    @property
    def precommit(self) -> dict[str, Any] | None:
        """The pre-commit config: {'path', 'repos', 'hooks', 'entries'} or None."""
        return self.configs.precommit

    # ----------------------------------------------------------------- Python (pyview.PythonView)

    @property
    def package_dirs(self) -> list[str]:
        """Directories of the group's packages: src/<pkg>/ and top-level <pkg>/ with an __init__.py."""
        return self.python_view.package_dirs

    @property
    def python_files(self) -> list[str]:
        """Python files and notebooks that may hold evidence (excluded places left out)."""
        return self.python_view.python_files

    @property
    def code_files(self) -> list[str]:
        """The group's own code: Python files and notebooks that are not tests."""
        return self.python_view.code_files

    @property
    def test_files(self) -> list[str]:
        return self.python_view.test_files

    def python(self, path: str) -> PythonFacts:
        """Facts of a Python file, or of a notebook's code cells."""
        return self.python_view.python(path)

    def imports(self, *modules: str, paths: Iterable[str] | None = None) -> list[Location]:
        """Import statements of `modules` (or their submodules) in Python files and notebooks."""
        return self.python_view.imports(*modules, paths=paths)

    def calls(self, *names: str, paths: Iterable[str] | None = None) -> list[tuple[str, Call]]:
        """(path, call) for calls resolved to one of `names` (`torch.onnx.export`, `onnx.export`, `export`)."""
        return self.python_view.calls(*names, paths=paths)

    def call_locations(self, *names: str, paths: Iterable[str] | None = None) -> list[Location]:
        return self.python_view.call_locations(*names, paths=paths)

    def decorators(self, *names: str, paths: Iterable[str] | None = None) -> list[Location]:
        return self.python_view.decorators(*names, paths=paths)

    def subclasses(self, *bases: str, paths: Iterable[str] | None = None) -> list[Location]:
        return self.python_view.subclasses(*bases, paths=paths)

    # ----------------------------------------------------------------- history

    def start_history(self) -> None:
        """Start reading the git history now, so git runs while the caller works; `history` collects it.
        Without git, or when git cannot be started, `history` reads (and says) as it would without this.
        `Repo(..., start_history=True)` starts it earlier still: as soon as git has listed the files (see
        `FileList`)."""
        if self.file_list.git_repository is not None:
            self._start_reading(self.file_list.git_repository)

    def _start_reading(self, repository: gitsafe.GitRepository) -> None:
        shared = self._history
        if shared.history is None and shared.started is None:
            with contextlib.suppress(gitsafe.GitError):
                shared.started = start_reading(repository, timeout=self.git_timeout)

    @property
    def history_pending(self) -> bool:
        """Whether git is still reading the history, started and not yet collected (see `start_history`)."""
        return self._history.history is None and self._history.started is not None

    @property
    def history(self) -> History:
        """The git history (see `verifier.history`); without one, `History.reason` says why. Read once for
        the repository and every view of it (a project folder's, the rest of the repository's)."""
        shared = self._history
        if shared.history is None:
            started, shared.started = shared.started, None
            refs, shared.refs = shared.refs, None
            shared.history = history_of(
                self.repository_root,
                self.file_list.git_repository,
                self.git_problem,
                timeout=self.git_timeout,
                warn=self.warnings.add,
                started=started,
                refs=refs,
            )
        return shared.history


def _filling_the_wait(
    while_listing: Callable[[Path], None] | None, history: _SharedHistory | None
) -> Callable[[gitsafe.GitRepository], None]:
    """What runs while git lists the files (`FileList`): the caller's `while_listing(root)`, and, for a
    history to be read, the remotes the git folder gives in Python (`read_refs`), which need neither the
    listing nor the log; one that fails is left to the history's own reading, which reports
    it. A function of its own: it refers to the shared history, not to the Repo (no reference cycle)."""

    def fill(repository: gitsafe.GitRepository) -> None:
        if while_listing is not None:
            while_listing(repository.root)
        if history is not None and history.history is None:
            with contextlib.suppress(Exception):
                history.refs = read_refs(repository)

    return fill


class _SharedHistory:
    """The git history of one repository, read once and shared by the Repo and its derived views (which
    refer to it, not to each other: no reference cycle keeps a dropped view alive)."""

    __slots__ = ("history", "refs", "started")

    def __init__(self) -> None:
        self.started: gitsafe.Started | None = None
        self.refs: RefsRead | None = None  # read ahead (`read_refs`) while git listed the files
        self.history: History | None = None
