"""Declared dependencies, normalised to PEP 503 names, with the file and line that declares each."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
EGG_NAME = re.compile(r"#egg=([A-Za-z0-9._-]+)")
NAME_SEPARATORS = re.compile(r"[-_.]+")

# Import names that differ from the distribution that provides them.
IMPORT_TO_DISTRIBUTION: dict[str, tuple[str, ...]] = {
    "sklearn": ("scikit-learn",),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python"),
    "PIL": ("pillow",),
    "yaml": ("pyyaml",),
    "skimage": ("scikit-image",),
    "dotenv": ("python-dotenv",),
    "hydra": ("hydra-core",),
    "omegaconf": ("omegaconf", "hydra-core"),
    "pytorch_lightning": ("pytorch-lightning", "lightning"),
    "lightning": ("lightning", "pytorch-lightning"),
    "google": (
        "google-cloud-storage",
        "google-cloud-aiplatform",
        "google-cloud-run",
        "protobuf",
        "google-auth",
    ),
    "attr": ("attrs",),
    "bs4": ("beautifulsoup4",),
    "jose": ("python-jose",),
    "multipart": ("python-multipart",),
    "dateutil": ("python-dateutil",),
    "sentence_transformers": ("sentence-transformers",),
    "huggingface_hub": ("huggingface-hub",),
    "prometheus_client": ("prometheus-client",),
    "prometheus_fastapi_instrumentator": ("prometheus-fastapi-instrumentator",),
    "functions_framework": ("functions-framework",),
    "torch_geometric": ("torch-geometric",),
    "git": ("gitpython",),
    "magic": ("python-magic",),
    "docx": ("python-docx",),
    "Levenshtein": ("python-levenshtein", "levenshtein"),
    "onnxruntime": ("onnxruntime", "onnxruntime-gpu"),
    "pkg_resources": ("setuptools",),
    "wandb": ("wandb",),
    "googleapiclient": ("google-api-python-client",),
    "fitz": ("pymupdf",),
    "jwt": ("pyjwt",),
    "umap": ("umap-learn",),
    "Bio": ("biopython",),
}
# Namespace packages many distributions share: `google` (google.cloud.storage, google.cloud.pubsub ...)
# is declared by any google-* distribution.
NAMESPACE_PREFIXES = {"google": ("google-", "protobuf")}


# Hard requirements of common distributions (from their published metadata, `Requires-Dist` without an
# extra): a package imported by the group and installed by one of these is present wherever that one is.
REQUIRES: dict[str, tuple[str, ...]] = {
    "fastapi": ("pydantic", "starlette"),
    "torchvision": ("torch", "pillow", "numpy"),
    "torchaudio": ("torch",),
    "torchmetrics": ("torch", "numpy"),
    "pytorch-lightning": ("torch", "torchmetrics", "fsspec", "pyyaml"),
    "lightning": ("torch", "torchmetrics", "fsspec", "pyyaml"),
    "timm": ("torch", "torchvision", "huggingface-hub", "safetensors", "pyyaml"),
    "sentence-transformers": ("torch", "transformers", "huggingface-hub"),
    "transformers": ("huggingface-hub", "tokenizers", "safetensors", "numpy", "pyyaml", "requests", "tqdm"),
    "datasets": ("huggingface-hub", "numpy", "pandas", "pyarrow", "requests", "tqdm", "pyyaml", "fsspec"),
    "hydra-core": ("omegaconf",),
    "omegaconf": ("pyyaml",),
    "typer": ("click",),
    "flask": ("jinja2", "werkzeug", "click"),
    "pandas": ("numpy",),
    "scikit-learn": ("numpy", "scipy", "joblib"),
    "scipy": ("numpy",),
    "matplotlib": ("numpy", "pillow"),
    "seaborn": ("matplotlib", "pandas", "numpy"),
    "wandb": ("requests", "protobuf", "pyyaml"),
    "google-cloud-aiplatform": ("google-cloud-storage", "protobuf"),
}


def provided_through(declared: Iterable[str]) -> dict[str, str]:
    """Distributions installed by the requirements of `declared` ones (REQUIRES, followed transitively),
    each with the declared distribution that brings it: {"pydantic": "fastapi"}. The same for any order of
    `declared` (a set's order changes with the hash seed), so the output is the same on every run."""
    provided: dict[str, str] = {}
    pending = [(name, name) for name in sorted(declared, reverse=True)]
    while pending:
        name, origin = pending.pop()
        for required in REQUIRES.get(name, ()):
            if required not in provided:
                provided[required] = origin
                pending.append((required, origin))
    return provided


def normalize(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return NAME_SEPARATORS.sub("-", name).lower()


def distributions_for_import(module: str) -> tuple[str, ...]:
    """Distribution names that could provide the top-level import `module`."""
    top = module.split(".")[0]
    return IMPORT_TO_DISTRIBUTION.get(top, (normalize(top),))


@dataclass(frozen=True)
class Dependency:
    name: str
    spec: str
    path: str
    line: int | None


# Characters that end a line for str.splitlines: a needle holding one is on no single line.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
MAX_LOCATED = 1_000  # dependencies of one file given a line (each look-up scans the file)


class _Lines:
    """The first line (numbered as str.splitlines numbers them) holding a needle, for the first
    MAX_LOCATED look-ups in one file: one scan for each, not one per line of the file."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.left = MAX_LOCATED
        self._starts: list[int] | None = None

    def of(self, needle: str) -> int | None:
        if self.left <= 0 or any(char in LINE_BREAKS for char in needle):
            return None
        self.left -= 1
        position = self.text.find(needle)
        if position == -1 or not self.text:
            return None
        if self._starts is None:
            self._starts = list(
                itertools.accumulate((len(line) for line in self.text.splitlines(True)), initial=0)
            )
        return bisect.bisect_right(self._starts, position)


def from_requirement_strings(
    path: str, text: str, specs: Iterable[Any], lines: _Lines | None = None
) -> list[Dependency]:
    lines = lines or _Lines(text)
    found = []
    for spec in specs:
        if not isinstance(spec, str):
            continue
        match = REQUIREMENT_NAME.match(spec)
        if match:
            found.append(Dependency(normalize(match.group(1)), spec, path, lines.of(spec)))
    return found


def from_pyproject(path: str, text: str, data: dict[str, Any]) -> list[Dependency]:
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    specs: list[Any] = list(project.get("dependencies") or [])
    for group in (project.get("optional-dependencies") or {}).values():
        specs.extend(group if isinstance(group, list) else [])
    for group in (data.get("dependency-groups") or {}).values():
        specs.extend(group if isinstance(group, list) else [])
    lines = _Lines(text)
    found = from_requirement_strings(path, text, specs, lines)
    poetry = (data.get("tool") or {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        tables += [g.get("dependencies") for g in (poetry.get("group") or {}).values() if isinstance(g, dict)]
        for table in tables:
            for name in table or {}:
                if name.lower() != "python":
                    found.append(Dependency(normalize(name), name, path, lines.of(name)))
    return found


def from_requirements_txt(path: str, text: str) -> list[Dependency]:
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #")[0].strip()
        if not line or line.startswith(("#", "-", "git+", "http")):
            egg = EGG_NAME.search(raw)
            if egg:
                found.append(Dependency(normalize(egg.group(1)), raw.strip(), path, number))
            continue
        match = REQUIREMENT_NAME.match(line)
        if match:
            found.append(Dependency(normalize(match.group(1)), line, path, number))
    return found


# uv.lock: the group's own projects are the packages whose source is the project folder or a workspace member
# (`source = { editable = "." }`, `{ virtual = "." }`); the `{ name = "..." }` entries of such a package's
# tables (dependencies, optional and dev dependencies, metadata) are its direct dependencies.
# Each starts with a literal newline, which the regex engine scans for at C speed (a `(?m)^` start is tried at
# every position): a 1 MB lock costs well under a millisecond. A lock file never starts with either line.
UV_OWN_PROJECT = re.compile(r"\nsource[ \t]*=[ \t]*\{[ \t]*(?:editable|virtual)[ \t]*=")
UV_PACKAGE_HEADER = re.compile(r"\n\[\[[ \t]*package[ \t]*\]\]")
UV_ENTRY_NAME = re.compile(r'(?m)^[ \t]*\{[ \t]*name[ \t]*=[ \t]*"([^"\n]+)"')


UV_NAME = re.compile(r'(?m)^name[ \t]*=[ \t]*"([^"\n]+)"')


@dataclass(frozen=True)
class UvProjects:
    """What a uv.lock says of the group's own projects: their names and the distributions they depend on
    directly (PEP 503 names)."""

    own: frozenset[str]
    direct: frozenset[str]


def uv_lock_projects(text: str) -> UvProjects | None:
    """The group's own projects in a uv.lock and their direct dependencies; None when the lock holds no
    project of the group, so it cannot tell direct dependencies from transitive ones."""
    own: set[str] = set()
    direct: set[str] = set()
    projects = 0
    for match in UV_OWN_PROJECT.finditer(text):
        projects += 1
        name = UV_NAME.search(text, max(text.rfind("[[package]]", 0, match.start()), 0), match.start())
        if name:
            own.add(normalize(name.group(1)))
        following = UV_PACKAGE_HEADER.search(text, match.end())
        end = following.start() if following else len(text)
        direct.update(normalize(entry) for entry in UV_ENTRY_NAME.findall(text, match.end(), end))
    return UvProjects(frozenset(own), frozenset(direct - own)) if projects else None


@dataclass(frozen=True)
class LockRead:
    """A lock file's packages split into those the group declared (`declared`: direct in the lock, or also
    named by a manifest) and the rest (`transitive`: pulled in by another package, not the group's choice)."""

    declared: list[Dependency]
    transitive: list[Dependency]


def from_lock(path: str, data: dict[str, Any]) -> list[Dependency]:
    """uv.lock and poetry.lock: every `[[package]]` name (what was resolved, not necessarily direct; what
    counts as declared is `read_lock`'s)."""
    return _locked(path, data)


def read_lock(
    path: str, data: dict[str, Any], *, projects: UvProjects | None, manifest: Iterable[str]
) -> LockRead:
    """The packages of a lock file (`{"package": [tables]}`), a package counted as declared only when the
    lock says the group's project depends on it directly (`projects`, from `uv_lock_projects`; None for a
    lock that does not say, as poetry.lock, whose direct dependencies are in pyproject.toml) or when a
    manifest declares it too (`manifest`: names). The group's own projects are no dependency at all. Each
    declared one says which of the two in its `spec`, the snippet of its evidence: "wandb 0.19.1, a direct
    dependency in uv.lock"."""
    named = set(manifest)
    own = projects.own if projects is not None else frozenset()
    direct = projects.direct if projects is not None else frozenset()
    declared: list[Dependency] = []
    transitive: list[Dependency] = []
    name = path.rsplit("/", 1)[-1]
    for dependency in _locked(path, data):
        version = f"{dependency.name} {dependency.spec}".rstrip()
        if dependency.name in own:
            continue
        if dependency.name in direct:
            declared.append(
                Dependency(dependency.name, f"{version}, a direct dependency in {name}", path, None)
            )
        elif dependency.name in named:
            declared.append(Dependency(dependency.name, f"{version}, locked in {name}", path, None))
        else:
            transitive.append(
                Dependency(dependency.name, f"{version}, only a transitive package in {name}", path, None)
            )
    return LockRead(declared, transitive)


def _locked(path: str, data: dict[str, Any]) -> list[Dependency]:
    packages = data.get("package") if isinstance(data, dict) else None
    return [
        Dependency(normalize(str(p["name"])), str(p.get("version", "")), path, None)
        for p in packages or []
        if isinstance(p, dict) and p.get("name")
    ]


def from_environment_yml(path: str, text: str, data: Any) -> list[Dependency]:
    found = []
    if not isinstance(data, dict):
        return found
    lines = _Lines(text)
    for entry in data.get("dependencies") or []:
        if isinstance(entry, str):
            match = REQUIREMENT_NAME.match(entry.split("::")[-1])
            if match:
                found.append(Dependency(normalize(match.group(1)), entry, path, lines.of(entry)))
        elif isinstance(entry, dict):
            found.extend(from_requirement_strings(path, text, entry.get("pip") or [], lines))
    return found


PIP_INSTALL = re.compile(
    r"\b(?:pip3?|uv\s+pip|python\d?(?:\.\d+)?\s+-m\s+pip)\s+install\s+([^&;|]+)|\buv\s+add\s+([^&;|]+)"
)


def from_pip_install(path: str, line: int, command: str) -> list[Dependency]:
    """Packages named in `pip install ...` / `uv add ...` commands (a Dockerfile RUN, a script line)."""
    found = []
    for match in PIP_INSTALL.finditer(command):
        for word in (match.group(1) or match.group(2) or "").split():
            if word.startswith(("-", ".", "/", "$")) or "/" in word or word.endswith((".txt", ".whl")):
                continue
            name = REQUIREMENT_NAME.match(word.strip("'\""))
            if name:
                found.append(Dependency(normalize(name.group(1)), word, path, line))
    return found
