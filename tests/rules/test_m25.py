"""M25 ONNX/BentoML: an export call is found, the dependency alone is weak."""

from __future__ import annotations

from verifier import templates
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


SERVICE = """import bentoml
from onnxruntime import InferenceSession


@bentoml.service
class Classifier:
    def __init__(self) -> None:
        self.model = InferenceSession("model.onnx")
"""


def _as_course_exercise(monkeypatch, content: str) -> None:
    table = templates._table()
    entry = {"id": templates.git_blob_id(content.encode()), "file": "s7_deployment/exercise_files/x.py"}
    patched = {**table, "blobs": [*table["blobs"], {**entry, "template": "DM course exercise file"}]}
    monkeypatch.setattr(templates, "_table", lambda: patched)


def test_copied_course_exercise_file_is_weak(make_repo, monkeypatch) -> None:
    _as_course_exercise(monkeypatch, SERVICE)
    ev = check("m25.onnx-bentoml", make_repo({"bentoml_service.py": SERVICE}))
    assert ev.status is Status.WEAK
    assert "course exercise" in ev.message
    assert ev.locations[0].path == "bentoml_service.py"


def test_course_exercise_beside_the_groups_own_export_is_found(make_repo, monkeypatch) -> None:
    _as_course_exercise(monkeypatch, SERVICE)
    ev = check("m25.onnx-bentoml", make_repo({"bentoml_service.py": SERVICE, "src/digits/export.py": EXPORT}))
    assert ev.status is Status.FOUND
    assert any(loc.path == "src/digits/export.py" for loc in ev.locations)


def test_shipped_course_exercise_blobs_are_fingerprinted() -> None:
    shipped = [b for b in templates._table()["blobs"] if b["template"] == "DM course exercise file"]
    assert {b["file"].rsplit("/", 1)[-1] for b in shipped} >= {"bentoml_service.py", "onnx_fastapi.py"}


OPTIMUM = """from optimum.onnxruntime import ORTModelForSequenceClassification


def load():
    return ORTModelForSequenceClassification.from_pretrained("models/bert", export=True)
"""


def test_optimum_onnx_runtime_model_is_found(make_repo) -> None:
    repo = make_repo({"src/digits/serve.py": OPTIMUM, "requirements.txt": "optimum[onnxruntime]\n"})
    ev = check("m25.onnx-bentoml", repo)
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("src/digits/serve.py", 1)


def test_optimum_without_onnx_is_not_onnx(make_repo) -> None:
    source = (
        "from optimum.bettertransformer import BetterTransformer\n\nmodel = BetterTransformer.transform(m)\n"
    )
    ev = check(
        "m25.onnx-bentoml", make_repo({"src/digits/serve.py": source, "requirements.txt": "optimum\n"})
    )
    assert ev.status is Status.ABSENT
