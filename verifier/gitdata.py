"""What the verifier reads of a repository's git folder itself, without starting git: the remote URLs of
its config (`remote_urls`) and its branch names (`branch_names`). Starting git costs a process per
question (about 1.5 ms each, issue #17); these files are small and their formats are fixed.

Each reader gives exactly what the git command it replaces prints, or None when it cannot be certain of it
(a file that is not a regular file, too large, holds a NUL byte, or that git itself would reject): the
caller then asks git. Files are read with `gitsafe.read_regular` (no link followed, no named pipe waited
on) and only inside the git folder `gitsafe.locate` validated.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

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
    each key and value is decoded as UTF-8 at the end, as the caller decodes git's output. A file as git
    writes it is read a line at a time (`_plain_lines`), any other a character at a time."""
    if b"\x00" in data:
        return None
    if data.isascii() and b"\r" not in data and b"\\" not in data:
        plain = _plain_lines(data.decode("ascii"))
        if plain is not None:
            return plain
    return _read_by_character(data)


def _read_by_character(data: bytes) -> list[ConfigEntry] | None:
    """`parse_config` of a file without NUL, a character at a time as git reads it."""
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


# A line of a config file as git writes it (`git config`, `git clone`): a blank or comment line, a section
# header (`[name]` or `[name "subsection"]`, a comment after it), or `key`, `key = value` (a comment after
# it). No quote in a value (a subsection's quotes only), no backslash, no carriage return: see `_plain_lines`.
_PLAIN_LINE = re.compile(
    r"[ \t]*(?:"
    r"(?:[#;].*)?"
    r'|\[(?P<section>[A-Za-z0-9.-]+)(?:[ \t]+"(?P<subsection>[^"\n]*)")?\][ \t]*(?:[#;].*)?'
    r'|(?P<key>[A-Za-z][A-Za-z0-9-]*)[ \t]*(?:=(?P<value>[^"\n]*))?'
    r")"
)
_COMMENT = re.compile("[#;]")


def _plain_lines(text: str) -> list[ConfigEntry] | None:
    """The entries of a config `text` of ASCII without a backslash or a carriage return whose every line
    is a `_PLAIN_LINE` (nearly every config file: git writes them so), read a line at a time; None for any
    other text, which `parse_config` reads a character at a time. The same entries as that reading: the
    value up to a comment, without the blanks around it, and each blank inside it a space."""
    entries: list[ConfigEntry] = []
    prefix = ""
    for line in text.split("\n"):
        match = _PLAIN_LINE.fullmatch(line)
        if match is None:
            return None
        section, key = match.group("section", "key")
        if section is not None:
            subsection = match["subsection"]
            prefix = section.lower() + ("." if subsection is None else f".{subsection}.")
        elif key is not None:
            value = match["value"]
            if value is not None:
                value = _COMMENT.split(value, 1)[0].strip(" \t").replace("\t", " ")
            entries.append(ConfigEntry(prefix + key.lower(), value))
    return entries


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


# ----------------------------------------------------------------- branches


MAX_PACKED_REFS_BYTES = 4_000_000  # a packed-refs file of ~50,000 refs; a larger one is left to git
MAX_LOOSE_REFS = 10_000  # loose ref files read (a fresh clone has a few); more are left to git
MAX_REF_BYTES = 4096  # of one loose ref file (an id or `ref: <name>` and a newline)
BRANCH_PREFIXES = ("refs/heads/", "refs/remotes/")
# What `refname:short` strips, in git's order of preference (refs.c `ref_rev_parse_rules`; git 2.39 does not
# shorten `refs/remotes/x/HEAD` to `x`, so neither does this).
SHORTENING = ("refs/remotes/", "refs/heads/", "refs/tags/", "refs/")
# Every name the short name could also stand for (the same rules, plus the top-level `x` and
# `refs/remotes/x/HEAD`): where any of them exists, git picks a longer short name, and git is asked.
AMBIGUOUS = ("{}", "refs/{}", "refs/tags/{}", "refs/heads/{}", "refs/remotes/{}", "refs/remotes/{}/HEAD")
# A ref name this reader accepts: printable ASCII without what git's `check_refname_format` forbids (blanks,
# `~^:?*[\\`); the sequences git forbids are checked in `_plain_name`, and other names (non-ASCII ones) are
# left to git.
_NAME_CHARACTERS = frozenset(chr(code) for code in range(0x21, 0x7F)) - frozenset("~^:?*[\\")
_HEX = frozenset("0123456789abcdef")
_SHA1 = 40


class NotCertain(Exception):
    """The refs hold something this reader does not read with certainty: git is asked instead."""


def branch_names(repository: gitsafe.GitRepository) -> list[str] | None:
    """The branches and remote-tracking branches as `git for-each-ref --format=%(refname:short) refs/heads
    refs/remotes` lists them (sorted by full name), read from the loose refs and `packed-refs`; None when
    that is not certain (the reftable format, a link, a name or a line this reader does not accept, a ref
    git would call broken, an ambiguous short name): ask git then.

    for-each-ref lists a ref whose object is missing (it includes "broken" refs, and `refname` needs no
    object), so objects are not looked for; a ref whose text is no object id or leads nowhere it leaves
    out, and this reader leaves such a ref to git."""
    try:
        return _BranchReader(repository).names()
    except (NotCertain, OSError, ValueError):
        return None


class _BranchReader:
    def __init__(self, repository: gitsafe.GitRepository) -> None:
        self.repository = repository
        self.common = repository.common_dir

    def names(self) -> list[str]:
        common = self.common
        if os.path.lexists(common / "reftable"):
            raise NotCertain("the reftable format")
        packed = self._packed()
        loose = self._loose(common, "refs")
        if self.repository.git_dir != common:
            for name in self._loose(self.repository.git_dir, "refs"):
                loose.setdefault(name, None)  # per-worktree refs: only for the ambiguity check
        present = {name.casefold() for name in (*packed, *loose)}
        tops = {
            entry.name.casefold()
            for folder in {common, self.repository.git_dir}
            for entry in os.scandir(folder)
        }
        names = []
        for name in sorted(set(packed) | set(loose)):
            if not name.startswith(BRANCH_PREFIXES):
                continue
            content = loose[name] if name in loose else packed[name]
            if content is None:
                continue
            self._resolve(name, content, packed, loose)
            names.append(_shortened(name, present, tops))
        return names

    def _packed(self) -> dict[str, str]:
        """name -> object id of each ref of `packed-refs` (`packed-backend.c`): an optional `# pack-refs
        with:` header, `<id> <name>` lines, each optionally followed by a `^<id>` peeled line."""
        data = gitsafe.read_regular(self.common / "packed-refs", MAX_PACKED_REFS_BYTES)
        if data is None:
            return {}
        if len(data) > MAX_PACKED_REFS_BYTES or (data and not data.endswith(b"\n")):
            raise NotCertain("packed-refs")
        lines = data.decode("ascii").split("\n")[:-1]  # a non-ASCII line raises ValueError
        if lines and lines[0].startswith("# pack-refs with:"):
            lines = lines[1:]
        refs: dict[str, str] = {}
        previous = None
        for line in lines:
            if line.startswith("^") and previous is not None and _is_id(line[1:]):
                previous = None
                continue
            object_id, space, name = line.partition(" ")
            if not (space and _is_id(object_id) and _plain_name(name)) or name in refs:
                raise NotCertain("packed-refs line")
            refs[name] = previous = object_id
        return refs

    def _loose(self, folder: Path, prefix: str) -> dict[str, str | None]:
        """name -> content of each loose ref file under `folder / prefix` (`files-backend.c`: names starting
        with "." or ending in ".lock" are skipped, as git skips them). More than MAX_LOOSE_REFS files are
        left to git (and its time-out)."""
        refs: dict[str, str | None] = {}
        if os.path.islink(folder / prefix):
            raise NotCertain(f"{prefix}: a link")
        pending = [prefix]
        while pending:
            current = pending.pop()
            try:
                entries = list(os.scandir(folder / current))
            except FileNotFoundError:
                continue
            for entry in entries:
                name = f"{current}/{entry.name}"
                if entry.name.startswith(".") or entry.name.endswith(".lock"):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(name)
                elif (
                    entry.is_file(follow_symlinks=False) and _plain_name(name) and len(refs) < MAX_LOOSE_REFS
                ):
                    data = gitsafe.read_regular(entry.path, MAX_REF_BYTES)
                    refs[name] = (data or b"").decode("ascii").rstrip()
                else:
                    raise NotCertain(f"{name}: a link, a name this reader does not accept, or too many refs")
        return refs

    def _resolve(self, name: str, content: str, packed: dict[str, str], loose: dict[str, str | None]) -> str:
        """The object id `content` (a loose ref's text or a packed id) stands for, symbolic refs followed."""
        for _ in range(5):  # git's SYMREF_MAXDEPTH
            if _is_id(content):
                if content == "0" * _SHA1:
                    break
                return content
            if not content.startswith("ref:"):
                break
            target = content[len("ref:") :].lstrip(" \t\n\r")
            if not (target.startswith("refs/") and _plain_name(target)):
                break
            found = loose.get(target) if target in loose else packed.get(target)
            if found is None:
                break
            content = found
        raise NotCertain(f"{name}: a broken or unusual ref")


def _is_id(text: str) -> bool:
    return len(text) == _SHA1 and _HEX.issuperset(text)


def _plain_name(name: str) -> bool:
    """Whether `name` is a ref name git accepts, of the plain kind this reader reads (see _NAME_CHARACTERS)."""
    return (
        _NAME_CHARACTERS.issuperset(name)
        and ".." not in name
        and "//" not in name
        and "@{" not in name
        and name != "@"
        and not name.endswith(("/", "."))
        and not any(part.startswith(".") or part.endswith(".lock") for part in name.split("/"))
    )


def _shortened(name: str, present: set[str], tops: set[str]) -> str:
    """git's `refname:short` of a branch `name` whose short name is not ambiguous; NotCertain otherwise.
    `present`: every ref name found (case-folded, as a case-insensitive file system would match them);
    `tops`: the entries of the git folders, where git looks up a one-level name."""
    prefix = next(prefix for prefix in SHORTENING if name.startswith(prefix))
    short = name[len(prefix) :]
    for rule in AMBIGUOUS:
        other = rule.format(short)
        if other == name:
            continue
        if other.casefold() in present or (rule == "{}" and short.split("/")[0].casefold() in tops):
            raise NotCertain(f"{name}: its short name is ambiguous")
    if short.startswith(("main-worktree/", "worktrees/")):
        raise NotCertain(f"{name}: a short name git reads as another worktree's ref")
    return short
