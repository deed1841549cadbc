"""M25 ONNX/BentoML: an export call is found, the dependency alone is weak."""

from __future__ import annotations

from verifier.evidence import Status

from conftest import check

EXPORT = """import torch

from digits.model import Net


def export() -> None:
    torch.onnx.export(Net(), torch.zeros(1, 1, 28, 28), "model.onnx")
"""


def test_onnx_export_is_found(make_repo) -> None:
    ev = check("m25.onnx-bentoml", make_repo({"src/digits/export.py": EXPORT}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("src/digits/export.py", 7)


def test_dependency_only_is_weak(make_repo) -> None:
    ev = check("m25.onnx-bentoml", make_repo({"requirements.txt": "torch\nonnxruntime\n"}))
    assert ev.status is Status.WEAK
    assert ev.locations[0].path == "requirements.txt"


def test_nothing_is_absent_with_looked_for(make_repo) -> None:
    ev = check("m25.onnx-bentoml", make_repo({"requirements.txt": "torch\n"}))
    assert ev.status is Status.ABSENT
    assert "torch.onnx.export" in ev.looked_for
