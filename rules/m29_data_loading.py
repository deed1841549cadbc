"""M29 Distributed data loading."""

from __future__ import annotations

import re
from typing import Any

from verifier.checks import training_config_documents
from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule
from verifier.safe_yaml import mappings
from verifier.textsearch import prepared

NUM_WORKERS_KEY = re.compile(r"^\s*num_workers\s*:", re.IGNORECASE)


def _workers_set(value: object) -> bool:
    return value not in (0, None, "0", False)


# Calls that build a DataLoader: torch's class (also torch_geometric's and others ending in DataLoader) and
# timm's `create_loader`, which forwards num_workers/pin_memory to a DataLoader.
LOADER_CALLS = ("DataLoader", "timm.data.create_loader", "timm.data.loader.create_loader")

# Workers and a timing word on the same line, at most 300 characters apart.
TIMED_WORKERS = prepared(r"num_workers.{0,300}(time|speed)|benchmark.{0,300}num_workers|get_timing")


def _splat_loaders(repo: Repo, path: str) -> tuple[list[int], list[int]]:
    """(lines of DataLoader(**kwargs) calls, lines of dict literals or dict() calls with num_workers set)
    in one file."""
    facts = repo.python(path)
    splats = [c.line for c in facts.calls_to("DataLoader") if "**" in c.keywords]
    dicts = [c.line for c in facts.calls if c.name == "dict" and _workers_set(c.keywords.get("num_workers"))]
    dicts += [line for mapping, line in facts.mappings if _workers_set(mapping.get("num_workers"))]
    return splats, sorted(dicts)


def _yaml_workers(repo: Repo) -> list[Location]:
    """num_workers > 0 in a YAML config (not a workflow or compose file)."""

    def sets_workers(mapping: dict[Any, Any]) -> bool:
        value = mapping.get("num_workers")
        return isinstance(value, int) and not isinstance(value, bool) and value > 0

    return [
        repo.location(path, repo.line_of(path, NUM_WORKERS_KEY) or 1)
        for path, document in training_config_documents(repo, holding=("num_workers",))
        if any(sets_workers(mapping) for _, mapping in mappings(document))
    ]


class DistributedDataLoading(Rule):
    """DataLoader (or timm's create_loader) with num_workers/pin_memory set, with a timing or benchmark
    trace; workers set with nothing measured is weak. DataLoader(**kwargs) counts as setting workers when the kwargs come
    from a dict in the same file, or a YAML config, holding num_workers > 0."""

    id = "m29.data-loading"
    modules = ("M29",)
    title = "Distributed data loading"
    texts = (
        "If applicable, optimize the performance of your data loading using distributed data loading",
        "If applicable, play around with distributed data loading",
        "Play around with distributed data loading",
    )

    def check(self, repo: Repo) -> Evidence:
        loaders = [
            (p, c)
            for p, c in repo.calls(*LOADER_CALLS)
            if {"num_workers", "pin_memory", "persistent_workers", "prefetch_factor"} & set(c.keywords)
        ]
        tuned = [
            repo.location(p, c.line)
            for p, c in loaders
            if c.keywords.get("num_workers") not in (0, None, "0")
        ]
        splatted = {p: _splat_loaders(repo, p) for p in sorted({p for p, _ in repo.calls("DataLoader")})}
        splatted = {p: found for p, found in splatted.items() if found[0]}
        if splatted and not tuned:
            configs = [repo.location(p, line) for p, (_, dicts) in splatted.items() for line in dicts]
            configs = configs or _yaml_workers(repo)[:2]
            if configs:
                tuned = [repo.location(p, line) for p, (lines, _) in splatted.items() for line in lines]
                tuned += configs
        timing = repo.call_locations(
            "time.time",
            "time.perf_counter",
            "timeit.timeit",
            "time.monotonic",
            paths=sorted({p for p, _ in loaders} | set(splatted)),
        )
        timing += repo.search(
            TIMED_WORKERS,
            "*.py",
            "*.md",
            "*.sh",
            limit=3,
        )
        if tuned and timing:
            return Evidence.found("DataLoader workers are set and their effect is timed.", tuned + timing[:3])
        if tuned:
            return Evidence.weak("DataLoader workers are set, but nothing was measured.", tuned)
        return Evidence.absent(
            "No DataLoader with workers was found.",
            ("DataLoader(num_workers=..., pin_memory=...) with a timing trace",),
        )
