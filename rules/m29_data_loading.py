"""M29 Distributed data loading."""

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
