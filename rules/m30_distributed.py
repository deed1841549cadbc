"""M30 Distributed training."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from verifier.checks import instantiated, training_config_documents
from verifier.evidence import Evidence, Location
from verifier.pyfacts import Call
from verifier.repo import Repo
from verifier.rule import Rule
from verifier.safe_yaml import mappings
from verifier.textsearch import prepared

STRATEGY_KEYS = ("strategy", "accelerator", "distributed_backend")  # accelerator="ddp" is the PL 1.x form
DEVICE_KEYS = ("devices", "gpus", "num_nodes")
# The line of each key in a YAML config (`strategy: ddp`).
KEY_LINE = {key: re.compile(rf"^\s*{key}\s*:", re.IGNORECASE) for key in STRATEGY_KEYS + DEVICE_KEYS}
DISTRIBUTED = re.compile(r"^(ddp|fsdp|deepspeed|horovod|dp$)", re.IGNORECASE)


def _multi(value: object) -> bool:
    """More than one device: 2, -1 (all), "0,1", "2", [0, 1]."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value > 1 or value == -1
    if isinstance(value, str):
        parts = [p for p in value.split(",") if p.strip()]
        return len(parts) > 1 or value.strip() == "-1" or _above_one(value.strip())
    return isinstance(value, list) and len(value) > 1


def _above_one(number: str) -> bool:
    """An ASCII decimal number above 1, compared as text (int() refuses 4,300 digits and more)."""
    if not (number.isascii() and number.isdigit()):
        return False
    significant = number.lstrip("0")
    return len(significant) > 1 or significant > "1"


def _distributed(settings: dict[Any, Any]) -> str | None:
    """The key of a distributed setting among Trainer keywords or a trainer config mapping."""
    for key in STRATEGY_KEYS:
        if isinstance(settings.get(key), str) and DISTRIBUTED.match(settings[key]):
            return key
    return next((key for key in DEVICE_KEYS if _multi(settings.get(key))), None)


def _trainer_configs(repo: Repo) -> Iterator[Location]:
    """YAML mappings that configure a Trainer (under a `trainer` key, in a trainer config file, or with
    Trainer keys such as max_epochs) and ask for a distributed strategy or several devices."""

    for path, document in training_config_documents(repo, holding=STRATEGY_KEYS + DEVICE_KEYS):
        for parent, node in mappings(document):
            key = _distributed(node)
            trainer_like = (
                "trainer" in parent.lower()
                or "trainer" in path.lower()
                or "Trainer" in str(node.get("_target_", ""))
                or bool({"max_epochs", "max_steps", "precision", "strategy"} & set(node))
            )
            if key and trainer_like:
                yield repo.location(path, repo.line_of(path, KEY_LINE[key]) or 1)


DISTRIBUTED_CALLS = (
    "DistributedDataParallel",
    "DataParallel",
    "DistributedSampler",
    "init_process_group",
    "deepspeed.initialize",
    "DDPStrategy",
    "FSDPStrategy",
    "DeepSpeedStrategy",
)
LAUNCHERS = prepared(r"\btorchrun\b|torch\.distributed\.(run|launch)|accelerate\s+launch")
LAUNCH_FILES = ("*.sh", "*.py", "*.yaml", "*.yml", "Makefile", "tasks.py", "*dockerfile*", "Dockerfile*")
# An accelerate config that starts several processes (`accelerate config` writes it).
ACCELERATE_MULTI = prepared(
    r"^[ \t]*(num_processes[ \t]*:[ \t]*([2-9]|\d\d+)|distributed_type\s*:\s*['\"]?(MULTI_\w+|DEEPSPEED|FSDP))"
)


class DistributedTraining(Rule):
    """DistributedDataParallel, DistributedSampler, torchrun, a Lightning DDP/FSDP/DeepSpeed strategy
    (string or *Strategy class), or several devices (devices/gpus > 1 or -1 or a list, num_nodes > 1; PL 1.x
    accelerator="ddp"), also when set in a YAML trainer config that the code passes to the Trainer
    (**cfg.trainer, instantiate, LightningCLI); Hugging Face's Accelerator together with a multi-process
    launch (accelerate launch, torchrun, an accelerate config with several processes). Weak: devices or a
    strategy taken from a config or variable that asks for one device, or devices="auto". Not distributed:
    accelerator="auto" alone (Lightning's default), an Accelerator run as one process, DataLoader workers."""

    id = "m30.distributed-training"
    modules = ("M30",)
    title = "Distributed training"
    texts = (
        "If applicable, optimize the performance of your training pipeline by using distributed training",
        "If applicable, play around with distributed model training",
        "(optional) Play around with distributed model training",
    )

    def check(self, repo: Repo) -> Evidence:
        launches = repo.search(LAUNCHERS, *LAUNCH_FILES, *(d.path for d in repo.dockerfiles), limit=4)
        launches += repo.search(ACCELERATE_MULTI, "*.yaml", "*.yml", limit=2)
        accelerators = repo.call_locations("accelerate.Accelerator", "Accelerator")
        code = repo.call_locations(*DISTRIBUTED_CALLS) + launches
        trainers = [
            (p, c)
            for p, c in repo.calls("Trainer")
            if c.name.split(".")[0] in {"lightning", "pytorch_lightning", "L", "pl"}
            or c.name.split(".")[-1] == "Trainer"
        ]
        multi = [repo.location(p, c.line) for p, c in trainers if _distributed(c.keywords)]
        if code or multi:
            return Evidence.found("Distributed training is set up.", code + multi + accelerators[:2])
        configured = _configured_trainers(repo, trainers)
        if configured is not None:
            return configured
        looked_for = (
            "DistributedDataParallel / DistributedSampler / torchrun / accelerate launch",
            "Lightning strategy='ddp' or devices > 1 (in code or in the trainer config)",
        )
        if accelerators:
            return Evidence.absent(
                f"Hugging Face's Accelerator is used in {accelerators[0].path}, but nothing starts it in more than "
                "one process (accelerate launch, torchrun, an accelerate config), so it trains in one process.",
                looked_for,
            )
        if any(c.keywords.get("accelerator") == "auto" for _, c in trainers):
            return Evidence.absent(
                'No distributed training was found: accelerator="auto" is Lightning\'s default and picks one '
                "device type, not several devices.",
                looked_for,
            )
        return Evidence.absent("No distributed training was found.", looked_for)


def _configured_trainers(repo: Repo, trainers: list[tuple[str, Call]]) -> Evidence | None:
    """Trainers whose settings come from elsewhere: found when the trainer config asks for distributed
    training, weak when devices or strategy come from a config or variable (or devices="auto") that asks
    for no more than one device; None when no trainer is configured that way."""
    from_config = [
        repo.location(p, c.line)
        for p, c in trainers
        if "**" in c.keywords
        or any(str(c.keywords.get(k, "")).startswith("<") for k in STRATEGY_KEYS + DEVICE_KEYS)
    ]
    from_config += repo.call_locations("LightningCLI") + instantiated(repo, "trainer")
    settings = list(_trainer_configs(repo)) if from_config else []
    if settings:
        return Evidence.found(
            "The Trainer takes its settings from a config that asks for distributed training.",
            settings[:3] + from_config[:2],
        )
    device_variables = [
        repo.location(p, c.line)
        for p, c in trainers
        if any(str(c.keywords.get(k, "")).startswith("<") for k in ("strategy", *DEVICE_KEYS))
    ]
    if device_variables:
        return Evidence.weak(
            "The Trainer takes its devices or strategy from a config or variable, but nothing asks for more "
            "than one device.",
            device_variables,
        )
    auto_devices = [repo.location(p, c.line) for p, c in trainers if c.keywords.get("devices") == "auto"]
    if auto_devices:
        return Evidence.weak('Only devices="auto" in a Lightning Trainer.', auto_devices)
    return None
