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

Where the regex runs. A case-insensitive regex gets no fast scan from `re`: it is tried at every position
of a file. When every match starts with one of a few literals, or holds one within a few characters of its
start (`leading_literals`: `docker` in `\\bdocker\\s+build`, `-m` in `(^|\\s)-m`), it is tried only there
(`matches_at`): on the recorded searches of the 20 real repositories, 12 million instructions for the
regex scans of a verification of each, not 317 million.

What is not searched. Files that tools generate are not evidence of the group's setup and can be large:
profiler traces, lock files (read for their package names only, `ConfigFiles.dependencies`), data dumps
(JSON, CSV, JSONL, XML, HTML, TXT files over DATA_DUMP_BYTES, or in a data folder), and the run folders of
W&B, Hydra, MLflow and Lightning, and built web assets (minified JavaScript or CSS, the scripts and styles
of a built documentation site). They are searched only when a search names them (a glob such as
`*.pt.trace.json` or `wandb/*`, or the file's own path). A notebook is searched in its code cells as
written, never in its outputs. `skipped()` says what was left out, for `verify --verbose`.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

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
MAX_LEAD_OFFSET = 3  # characters before a leading literal (`(^|\\s)-m`): each is one more place to try
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
BUILT_ASSET = "built web asset (minified or bundled JavaScript or CSS of a built site)"
# A built documentation site's scripts and styles (MkDocs `assets/javascripts/`, Sphinx `_static/`) and any
# minified file: bundles of libraries, never the group's own setup, and often 0.5-1 MB each.
BUILT_ASSET_FOLDERS = ("/assets/javascripts/", "/assets/stylesheets/", "/_static/")
MINIFIED = (".min.js", ".min.css", ".min.mjs")
NOTEBOOK_OUTPUT = "notebook outputs and markdown (their code cells were searched)"
# Characters outside ASCII that a case-insensitive regex matches with an ASCII letter (U+0130 and U+0131
# with i, U+017F with s, the Kelvin sign U+212A with k): folded to that letter, so the literal check keeps
# every file the regex could match (tests/test_textsearch.py checks every code point).
_ASCII_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_FOLDED_TO_ASCII = "\u0130\u0131\u017f\u212a"
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT} | (
    {sre_constants.POSSESSIVE_REPEAT} if hasattr(sre_constants, "POSSESSIVE_REPEAT") else set()
)

Clauses = tuple[frozenset[str], ...]
Leads = frozenset[tuple[str, int]] | None
_UNJUDGED = object()


@functools.lru_cache(maxsize=4096)
def compiled_pattern(pattern: str, flags: int) -> re.Pattern[str]:
    """`re.compile`, kept for the whole process: the rules and the answer checks compile more patterns than
    `re`'s own cache holds (512), so it would compile the search patterns again for every repository. A
    pattern a rule `prepared` was compiled at import."""
    return _PREPARED_COMPILED.get((pattern, flags)) or re.compile(pattern, flags)


def fold(text: str) -> str:
    """`text` lower-cased for the literal check (see `_ASCII_FOLDS`). A text outside ASCII is translated
    only when it holds one of those characters: `str.translate` with a table costs about ten times a
    lower-casing, and one text file in sixteen holds some character outside ASCII (an accent, an emoji,
    a box-drawing line), hardly ever one of these four."""
    if text.isascii():
        return text.lower()
    if any(char in text for char in _FOLDED_TO_ASCII):
        text = text.translate(_ASCII_FOLDS)
    return text.lower()


# Literal requirements and leading literals read when a rule module is imported (`prepared`): a worker forked
# per repository inherits them, as it inherits the rule's compiled patterns.
_PREPARED: dict[tuple[str, int], Clauses] = {}
_PREPARED_LEADS: dict[tuple[str, int], Leads] = {}
_PREPARED_COMPILED: dict[tuple[str, int], re.Pattern[str]] = {}

_Prepared = TypeVar("_Prepared", str, re.Pattern[str])


def prepared(pattern: _Prepared, flags: int = re.IGNORECASE) -> _Prepared:
    """`pattern` itself, its literal requirement read now, at import, for the flags it is searched with:
    `flags` (a search's default) for a string given to `Repo.search` (compiled now as the search compiles
    it), its own for a compiled pattern given to a workflow step's `runs_command`. A rule declares its
    fixed patterns so; each search and step check then starts from the requirement and the compiled
    pattern instead of parsing and compiling the pattern afresh in every worker."""
    if isinstance(pattern, str):
        key = (pattern, flags | re.MULTILINE)
        _PREPARED_COMPILED[key] = re.compile(*key)
    else:
        key = (pattern.pattern, pattern.flags)
    _PREPARED[key], _PREPARED_LEADS[key] = _pattern_literals(*key)
    return pattern


def literal_requirement(pattern: str, flags: int = 0) -> Clauses:
    """What any match of `pattern` contains: clauses, each a set of lower-case ASCII literals of which a
    match holds at least one (all clauses hold). Empty when the pattern promises no literal of MIN_LITERAL
    characters or more (`\\w+:`), or cannot be read. Only ever too weak, never too strong: what is not sure
    (an optional part, a lookaround, a character class, a character outside ASCII) requires nothing.

    The parse tree is `quick_parse`'s where it reads the pattern (the plain syntax the rules write), else
    `re`'s own parser's (several times slower, and each forked worker parses every pattern afresh)."""
    known = _PREPARED.get((pattern, flags))
    return known if known is not None else _pattern_literals(pattern, flags)[0]


def leading_literals(pattern: str, flags: int = 0) -> Leads:
    """What every match of `pattern` holds near its start: pairs of a lower-case ASCII literal and the farthest
    offset from the match's start that it can begin at, a match holding one of them (`\\bdocker\\s+build`:
    {(docker, 0)}; `mlops_template|cookiecutter`: both at 0; `(^|\\s)-m`: {(-m, 1)}). None when that is not
    sure (a match may start with an optional or repeated part, a character outside ASCII, or more than
    MAX_LEAD_OFFSET characters before a literal). Read from the same parse tree as `literal_requirement`."""
    key = (pattern, flags)
    return _PREPARED_LEADS[key] if key in _PREPARED_LEADS else _pattern_literals(pattern, flags)[1]


@functools.lru_cache(maxsize=4096)
def _pattern_literals(pattern: str, flags: int) -> tuple[Clauses, Leads]:
    """(`literal_requirement`, `leading_literals`) of `pattern`, from one parse."""
    parsed = quick_parse(pattern, flags)
    if parsed is None:
        try:
            parsed = sre_parse.parse(pattern, flags)
        except (re.error, RecursionError, OverflowError):
            return (), None
    try:
        return tuple(_sequence(parsed)), _leading(parsed)
    except RecursionError:
        return (), None


def may_match(text: str, pattern: str, flags: int = re.IGNORECASE) -> bool:
    """False when `text` lacks the literals every match of `pattern` holds (`literal_requirement`), so the
    regex need not run, or even be compiled; True when it may match."""
    clauses = literal_requirement(pattern, flags)
    if not clauses:
        return True
    folded = fold(text)
    return all(any(literal in folded for literal in clause) for clause in clauses)


def matches_at(
    compiled: re.Pattern[str], text: str, folded: str, leads: frozenset[tuple[str, int]]
) -> Iterator[re.Match[str]]:
    """The matches `compiled.finditer(text)` gives, for a pattern whose every match holds one of the literals
    of `leads` at most its offset after the match's start (`leading_literals`): the regex is tried only
    that far before the places where `folded` (`fold(text)`, of the same length) holds one of them, instead
    of at every position of the text. A case-insensitive regex gets no fast scan from `re` (it tries each
    position in turn), and most files that hold a pattern's literals hold them a few times only. Each
    literal's next place is looked for once it is passed, so the text is read once per literal. A match is
    never empty (it holds a literal), so the next one is looked for from its end, as `finditer` does."""
    ahead = {lead: at for lead in leads if (at := folded.find(lead[0])) != -1}
    position = 0
    while ahead:
        start = min(max(position, at - offset) for (_, offset), at in ahead.items())
        match = compiled.match(text, start)
        if match is not None:
            yield match
        position = match.end() if match is not None else start + 1
        for lead, at in list(ahead.items()):
            if at < position:
                at = folded.find(lead[0], position)
                if at == -1:
                    del ahead[lead]
                else:
                    ahead[lead] = at


def value_follows(
    line: str, before: re.Pattern[str], value: str, after: re.Pattern[str] | None = None
) -> bool:
    """Whether `line` matches the regex `before` + `re.escape(value)` + `after` (compiled with `before`'s
    flags), told without compiling that regex: `value` comes from the group's files (a hook id, a matrix
    key), so the regex would be compiled afresh in every verification (about 0.1 ms each).

    `before` is a fixed pattern whose matches from one start can end earlier than its greedy match only by
    characters that are not letters or digits (`id:\\s*['"]?`, `^\\s*`): a `value` that starts with an
    ASCII letter or digit then starts where a greedy match of `before` ends, or nowhere. Any other `value`
    is matched by the regex itself. `after` is matched where `value` ends."""
    if not (value.isascii() and value[:1].isalnum()):
        joined = before.pattern + re.escape(value) + (after.pattern if after is not None else "")
        return re.search(joined, line, before.flags) is not None
    ignore_case = bool(before.flags & re.IGNORECASE)
    wanted = value.lower() if ignore_case else value
    position = 0
    while position <= len(line) and (match := before.search(line, position)) is not None:
        start, end = match.end(), match.end() + len(value)
        segment = line[start:end]
        if segment.isascii():
            same = (segment.lower() if ignore_case else segment) == wanted
        else:  # a character outside ASCII a case-insensitive ASCII letter matches (U+017F, U+212A): re decides
            same = re.fullmatch(re.escape(value), segment, before.flags) is not None
        if same and (after is None or after.match(line, end) is not None):
            return True
        position = match.start() + 1
    return False


class _Unsure(Exception):
    """`quick_parse` meets syntax it leaves to `re`'s parser."""


class _Items(list):  # type: ignore[type-arg]
    """The items of a group or repeat: equal only to itself, as `re`'s parser compares its subpatterns."""

    __eq__ = object.__eq__  # type: ignore[assignment]
    __hash__ = object.__hash__  # type: ignore[assignment]


_LITERAL, _IN, _NOT_LITERAL = sre_constants.LITERAL, sre_constants.IN, sre_constants.NOT_LITERAL
_SINGLE_CHARACTER = frozenset({_LITERAL, _IN, _NOT_LITERAL, sre_constants.ANY})
# Items that read no character (`^`, `\b`, a lookahead or lookbehind): where a match starts, they only narrow.
_ZERO_WIDTH = frozenset({sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT})
_POSITION_ESCAPES = frozenset("bBAZ")
_CATEGORY_ESCAPES = frozenset("dDsSwW")
_CONTROL_ESCAPES = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}
_QUANTIFIER = re.compile(r"\{(\d*)(,?)(\d*)\}")
_FLAG_SYNTAX = re.VERBOSE | re.DEBUG
_PLAIN_TEXT = re.compile(r"[^\\\\()\[\]{}|?*+.^$]+")  # characters that stand for themselves


def quick_parse(pattern: str, flags: int = 0) -> list[tuple[Any, Any]] | None:
    """The parse tree `re`'s parser gives `pattern`, as far as `literal_requirement` reads it (its literals,
    groups, alternations and repeats; any other node is only told apart from these and from each other),
    for the plain syntax of nearly every search pattern: literal text, escapes of punctuation and of
    categories, classes, groups (plain and `(?:`), lookaheads, alternations and quantifiers. None for anything
    else (named groups, inline flags, backreferences, lookbehinds, numeric escapes, verbose patterns ...), which
    `re`'s parser then reads. tests/test_textsearch.py compares the two on the rules' patterns and on
    thousands of random ones."""
    if flags & _FLAG_SYNTAX:
        return None
    try:
        items, end = _quick_alternatives(pattern, 0)
    except _Unsure:
        return None
    return items if end == len(pattern) else None


def _quick_alternatives(pattern: str, index: int) -> tuple[list[tuple[Any, Any]], int]:
    """The items from `index` to the `)` closing the group (or the end), and where that is."""
    alternatives: list[list[tuple[Any, Any]]] = [[]]
    grouped: set[int] = set()  # the alternatives holding a `(?:...)` group, unpacked at the end
    end = len(pattern)
    while index < end:
        plain = _PLAIN_TEXT.match(pattern, index)
        if plain is not None:
            alternatives[-1] += [(_LITERAL, code) for code in map(ord, plain.group())]
            index = plain.end()
            continue
        char = pattern[index]
        if char == ")":
            break
        items = alternatives[-1]
        index += 1
        if char == "|":
            alternatives.append([])
        elif char in "?*+{":
            index = _quick_repeat(pattern, index - 1, items)
        elif char == "\\":
            if index >= end:
                raise _Unsure
            items.append(_quick_escape(pattern[index]))
            index += 1
        elif char == "(":
            index = _quick_group(pattern, index, items)
            if _non_capturing(items[-1]):
                grouped.add(len(alternatives) - 1)
        elif char == "[":
            index = _quick_class(pattern, index, items)
        elif char == ".":
            items.append((sre_constants.ANY, None))
        elif char in "^$":
            items.append((sre_constants.AT, char))
        else:
            items.append((_LITERAL, ord(char)))
    for position in grouped:
        alternatives[position] = _unpacked(alternatives[position])
    return _quick_branch(alternatives), index


def _quick_escape(char: str) -> tuple[Any, Any]:
    if char in _POSITION_ESCAPES:
        return (sre_constants.AT, "\\" + char)
    if char in _CATEGORY_ESCAPES:
        return (_IN, "\\" + char)
    if char in _CONTROL_ESCAPES:
        return (_LITERAL, _CONTROL_ESCAPES[char])
    if char.isascii() and not char.isalnum():
        return (_LITERAL, ord(char))
    raise _Unsure  # a letter or digit escape (numbers, backreferences, \N{...}), a character outside ASCII


def _quick_repeat(pattern: str, index: int, items: list[tuple[Any, Any]]) -> int:
    """Make the last item a repeat of the quantifier at `index`; where the pattern goes on."""
    char = pattern[index]
    if char == "{":
        found = _QUANTIFIER.match(pattern, index)
        if found is None:
            raise _Unsure  # a brace that is literal text
        low, comma, high = found.groups()
        if not (low or comma) or max(len(low), len(high)) > 4:
            raise _Unsure  # `{}` is literal text; a large count is left to re's checks
        minimum = int(low) if low else 0
        maximum = (int(high) if high else sre_constants.MAXREPEAT) if comma else minimum
        if maximum < minimum:
            raise _Unsure
        index = found.end()
    else:
        minimum, maximum = {
            "?": (0, 1),
            "*": (0, sre_constants.MAXREPEAT),
            "+": (1, sre_constants.MAXREPEAT),
        }[char]
        index += 1
    if not items or items[-1][0] in (sre_constants.AT, sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        raise _Unsure  # nothing to repeat, or a repeat repeated: re's parser says why
    kind = sre_constants.MAX_REPEAT
    if index < len(pattern) and pattern[index] == "?":
        kind, index = sre_constants.MIN_REPEAT, index + 1
    elif index < len(pattern) and pattern[index] == "+":
        raise _Unsure  # possessive (Python 3.11+)
    repeated = items[-1][1][1] if _non_capturing(items[-1]) else _Items([items[-1]])
    items[-1] = (kind, (minimum, maximum, repeated))
    return index


def _non_capturing(item: tuple[Any, Any]) -> bool:
    """A `(?:...)` group: `re`'s parser repeats its items, and puts them in its place in a sequence."""
    return item[0] is sre_constants.SUBPATTERN and item[1][0] is None


def _unpacked(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [inner for item in items for inner in (item[1][1] if _non_capturing(item) else [item])]


def _quick_group(pattern: str, index: int, items: list[tuple[Any, Any]]) -> int:
    """Read the group opened before `index` into `items`; where the pattern goes on after its `)`."""
    kind, group = sre_constants.SUBPATTERN, "capturing"
    if pattern.startswith("?:", index):
        group, index = None, index + 2
    elif pattern.startswith(("?=", "?!"), index):
        kind = sre_constants.ASSERT if pattern[index + 1] == "=" else sre_constants.ASSERT_NOT
        index += 2
    elif pattern.startswith("?", index):
        raise _Unsure  # named groups, inline flags, lookbehinds, comments, conditionals, atomic groups
    inner, index = _quick_alternatives(pattern, index)
    if index >= len(pattern):
        raise _Unsure  # unbalanced
    items.append((kind, (group, _Items(inner))))
    return index + 1


def _quick_class(pattern: str, index: int, items: list[tuple[Any, Any]]) -> int:
    """Read the class opened before `index` into `items`: one literal as a literal (as `re` reads `[.]`),
    one category escape as that escape, any other as a class told apart by its text."""
    start = index
    negated = pattern.startswith("^", index)
    index += negated
    previous: int | None = None  # the code of a plain character just read, which may start a range
    if pattern.startswith("]", index):
        previous, index = ord("]"), index + 1
    while True:
        if index >= len(pattern):
            raise _Unsure
        char = pattern[index]
        if char == "]":
            break
        if char == "[" or pattern.startswith(("--", "&&", "~~", "||"), index):
            raise _Unsure  # set syntax that re warns about
        if char == "\\":
            if index + 1 >= len(pattern) or not (
                pattern[index + 1] in _CATEGORY_ESCAPES
                or pattern[index + 1] in _CONTROL_ESCAPES
                or (pattern[index + 1].isascii() and not pattern[index + 1].isalnum())
            ):
                raise _Unsure
            previous, index = None, index + 2
        elif char == "-" and index > start + negated and not pattern.startswith("]", index + 1):
            end = pattern[index + 1 : index + 2]
            if previous is None or end in ("", "\\") or ord(end) < previous:
                raise _Unsure  # a range from or to an escape, or a bad range: re's parser says what it is
            previous, index = None, index + 2
        else:
            previous, index = ord(char), index + 1
    body = pattern[start + negated : index]
    if len(body) > 1 and "\\" not in body and "-" not in body and len(set(body)) == 1:
        body = body[0]  # `[aa]` is one literal, as re reads it
    single = body if len(body) == 1 else (body if len(body) == 2 and body[0] == "\\" else None)
    if single is not None:
        item = _quick_escape(single[1]) if len(single) == 2 else (_LITERAL, ord(single))
        if item[0] is _LITERAL:
            items.append((_NOT_LITERAL if negated else _LITERAL, item[1]))
            return index + 1
        if not negated:
            items.append(item)
            return index + 1
    items.append((_IN, ("^" if negated else "") + "[" + body))
    return index + 1


def _quick_branch(alternatives: list[list[tuple[Any, Any]]]) -> list[tuple[Any, Any]]:
    """The alternatives as `re`'s parser leaves them: a prefix common to all moved out in front, single
    characters or classes made one class, else one branch."""
    if len(alternatives) == 1:
        return alternatives[0]
    prefix = []
    while all(alternatives) and all(other[0] == alternatives[0][0] for other in alternatives[1:]):
        prefix.append(alternatives[0][0])
        for alternative in alternatives:
            del alternative[0]
    if all(
        len(alternative) == 1
        and (
            alternative[0][0] is _LITERAL
            or (alternative[0][0] is _IN and not alternative[0][1].startswith("^"))
        )
        for alternative in alternatives
    ):
        return [*prefix, (_IN, tuple(alternative[0] for alternative in alternatives))]
    return [*prefix, (sre_constants.BRANCH, (None, alternatives))]


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


def _leading(sequence: Any, offset: int = 0) -> Leads:
    """The literals a match of `sequence` holds near its start, each with the farthest offset from the match's
    start it can begin at (see `leading_literals`), the match starting `offset` characters before the
    sequence: the first run of ASCII literal characters, after zero-width items (`^`, `\\b`, lookarounds) and at most
    MAX_LEAD_OFFSET characters of single-character items (`\\s`, `[ab]`, `.`) or groups of them; or the leads
    of every alternative of the group or alternation it starts with. None for any other start, or a run
    shorter than MIN_LITERAL (found nearly everywhere)."""
    run: list[str] = []
    for op, argument in sequence:
        if op is sre_constants.LITERAL and argument < 128:
            run.append(chr(argument).lower())
            continue
        if run:
            break
        if op in _ZERO_WIDTH:
            continue
        if op is sre_constants.SUBPATTERN or op is sre_constants.BRANCH:
            alternatives = [argument[-1]] if op is sre_constants.SUBPATTERN else argument[1]
            leads = [_leading(alternative, offset) for alternative in alternatives]
            if all(lead is not None for lead in leads):
                return frozenset().union(*leads)  # type: ignore[arg-type]
        width = _max_width([(op, argument)])
        if width is None or offset + width > MAX_LEAD_OFFSET:
            return None
        offset += width
    return frozenset([("".join(run), offset)]) if len(run) >= MIN_LITERAL else None


def _max_width(sequence: Any) -> int | None:
    """The most characters a match of `sequence` can take, when it is made of zero-width assertions,
    single characters and groups or alternations of them; None otherwise."""
    total = 0
    for op, argument in sequence:
        if op in _ZERO_WIDTH:
            continue
        if op in _SINGLE_CHARACTER:
            total += 1
            continue
        if op is sre_constants.SUBPATTERN:
            widths = [_max_width(argument[-1])]
        elif op is sre_constants.BRANCH:
            widths = [_max_width(alternative) for alternative in argument[1]]
        else:
            return None
        if any(width is None for width in widths):
            return None
        total += max(widths)  # type: ignore[type-var]
    return total


def _alternation(alternatives: list[list[frozenset[str]]]) -> list[frozenset[str]]:
    """The clauses of `a|b|...` from those of each alternative: a match satisfies one alternative, so each
    clause takes one clause of every alternative and holds any of their literals (the alternation
    `yolo...train|yolo...mode=train` requires `yolo`, and one of `train`, `mode=train`: `train`). Nothing when an
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
    """`clauses` as fewer literal checks that keep and drop the same texts: without a literal that holds
    another literal of its clause (a text holding `mode=train` holds `train`, so {train, mode=train} asks
    no more than {train}), without repeats, and without a clause that a kept one implies (each literal of
    the kept one holds a literal of it: a text holding a literal of {torchrun} holds one of {run, launch}).
    Nearly every literal check finds nothing, and a clause is only failed after each of its literals was
    looked for in the whole text: every literal dropped is a scan of the text saved."""
    minimal = {
        frozenset(literal for literal in clause if not any(o != literal and o in literal for o in clause))
        for clause in clauses
    }
    kept: list[frozenset[str]] = []
    for clause in sorted(minimal, key=len):
        if not any(_implies(other, clause) for other in kept):
            kept.append(clause)
    return kept


def _implies(clause: frozenset[str], other: frozenset[str]) -> bool:
    """Whether a text holding a literal of `clause` holds one of `other`."""
    return all(any(literal in held for literal in other) for held in clause)


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
    run_output, built_assets, data_folder = _folder_kind(folder)
    if run_output:
        return RUN_OUTPUT
    if lower.endswith(MINIFIED) or (built_assets and lower.endswith((".js", ".mjs", ".css"))):
        return BUILT_ASSET
    data_file = lower.endswith(_DATA_ENDINGS) and os.path.splitext(lower)[1] in DATA_SUFFIXES
    if data_file and (data_folder or (size is not None and size(path) > DATA_DUMP_BYTES)):
        return DATA_DUMP
    return None


# A name that ends with none of these has none of DATA_SUFFIXES (told before the dearer `os.path.splitext`).
_DATA_ENDINGS = tuple(sorted(DATA_SUFFIXES))


@functools.lru_cache(maxsize=8192)
def _folder_kind(folder: str) -> tuple[bool, bool, bool]:
    """What `skip_reason` reads of the folder of a path ("" at the root): whether it is in a tool's run folder
    (`GENERATED`, which ends at a "/", so never in the file's name), in the folders of a built site's
    scripts and styles, in a data folder. Worked out once per folder name (every file searched is judged;
    most folders hold several, and names such as `src/` or `tests/` recur in every repository): a regex
    search of the path at each of its characters cost more than the rest of the judgement."""
    return (
        GENERATED.search(folder + "/") is not None,
        any(part in f"/{folder}/" for part in BUILT_ASSET_FOLDERS),
        any(part in DATA_FOLDERS for part in folder.lower().split("/")),
    )


def _evidence_start(text: str, match: re.Match[str]) -> int:
    """Where the evidence of `match` starts: past the line breaks it took from the end of the line before
    (a pattern that starts with `\\s` or `(^|\\s)` matches the newline before `docker build` or `-m`), so
    that the line cited, and the line judged a checkbox or a comment, is the one the evidence is on."""
    start, end = match.span()
    while start < end - 1 and text[start] in "\r\n":
        start += 1
    return start


class TextSearch:
    """`search` over the text files of `files`, read through `reader` (see the module docstring), whose
    `location` makes the Locations of the hits."""

    def __init__(self, files: FileList, reader: Reader) -> None:
        self.files = files
        self.reader = reader
        self._searches: dict[tuple[Any, ...], list[Location]] = {}
        self._searchable: dict[tuple[tuple[str, ...], bool], list[str]] = {}
        self._reasons: dict[str, str | None] = {}
        self._names_generated: dict[str, bool] = {}
        self._judged: dict[str, tuple[bool, str | None] | None] = {}
        self._skipped: dict[str, str] = {}
        self._notebooks: set[str] = set()
        self._folded: dict[str, str] = {}
        self._holds: dict[str, dict[str, bool]] = {}

    def forget_exclusions(self) -> None:
        """Drop what depends on `FileList.is_excluded` (the report's files were named after a search ran)."""
        self._searches.clear()
        self._searchable.clear()
        self._judged.clear()

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
        leads = leading_literals(pattern, flags | re.MULTILINE) if clauses else None
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
            matches = (
                compiled.finditer(text)
                if leads is None
                else matches_at(compiled, text, self._folded_text(path), leads)
            )
            for match in matches:
                start = _evidence_start(text, match)
                line += text.count("\n", counted, start)
                counted = start
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
                if self._names_files(glob):
                    named.update(self.files.text_files(glob))
            found = []
            for path in self.files.text_files(*globs):
                judged = self._judged.get(path, _UNJUDGED)
                if judged is _UNJUDGED:
                    judged = self._judged[path] = self._judge(path)
                if judged is not None:
                    is_excluded, reason = judged
                    if is_excluded and not excluded:
                        continue
                    if reason is not None and path not in named:
                        self._skipped[path] = reason
                        continue
                    if path.endswith(".ipynb"):
                        self._notebooks.add(path)
                found.append(path)
            self._searchable[key] = found
        return found

    def _names_files(self, glob: str) -> bool:
        """Whether `glob` names the files it matches, generated ones included: a path, or a glob of
        generated files (`*.pt.trace.json`, `wandb/*`). Judged once per glob: the rules' glob tuples
        share most of their globs."""
        names = self._names_generated.get(glob)
        if names is None:
            names = self._names_generated[glob] = (
                not any(char in glob for char in "*?[") or skip_reason(glob) is not None
            )
        return names

    def _judge(self, path: str) -> tuple[bool, str | None] | None:
        """None for a file every search of its globs reads (most files); else whether it `is_excluded`
        and why it is generated (`skip_reason`, or None), for a notebook too (its code cells are what a
        search reads). Judged once per file (until `forget_exclusions`): each file is in many searches'
        globs."""
        is_excluded, reason = self.files.is_excluded(path), self._reason(path)
        if is_excluded or reason is not None or path.endswith(".ipynb"):
            return is_excluded, reason
        return None

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

    def may_match(self, path: str, pattern: str, flags: int = re.IGNORECASE) -> bool:
        """Whether the text a search reads of `path` may hold a match of `pattern` compiled with `flags`:
        False when it lacks the literals every match holds (`literal_requirement`). Told from the folded
        text and the answers the searches keep per file, so that a rule that reads files line by line
        itself (as a search skips commented-out lines) shares them instead of folding each text again."""
        clauses = literal_requirement(pattern, flags)
        return not clauses or self._may_match(path, clauses)

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
