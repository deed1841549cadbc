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


ONNX_PRUNING = '''import numpy as np
import onnx


def prune_weights_randomly(onnx_model, prune_ratio=0.2):
    """Zero out a share of every initializer."""
    for initializer in onnx_model.graph.initializer:
        weights = np.frombuffer(initializer.raw_data, dtype=np.float32)
        initializer.raw_data = (weights * (np.random.rand(*weights.shape) > prune_ratio)).tobytes()
    return onnx_model
'''
ORT_OPTIMIZER = "from onnxruntime.transformers import optimizer\n\noptimizer.optimize_model('model.onnx').save_model_to_file('opt.onnx')\n"


@pytest.mark.parametrize(
    ("source", "line"),
    [
        (ONNX_PRUNING, 5),
        (ORT_OPTIMIZER, 1),
        ("import onnxsim\n\nsimplified, ok = onnxsim.simplify(model)\n", 1),
    ],
    ids=["own-onnx-pruning", "onnxruntime-optimizer", "onnx-simplifier"],
)
def test_optimization_of_an_onnx_model_is_found(make_repo, source, line) -> None:
    ev = check("m31.inference-optimization", make_repo({"src/digits/optimize.py": source}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("src/digits/optimize.py", line)


def test_a_prune_function_that_touches_no_weights_is_no_pruning(make_repo) -> None:
    code = "def prune_vocabulary(counts, minimum=2):\n    return {w: c for w, c in counts.items() if c >= minimum}\n"
    ev = check("m31.inference-optimization", make_repo({"src/digits/text.py": code}))
    assert ev.status is Status.ABSENT


def test_onnx_pruning_in_a_notebook_is_found(make_repo) -> None:
    import json

    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Pruning"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1, "source": ONNX_PRUNING},
    ]
    notebook = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    ev = check("m31.inference-optimization", make_repo({"notebooks/checks.ipynb": notebook}))
    assert ev.status is Status.FOUND and ev.locations[0].path == "notebooks/checks.ipynb"
