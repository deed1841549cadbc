"""Bounded, link-safe reads of the listed files, each read at most once.

A read never follows a symbolic link out of the repository, never blocks on a named pipe, and never
takes more than the read cap of a file (`max_file_bytes`, 16 times that for uv.lock and poetry.lock; a
notebook's code cells up to MAX_NOTEBOOK_BYTES); content with a NUL byte near its start is binary and reads as None. Text is decoded
leniently (invalid UTF-8 becomes U+FFFD) and kept, with its lines, for every later use.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .evidence import Location
from .filelist import FileList
from .pyfacts import NotebookCode, notebook_code
from .templates import git_blob_id

MAX_FILE_BYTES = 1_000_000
MAX_NOTEBOOK_BYTES = 50_000_000  # notebooks with plotted outputs; only their code cells are kept
# Lock files are read for their package names, line by line and never regex-searched unless named; uv's lock of
# a project using torch is often just over 1 MB, and one cut at the read cap cannot be read at all.
LOCK_FILE_NAMES = frozenset({"uv.lock", "poetry.lock"})
LOCK_CAP_FACTOR = 16
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # 0 on Windows: links are checked with lstat there
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
READ_AS_TEXT = "(read as text)"  # marks locations in Python files this interpreter could not parse
MAX_MARKED_SNIPPET = 140  # a marked snippet keeps the mark within the 160 characters of a Location


class Reader:
    """Reads of the files of `files` under `root` (see the module docstring); `warn` receives one line per
    file that cannot be read whole or at all. No link is followed out of `boundary` (default `root`): a
    project folder's view reads under its folder, and a link from there to elsewhere in the repository is
    as safe to follow as any link inside it."""

    def __init__(
        self,
        root: Path,
        files: FileList,
        *,
        max_file_bytes: int,
        warn: Callable[[str], None],
        boundary: Path | None = None,
    ) -> None:
        self.root = root
        self.boundary = boundary or root
        self.files = files
        self.max_file_bytes = max_file_bytes
        self.warn = warn
        self.truncated: set[str] = set()
        self.read_as_text: set[str] = (
            set()
        )  # Python files whose facts came from tokens (`pyfacts.parse_python`)
        self._text: dict[str, str | None] = {}
        self._lines: dict[str, list[str]] = {}
        self._notebooks: dict[str, NotebookCode] = {}
        self._blob_ids: dict[str, str] = dict(files.listed_blob_ids)
        # Files read whole whose text encodes back to their bytes: their blob id is hashed when asked for.
        self._blob_from_text: set[str] = set()
        # Each folder with links resolved, as a string: joined to a name with `os.path.join`, far cheaper than
        # a pathlib join (a run folder's hundreds of files are each asked for their size).
        self._resolved_dirs: dict[str, str | None] = {}
        self._sizes: dict[str, int] = {}  # bytes of each file read whole or asked about (`size`)

    def read(self, path: str) -> str | None:
        """The file's text (at most `max_file_bytes`, decoded leniently); None for binary or unreadable files.

        Reading a whole file also makes its git blob id known, so template checks need no second read: hashed
        at once for a file whose text does not give its bytes back (binary, or not valid UTF-8: its text
        holds a U+FFFD), else from the text's UTF-8 when `blob_id` asks (most files read are never asked
        about, and hashing all of them cost 2% of a verification).
        """
        if path in self._text:
            return self._text[path]
        text = None
        cap = self.cap(path)
        if self.files.has(path) or (self.root / path).is_file():
            try:
                data = self._read_up_to(path, cap)
                if data is not None:
                    if b"\x00" not in data[:8192]:
                        text = data[:cap].decode("utf-8", errors="replace")
                        if len(data) > cap:
                            self.truncated.add(path)
                            self.warn(f"{path}: larger than {cap // 1000} kB; only its start was read")
                    if len(data) <= cap:
                        self._sizes[path] = len(data)
                    if len(data) <= cap and path not in self._blob_ids:
                        if text is not None and "\ufffd" not in text:
                            self._blob_from_text.add(path)
                        else:
                            self._blob_ids[path] = git_blob_id(data)
            except IsADirectoryError:
                self.warn(
                    f"{path}: a folder committed as a link to another git repository (a submodule or an embedded "
                    "repository); its files were not checked"
                )
            except OSError as error:
                self.warn(f"{path}: unreadable ({error.strerror or error})")
        self._text[path] = text
        return text

    def cap(self, path: str) -> int:
        """How many bytes of `path` are read: `max_file_bytes`, and LOCK_CAP_FACTOR times that for a uv.lock or
        poetry.lock (machine-written, read line by line for package names only)."""
        if path.rpartition("/")[2] in LOCK_FILE_NAMES:
            return self.max_file_bytes * LOCK_CAP_FACTOR
        return self.max_file_bytes

    def lines(self, path: str) -> list[str]:
        """The lines of the file's text (`str.splitlines`), split once; empty for a file `read` gives no text
        for. The list is shared: do not change it."""
        lines = self._lines.get(path)
        if lines is None:
            text = self.read(path)
            lines = self._lines[path] = text.splitlines() if text is not None else []
        return lines

    def code_lines(self, path: str) -> list[str]:
        """The lines facts and locations count in: a notebook's code cells joined, any other file's lines."""
        return self.notebook(path).lines if path.endswith(".ipynb") else self.lines(path)

    def location(self, path: str, line: int | None = None, snippet: str | None = None) -> Location:
        """A Location whose snippet is the file's own line, unless one is given; in a Python file this
        interpreter could not parse (its facts read from tokens), the snippet ends with "(read as text)".
        In a notebook `line` counts in its code cells joined, as Python facts and `code_lines` do; the
        Location names the cell and the line within it, and the snippet is that source line."""
        cell = None
        if line and path.endswith(".ipynb"):
            code = self.notebook(path)
            if snippet is None:
                snippet = code.lines[line - 1] if line <= len(code.lines) else ""
            place = code.cell_line(line)
            if place is not None:
                cell, line = place
        elif snippet is None and line:
            lines = self.lines(path)
            snippet = lines[line - 1] if 0 < line <= len(lines) else ""
        if path in self.read_as_text:
            snippet = f"{' '.join((snippet or '').split())[:MAX_MARKED_SNIPPET]} {READ_AS_TEXT}".lstrip()
        return Location(path, line, snippet or "", cell)

    def notebook(self, path: str) -> NotebookCode:
        """The code cells of a notebook (`pyfacts.notebook_code`), read whole up to MAX_NOTEBOOK_BYTES since
        outputs can make a notebook far larger than the read cap while its code is small."""
        code = self._notebooks.get(path)
        if code is None:
            code = self._notebooks[path] = notebook_code(self._notebook_text(path), self.max_file_bytes)
            if code.note:
                self.warn(f"{path}: {code.note}")
        return code

    def _notebook_text(self, path: str) -> str:
        text = self.read(path)
        if text is None or path not in self.truncated:
            return text or ""
        try:
            data = self._read_up_to(path, MAX_NOTEBOOK_BYTES)
        except OSError:
            return ""
        if data is None:
            return ""
        if len(data) > MAX_NOTEBOOK_BYTES:
            self.warn(
                f"{path}: a notebook larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB; its code was not read"
            )
            return ""
        return data.decode("utf-8", errors="replace")

    def size(self, path: str) -> int:
        """Bytes in the file (0 for one that cannot be reached): those read of a file read whole, else its
        size on disk, asked once (template checks, the search's skip rules and rules ask about most files
        again and again)."""
        size = self._sizes.get(path)
        if size is None:
            size = self._sizes[path] = self._size_on_disk(path)
        return size

    def _size_on_disk(self, path: str) -> int:
        """The size of `path` from one `lstat` of its string path (most files asked about are no link and
        never read: run folders' files, templates' candidates); a link is resolved as `_safe_path` does,
        and counts as 0 when it leaves the repository."""
        folder, _, name = path.rpartition("/")
        parent = self._resolved_dir(path, folder)
        if parent is None:
            return 0
        try:
            status = os.lstat(os.path.join(parent, name))
            if not stat.S_ISLNK(status.st_mode):
                return status.st_size
            full = self._safe_path(path)
            return full.stat().st_size if full else 0
        except OSError:
            return 0

    def blob_id(self, path: str) -> str | None:
        """The git blob id of the file's content (as `git hash-object` gives it); None for a file that cannot be
        read or is larger than the read cap (no template file is)."""
        if path not in self._blob_ids:
            text = self.read(path)
            if path in self._blob_from_text and text is not None:
                self._blob_ids[path] = git_blob_id(text.encode("utf-8"))
        return self._blob_ids.get(path)

    # ----------------------------------------------------------------- link-safe opening

    def _resolved_dir(self, path: str, folder: str) -> str | None:
        """The folder of `path` with links resolved (cached); None, with a warning, when it leaves the repository."""
        parent = self._resolved_folder(folder)
        if parent is None:
            self.warn(f"{path}: inside a folder that links outside the repository; not read")
        return parent

    def _resolved_folder(self, folder: str) -> str | None:
        """`folder` with links resolved, or None when that leaves the repository (cached). Built on its parent
        folder's answer: a folder that is no link is its resolved parent and its name, known with one
        `lstat` instead of one per part of the path; a link (or an odd name) is resolved in full."""
        known = self._resolved_dirs
        missing = []  # the folder and those above it not resolved yet, innermost first
        while folder not in known:
            if not folder:
                known[folder] = os.fspath(self.root)
                break
            missing.append(folder)
            folder = folder.rpartition("/")[0]
        for inner in reversed(missing):
            parent = known[inner.rpartition("/")[0]]
            name = inner.rpartition("/")[2]
            joined = os.path.join(parent, name) if parent is not None else None
            if joined is None:
                known[inner] = None
            elif name in ("", ".", "..") or os.path.islink(joined):
                resolved = self._resolve_inside(inner)
                known[inner] = os.fspath(resolved) if resolved is not None else None
            else:
                known[inner] = joined
        return known[missing[0] if missing else folder]

    def _safe_path(self, path: str) -> Path | None:
        folder, _, name = path.rpartition("/")
        parent = self._resolved_dir(path, folder)
        if parent is None:
            return None
        full = Path(parent, name)
        if not os.path.islink(full):
            return full
        resolved = self._resolve_inside(path)
        if resolved is None:
            self.warn(f"{path}: a symbolic link pointing outside the repository; not read")
        return resolved

    def _resolve_inside(self, path: str) -> Path | None:
        """`path` with every link resolved, or None when that leaves the repository (or cannot resolve)."""
        try:
            resolved = (self.root / path).resolve()
        except (OSError, RuntimeError):
            return None
        if resolved != self.boundary and self.boundary not in resolved.parents:
            return None
        return resolved

    def _read_up_to(self, path: str, limit: int) -> bytes | None:
        """The first `limit` + 1 bytes of `path` (one more tells a longer file); None for a link that leaves,
        or a named pipe with nothing to read.

        Read with `os.read` on the descriptor, sized by `fstat`: a buffered file object costs more to set up
        than reading a small file (most are), and every file of a repository is read through here."""
        descriptor = self._descriptor(path)
        if descriptor is None:
            return None
        try:
            wanted = limit + 1
            asked = min(wanted, os.fstat(descriptor).st_size + 1)
            chunks = [os.read(descriptor, asked)]
            got = len(chunks[0])
            # A file read short of what was asked has ended; one that gave all of it and still less than
            # `wanted` is longer than its size said (it grew, or it is a pipe): read on.
            while len(chunks[-1]) == asked and got < wanted:
                asked = wanted - got
                chunks.append(os.read(descriptor, asked))
                got += len(chunks[-1])
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        except BlockingIOError:  # a named pipe whose writer has written nothing
            return None
        finally:
            os.close(descriptor)

    def open(self, path: str) -> BinaryIO | None:
        """`path` opened for reading, never through a link that leaves the repository (None, with a warning).

        The file itself is opened with O_NOFOLLOW, so a regular file costs no extra `lstat`; only a link is
        resolved and checked. O_NONBLOCK keeps a named pipe in a walked directory from hanging the read.
        """
        descriptor = self._descriptor(path)
        if descriptor is None:
            return None
        try:
            return os.fdopen(descriptor, "rb")
        except OSError:  # a folder (a submodule's link) opens, but is no file
            os.close(descriptor)
            raise

    def _descriptor(self, path: str) -> int | None:
        """An open descriptor of `path` (see `open`), or None for a link that leaves the repository."""
        if not _O_NOFOLLOW:
            full = self._safe_path(path)
            return os.open(full, os.O_RDONLY | _O_BINARY) if full is not None else None
        folder, _, name = path.rpartition("/")
        parent = self._resolved_dir(path, folder)
        if parent is None:
            return None
        try:
            descriptor = os.open(os.path.join(parent, name), os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK)
        except OSError as error:
            if error.errno not in (errno.ELOOP, errno.EMLINK):
                raise
            resolved = self._resolve_inside(path)
            if resolved is None:
                self.warn(f"{path}: a symbolic link pointing outside the repository; not read")
                return None
            descriptor = os.open(resolved, os.O_RDONLY | _O_NONBLOCK)
        return descriptor
