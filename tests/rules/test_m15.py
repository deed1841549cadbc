"""M15 Lightning beyond the fixture table: both import names, and a mention in docs is nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check


@pytest.mark.parametrize(
    "code",
    [
        "import pytorch_lightning as pl\n\n\nclass Net(pl.LightningModule):\n    pass\n",
        "from lightning import LightningModule\n\n\nclass Net(LightningModule):\n    pass\n",
    ],
)
def test_lightning_module_under_either_name_is_found(make_repo: Callable[..., Repo], code: str) -> None:
    evidence = check("m15.lightning", make_repo({"src/digits/model.py": code}))
    assert evidence.status is Status.FOUND
    assert any(loc.path == "src/digits/model.py" for loc in evidence.locations)


def test_lightning_named_only_in_the_readme_is_absent(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {"README.md": "We could use PyTorch Lightning.\n", "src/digits/model.py": "import torch\n"}
    )
    evidence = check("m15.lightning", repo)
    assert evidence.status is Status.ABSENT
    assert evidence.looked_for


def test_fabric_and_a_hydra_built_trainer_are_lightning(make_repo: Callable[..., Repo]) -> None:
    fabric = "from lightning.fabric import Fabric\n\nfabric = Fabric(accelerator='cpu')\nfabric.launch()\n"
    evidence = check("m15.lightning", make_repo({"src/p/train.py": fabric}))
    assert evidence.status is Status.FOUND and evidence.locations[0].line == 3
    config = "trainer:\n  _target_: lightning.pytorch.Trainer\n  max_epochs: 5\n"
    train = (
        "from hydra.utils import instantiate\n\n\ndef main(cfg):\n    trainer = instantiate(cfg.trainer)\n"
    )
    evidence = check("m15.lightning", make_repo({"configs/train.yaml": config, "src/p/train.py": train}))
    assert evidence.status is Status.FOUND and evidence.locations[0].path == "configs/train.yaml"
    assert check("m15.lightning", make_repo({"configs/train.yaml": config})).status is Status.ABSENT
