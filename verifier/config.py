"""`[tool.mlops-verifier]` in a pyproject.toml: the options a project sets once instead of on every command.

    [tool.mlops-verifier]
    report = "reports/README.md"          # the report to read
    select = ["M5", "m17"]                # only these rule ids, id prefixes or modules
    ignore = ["M21"]                      # or, with the reason shown wherever the item is:
    # ignore = {"m21.cloud-training" = "trained on the DTU HPC instead, see README"}
    min-score = 0.8                       # exit 1 below this consistency score
    format = "markdown"                   # the default output format

Which file is read (`find_config`): the first pyproject.toml holding the table, from the current directory
up to the root of its git work tree. When a student runs `verify .` in their repository that is their
own pyproject.toml; when a grader runs `verify` on other folders or URLs it is the grader's project. A
verified repository that is not the current directory is never asked for its configuration: a group
cannot change how a grader's run judges it.

The file is parsed with tomllib (tomli before Python 3.11), size-bounded and never executed. A file that
cannot be used (invalid TOML, a wrong type) is an error naming the file and the key, not a silent default;
a key this version does not know is a warning.
"""

from __future__ import annotations

import difflib
import os
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10
    import tomli as tomllib

TABLE = "mlops-verifier"
KEYS = ("report", "select", "ignore", "min-score", "format")
MAX_BYTES = 1_000_000


class ConfigError(ValueError):
    """The configuration cannot be used; the message is one line naming the file and the key."""


@dataclass(frozen=True)
class Config:
    """The `[tool.mlops-verifier]` settings of one file; unset keys are None (or empty).

    `ignore` maps each rule id, id prefix or module to the reason it is ignored ("" when the file gives
    ignore as a list). `warnings` are problems that did not stop the file from being used (unknown keys)."""

    source: Path | None = None
    report: str | None = None
    select: tuple[str, ...] | None = None
    ignore: dict[str, str] = field(default_factory=dict)
    min_score: float | None = None
    format: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def keys(self) -> list[str]:
        """The keys the file sets, in the order of KEYS."""
        values = {
            "report": self.report,
            "select": self.select,
            "ignore": self.ignore or None,
            "min-score": self.min_score,
            "format": self.format,
        }
        return [key for key in KEYS if values[key] is not None]

    @property
    def shown(self) -> str:
        """Where the settings come from, as messages name it: `path/pyproject.toml [tool.mlops-verifier]`."""
        return f"{self.source} [tool.{TABLE}]" if self.source else "no configuration"


def repository_root(start: Path) -> Path:
    """The root of the git work tree holding `start` (the first folder, `start` included, with a `.git`),
    or `start` itself outside git."""
    start = Path(os.path.abspath(start))
    return next((folder for folder in (start, *start.parents) if (folder / ".git").exists()), start)


def find_config(start: Path, formats: Sequence[str] = ()) -> Config:
    """The settings of the first pyproject.toml with a `[tool.mlops-verifier]` table, from `start` up to the
    root of its git work tree (up to the file-system root outside git); an empty Config when there is none."""
    start = Path(os.path.abspath(start))
    root = repository_root(start)
    folders = [start, *start.parents]
    for folder in folders[: folders.index(root) + 1] if root in folders else folders:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            config = load_config(candidate, formats)
            if config.source is not None:
                return config
    return Config()


def load_config(path: Path, formats: Sequence[str] = ()) -> Config:
    """The `[tool.mlops-verifier]` table of the TOML file at `path` (Config() without the table).

    `formats`, when given, are the accepted values of `format`. Raises ConfigError for a file that
    cannot be read or parsed, and for a key whose value has the wrong type or range."""
    data = _read_toml(path)
    tool = data.get("tool", {})
    table = tool.get(TABLE) if isinstance(tool, dict) else None
    if table is None:
        return Config()
    where = f"{path} [tool.{TABLE}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table of settings")
    warnings = []
    for key in table:
        if key not in KEYS:
            close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            warnings.append(f"{where}: unknown key {key!r}{hint}; known keys: {', '.join(KEYS)}")
    return Config(
        source=path,
        report=_report(where, table.get("report")),
        select=_keys(where, "select", table.get("select")),
        ignore=_ignore(where, table.get("ignore")),
        min_score=_min_score(where, table.get("min-score")),
        format=_format(where, table.get("format"), formats),
        warnings=tuple(warnings),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    """The parsed file: a regular file of at most MAX_BYTES (a FIFO or device is refused without blocking on
    it, a huge file is never read whole)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise ConfigError(f"{path}: not a regular file")
        try:
            data = handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise ConfigError(f"{path}: cannot read it ({error.strerror})") from None
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_BYTES // 1_000_000} MB, not read")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML ({error})") from None


def _report(where: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f'{where}: report must be a path such as "reports/README.md"')
    return value.strip()


def _keys(where: str, name: str, value: object) -> tuple[str, ...] | None:
    """A list of rule ids, id prefixes or modules (or one comma-separated string)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(key, str) for key in value):
        raise ConfigError(
            f'{where}: {name} must be a list of rule ids or modules, such as ["M21", "m28.alerts"]'
        )
    return tuple(key.strip() for key in value if key.strip())


def _ignore(where: str, value: object) -> dict[str, str]:
    """A list of keys (no reasons), or a table of key = "reason"."""
    if isinstance(value, dict):
        for key, reason in value.items():
            if not isinstance(reason, str):
                raise ConfigError(
                    f'{where}: ignore.{key} must be the reason as a string, such as "trained on the HPC instead"'
                )
        return {key.strip(): " ".join(reason.split()) for key, reason in value.items() if key.strip()}
    return dict.fromkeys(_keys(where, "ignore", value) or (), "")


def _min_score(where: str, value: object) -> float | None:
    if value is None:
        return None
    # nan and inf fail the range test too
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ConfigError(f"{where}: min-score must be a number between 0 and 1, not {value!r}")
    return float(value)


def _format(where: str, value: object, formats: Sequence[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or (formats and value not in formats):
        raise ConfigError(f"{where}: format must be one of {', '.join(formats)}, not {value!r}")
    return value
