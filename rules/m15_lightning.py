"""M15 Boilerplate: PyTorch Lightning."""

from verifier.rule import Rule


class Lightning(Rule):
    """LightningModule, LightningDataModule or a Lightning Trainer in the group's code (imported as
    `lightning` or `pytorch_lightning`); the dependency alone is weak."""

    id = "m15.lightning"
    modules = ("M15",)
    title = "PyTorch Lightning reduces boilerplate"
    texts = (
        "Use PyTorch-lightning (if applicable) to reduce the amount of boilerplate in your code",
        "Use Pytorch-lightning (if applicable) to reduce the amount of boilerplate in your code",
    )
