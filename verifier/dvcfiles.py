"""A DVC pointer file (`*.dvc`) without its per-file listing, for reading which paths it tracks.

For a folder added with cloud versioning (or pushed to a version-aware remote), DVC writes into each entry
of `outs` a `files:` list with one entry per file of the folder (relpath, md5, size, etag, version):
pointer files of 200-400 kB, and ~30 ms of YAML parsing each, for an answer check that only needs each
entry's `path`. `without_file_listings` cuts every `files:` block out of the text (the key is kept,
with an empty list) so the rest is parsed by the same safe YAML loader with the same meaning; only what
is cut is not read. A text the cut does not apply to comes back unchanged.
"""

from __future__ import annotations

import functools
import re

# `files:` as a block key, alone on its line: "  files:", "- files:", "  files:  # comment"
FILES_KEY = re.compile(r"^(?P<indent> *)(?P<dash>(?:- +)+)?files: *(?:#[^\n]*)?\r?$", re.MULTILINE)


def without_file_listings(text: str) -> str:
    """`text` with the block under every `files:` key replaced by an empty list (`files: []`).

    The block is every following line that is blank or only a comment, indented deeper than the key, or
    an item of an indentless sequence (a `- ` at the key's own column, as YAML allows under a mapping
    key); it ends at the first other line. A `files:` key with a value on its line (`files: [a, b]`,
    `files: |`) is left as it is."""
    if "files:" not in text:
        return text
    pieces: list[str] = []
    position = 0
    while key := FILES_KEY.search(text, position):
        indent, dash = key.group("indent"), key.group("dash") or ""
        pieces += [text[position : key.start()], f"{indent}{dash}files: []\n"]
        end = _block_end(len(indent) + len(dash)).search(text, key.end() + 1)
        position = end.start() if end else len(text)
    return "".join(pieces) + text[position:] if pieces else text


@functools.lru_cache(maxsize=8)
def _block_end(column: int) -> re.Pattern[str]:
    """The start of the first line that ends the block of a key at `column`: a line with content (neither
    blank nor a comment) indented at most `column`, unless it is a `- ` item at exactly `column`."""
    return re.compile(rf"^(?! {{{column + 1}}})(?! {{{column}}}-(?: |\r?$))(?= *[^ #\r\n])", re.MULTILINE)
