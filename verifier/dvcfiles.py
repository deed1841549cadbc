"""A DVC pointer file (`*.dvc`) without its per-file listing, for reading which paths it tracks.

For a folder added with cloud versioning (or pushed to a version-aware remote), DVC writes into each entry
of `outs` a `files:` list with one entry per file of the folder (relpath, md5, size, etag, version):
pointer files of 200-400 kB, and ~30 ms of YAML parsing each, for an answer check that only needs each
entry's `path`. `without_file_listings` cuts every `files:` block out of the text (the key is kept,
with an empty list) so the rest is parsed by the same safe YAML loader with the same meaning; only what
is cut is not read. A text the cut does not apply to comes back unchanged.
"""

from __future__ import annotations

import re

# `files:` as a block key, alone on its line: "  files:", "- files:", "  files:  # comment"
FILES_KEY = re.compile(r"^(?P<indent> *)(?P<dash>(?:- +)+)?files:[ ]*(?:#.*)?\r?$")


def without_file_listings(text: str) -> str:
    """`text` with the block under every `files:` key replaced by an empty list (`files: []`).

    The block is every following line that is blank or only a comment, indented deeper than the key, or
    an item of an indentless sequence (a `- ` at the key's own column, as YAML allows under a mapping
    key); it ends at the first other line. A `files:` key with a value on its line (`files: [a, b]`,
    `files: |`) is left as it is."""
    if "files:" not in text:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    index = 0
    cut = False
    while index < len(lines):
        line = lines[index]
        index += 1
        key = FILES_KEY.match(line)
        if key is None:
            kept.append(line)
            continue
        column = len(key.group("indent")) + len(key.group("dash") or "")
        kept.append(line.rstrip()[: line.index("files:") + len("files:")] + " []")
        while index < len(lines) and _inside_block(lines[index], column):
            index += 1
        cut = True
    return "\n".join(kept) if cut else text


def _inside_block(line: str, column: int) -> bool:
    """Whether `line` belongs to the block of a key at `column` (see `without_file_listings`)."""
    unindented = line.lstrip(" ")
    content = unindented.rstrip("\r")
    if not content or content.startswith("#"):
        return True
    indent = len(line) - len(unindented)
    return indent > column or (indent == column and (content == "-" or content.startswith("- ")))
