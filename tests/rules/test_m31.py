"""M31 inference optimization: Lightning pruning and TorchScript, eager static quantization."""

from __future__ import annotations

import pytest

from verifier.evidence import Status

from conftest import check

PRUNING = """from lightning.pytorch import Trainer
from lightning.pytorch.callbacks import ModelPruning


def train(model) -> None:
    Trainer(callbacks=[ModelPruning("l1_unstructured", amount=0.5)]).fit(model)
"""

TORCHSCRIPT = """def export(model) -> None:
    script = model.to_torchscript()
    script.save("model.pt")
"""

STATIC = """import torch


def quantize(model):
    model.qconfig = torch.quantization.get_default_qconfig("fbgemm")
    return torch.quantization.convert(torch.quantization.prepare(model))
"""


@pytest.mark.parametrize(
    ("source", "line"),
    [(PRUNING, 6), (TORCHSCRIPT, 2), (STATIC, 6)],
    ids=["pruning", "torchscript", "static"],
)
def test_lightning_pruning_torchscript_and_static_quantization_are_found(make_repo, source, line) -> None:
    ev = check("m31.inference-optimization", make_repo({"src/digits/optimize.py": source}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("src/digits/optimize.py", line)


NEAR_MISS = """from PIL import Image
from lightning.pytorch.callbacks import ModelCheckpoint


def prepare(path):
    return Image.open(path).convert("RGB")


def callbacks():
    return [ModelCheckpoint(dirpath="models")]
"""


def test_image_convert_and_other_callbacks_are_not_optimization(make_repo) -> None:
    ev = check("m31.inference-optimization", make_repo({"src/digits/data.py": NEAR_MISS}))
    assert ev.status is Status.ABSENT
