"""M15 Boilerplate: PyTorch Lightning."""

from verifier.checks import instantiated, usage_or_dependency
from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule


class Lightning(Rule):
    """LightningModule, LightningDataModule, a Lightning Trainer, Fabric or LightningCLI in the group's
    code (imported as `lightning`, `pytorch_lightning` or `lightning_fabric`), or a Trainer built by Hydra
    from a `_target_` config that the code instantiates; the dependency alone is weak."""

    id = "m15.lightning"
    modules = ("M15",)
    title = "PyTorch Lightning reduces boilerplate"
    texts = (
        "Use PyTorch-lightning (if applicable) to reduce the amount of boilerplate in your code",
        "Use Pytorch-lightning (if applicable) to reduce the amount of boilerplate in your code",
    )

    def check(self, repo: Repo) -> Evidence:
        uses = repo.subclasses("LightningModule", "LightningDataModule") + [
            repo.location(p, c.line)
            for p, c in repo.calls("Trainer", "Fabric", "LightningCLI")
            if c.name.split(".")[0] in {"lightning", "pytorch_lightning", "lightning_fabric"}
        ]
        if instantiated(repo, "trainer"):
            uses += repo.search(
                r"_target_:\s*(lightning\.pytorch|pytorch_lightning|lightning)\.Trainer\b",
                "*.yaml",
                "*.yml",
                limit=2,
            )
        return usage_or_dependency(
            repo,
            uses,
            what="PyTorch Lightning",
            distributions=("lightning", "pytorch-lightning"),
            looked_for=(
                "LightningModule / LightningDataModule subclasses",
                "lightning Trainer",
                "lightning dependency",
            ),
        )
