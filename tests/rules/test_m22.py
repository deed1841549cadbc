"""M22 FastAPI: an app outside src/ counts even when src/<pkg>/api.py is the empty template file."""

from __future__ import annotations

from verifier.evidence import Status

from conftest import check

APP = """import torch
from fastapi import FastAPI

app = FastAPI()
model = torch.load("models/model.pt")


@app.post("/predict")
def predict(x: float) -> dict:
    return {"y": float(model(x))}
"""


def test_app_in_api_folder_counts_despite_empty_template_api(make_repo) -> None:
    repo = make_repo({"src/digits/__init__.py": "", "src/digits/api.py": "", "api/app/inference.py": APP})
    ev = check("m22.fastapi", repo)
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("api/app/inference.py", 8)


def test_dependency_only_is_not_found(make_repo) -> None:
    ev = check("m22.fastapi", make_repo({"requirements.txt": "fastapi\nuvicorn\n"}))
    assert ev.status in (Status.WEAK, Status.ABSENT)
    assert ev.status is not Status.FOUND
