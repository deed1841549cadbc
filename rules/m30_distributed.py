"""M30 Distributed training."""

from verifier.evidence import Evidence
from verifier.repo import Repo
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

    def check(self, repo: Repo) -> Evidence:
        code = repo.call_locations(
            "DistributedDataParallel",
            "DataParallel",
            "DistributedSampler",
            "init_process_group",
            "Accelerator",
            "deepspeed.initialize",
        )
        code += repo.search(
            r"\btorchrun\b|torch\.distributed\.(run|launch)|accelerate\s+launch",
            "*.sh",
            "*.py",
            "*.yaml",
            "*.yml",
            "Makefile",
            "tasks.py",
            "*dockerfile*",
            "Dockerfile*",
            limit=4,
        )
        trainers = [
            (p, c)
            for p, c in repo.calls("Trainer")
            if c.name.split(".")[0] in {"lightning", "pytorch_lightning", "L", "pl"}
            or c.name.split(".")[-1] == "Trainer"
        ]
        multi = [
            repo.location(p, c.line)
            for p, c in trainers
            if str(c.keywords.get("strategy", "")).startswith(("ddp", "fsdp", "deepspeed"))
            or (isinstance(c.keywords.get("devices"), int) and c.keywords["devices"] > 1)
        ]
        if code or multi:
            return Evidence.found("Distributed training is set up.", code + multi)
        auto = [
            repo.location(p, c.line)
            for p, c in trainers
            if c.keywords.get("accelerator") == "auto" or c.keywords.get("devices") == "auto"
        ]
        if auto:
            return Evidence.weak('Only accelerator/devices="auto" in a Lightning Trainer.', auto)
        return Evidence.absent(
            "No distributed training was found.",
            (
                "DistributedDataParallel / DistributedSampler / torchrun / accelerate",
                "Lightning strategy='ddp' or devices > 1",
            ),
        )
