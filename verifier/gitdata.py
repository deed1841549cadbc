"""What the verifier reads of a repository's git folder itself, without starting git: the remote URLs of
its config. Starting git costs a process per question (about 1.5 ms each, issue #17); these files are
small and their formats are fixed.

Each reader gives exactly what the git command it replaces prints, or None when it cannot be certain of it
(a file that is not a regular file, too large, holds a NUL byte, or that git itself would reject): the
caller then asks git. Files are read with `gitsafe.read_regular` (no link followed, no named pipe waited
on) and only inside the git folder `gitsafe.locate` validated.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import gitsafe

MAX_CONFIG_BYTES = gitsafe.MAX_CONFIG_BYTES
# git's own character classes (git-compat-util.h): ASCII only, and \v and \f are not spaces.
_SPACE = frozenset(" \t\n\r")
_ALPHA = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_KEY_CHARS = _ALPHA | frozenset("0123456789-")
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "\\": "\\", '"': '"'}
_BOM = "\xef\xbb\xbf"  # UTF-8's, as latin-1 text


@dataclass(frozen=True)
class ConfigEntry:
    """One `key = value` of a git config file: `key` as git names it (section and key lower case, the
    subsection as written), `value` None for a key without `=` (git's "true")."""

    key: str
    value: str | None


class _Source:
    """git's `get_next_char`: CR LF reads as LF, and the end of the text as one last LF (`eof` set)."""

    def __init__(self, text: str) -> None:
        self.text, self.position, self.eof = text, 0, False

    def next(self) -> str:
        if self.position >= len(self.text):
            self.eof = True
            return "\n"
        character = self.text[self.position]
        self.position += 1
        if character == "\r" and self.text.startswith("\n", self.position):
            self.position += 1
            return "\n"
        return character


def parse_config(data: bytes) -> list[ConfigEntry] | None:
    """Every entry of the git config file `data`, in file order, as git's parser (config.c,
    `git_parse_source`) reads it; None where git would reject the file, or for a NUL byte or a backslash
    in a subsection name (whose reading changed between git versions). Includes are not followed, as
    with `git config --no-includes`.

    The bytes are read as latin-1 (one character per byte, so git's byte-wise rules apply unchanged) and
    each key and value is decoded as UTF-8 at the end, as the caller decodes git's output."""
    if b"\x00" in data:
        return None
    text = data.decode("latin-1")
    if text.startswith(_BOM):
        text = text[len(_BOM) :]
    elif text.startswith("\xef"):  # git does not tolerate a partial byte order mark
        return None
    source = _Source(text)
    entries: list[ConfigEntry] = []
    prefix = ""
    comment = False
    while True:
        character = source.next()
        if character == "\n":
            if source.eof:
                return entries
            comment = False
        elif comment or character in _SPACE:
            continue
        elif character in "#;":
            comment = True
        elif character == "[":
            section = _section(source)
            if not section:
                return None
            prefix = section + "."
        elif character in _ALPHA:
            entry = _entry(source, prefix + character.lower())
            if entry is None:
                return None
            entries.append(entry)
        else:
            return None


def _section(source: _Source) -> str | None:
    """The section name after `[` (`get_base_var`): `[name]` lower case, `[name "subsection"]` with the
    subsection as written; None for a malformed header."""
    name = ""
    while True:
        character = source.next()
        if source.eof:
            return None
        if character == "]":
            return name
        if character in _SPACE:
            break
        if character not in _KEY_CHARS and character != ".":
            return None
        name += character.lower()
    while character in _SPACE:  # `get_extended_base_var`
        if character == "\n":
            return None
        character = source.next()
    if character != '"':
        return None
    subsection = ""
    while True:
        character = source.next()
        if character == "\n" or character == "\\":
            return None
        if character == '"':
            break
        subsection += character
    return f"{name}.{subsection}" if source.next() == "]" else None


def _entry(source: _Source, key: str) -> ConfigEntry | None:
    """The rest of a key and its value (`get_value`); None for a malformed line."""
    while True:
        character = source.next()
        if source.eof or character not in _KEY_CHARS:
            break
        key += character.lower()
    while character in " \t":
        character = source.next()
    if character == "\n":
        return ConfigEntry(_utf8(key), None)
    if character != "=":
        return None
    value = _value(source)
    return None if value is None else ConfigEntry(_utf8(key), _utf8(value))


def _value(source: _Source) -> str | None:
    """A value up to the end of its line (`parse_value`): blanks around it dropped and each blank inside
    kept as one space, `#` and `;` start a comment outside quotes, quotes removed, the escapes git knows
    resolved, a backslash before the line end continues the value; None for an unknown escape or an
    unclosed quote."""
    value: list[str] = []
    length = spaces = 0
    quoted = comment = False
    while True:
        character = source.next()
        if character == "\n":
            return None if quoted else "".join(value)
        if comment:
            continue
        if character in _SPACE and not quoted:
            spaces += 1 if length else 0
            continue
        if not quoted and character in "#;":
            comment = True
            continue
        if spaces:
            value.append(" " * spaces)
            length, spaces = length + spaces, 0
        if character == "\\":
            character = source.next()
            if character == "\n":
                continue
            if character not in _ESCAPES:
                return None
            value.append(_ESCAPES[character])
            length += 1
        elif character == '"':
            quoted = not quoted
        else:
            value.append(character)
            length += 1


def _utf8(text: str) -> str:
    return text.encode("latin-1").decode("utf-8", errors="replace")


def remote_urls(repository: gitsafe.GitRepository) -> dict[str, str | None] | None:
    """Remote name -> URL (its first `url`; None for a `url` without a value) from the repository's own
    config file, as `git config --local --no-includes --get-regexp '^remote\\..*\\.url$'` gives them;
    None when that is not certain (see the module docstring): ask git then."""
    try:
        data = gitsafe.read_regular(repository.common_dir / "config", MAX_CONFIG_BYTES)
    except OSError:
        return None
    if data is None:
        return {}
    if len(data) > MAX_CONFIG_BYTES:
        return None
    entries = parse_config(data)
    if entries is None:
        return None
    urls: dict[str, str | None] = {}
    for entry in entries:
        key = entry.key
        if key.startswith("remote.") and key.endswith(".url") and len(key) >= len("remote..url"):
            urls.setdefault(key[len("remote.") : -len(".url")], entry.value)
    return urls
