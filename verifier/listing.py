"""Substring search over a repository's sorted file listing, cheap also with 50,000 committed data files.

The listing is every path between NUL characters, searched with `str.find` (C speed, no per-file Python
step). A repository that commits a dataset holds most of its paths in folders of a few file types
(`data/raw/cats/*.jpg`, `data/train/<class>/*.png`). Such a stretch of the listing is a *run*: its paths
are a folder followed by a path whose only dot, if any, is that of one of the run's suffixes. In a *flat*
run they are the folder's direct files. Whether a needle can occur in a run's paths then mostly follows
from the folder and the suffixes alone (`.py` never occurs in `data/raw/cats/img_001.jpg`, `data/` occurs in all
of them), so most searches skip the run's bytes. A needle that could occur inside a file's stem
(`Pipfile`), or a folder name below a run's folder (`configs/` in a run that is not flat), still scans
them; looked for at the end of paths (`Pipfile` and a NUL, as a glob's last name is), it does not.
"""

from __future__ import annotations

import bisect
import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

END = "\x00"  # between paths in the listing text: a needle that ends with it ends a path there
MIN_PATHS = 2_000  # below this a plain scan costs well under a millisecond: no runs are looked for
MIN_RUN = 200
STRIDE = MIN_RUN // 4
MAX_SUFFIXES = 4  # a folder of images and their .npy arrays is a run; one of many types is not
SAMPLE_STEP = 23  # a prime: a sample of every 23rd path sees each type of a folder that alternates types


class Verdict(Enum):
    NONE = "none"
    ALL = "all"
    SCAN = "scan"


@dataclass(frozen=True)
class Run:
    """Paths `first:last` of the listing are `folder + rest`: one folder (ending in "/"), and a rest whose
    only dot is that of its suffix, one of `suffixes` (".png", ".npy"), or (when `dotless`) a rest without
    a dot (`mask`). In a flat run each rest is a file name; else it may pass through folders (without
    dots). `start` and `end` are the offsets of the NUL characters before the first and after the last of
    these paths in the listing text."""

    folder: str
    suffixes: tuple[str, ...]
    first: int
    last: int
    start: int
    end: int
    flat: bool = True
    dotless: bool = False

    def verdict(self, needle: str) -> Verdict:
        """Whether `needle` occurs in none, all or maybe some of the run's paths (then they are scanned). A
        needle ending in NUL (`END`) must end a path there."""
        if needle.endswith(END):
            return self._verdict_at_end(needle[:-1])
        if needle in self.folder:
            return Verdict.ALL
        if not self.flat:
            return _in_rest(needle, self.folder, self.suffixes, self.dotless)
        if "/" in needle:  # it ends inside the file name, and what comes before must end the folder
            cut = needle.rfind("/") + 1
            if not self.folder.endswith(needle[:cut]):
                return Verdict.NONE
            return _in_name(needle[cut:], True, self.suffixes, self.dotless)
        return _in_name(needle, False, self.suffixes, self.dotless)

    def _verdict_at_end(self, piece: str) -> Verdict:
        """Whether some of the run's paths end with `piece`. What follows its last "/" is a whole name; in a
        flat run what comes before must also end the folder (a flat run's names hold no "/")."""
        cut = piece.rfind("/") + 1
        if cut and self.flat and not self.folder.endswith(piece[:cut]):
            return Verdict.NONE
        return _ends_name(piece[cut:], bool(cut), self.suffixes, self.dotless)


@dataclass(frozen=True)
class _Span:
    """Runs next to each other in the listing (each starts where the one before ends) that are flat and of
    one shape (suffixes, dotless), like `data/raw/000/` to `data/raw/049/`, or one run of another kind. A
    needle gets one verdict from all of a span's runs unless it is in some of their folders or names a
    folder that some of them end with (`verdict`): a search then goes through the span at once, not run by
    run. `folders` is the runs' folders, each followed by a NUL."""

    runs: tuple[Run, ...]
    folders: str

    def verdict(self, needle: str) -> Verdict | None:
        """The verdict every run of the span gives `needle` (`Run.verdict`); None when they may differ."""
        run = self.runs[0]
        if len(self.runs) == 1:
            return run.verdict(needle)
        if needle.endswith(END):
            piece = needle[:-1]
            cut = piece.rfind("/") + 1
            if not cut:
                return _ends_name(piece, False, run.suffixes, run.dotless)
            return Verdict.NONE if piece[:cut] + END not in self.folders else None
        if needle in self.folders:
            return None
        if "/" in needle:
            return Verdict.NONE if needle[: needle.rfind("/") + 1] + END not in self.folders else None
        return _in_name(needle, False, run.suffixes, run.dotless)


def _spans(runs: Sequence[Run]) -> list[_Span]:
    """The runs grouped into spans (see `_Span`), in listing order."""
    groups: list[list[Run]] = []
    for run in runs:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and run.flat
            and last.flat
            and run.first == last.last + 1
            and (run.suffixes, run.dotless) == (last.suffixes, last.dotless)
        ):
            groups[-1].append(run)
        else:
            groups.append([run])
    return [_Span(tuple(group), "".join(run.folder + END for run in group)) for group in groups]


def _ends_name(tail: str, whole: bool, suffixes: tuple[str, ...], dotless: bool) -> Verdict:
    """Whether a name `stem + suffix` (a stem without "." or "/", a suffix of `suffixes`, or none when
    `dotless`) may end with `tail` (`whole`: be `tail`): SCAN or NONE. A dot in the tail is the suffix's, so
    what follows it is a whole suffix; a tail without a dot lies inside the suffix, or is a dotless name."""
    dots = tail.count(".")
    if dots > 1:
        return Verdict.NONE
    if dots == 1:
        return Verdict.SCAN if tail[tail.find(".") :] in suffixes else Verdict.NONE
    if dotless or (not whole and any(suffix[1:].endswith(tail) for suffix in suffixes)):
        return Verdict.SCAN
    return Verdict.NONE


def _in_rest(needle: str, folder: str, suffixes: tuple[str, ...], dotless: bool) -> Verdict:
    """The verdict of a run that is not flat, on a needle that is not inside its folder. The needle's last
    dot lies in a rest, where it is the suffix's (so what follows it starts the suffix), or in the folder
    (so the needle starts with an end of the folder that holds that dot)."""
    last_dot = needle.rfind(".")
    if last_dot == -1:
        return Verdict.SCAN
    after = needle[last_dot + 1 :]
    fitting = 0 if "/" in after else _fitting(after, suffixes)
    if fitting == len(suffixes) and needle.count(".") == 1 and needle.startswith(".") and not dotless:
        return Verdict.ALL
    if fitting or any(folder.endswith(needle[:length]) for length in range(last_dot + 1, len(needle))):
        return Verdict.SCAN
    return Verdict.NONE


@functools.lru_cache(maxsize=4096)
def _in_name(piece: str, at_start: bool, suffixes: tuple[str, ...], dotless: bool) -> Verdict:
    """Whether `piece` occurs in none, all or some of the names `stem + suffix` (stems without "." or "/",
    each suffix one of `suffixes`, or no suffix when `dotless`); `at_start`: only at a name's start. Runs
    share the answer per needle."""
    if not piece:
        return Verdict.ALL
    dots = piece.count(".")
    if dots == 0:
        return Verdict.SCAN  # it may be in a stem
    fitting = _fitting(piece[piece.find(".") + 1 :], suffixes)
    if dots > 1 or not fitting:
        return Verdict.NONE  # the name's only dot is its suffix's
    if piece.startswith(".") and not at_start and fitting == len(suffixes) and not dotless:
        return Verdict.ALL  # a start of every suffix, one of which every name ends with
    return Verdict.SCAN


def _fitting(after_dot: str, suffixes: tuple[str, ...]) -> int:
    """How many of `suffixes` what follows a needle's dot can start (".pn" starts ".png", not ".npy")."""
    return sum(suffix[1:].startswith(after_dot) for suffix in suffixes)


def folder_end(paths: Sequence[str], folder: str, start: int = 0, stop: int | None = None) -> int:
    """The index after the last of sorted `paths[start:stop]` that lie in `folder` (ending in "/"), when
    paths[start] does: the paths in a folder sort together, before `folder` with "0" for its "/"."""
    stop = len(paths) if stop is None else stop
    return bisect.bisect_left(paths, folder[:-1] + "0", start, stop)


class Listing:
    """Sorted paths and the searches over them (see the module docstring).

    `search_text` is what needles are looked for in (the listing text, or its lowercase for searches that
    ignore case); matches are always returned as the listed paths.
    """

    def __init__(
        self, paths: Sequence[str], *, text: str | None = None, _search: tuple[str, list[Run]] | None = None
    ) -> None:
        """`text`, when given, must be the paths between NUL characters (as `git ls-files -z` prints them,
        after a NUL): it saves joining them again."""
        self.paths = paths
        self.text = "\x00" + "\x00".join(paths) + "\x00" if text is None else text
        if _search is None:
            self.search_text, self.runs = self.text, _find_runs(paths, self.text)
        else:
            self.search_text, self.runs = _search
        self._judged: dict[str, list[tuple[int, int, int, int, Verdict]]] = {}
        self._costs: dict[str, int] = {}

    def lowercase(self) -> Listing | None:
        """The same listing searched in lowercase; None when lowercasing changes the text's length
        (a character such as "İ"), which would shift every offset after it. A run with a "Σ" in a suffix
        is searched as plain text: that capital sigma lowercases to a final or a medial sigma, by the stem
        before it."""
        lowered = self.text.lower()
        if len(lowered) != len(self.text):
            return None
        runs = [
            Run(
                run.folder.lower(),
                tuple(suffix.lower() for suffix in run.suffixes),
                run.first,
                run.last,
                run.start,
                run.end,
                run.flat,
                run.dotless,
            )
            for run in self.runs
            if not any("\u03a3" in suffix for suffix in run.suffixes)
        ]
        return Listing(self.paths, text=self.text, _search=(lowered, runs))

    def containing(self, needle: str) -> list[str]:
        """The paths that contain `needle` (searched in `search_text`), in listing order; with a final NUL
        (`END`), those that end with what precedes it. The text between runs and the runs that must be
        scanned are searched as one stretch."""
        if not needle:
            return list(self.paths)
        if END in needle[:-1]:
            return []  # no path holds one, and the listing puts one between paths
        found: list[str] = []
        stretch = 0  # where the text not yet searched starts
        for first, last, start, end, verdict in self.judged(needle):
            if verdict is Verdict.SCAN:
                continue
            if stretch < start:
                self._scan(needle, stretch, start + 1, found)
            if verdict is Verdict.ALL:
                found.extend(self.paths[first : last + 1])
            stretch = end
        self._scan(needle, stretch, len(self.search_text), found)
        return found

    def search_cost(self, needle: str) -> int:
        """A measure of the work of a search for `needle` and of filtering its matches: 0 without runs, else
        the paths of the runs it must scan, and ten times those of the runs it is in whole (each is a match
        for a caller to filter in Python)."""
        if not self.runs:
            return 0
        cost = self._costs.get(needle)
        if cost is None:
            cost = 0
            for first, last, _, _, verdict in self.judged(needle):
                if verdict is not Verdict.NONE:
                    cost += (last - first + 1) * (10 if verdict is Verdict.ALL else 1)
            self._costs[needle] = cost
        return cost

    def judged(self, needle: str) -> list[tuple[int, int, int, int, Verdict]]:
        """(first, last, start, end, verdict) of each stretch of runs that gives `needle` one verdict, in
        listing order: a span's at once (`_Span`), else each of its runs' own. Worked out once per needle."""
        judged = self._judged.get(needle)
        if judged is None:
            judged = []
            for span in self._spans:
                verdict = span.verdict(needle)
                if verdict is not None:
                    first, last = span.runs[0], span.runs[-1]
                    judged.append((first.first, last.last, first.start, last.end, verdict))
                else:
                    judged += [
                        (run.first, run.last, run.start, run.end, run.verdict(needle)) for run in span.runs
                    ]
            self._judged[needle] = judged
        return judged

    @functools.cached_property
    def _spans(self) -> list[_Span]:
        return _spans(self.runs)

    def verdicts(self, needle: str) -> list[Verdict]:
        """Each run's verdict on `needle`: its span's (`_Span.verdict`) when the span gives one, else its own."""
        verdicts: list[Verdict] = []
        for span in self._spans:
            verdict = span.verdict(needle)
            verdicts += (
                [verdict] * len(span.runs)
                if verdict is not None
                else [run.verdict(needle) for run in span.runs]
            )
        return verdicts

    def any_folder(self, skipped: Callable[[str], bool], markers: Sequence[str]) -> bool:
        """Whether a path may lie in a folder that `skipped` refuses: in a flat run, when its folder is
        refused; in another run, when a marker (a substring that every such path contains) may occur in
        its paths by its verdict and does; elsewhere, when a marker occurs."""
        position = 0
        text = self.search_text
        for run in self.runs:
            if any(text.find(marker, position, run.start + 1) != -1 for marker in markers):
                return True
            if run.flat:
                found = skipped(run.folder) or any(marker in s for marker in markers for s in run.suffixes)
            else:
                found = any(
                    (verdict := run.verdict(marker)) is Verdict.ALL
                    or (verdict is Verdict.SCAN and text.find(marker, run.start, run.end) != -1)
                    for marker in markers
                )
            if found:
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
    """The runs of a sorted listing (see `_RunFinder`)."""
    return _RunFinder(paths, text).runs() if len(paths) >= MIN_PATHS else []


class _RunFinder:
    """Finds runs block by block. A block of MIN_RUN paths in the first one's folder, whose names each have
    one dot and one of the suffixes a sample of them shows (at most MAX_SUFFIXES), starts a flat run. A
    block that spans two small folders (a dataset of many classes) may start a run below their common
    folder instead. A run grows forward (to the end of its folder or of its shape) and back (over paths a
    stride skipped) by doubling steps, then halving ones, each checking only the paths it adds. A block
    that is no run moves the search to the next folder when it reaches a big one, else on by a stride
    that doubles, up to a block, while the same folder (or folder of small folders) keeps failing: a
    folder of many types costs a check per block, never a step per file or per small folder, and a run
    of two blocks or more is always found. Paths outside runs are searched as before: runs only save
    work."""

    def __init__(self, paths: Sequence[str], text: str) -> None:
        self.paths, self.text = paths, text
        self.known = [0]  # indices whose NUL offset is known, sorted
        self.offsets = {0: 0, len(paths): len(text) - 1}

    def offset(self, index: int) -> int:
        """The offset in the text of the NUL before paths[index]: found from the nearest known one below."""
        found = self.offsets.get(index)
        if found is None:
            below = self.known[bisect.bisect_right(self.known, index) - 1]
            found = self.text.find("\x00" + self.paths[index] + "\x00", self.offsets[below])
            self.offsets[index] = found
            bisect.insort(self.known, index)
        return found

    def uniform(self, first: int, last: int, run: tuple[str, tuple[str, ...], bool]) -> int | None:
        """How many of paths[first..last] end with one of `suffixes`, when they are all `folder + rest`,
        each rest with at most one dot, that of its suffix (and in a flat run without "/"); else None.
        Distinct one-dot suffixes end disjoint sets of paths, so their counts add up; a path that ends with
        one has a dot in its rest, so when the dots after the folders are as many as those paths, these
        have one each and the others none."""
        folder, suffixes, flat = run
        paths = self.paths
        middle = paths[(first + last) // 2]
        if not (paths[first].startswith(folder) and paths[last].startswith(folder)):
            return None  # sorted: when both ends start with the folder, so do the paths between
        if not (_fits(paths[last], suffixes) and _fits(middle, suffixes)):
            return None  # a cheap refusal of most blocks of other types
        start, end, size = self.offset(first), self.offset(last + 1), last - first + 1
        suffixed = self.suffixed(start, end, suffixes)
        if flat and self.text.count("/", start, end) != size * folder.count("/"):
            return None
        return suffixed if self.text.count(".", start, end) == size * folder.count(".") + suffixed else None

    def suffixed(self, start: int, end: int, suffixes: tuple[str, ...]) -> int:
        """How many paths between the NULs at `start` and `end` end with one of `suffixes`."""
        return sum(self.text.count(suffix + "\x00", start, end + 1) for suffix in suffixes)

    def sampled_suffixes(self, first: int, last: int) -> tuple[str, ...] | None:
        """The suffixes of a sample of paths[first..last] (a name without a dot has none); None for more
        than MAX_SUFFIXES of them."""
        found: dict[str, None] = {}
        for index in range(first, last + 1, SAMPLE_STEP):
            name = self.paths[index][self.paths[index].rfind("/") + 1 :]
            if "." in name:
                found[name[name.rfind(".") :]] = None
        return tuple(found) if len(found) <= MAX_SUFFIXES else None

    def run_at(self, first: int, last: int, low: int, folder: str, flat: bool) -> Run | None:
        """The run that the block paths[first..last] starts below `folder`, grown; None if it starts none."""
        suffixes = self.sampled_suffixes(first, last)
        shape = (folder, suffixes or (), flat)
        counted = self.uniform(first, last, shape) if folder and suffixes is not None else None
        if counted is None:
            return None
        # the paths with a suffix, added up over the stretches the run grew by (each is checked once)
        suffixed = [counted]

        def grows(begin: int, end: int) -> bool:
            found = self.uniform(begin, end, shape)
            if found is not None:
                suffixed.append(found)
            return found is not None

        high = folder_end(self.paths, folder, last) - 1
        block_end, block_start = last, first
        last += _farthest(high - last, lambda near, far: grows(block_end + near + 1, block_end + far))
        first -= _farthest(first - low, lambda near, far: grows(block_start - far, block_start - near - 1))
        start, end = self.offset(first), self.offset(last + 1)
        return Run(folder, shape[1], first, last, start, end, flat, sum(suffixed) < last - first + 1)

    def runs(self) -> list[Run]:
        paths, found = self.paths, []
        index = low = 0
        stride, failing = STRIDE, None
        while index + MIN_RUN <= len(paths):
            path = paths[index]
            folder = path[: path.rfind("/") + 1]
            last = index + MIN_RUN - 1
            next_folder = folder_end(paths, folder, index, last + 1) if folder else last + 1
            run = None
            if next_folder > last:
                run = self.run_at(index, last, low, folder, flat=True)
            elif next_folder - low >= MIN_RUN:  # the folder's last block
                run = self.run_at(next_folder - MIN_RUN, next_folder - 1, low, folder, flat=True)
            below = None  # the common folder of a block over small folders
            if run is None and next_folder <= last and self.small_folder_at(next_folder):
                below = _common_folder(path, paths[last])
                run = self.run_at(index, last, low, below, flat=False)
            if run is not None:
                found.append(run)
                index = low = run.last + 1
                stride, failing = STRIDE, None
            elif next_folder <= last and below is None:
                index = low = next_folder
                stride, failing = STRIDE, None
            elif index + MIN_RUN < len(paths):  # one folder failing, or small folders of another shape
                where = folder if below is None else below
                stride = min(stride * 2, MIN_RUN) if where == failing else STRIDE
                index, low, failing = min(index + stride, len(paths) - MIN_RUN), index + 1, where
            else:
                break
        return found

    def small_folder_at(self, index: int) -> bool:
        """paths[index] is in a folder of fewer than MIN_RUN files (from it on): no flat run starts there."""
        path = self.paths[index]
        folder = path[: path.rfind("/") + 1]
        limit = min(index + MIN_RUN, len(self.paths))
        return bool(folder) and folder_end(self.paths, folder, index, limit) < limit


def _fits(path: str, suffixes: tuple[str, ...]) -> bool:
    """The path's name ends with one of `suffixes` or has no dot."""
    return path.endswith(suffixes) or "." not in path[path.rfind("/") + 1 :]


def _common_folder(first: str, last: str) -> str:
    """The deepest folder (ending in "/") that holds both paths; "" for none."""
    common = os.path.commonprefix([first, last])  # noqa: RUF071 - characters, then cut at the last "/"
    return common[: common.rfind("/") + 1]


def _farthest(limit: int, extends: Callable[[int, int], bool]) -> int:
    """The largest distance up to `limit` that a run reaches, where `extends(near, far)` says whether the run
    that reaches `near` also reaches `far`: steps that double until the first miss, then halving between the
    last hit and that miss, each checking only the paths beyond the last hit."""
    good, bad, step = 0, limit + 1, MIN_RUN
    while good + 1 < bad:
        probe = min(good + step, bad - 1) if bad == limit + 1 else (good + bad) // 2
        if extends(good, probe):
            good, step = probe, step * 2
        else:
            bad = probe
    return good
