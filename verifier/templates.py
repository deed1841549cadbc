"""Fingerprints of the course template's untouched files (data in `verifier/data/fingerprints.json`)."""

from __future__ import annotations

import hashlib
import json
import re
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
    return hashlib.sha1(b"blob %d\x00" % len(content) + content).hexdigest()


PREFIX = 8  # the shortest id in the table: a prefix id matches every blob id that starts with it


@dataclass(frozen=True)
class _Index:
    blobs: dict[str, list[dict[str, str]]]  # blob entries by their first PREFIX hex digits
    stubs: dict[str, dict[str, str]]  # stub entries by hash
    stub_lines_max: int | None  # the most folded lines a stub has; None when the table does not say


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
        built = _indexes[id(table)] = (table, _Index(blobs, stubs, table.get("stubs_max_lines")))
    return built[1]


def match_blob(blob_id: str | None) -> TemplateMatch | None:
    if not blob_id:
        return None
    for entry in _index().blobs.get(blob_id[:PREFIX], ()):
        if blob_id.startswith(entry["id"]):
            return TemplateMatch(entry["file"], entry["template"])
    return None


# A comment: a `#` at a line's start or after white space, to the line's end (matched line by line, as the
# text is one line per "\n" when it is applied: a `\n` taken as the white space only empties a comment line).
COMMENT = re.compile(r"(^|\s)#.*$", re.MULTILINE)


def _layout_folded(text: str) -> str:
    """`text` without comments, blank lines and indentation, its lines joined by "\n" (every line break
    `str.splitlines` knows counts, as the fingerprints were made with it)."""
    joined = "\n".join(text.replace("\r\n", "\n").splitlines())
    if "#" in joined:
        joined = COMMENT.sub("", joined)
    return "\n".join(stripped for line in joined.split("\n") if (stripped := line.strip()))


def _package_hash(folded: str, package: str | None) -> str:
    if package and package in folded:  # the name is not there: no pattern to compile
        folded = re.sub(rf"\b{re.escape(package)}\b", "{{pkg}}", folded)
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]


def normalized_hash(text: str, package: str | None = None) -> str:
    """Hash of Python source with comments, blank lines, indentation-free layout and the package name folded.

    Two copies of a template stub hash the same even when the group's package is called differently
    or the file was re-saved with other line endings.
    """
    return _package_hash(_layout_folded(text), package)


def match_stub(text: str, package: str | None = None) -> TemplateMatch | None:
    return match_stub_of_any(text, [package])


# The start of a line whose first character after spaces and tabs is neither white space nor "#": such a
# line keeps that character through `_layout_folded` (no break, strip or comment can reach it), so the
# number of these lines is never more than the folded text's lines.
CODE_LINE_START = re.compile(r"^(?=[ \t]*[^\s#])", re.MULTILINE)


def more_code_lines_than(text: str, bound: int) -> bool:
    """True when `text` surely folds to more than `bound` lines; a count of line starts, no folding."""
    if text.count("\n") < bound:  # at most `bound` lines of any kind
        return False
    return len(CODE_LINE_START.findall(text)) > bound


def match_stub_of_any(text: str, packages: Iterable[str | None]) -> TemplateMatch | None:
    """The stub `text` is a copy of, with the name of one of `packages` (tried in order) folded; the layout
    is folded once for all of them.

    Most code files of a group are longer than any stub: when `text` has more lines of code than the
    table's longest stub (`stubs_max_lines`), it is ruled out before its layout is folded and hashed.
    Folding the package name never changes the number of lines, so the bound holds for every package.
    """
    index = _index()
    if index.stub_lines_max is not None and more_code_lines_than(text, index.stub_lines_max):
        return None
    folded = _layout_folded(text)
    for package in packages:
        entry = index.stubs.get(_package_hash(folded, package))
        if entry:
            return TemplateMatch(entry["file"], entry["template"])
    return None
