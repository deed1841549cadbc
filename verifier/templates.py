"""Fingerprints of the course template's untouched files (data in `verifier/data/fingerprints.json`)."""

from __future__ import annotations

import hashlib
import json
import re
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


_indexes: dict[int, tuple[Any, dict[str, list[dict[str, str]]], dict[str, dict[str, str]]]] = {}


def _index() -> tuple[dict[str, list[dict[str, str]]], dict[str, dict[str, str]]]:
    """(blob entries by their first PREFIX hex digits, stub entries by hash), built once per table."""
    table = _table()
    built = _indexes.get(id(table))
    if built is None or built[0] is not table:
        blobs: dict[str, list[dict[str, str]]] = {}
        for entry in table["blobs"]:
            blobs.setdefault(entry["id"][:PREFIX], []).append(entry)
        stubs: dict[str, dict[str, str]] = {}
        for entry in table.get("stubs", []):
            stubs.setdefault(entry["hash"], entry)
        built = _indexes[id(table)] = (table, blobs, stubs)
    return built[1], built[2]


def match_blob(blob_id: str | None) -> TemplateMatch | None:
    if not blob_id:
        return None
    for entry in _index()[0].get(blob_id[:PREFIX], ()):
        if blob_id.startswith(entry["id"]):
            return TemplateMatch(entry["file"], entry["template"])
    return None


def normalized_hash(text: str, package: str | None = None) -> str:
    """Hash of Python source with comments, blank lines, indentation-free layout and the package name folded.

    Two copies of a template stub hash the same even when the group's package is called differently
    or the file was re-saved with other line endings.
    """
    lines = []
    for line in text.replace("\r\n", "\n").splitlines():
        line = (re.sub(r"(^|\s)#.*$", "", line) if "#" in line else line).strip()
        if line:
            lines.append(line)
    folded = "\n".join(lines)
    if package:
        folded = re.sub(rf"\b{re.escape(package)}\b", "{{pkg}}", folded)
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]


def match_stub(text: str, package: str | None = None) -> TemplateMatch | None:
    entry = _index()[1].get(normalized_hash(text, package))
    return TemplateMatch(entry["file"], entry["template"]) if entry else None
