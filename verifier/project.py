"""Where the group's project is kept: the repository root, or a folder of it that holds the report.

Some groups keep the whole course project in a folder of a bigger repository (`dtu_mlops_69/` holds
pyproject.toml, src/, tests/, .github/workflows/ and reports/README.md; the root only a README), or nest it
in a monorepo. The rules look up the project's files from its root (pyproject.toml, .pre-commit-config.yaml,
tests/, configs/, .dvc ...), so such a project is verified in a view of that folder (`Repo.project_view`),
and every location is shown from the repository root again (`in_repository`).

A folder is the project when the report lies in it and it has project markers of its own
(`project_folder`): a project definition (pyproject.toml, setup.py, setup.cfg), or, when the root has no
project definition, at least `MIN_MARKER_KINDS` other kinds of project files. The nearest such folder above
the report wins. A report in `docs/` of a project at the root (even with docs/requirements.txt) and a
report nested in a monorepo whose project files are at the root stay rooted at the root.

GitHub runs workflows (and reads dependabot.yml) only from the repository root's `.github/`, so a `.github/`
inside the project folder is the group's CI set-up, but no proof that CI ran on the repository: evidence
that is found only thanks to it is `weak`, with a message that says so (`nested_github_weakened`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, replace
from posixpath import dirname

from .evidence import Evidence, Location, Status
from .repo import Repo
from .results import AnswerFinding

PROJECT_DEFINITIONS = ("pyproject.toml", "setup.py", "setup.cfg")
# Other kinds of project files: each a file or a folder (ending in "/") at the project's root, any of which
# stands for its kind.
OTHER_MARKERS: dict[str, tuple[str, ...]] = {
    "requirements": ("requirements.txt", "requirements_dev.txt", "requirements-dev.txt", "requirements/"),
    "conda environment": ("environment.yml", "environment.yaml"),
    "src/": ("src/",),
    "tests/": ("tests/",),
    "workflows": (".github/workflows/",),
    "Dockerfiles": ("Dockerfile", "dockerfiles/"),
    "pre-commit": (".pre-commit-config.yaml",),
    "DVC": (".dvc/",),
    "configs/": ("configs/",),
}
MIN_MARKER_KINDS = 2
NESTED_GITHUB = ".github/"


def _holds(files: tuple[str, ...], path: str) -> bool:
    """Whether the sorted listing `files` holds the file `path`, or a file in the folder `path` (ending "/")."""
    index = bisect.bisect_left(files, path)
    if index >= len(files):
        return False
    return files[index].startswith(path) if path.endswith("/") else files[index] == path


@dataclass(frozen=True)
class Markers:
    """The project files found at the root of one folder: its project definitions and the other kinds."""

    definitions: tuple[str, ...]
    kinds: tuple[str, ...]

    @property
    def described(self) -> str:
        return ", ".join(self.definitions + self.kinds)


def markers(files: tuple[str, ...], folder: str) -> Markers:
    """The project markers at the root of `folder` ("" for the repository root) in the sorted listing."""
    prefix = f"{folder}/" if folder else ""
    definitions = tuple(name for name in PROJECT_DEFINITIONS if _holds(files, prefix + name))
    kinds = tuple(
        kind for kind, names in OTHER_MARKERS.items() if any(_holds(files, prefix + name) for name in names)
    )
    return Markers(definitions, kinds)


def project_folder(repo: Repo, report_path: str) -> tuple[str, Markers | None]:
    """The folder of the project the report at `report_path` (a listed file) belongs to, and its markers;
    ("", None) for the repository root (see the module docstring)."""
    files = repo.file_list.files
    root_defined = bool(markers(files, "").definitions)
    folder = dirname(report_path)
    while folder:
        found = markers(files, folder)
        if found.definitions or (not root_defined and len(found.kinds) >= MIN_MARKER_KINDS):
            return folder, found
        folder = dirname(folder)
    return "", None


def project_note(folder: str, found: Markers) -> str:
    """The warning line that says the project was verified in `folder`."""
    return (
        f"the project is kept in {folder}/ (it has {found.described}): it was verified there, every file "
        f"(pyproject.toml, .github/workflows/, tests/ ...) looked up in {folder}/; locations are shown from "
        "the repository root"
    )


def _cites_nested_github(evidence: Evidence) -> list[str]:
    return sorted({loc.path for loc in evidence.locations if loc.path.startswith(NESTED_GITHUB)})


def nested_github_weakened(
    view: Repo, evidence: Evidence, rerun_without_github: Callable[[], Evidence]
) -> Evidence:
    """`evidence` of a rule run in the project view `view`, weakened when it is found only thanks to files
    in the project's own `.github/`, which GitHub never reads (it reads the repository root's): found
    again without them (`rerun_without_github`) it stands; otherwise it is `weak`, saying where the
    workflows are and why they cannot have run."""
    if not view.project or evidence.status is not Status.FOUND:
        return evidence
    nested = _cites_nested_github(evidence)
    if not nested:
        return evidence
    if rerun_without_github().status is Status.FOUND:
        return evidence
    shown = ", ".join(view.shown_path(path) for path in nested[:3]) + (
        f" and {len(nested) - 3} more" if len(nested) > 3 else ""
    )
    message = (
        f"{evidence.message.rstrip()} But {shown} {'is' if len(nested) == 1 else 'are'} in "
        f"{view.project}/.github/, and GitHub runs workflows only from the repository root's .github/: "
        "the group's CI is set up, but it cannot have run on this repository."
    )
    return replace(evidence, status=Status.WEAK, message=message)


def _shown_paths(view: Repo, locations: tuple[Location, ...]) -> dict[str, str]:
    """Each location path of the view that shows differently from the repository root, and how it shows."""
    return {loc.path: shown for loc in locations if (shown := view.shown_path(loc.path)) != loc.path}


def _text_shown(text: str, shown: dict[str, str]) -> str:
    """`text` with each path of the view it names as a whole (not as the end of a longer path) replaced by
    the repository's path: a message "Tests run in CI by .github/workflows/tests.yaml" names that file.

    Read from left to right, the longest path that starts at a place is taken, and reading goes on after it
    (as a regex alternation of the paths, longest first, would); found with `str.find`, as a pattern built
    per message cost a compile each (tens per verification of a project in a subfolder)."""
    named = sorted((path for path in shown if path and path in text), key=len, reverse=True)
    if not named:
        return text
    places: list[tuple[int, int, str]] = []
    for path in named:
        start = text.find(path)
        while start >= 0:
            if _whole_path(text, start, start + len(path)):
                places.append((start, -len(path), path))
            start = text.find(path, start + 1)
    parts, end = [], 0
    for start, length, path in sorted(places):
        if start >= end:
            parts += [text[end:start], shown[path]]
            end = start - length
    return "".join(parts) + text[end:] if parts else text


def _is_word(char: str) -> bool:
    """Whether `char` is what a regex's `\\w` matches in a str (a letter, digit or underscore of any script)."""
    return char.isalnum() or char == "_"


def _whole_path(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` is not part of a longer path: no word character, `.`, `/` or `-` before it,
    and no word character, `-` or `.` then a word character after it."""
    if start > 0 and (_is_word(text[start - 1]) or text[start - 1] in "./-"):
        return False
    if end < len(text):
        after = text[end]
        if _is_word(after) or after == "-":
            return False
        if after == "." and end + 1 < len(text) and _is_word(text[end + 1]):
            return False
    return True


def _relocated(location: Location, shown: dict[str, str]) -> Location:
    if location.path not in shown:
        return location
    return replace(location, path=shown[location.path], snippet=_text_shown(location.snippet, shown))


def in_repository(
    view: Repo, evidence: Evidence, *, already_shown: frozenset[Location] = frozenset()
) -> Evidence:
    """`evidence` found in `view`, its locations (and the paths its message and snippets name) shown from
    the repository root; locations in `already_shown` (found outside the project folder) are left as they
    are, and so is the message then."""
    if not view.project:
        return evidence
    own = tuple(loc for loc in evidence.locations if loc not in already_shown)
    shown = _shown_paths(view, own)
    if not shown:
        return evidence
    return replace(
        evidence,
        message=evidence.message if already_shown else _text_shown(evidence.message, shown),
        locations=tuple(
            loc if loc in already_shown else _relocated(loc, shown) for loc in evidence.locations
        ),
    )


STRENGTH = {Status.FOUND: 3, Status.WEAK: 2, Status.TEMPLATE: 1}


def stronger(candidate: Evidence, than: Evidence) -> bool:
    """Whether `candidate` supports the item more than `than` (found, then weak, then template; absent and
    unverifiable support nothing)."""
    return STRENGTH.get(candidate.status, 0) > STRENGTH.get(than.status, 0)


def answers_in_repository(view: Repo, findings: list[AnswerFinding]) -> list[AnswerFinding]:
    """Answer findings made in `view`, their locations shown from the repository root."""
    if not view.project:
        return findings
    relocated = []
    for finding in findings:
        shown = _shown_paths(view, finding.locations)
        relocated.append(
            replace(finding, locations=tuple(_relocated(loc, shown) for loc in finding.locations))
            if shown
            else finding
        )
    return relocated
