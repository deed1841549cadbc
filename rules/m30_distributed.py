"""M30 Distributed training."""

from verifier.rule import Rule


class DistributedTraining(Rule):
    """DistributedDataParallel, DistributedSampler, torchrun, accelerate, or a Lightning strategy or
    devices > 1; accelerator="auto" alone is weak."""

    id = "m30.distributed-training"
    modules = ("M30",)
    title = "Distributed training"
    texts = (
        "If applicable, optimize the performance of your training pipeline by using distributed training",
        "If applicable, play around with distributed model training",
        "(optional) Play around with distributed model training",
    )
