"""The text search the rules run (`Repo.search`): regexes over the group's text files, each file read,
lower-cased and checked for a literal at most once, a regex run only where its literals are.

How a search stays cheap. Every pattern has literal text that any match must contain (`gcloud` and `run`
in `gcloud\\s+(beta\\s+)?run\\s+deploy`, one of `torchrun`, `torch.distributed.`, `accelerate` in an
alternation of three): `literal_requirement` reads it from the pattern's parse tree. A file that lacks one
of those literals (compared lower-cased, which only ever keeps more files than the regex could match) is
not scanned by the regex at all; which files hold a literal is worked out once per literal and shared by
every pattern that needs it. Most files hold none of a rule's literals, so most searches run no regex.
Measured on the recorded searches of 20 real repositories (text in memory, `benchmarks/bench_real.py`
for the whole run): 556 ms for the per-search regex scans of every candidate file, 150 ms with this
prefilter; one combined alternation of all the patterns, scanned once per file, took 13,400 ms (Python's
`re` tries each alternative at each position: no multi-pattern automaton).

What is not searched. Files that tools generate are not evidence of the group's setup and can be large:
profiler traces, lock files (read for their package names only, `ConfigFiles.dependencies`), data dumps
(JSON, CSV, JSONL, XML, HTML, TXT files over DATA_DUMP_BYTES, or in a data folder), and the run folders of
W&B, Hydra, MLflow and Lightning. They are searched only when a search names them (a glob such as
`*.pt.trace.json` or `wandb/*`, or the file's own path). A notebook is searched in its code cells as
written, never in its outputs. `skipped()` says what was left out, for `verify --verbose`.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import Any

from .evidence import Location
from .filelist import GENERATED, FileList
from .reader import Reader

try:  # Python 3.11+
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

# A pasted checklist line ("- [x] Used Hydra ...") is a claim, never evidence.
CHECKBOX_LINE = re.compile(r"^\s*(?:>\s*)?[-*+]\s+\[[^\]]{0,4}\]\s")
PROSE_SUFFIXES = (".md", ".rst", ".txt", ".html")
MIN_LITERAL = 2  # a shorter literal is in nearly every file: it filters nothing
MAX_CLAUSES_PER_ALTERNATIVE = 3
MAX_COMBINATIONS = 32  # clauses an alternation may add (each literal check is cached per file)
DATA_DUMP_BYTES = 200_000
DATA_SUFFIXES = frozenset(
    {".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".xml", ".txt", ".log", ".html", ".htm"}
)
LOCK_FILES = frozenset({"package-lock.json", "pnpm-lock.yaml", "conda-lock.yml", "conda-lock.yaml"})
DATA_FOLDERS = frozenset({"data", "datasets", "dataset"})
PROFILER_TRACE = "profiler trace"
LOCK_FILE = "lock file"
DATA_DUMP = "data dump"
RUN_OUTPUT = "tool run output (W&B, Hydra, MLflow, Lightning)"
NOTEBOOK_OUTPUT = "notebook outputs and markdown (their code cells were searched)"
# Characters outside ASCII that a case-insensitive regex matches with an ASCII letter (U+0130 and U+0131
# with i, U+017F with s, the Kelvin sign U+212A with k): folded to that letter, so the literal check keeps
# every file the regex could match (tests/test_textsearch.py checks every code point).
_ASCII_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT} | (
    {sre_constants.POSSESSIVE_REPEAT} if hasattr(sre_constants, "POSSESSIVE_REPEAT") else set()
)

Clauses = tuple[frozenset[str], ...]


@functools.lru_cache(maxsize=4096)
def compiled_pattern(pattern: str, flags: int) -> re.Pattern[str]:
    """`re.compile`, kept for the whole process: the rules and the answer checks compile more patterns than
    `re`'s own cache holds (512), so it would compile the search patterns again for every repository."""
    return re.compile(pattern, flags)


def fold(text: str) -> str:
    """`text` lower-cased for the literal check (see `_ASCII_FOLDS`)."""
    return text.lower() if text.isascii() else text.translate(_ASCII_FOLDS).lower()


@functools.lru_cache(maxsize=4096)
def literal_requirement(pattern: str, flags: int = 0) -> Clauses:
    """What any match of `pattern` contains: clauses, each a set of lower-case ASCII literals of which a
    match holds at least one (all clauses hold). Empty when the pattern promises no literal of MIN_LITERAL
    characters or more (`\\w+:`), or cannot be read. Only ever too weak, never too strong: what is not sure
    (an optional part, a lookaround, a character class, a character outside ASCII) requires nothing."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except (re.error, RecursionError, OverflowError):
        return ()
    try:
        return tuple(_sequence(parsed))
    except RecursionError:
        return ()


def _sequence(sequence: Any) -> list[frozenset[str]]:
    """The clauses of a sequence of parsed nodes: runs of literal characters, and the clauses of the groups,
    alternations and required repeats in it."""
    clauses: list[frozenset[str]] = []
    run: list[str] = []

    def close_run() -> None:
        if len(run) >= MIN_LITERAL:
            clauses.append(frozenset(["".join(run)]))
        run.clear()

    for op, argument in sequence:
        if op is sre_constants.LITERAL and argument < 128:
            run.append(chr(argument).lower())
            continue
        close_run()
        if op is sre_constants.SUBPATTERN:
            clauses += _sequence(argument[-1])
        elif op is sre_constants.BRANCH:
            clauses += _alternation([_sequence(branch) for branch in argument[1]])
        elif op in _REPEATS and argument[0] >= 1:
            clauses += _sequence(argument[2])
    close_run()
    return _simplest(clauses)


def _alternation(alternatives: list[list[frozenset[str]]]) -> list[frozenset[str]]:
    """The clauses of `a|b|...` from those of each alternative: a match satisfies one alternative, so each
    clause takes one clause of every alternative and holds any of their literals (the alternation
    `yolo...train|yolo...mode=train` requires `yolo`, and one of `train`, `mode=train`). Nothing when an
    alternative requires nothing; the longest clauses of each alternative only when the combinations
    would be many."""
    if not alternatives or not all(alternatives):
        return []
    shortest = [sorted(found, key=lambda clause: -min(map(len, clause))) for found in alternatives]
    keep = MAX_CLAUSES_PER_ALTERNATIVE
    while keep > 1 and _combinations(shortest, keep) > MAX_COMBINATIONS:
        keep -= 1
    combined: list[frozenset[str]] = [frozenset()]
    for found in shortest:
        combined = [clause | choice for clause in combined for choice in found[:keep]]
    return combined


def _combinations(alternatives: list[list[frozenset[str]]], keep: int) -> int:
    total = 1
    for found in alternatives:
        total *= min(len(found), keep)
    return total


def _simplest(clauses: list[frozenset[str]]) -> list[frozenset[str]]:
    """`clauses` without repeats and without a clause that another one implies (a file holding a literal
    of {a} holds one of {a, b})."""
    unique = sorted(set(clauses), key=len)
    return [
        clause for index, clause in enumerate(unique) if not any(other < clause for other in unique[:index])
    ]


def skip_reason(path: str, size: Callable[[str], int] | None = None) -> str | None:
    """Why the text search leaves `path` out unless it is named: the kind of generated file it is, or None.
    Without `size`, a file is never judged a data dump by its size (for telling whether a glob names
    generated files)."""
    folder, _, name = path.rpartition("/")
    lower = name.lower()
    if lower.endswith(".trace.json"):
        return PROFILER_TRACE
    if lower.endswith(".lock") or lower in LOCK_FILES:
        return LOCK_FILE
    if GENERATED.search(path):
        return RUN_OUTPUT
    if os.path.splitext(lower)[1] in DATA_SUFFIXES:
        parts = folder.lower().split("/")
        if any(part in DATA_FOLDERS for part in parts) or (size is not None and size(path) > DATA_DUMP_BYTES):
            return DATA_DUMP
    return None


class TextSearch:
    """`search` over the text files of `files`, read through `reader` (see the module docstring), whose
    `location` makes the Locations of the hits."""

    def __init__(self, files: FileList, reader: Reader) -> None:
        self.files = files
        self.reader = reader
        self._searches: dict[tuple[Any, ...], list[Location]] = {}
        self._searchable: dict[tuple[tuple[str, ...], bool], list[str]] = {}
        self._reasons: dict[str, str | None] = {}
        self._skipped: dict[str, str] = {}
        self._notebooks: set[str] = set()
        self._folded: dict[str, str] = {}
        self._holds: dict[str, dict[str, bool]] = {}

    def forget_exclusions(self) -> None:
        """Drop what depends on `FileList.is_excluded` (the report's files were named after a search ran)."""
        self._searches.clear()
        self._searchable.clear()

    def search(
        self, pattern: str, *globs: str, limit: int = 20, flags: int = re.IGNORECASE, excluded: bool = False
    ) -> list[Location]:
        """Lines matching the regex `pattern` in text files (optionally only those matching `globs`).

        Files that are never evidence (`is_excluded`) are skipped unless `excluded=True`, and so are
        checklist lines pasted anywhere (`- [x] Used Hydra ...`): a claim is not evidence. Outside prose
        files, commented-out lines (`# docker build ...`) are skipped too. Generated files are searched
        only when `globs` name them (see the module docstring).
        """
        key = (pattern, globs, limit, flags, excluded)
        found = self._searches.get(key)
        if found is not None:
            return found
        clauses = literal_requirement(pattern, flags | re.MULTILINE)
        # With literals to check, compiled only once a file holds them: most searches find none, and a
        # compile costs more than all their literal checks (each forked worker starts without compiled
        # patterns). Without (or unparsable: re.error), compiled at once, as every file is scanned.
        compiled = None if clauses else compiled_pattern(pattern, flags | re.MULTILINE)
        hits: list[Location] = []
        for path in self.searchable(globs, excluded):
            if len(hits) >= limit:
                break
            if clauses and not self._may_match(path, clauses):
                continue
            text = self._text(path)
            if not text:
                continue
            if compiled is None:
                compiled = compiled_pattern(pattern, flags | re.MULTILINE)
            prose = path.lower().endswith(PROSE_SUFFIXES)
            line, counted = 1, 0
            for match in compiled.finditer(text):
                line += text.count("\n", counted, match.start())
                counted = match.start()
                location = self.reader.location(path, line)
                if CHECKBOX_LINE.match(location.snippet) or (
                    not prose and location.snippet.startswith(("#", "//"))
                ):
                    continue
                hits.append(location)
                if len(hits) >= limit:
                    break
        self._searches[key] = hits
        return hits

    def searchable(self, globs: tuple[str, ...], excluded: bool = False) -> list[str]:
        """The text files a search with `globs` looks at: not excluded (unless `excluded`), and not
        generated unless a glob names them."""
        key = (globs, excluded)
        found = self._searchable.get(key)
        if found is None:
            named: set[str] = set()
            for glob in globs:
                if not any(char in glob for char in "*?[") or skip_reason(glob) is not None:
                    named.update(self.files.text_files(glob))
            found = []
            for path in self.files.text_files(*globs):
                if not excluded and self.files.is_excluded(path):
                    continue
                reason = self._reason(path)
                if reason is not None and path not in named:
                    self._skipped[path] = reason
                    continue
                if path.endswith(".ipynb"):
                    self._notebooks.add(path)
                found.append(path)
            self._searchable[key] = found
        return found

    def _reason(self, path: str) -> str | None:
        if path not in self._reasons:
            self._reasons[path] = skip_reason(path, self.reader.size)
        return self._reasons[path]

    def _text(self, path: str) -> str:
        """What a search reads of `path`: a notebook's code cells as written, any other file's text."""
        if path.endswith(".ipynb"):
            code = self.reader.notebook(path)
            return code.source if code.text is None else code.text
        return self.reader.read(path) or ""

    def _may_match(self, path: str, clauses: Clauses) -> bool:
        """Whether the text of `path` holds a literal of every clause (each answer kept per file)."""
        holds = self._holds.get(path)
        if holds is None:
            holds = self._holds[path] = {}
        folded = None
        for clause in clauses:
            for literal in clause:
                held = holds.get(literal)
                if held is None:
                    if folded is None:
                        folded = self._folded_text(path)
                    held = holds[literal] = literal in folded
                if held:
                    break
            else:
                return False
        return True

    def _folded_text(self, path: str) -> str:
        folded = self._folded.get(path)
        if folded is None:
            folded = self._folded[path] = fold(self._text(path))
        return folded

    def skipped(self) -> dict[str, tuple[int, int]]:
        """What searches left out, by reason: (files, bytes). Notebooks count the bytes of everything but
        their code cells."""
        totals: dict[str, tuple[int, int]] = {}
        for path, reason in sorted(self._skipped.items()):
            files, size = totals.get(reason, (0, 0))
            totals[reason] = (files + 1, size + self.reader.size(path))
        left = 0
        for path in self._notebooks:
            left += max(0, self.reader.size(path) - len(self._text(path).encode("utf-8", errors="replace")))
        if self._notebooks:
            totals[NOTEBOOK_OUTPUT] = (len(self._notebooks), left)
        return totals
