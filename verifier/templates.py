"""Fingerprints of the course template's untouched files (data in `verifier/data/fingerprints.json`)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


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


def match_blob(blob_id: str | None) -> TemplateMatch | None:
    if not blob_id:
        return None
    for entry in _table()["blobs"]:
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
    digest = normalized_hash(text, package)
    for entry in _table().get("stubs", []):
        if entry["hash"] == digest:
            return TemplateMatch(entry["file"], entry["template"])
    return None
