"""What a rule returns: an evidence status, the places that prove it and one readable sentence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum


class Status(str, Enum):
    """How strongly the repository supports a checklist item (DESIGN.md, "Evidence")."""

    FOUND = "found"
    WEAK = "weak"
    TEMPLATE = "template"
    ABSENT = "absent"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class Location:
    """A place in the repository: a path relative to its root, a 1-based line and a short snippet. In a
    Jupyter notebook `cell` is the cell's number (1-based, counting every cell) and `line` the line within
    that cell's source, which is the snippet."""

    path: str
    line: int | None = None
    snippet: str = ""
    cell: int | None = None

    def __post_init__(self) -> None:
        snippet = " ".join(self.snippet.split())
        if len(snippet) > 160:
            snippet = snippet[:157] + "..."
        object.__setattr__(self, "snippet", snippet)

    def to_dict(self) -> dict[str, object]:
        place: dict[str, object] = {"path": self.path, "line": self.line, "snippet": self.snippet}
        if self.cell is not None:
            place["cell"] = self.cell
        return place

    @property
    def where(self) -> str:
        """`path:line`, `notebook.ipynb cell 3, line 2`, or the path alone."""
        if self.cell is not None:
            return f"{self.path} cell {self.cell}" + (f", line {self.line}" if self.line else "")
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        return f"{self.where}  {self.snippet}" if self.snippet else self.where


@dataclass(frozen=True)
class Evidence:
    """A rule's finding.

    `looked_for` names what the rule searched, so that an `absent` or `unverifiable` result always
    says where a grader or a student should look; `found` and `weak` always carry locations.
    """

    status: Status
    message: str
    locations: tuple[Location, ...] = ()
    looked_for: tuple[str, ...] = ()
    details: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status in (Status.FOUND, Status.WEAK) and not self.locations:
            raise ValueError(f"{self.status.value} evidence needs at least one location: {self.message}")

    @classmethod
    def found(cls, message: str, locations: Iterable[Location], **details: object) -> Evidence:
        return cls(Status.FOUND, message, _dedupe(locations), details=details)

    @classmethod
    def weak(cls, message: str, locations: Iterable[Location], **details: object) -> Evidence:
        return cls(Status.WEAK, message, _dedupe(locations), details=details)

    @classmethod
    def template(cls, message: str, locations: Iterable[Location] = (), **details: object) -> Evidence:
        return cls(Status.TEMPLATE, message, _dedupe(locations), details=details)

    @classmethod
    def absent(cls, message: str, looked_for: Iterable[str] = (), **details: object) -> Evidence:
        return cls(Status.ABSENT, message, (), tuple(looked_for), details=details)

    @classmethod
    def unverifiable(
        cls,
        message: str,
        looked_for: Iterable[str] = (),
        locations: Iterable[Location] = (),
        **details: object,
    ) -> Evidence:
        return cls(Status.UNVERIFIABLE, message, _dedupe(locations), tuple(looked_for), details=details)


MAX_LOCATIONS = 8


def _dedupe(locations: Iterable[Location]) -> tuple[Location, ...]:
    seen: dict[tuple[str, int | None, int | None], Location] = {}
    for location in locations:
        seen.setdefault((location.path, location.cell, location.line), location)
    return tuple(seen.values())[:MAX_LOCATIONS]
