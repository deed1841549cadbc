"""What a cohort run verifies: paths and URLs, `@repos.txt` lists, and the course's group list.

The course keeps its groups in a CSV file (`group_info.csv`): a group number, up to five study numbers and
the group's GitHub repository, `group_nb, student 1, ..., student 5, github_repo`. `read_groups` reads it
into `Target`s that carry the group number and the students into every output. A row whose repository is
blank or not a git URL becomes a `Target` with an `error` (its own row in every output), never a crash.
Comma, semicolon (a spreadsheet saved in a Danish locale) and tab separators are read, with or without a
header row and a byte-order mark.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .redact import redact_url
from .remote import RemoteError, check_url, is_remote

MAX_LIST_BYTES = 10_000_000
_HEADER_KEY = re.compile(r"[^a-z0-9]+")
_GITHUB_WITHOUT_SCHEME = re.compile(r"^(?:www\.)?github\.com/", re.IGNORECASE)
_GITHUB_PAGE = re.compile(r"^(https?://(?:www\.)?github\.com)/([^/?#]+)/([^/?#]+)", re.IGNORECASE)


class InputError(ValueError):
    """A list of repositories that cannot be read at all (a missing file); the message is one line."""


@dataclass(frozen=True)
class Target:
    """One repository to verify: `source` (a path or a git URL), the `group` number and `students` of the
    group list, and `error` when the row names no usable repository (the target is then not verified and
    keeps its row with that reason). `origin` says where it was read ("group_info.csv line 12")."""

    source: str
    group: str | None = None
    students: tuple[str, ...] = field(default_factory=tuple)
    error: str | None = None
    origin: str | None = None

    @property
    def label(self) -> str:
        """How outputs name the target: `group 7` for a group, else the source (credentials redacted)."""
        if self.group:
            return f"group {self.group}"
        return redact_url(self.source) if self.source else (self.origin or "?")


def as_targets(sources: Iterable[str | Target]) -> list[Target]:
    """`Target`s from paths, URLs and targets, in the order given."""
    return [source if isinstance(source, Target) else Target(str(source)) for source in sources]


def expand_sources(arguments: Sequence[str]) -> list[str]:
    """The command line's paths and URLs with every `@FILE` replaced by the lines of FILE (one path or URL a
    line; blank lines and lines starting with `#` skipped). InputError when a list cannot be read."""
    sources: list[str] = []
    for argument in arguments:
        if not argument.startswith("@") or len(argument) == 1:
            sources.append(argument)
            continue
        text = _read_list(Path(argument[1:]))
        sources += [
            line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
        ]
    return sources


def _read_list(path: Path, what: str = "list") -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_LIST_BYTES + 1)
    except OSError as error:
        raise InputError(f"cannot read the {what} {path}: {error.strerror or error}") from None
    if len(data) > MAX_LIST_BYTES:
        raise InputError(f"{path}: more than {MAX_LIST_BYTES} bytes; is it a list of repositories?")
    return data.decode("utf-8-sig", errors="replace")


def read_groups(path: str | Path) -> list[Target]:
    """The groups of a `group_info.csv` file, one `Target` per row that names a group or a repository, in
    file order. A repository may be a URL (`https://github.com/org/repo`, also written without `https://`
    or as a link to a page of the repository, which is cut to the repository), or a local folder relative
    to the file. InputError when the file cannot be read or is no CSV (a cell over the csv module's field
    limit of 128 kB included)."""
    path = Path(path)
    text = _read_list(path, "group list")
    try:
        rows = list(csv.reader(io.StringIO(text), _dialect(text)))
    except csv.Error as error:
        raise InputError(f"{path}: not a readable CSV file ({error})") from None
    if not rows:
        return []
    columns = _columns(rows[0])
    first = 1 if columns is not None else 0
    targets = []
    for number, row in enumerate(rows[first:], start=first + 1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        group, students, repository = _split_row(cells, columns)
        origin = f"{path.name} line {number}"
        source, error = _repository(repository, path.parent)
        if error:
            error = f"{origin}: {error}"
        targets.append(Target(source, group or None, students, error, origin))
    return targets


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    first_line = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _columns(header: list[str]) -> dict[str, list[int]] | None:
    """The header's columns (group, students, repository), or None when the first row is data."""
    keys = [_HEADER_KEY.sub("", cell.lower()) for cell in header]
    repository = [
        i for i, key in enumerate(keys) if key in ("githubrepo", "repo", "repository", "url", "github")
    ]
    if not repository:
        return None
    group = [
        i for i, key in enumerate(keys) if key in ("groupnb", "group", "groupnumber", "groupno", "groupid")
    ]
    students = [i for i, key in enumerate(keys) if key.startswith("student")]
    return {"group": group[:1], "students": students, "repository": repository[:1]}


def _split_row(cells: list[str], columns: dict[str, list[int]] | None) -> tuple[str, tuple[str, ...], str]:
    def cell(index: int) -> str:
        return cells[index] if index < len(cells) else ""

    if columns is None:  # no header: the group first, the repository last, the students between
        if len(cells) == 1:
            return "", (), cells[0]
        return cells[0], tuple(c for c in cells[1:-1] if c), cells[-1]
    group = cell(columns["group"][0]) if columns["group"] else ""
    students = tuple(cell(i) for i in columns["students"] if cell(i))
    return group, students, cell(columns["repository"][0])


def _repository(value: str, base: Path) -> tuple[str, str | None]:
    """The source of a row's repository cell, or ("", the reason it cannot be used)."""
    if not value:
        return "", "no repository given"
    if _GITHUB_WITHOUT_SCHEME.match(value):
        value = "https://" + value
    page = _GITHUB_PAGE.match(value)
    if page:
        value = f"{page.group(1)}/{page.group(2)}/{page.group(3)}"
    elif value.lower().startswith(("http://github.com", "https://github.com", "https://www.github.com")):
        return "", f"{redact_url(value)!r} names no repository (https://github.com/<owner>/<repository>)"
    if is_remote(value):
        try:
            return check_url(value), None
        except RemoteError as error:
            return "", str(error)
    if any(character.isspace() for character in value) or "://" in value:
        return "", f"{redact_url(value)!r} is not a git URL"
    local = (base / value) if not Path(value).is_absolute() else Path(value)
    if local.is_dir():
        return str(local), None
    return "", f"{redact_url(value)!r} is neither a git URL nor a folder"
