"""Fingerprints of the course template's untouched files (data in `verifier/data/fingerprints.json`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class TemplateMatch:
    """A file that is byte-identical (or, for stubs, identical up to layout) to a template default."""

    file: str
    template: str


@cache
def _table() -> dict[str, list[dict[str, str]]]:
    text = resources.files("verifier").joinpath("data/fingerprints.json").read_text(encoding="utf-8")
    return json.loads(text)


def git_blob_id(content: bytes) -> str:
    """The id git gives a file with this content (`git hash-object`)."""
    digest = hashlib.sha1(b"blob %d\x00" % len(content))
    digest.update(content)  # not joined to the header first: that would copy the content
    return digest.hexdigest()


PREFIX = 8  # the shortest id in the table: a prefix id matches every blob id that starts with it


@dataclass(frozen=True)
class _Index:
    blobs: dict[str, list[dict[str, str]]]  # blob entries by their first PREFIX hex digits
    stubs: dict[str, dict[str, str]]  # stub entries by hash
    stub_lines: frozenset[int] | None  # how many lines the stubs fold to; None when a stub does not say
    blob_sizes: frozenset[int] | None  # the sizes of the blobs in bytes; None when a blob entry does not say


_indexes: dict[int, tuple[Any, _Index]] = {}


def _index() -> _Index:
    """The table indexed for look-ups, built once per table."""
    table = _table()
    built = _indexes.get(id(table))
    if built is None or built[0] is not table:
        blobs: dict[str, list[dict[str, str]]] = {}
        for entry in table["blobs"]:
            blobs.setdefault(entry["id"][:PREFIX], []).append(entry)
        stubs: dict[str, dict[str, str]] = {}
        for entry in table.get("stubs", []):
            stubs.setdefault(entry["hash"], entry)
        lines = [entry.get("lines") for entry in stubs.values()]
        known = frozenset(lines) if stubs and None not in lines else None
        sizes = [entry.get("size") for entry in table["blobs"]]
        known_sizes = frozenset(sizes) if None not in sizes else None
        built = _indexes[id(table)] = (table, _Index(blobs, stubs, known, known_sizes))
    return built[1]


def prepare() -> None:
    """Load and index the table now. It does not depend on the verified repository: the CLI's parent calls
    this before it forks a worker per repository, so every worker inherits the table instead of reading,
    decoding and indexing it again (about a millisecond, 2% of a verification)."""
    _index()


def may_match_blob(size: int) -> bool:
    """Whether a file of `size` bytes can be byte-identical to a blob of the table: a git blob id hashes the
    size, so one of another size cannot be (True when the table does not give every blob's size)."""
    sizes = _index().blob_sizes
    return sizes is None or size in sizes


def match_blob(blob_id: str | None) -> TemplateMatch | None:
    if not blob_id:
        return None
    for entry in _index().blobs.get(blob_id[:PREFIX], ()):
        if blob_id.startswith(entry["id"]):
            return TemplateMatch(entry["file"], entry["template"])
    return None


def _layout_folded(text: str) -> str:
    """`text` without comments, blank lines and indentation, its lines joined by "\n" (every line break
    `str.splitlines` knows counts, as the fingerprints were made with it). A comment is a `#` at a line's
    start or after white space, to the line's end."""
    kept = []
    for line in text.replace("\r\n", "\n").splitlines():
        if "#" in line:
            line = _before_comment(line)
        if stripped := line.strip():
            kept.append(stripped)
    return "\n".join(kept)


def _before_comment(line: str) -> str:
    at = line.find("#")
    while at > 0 and not line[at - 1].isspace():
        at = line.find("#", at + 1)
    return line if at == -1 else line[:at]


def _package_hash(folded: str, package: str | None) -> str:
    if package and package in folded:
        folded = replace_word(folded, package, "{{pkg}}")
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]


def replace_word(text: str, word: str, replacement: str) -> str:
    """`re.sub(rf"\\b{re.escape(word)}\\b", replacement, text)` for a non-empty `word`, without compiling
    a pattern for each package name of each verified repository: every occurrence of `word`, left to
    right and not overlapping, with a word boundary (`re`'s, for any character) at both ends."""
    pieces = []
    start, at = 0, text.find(word)
    while at != -1:
        end = at + len(word)
        if _word_boundary(text, at) and _word_boundary(text, end):
            pieces += (text[start:at], replacement)
            start, at = end, text.find(word, end)
        else:
            at = text.find(word, at + 1)
    pieces.append(text[start:])
    return "".join(pieces)


def _word_boundary(text: str, index: int) -> bool:
    """Whether `\\b` matches at `index` of `text`: a word character (`\\w`: alphanumeric or "_") on one
    side only, the ends of the text counting as none."""
    before = index > 0 and (text[index - 1].isalnum() or text[index - 1] == "_")
    after = index < len(text) and (text[index].isalnum() or text[index] == "_")
    return before != after


def normalized_hash(text: str, package: str | None = None) -> str:
    """Hash of Python source with comments, blank lines, indentation-free layout and the package name folded.

    Two copies of a template stub hash the same even when the group's package is called differently
    or the file was re-saved with other line endings.
    """
    return _package_hash(_layout_folded(text), package)


def match_stub(text: str, package: str | None = None) -> TemplateMatch | None:
    return match_stub_of_any(text, [package])


# The line breaks `str.splitlines` knows besides "\n" and "\r\n" ("\r" alone is told by counting).
OTHER_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def folded_line_count(text: str) -> int | None:
    """How many lines `_layout_folded(text)` has, counted without folding: the lines that are not blank and
    whose first character that is not white space does not start a comment (any later "#" leaves that
    character in place). None for a text with a line break other than "\n" and "\r\n", which only folding
    splits as the fingerprints were made."""
    if ("\r" in text and text.count("\r") != text.count("\r\n")) or any(
        brk in text for brk in OTHER_LINE_BREAKS
    ):
        return None
    # No Python step per line (a code file has hundreds): the lines stripped in C, the blank ones counted in
    # the list, the comments as the "#" that start a stripped line once the lines are joined again.
    stripped = list(map(str.lstrip, text.split("\n")))
    comments = "\n".join(stripped).count("\n#") + stripped[0].startswith("#")
    return len(stripped) - stripped.count("") - comments


def match_stub_of_any(text: str, packages: Iterable[str | None]) -> TemplateMatch | None:
    """The stub `text` is a copy of, with the name of one of `packages` (tried in order) folded; the layout
    is folded once for all of them.

    Most code files of a group fold to a number of lines that no stub has (the table gives each stub's
    `lines`): such a file is ruled out before its layout is folded and hashed. Folding the package name
    never changes the number of lines, so this holds for every package.
    """
    index = _index()
    if index.stub_lines is not None:
        count = folded_line_count(text)
        if count is not None and count not in index.stub_lines:
            return None
    folded = _layout_folded(text)
    for package in packages:
        entry = index.stubs.get(_package_hash(folded, package))
        if entry:
            return TemplateMatch(entry["file"], entry["template"])
    return None
