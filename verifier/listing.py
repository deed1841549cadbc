"""Substring search over a repository's sorted file listing, cheap also with 50,000 committed data files.

The listing is every path between NUL characters, searched with `str.find` (C speed, no per-file Python
step). A repository that commits a dataset holds most of its paths in a few folders of same-type files
(`data/raw/cats/*.jpg`). Such a folder is a *run*: its files are direct children, and each name has one
dot, that of the suffix the run shares. Whether a needle can occur in a run's paths then follows from the
folder and the suffix alone (`.py` never occurs in `data/raw/cats/img_001.jpg`, `data/` occurs in all of
them), so most searches skip the run's bytes. Only a needle that could occur inside a file's stem
(`Pipfile`) still scans them.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

MIN_PATHS = 2_000  # below this a plain scan costs well under a millisecond: no runs are looked for
MIN_RUN = 200
MAX_TRIES = 3


class Verdict(Enum):
    NONE = "none"
    ALL = "all"
    SCAN = "scan"


@dataclass(frozen=True)
class Run:
    """Paths `first:last` of the listing are `folder + stem + suffix`: one folder (ending in "/"), stems
    without "." or "/", one suffix (".png"). `start` and `end` are the offsets of the NUL characters
    before the first and after the last of these paths in the listing text."""

    folder: str
    suffix: str
    first: int
    last: int
    start: int
    end: int

    def verdict(self, needle: str) -> Verdict:
        """Whether `needle` occurs in none, all or maybe some of the run's paths (then they are scanned)."""
        if needle in self.folder:
            return Verdict.ALL
        if "/" in needle:  # it ends inside the file name, and what comes before must end the folder
            cut = needle.rfind("/") + 1
            if not self.folder.endswith(needle[:cut]):
                return Verdict.NONE
            return self._in_name(needle[cut:], at_start=True)
        return self._in_name(needle, at_start=False)

    def _in_name(self, piece: str, at_start: bool) -> Verdict:
        if not piece:
            return Verdict.ALL
        dots = piece.count(".")
        if dots == 0:
            return Verdict.SCAN  # it may be in a stem
        if dots > 1 or not self.suffix[1:].startswith(piece[piece.find(".") + 1 :]):
            return Verdict.NONE  # the name's only dot is the suffix's
        if piece.startswith(".") and not at_start:
            return Verdict.ALL  # a start of the suffix, which every name ends with
        return Verdict.SCAN


class Listing:
    """Sorted paths and the searches over them (see the module docstring).

    `search_text` is what needles are looked for in (the listing text, or its lowercase for searches that
    ignore case); matches are always returned as the listed paths.
    """

    def __init__(self, paths: Sequence[str], *, _search: tuple[str, list[Run]] | None = None) -> None:
        self.paths = paths
        self.text = "\x00" + "\x00".join(paths) + "\x00"
        if _search is None:
            self.search_text, self.runs = self.text, _find_runs(paths, self.text)
        else:
            self.search_text, self.runs = _search
        self._verdicts: dict[str, list[Verdict]] = {}

    def lowercase(self) -> Listing | None:
        """The same listing searched in lowercase; None when lowercasing changes the text's length
        (a character such as "İ"), which would shift every offset after it."""
        lowered = self.text.lower()
        if len(lowered) != len(self.text):
            return None
        runs = [
            Run(run.folder.lower(), run.suffix.lower(), run.first, run.last, run.start, run.end)
            for run in self.runs
        ]
        return Listing(self.paths, _search=(lowered, runs))

    def __contains__(self, path: str) -> bool:
        index = bisect.bisect_left(self.paths, path)
        return index < len(self.paths) and self.paths[index] == path

    def containing(self, needle: str) -> list[str]:
        """The paths that contain `needle` (searched in `search_text`), in listing order."""
        found: list[str] = []
        position = 0
        for run, verdict in zip(self.runs, self.verdicts(needle), strict=True):
            self._scan(needle, position, run.start + 1, found)
            if verdict is Verdict.ALL:
                found.extend(self.paths[run.first : run.last + 1])
            elif verdict is Verdict.SCAN:
                self._scan(needle, run.start, run.end + 1, found)
            position = run.end
        self._scan(needle, position, len(self.search_text), found)
        return found

    def verdicts(self, needle: str) -> list[Verdict]:
        """Each run's verdict on `needle`, worked out once per needle."""
        verdicts = self._verdicts.get(needle)
        if verdicts is None:
            verdicts = self._verdicts[needle] = [run.verdict(needle) for run in self.runs]
        return verdicts

    def any_folder(self, skipped: Callable[[str], bool], markers: Sequence[str]) -> bool:
        """Whether a path may lie in a folder that `skipped` refuses: outside runs, when one of `markers`
        (substrings that every such path contains) occurs; in a run, when its folder is refused."""
        position = 0
        text = self.search_text
        for run in self.runs:
            if any(text.find(marker, position, run.start + 1) != -1 for marker in markers):
                return True
            if skipped(run.folder) or any(marker in run.suffix for marker in markers):
                return True
            position = run.end
        return any(text.find(marker, position) != -1 for marker in markers)

    def _scan(self, needle: str, begin: int, end: int, found: list[str]) -> None:
        text = self.search_text
        start = text.find(needle, begin, end)
        while start != -1:
            path_start = text.rfind("\x00", begin, start) + 1
            path_end = text.find("\x00", start)
            found.append(self.text[path_start:path_end])
            start = text.find(needle, path_end, end)


def _find_runs(paths: Sequence[str], text: str) -> list[Run]:
    """The runs of a sorted listing: from a path on, the rest of its folder when that is at least MIN_RUN
    direct children with the path's one-dot suffix. A folder is tried at a few of its paths (a README
    before the images), not at each, so a folder of mixed types costs a few scans, not one per file."""
    runs: list[Run] = []
    if len(paths) < MIN_PATHS:
        return runs
    tries: dict[str, int] = {}
    index, offset = 0, 0  # offset: that of the NUL before paths[index]
    while index < len(paths):
        path = paths[index]
        folder = path[: path.rfind("/") + 1]
        dot = path.rfind(".")
        if folder and dot > len(folder) and tries.get(folder, 0) < MAX_TRIES:
            tries[folder] = tries.get(folder, 0) + 1
            last = bisect.bisect_left(paths, folder[:-1] + "0", index) - 1  # "0" sorts right after "/"
            count = last - index + 1
            if count < MIN_RUN:
                tries[folder] = MAX_TRIES
            else:
                end = text.find("\x00", text.find("\x00" + paths[last] + "\x00", offset) + 1)
                suffix = path[dot:]
                if (
                    text.count(suffix + "\x00", offset, end + 1) == count
                    and text.count("/", offset, end) == count * folder.count("/")
                    and text.count(".", offset, end) == count * (folder.count(".") + 1)
                ):
                    runs.append(Run(folder, suffix, index, last, offset, end))
                    index, offset = last + 1, end
                    continue
        offset += len(path) + 1
        index += 1
    return runs
