"""M29 Distributed data loading."""

from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule


class DistributedDataLoading(Rule):
    """DataLoader with num_workers/pin_memory set, with a timing or benchmark trace; workers set
    with nothing measured is weak."""

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
            for p, c in repo.calls("DataLoader")
            if {"num_workers", "pin_memory", "persistent_workers", "prefetch_factor"} & set(c.keywords)
        ]
        tuned = [
            repo.location(p, c.line)
            for p, c in loaders
            if c.keywords.get("num_workers") not in (0, None, "0")
        ]
        timing = repo.call_locations(
            "time.time",
            "time.perf_counter",
            "timeit.timeit",
            "time.monotonic",
            paths=sorted({p for p, _ in loaders}),
        )
        timing += repo.search(
            r"num_workers.*(time|speed)|benchmark.*num_workers|get_timing", "*.py", "*.md", "*.sh", limit=3
        )
        if tuned and timing:
            return Evidence.found("DataLoader workers are set and their effect is timed.", tuned + timing[:3])
        if tuned:
            return Evidence.weak("DataLoader workers are set, but nothing was measured.", tuned)
        return Evidence.absent(
            "No DataLoader with workers was found.",
            ("DataLoader(num_workers=..., pin_memory=...) with a timing trace",),
        )
