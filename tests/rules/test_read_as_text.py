"""Python the running interpreter cannot parse is read as text: its facts still reach every rule."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from verifier import pyfacts
from verifier.evidence import Status
from verifier.pyfacts import parse_python
from verifier.repo import Repo

from conftest import ROOT, check

# Valid only from Python 3.12 on: the same quote inside an f-string's braces, and a newline inside them.
PY312_ONLY = '''import logging
import typer
from ultralytics import YOLO

log = logging.getLogger(__name__)
app = typer.Typer()


@app.command()
def train(epochs: int = 3) -> None:
    """Train the detector."""
    cfg = {"name": "yolo"}
    log.info(f"training {cfg["name"]} for {
        epochs} epochs")
    model = YOLO("yolov8n.pt")
    model.train(data="data.yaml", epochs=epochs)


class Detector(YOLO):
    def predict_one(self, image):
        return self.predict(image)
'''

# Python 2: no Python 3 parses it, so the fallback is exercised on any interpreter.
PY2_TRAINING = '''import logging
import torch
from torch import nn, optim

logger = logging.getLogger("train")


class Net(nn.Module):
    """A small network."""

    def forward(self, x):
        return x


def train(model, loader):
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    for x, y in loader:
        loss = model(x).sum()
        loss.backward()
        optimizer.step()
    print "done training"
    logger.info("finished")
'''


def test_a_python_2_file_gives_imports_calls_classes_and_functions() -> None:
    facts = parse_python(PY2_TRAINING)
    assert facts.read_as_text and facts.error and facts.error.startswith("SyntaxError")
    assert facts.imports_module("torch") == [2, 3, 3, 3]  # torch, torch.nn, torch.optim
    assert [call.line for call in facts.calls_to("backward")] == [19]
    assert [call.line for call in facts.calls_to("logging.getLogger")] == [5]
    adam = facts.calls_to("torch.optim.Adam")
    assert (
        len(adam) == 1 and adam[0].keywords == {"lr": 1e-3} and adam[0].args == ("<call model.parameters>",)
    )
    assert [
        (cls.name, cls.line, cls.end_line, cls.documented) for cls in facts.subclasses_of("torch.nn.Module")
    ] == [("Net", 8, 12, True)]
    functions = {f.name: (f.line, f.end_line, f.is_method) for f in facts.functions}
    assert functions == {"forward": (11, 12, True), "train": (15, 22, False)}
    assert ("logger", "<call logging.getLogger>", 5) in facts.assignments


def test_comments_and_strings_that_mention_calls_are_no_calls() -> None:
    facts = parse_python('print "x"\n# loss.backward()\nnote = "model.fit(x)"\n')
    assert facts.read_as_text
    assert facts.calls_to("backward", "fit") == []
    assert ("model.fit(x)", 3) in facts.strings


EVERY_SHAPE = '''"""A module that uses the statement shapes rules read."""
import os.path as osp
import torch.nn as nn
from . import helpers
from ..pkg.sub import (
    thing as other,
    more,
)
from lightning import Trainer

CONFIG: dict[str, int] = {"epochs": 3, "devices": -1}
a = b = osp.join("x", "y")


@helpers.register(name="net", tags=["a", "b"])
class Net(nn.Module, metaclass=type):
    """Doc."""

    class Inner:
        pass

    def forward(self, x: int) -> int:
        def inner():
            return [other(v) for v in range(x)]

        return inner()

    async def serve(self, request, **kwargs):
        data = await request.json()
        return {"prediction": self.forward(data), "n": len(data)}


def quick(): return more(1, -2, key=None)


trainer = Trainer(
    max_epochs=CONFIG["epochs"],
    devices=2,
    strategy="ddp",
    callbacks=[helpers.Checkpoint(dirpath="m")],
    **CONFIG,
)
trainer.fit(Net(), datamodule=helpers.make(batch_size=(32)))
result = torch.load("m.pt").to("cpu").eval()
'''


def test_forced_fallback_gives_the_facts_the_ast_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """The token scan of a file the AST can read agrees with the AST on the facts rules use."""
    source = EVERY_SHAPE
    from_ast = parse_python(source)
    assert not from_ast.read_as_text

    def refuse(*args: object, **kwargs: object) -> ast.AST:
        raise SyntaxError("forced")

    monkeypatch.setattr(pyfacts, "ast", SimpleNamespace(parse=refuse))  # for parse_python only
    from_text = parse_python(source)
    assert from_text.read_as_text and from_text.error == "SyntaxError: forced"
    assert from_text.imports == from_ast.imports
    assert from_text.decorators == from_ast.decorators
    assert from_text.classes == from_ast.classes
    assert from_text.functions == from_ast.functions
    # the same calls with the same arguments; the order within a line may differ (the AST lists a chain
    # `a().b()` outer call first, and decorators after the body they decorate)
    assert sorted(map(repr, from_text.calls)) == sorted(map(repr, from_ast.calls))
    assert len(from_ast.calls) == 17
    assert from_text.assignments == from_ast.assignments
    assert from_text.mappings == from_ast.mappings


def test_a_broken_line_is_skipped_and_the_rest_is_read() -> None:
    source = 'x = """never closed\nimport wandb\n'
    assert parse_python(source).read_as_text  # the tokenizer fails on line 1; nothing after is lost
    facts = parse_python('    def broken(:\n  x = 1\nimport wandb\nwandb.init(project="p")\n')
    assert facts.imports_module("wandb") == [3]
    assert [call.line for call in facts.calls_to("wandb.init")] == [4]


def test_evidence_from_a_text_read_file_is_marked_and_the_rule_finds_it(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo({"src/proj/train.py": PY2_TRAINING})
    evidence = check("m06.model-training", repo)
    assert evidence.status is Status.FOUND
    assert evidence.locations[0].path == "src/proj/train.py"
    assert all(loc.snippet.endswith("(read as text)") for loc in evidence.locations)
    assert any(
        w.startswith("src/proj/train.py: Python not parsed") and "read as text" in w for w in repo.warnings
    )
    logging = check("m14.logging", repo)
    assert logging.status is Status.FOUND and logging.locations[0].snippet.startswith("logger = logging")


def test_a_parsed_file_is_not_marked(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({"src/proj/train.py": PY2_TRAINING.replace('print "done training"', 'print("done")')})
    evidence = check("m06.model-training", repo)
    assert evidence.status is Status.FOUND
    assert not any("read as text" in loc.snippet for loc in evidence.locations)
    assert not repo.warnings


def _python_310() -> str | None:
    if sys.version_info[:2] == (3, 10):
        return sys.executable
    pyenv = Path("/root/.pyenv/versions/3.10.13/bin/python")
    return str(pyenv) if pyenv.is_file() else shutil.which("python3.10")


# Loads verifier.pyfacts (and verifier.pyscan) without the package's __init__, whose dependencies the bare
# interpreter lacks, parses the 3.12-only file and prints the facts a rule would use.
PROBE = """
import json, sys, types
package = types.ModuleType("verifier")
package.__path__ = [sys.argv[1]]
sys.modules["verifier"] = package
from verifier.pyfacts import parse_python
facts = parse_python(open(sys.argv[2], encoding="utf-8").read())
print(json.dumps({
    "version": list(sys.version_info[:2]),
    "read_as_text": facts.read_as_text,
    "calls": [[c.name, c.line, c.keywords] for c in facts.calls],
    "decorators": facts.decorators,
    "classes": [[c.name, list(c.bases)] for c in facts.classes],
}))
"""


def test_a_python_312_only_file_under_python_310(tmp_path: Path) -> None:
    python = _python_310()
    if python is None:
        pytest.skip("no Python 3.10 interpreter on this machine (the lowest supported version)")
    source = tmp_path / "train.py"
    source.write_text(PY312_ONLY, encoding="utf-8")
    done = subprocess.run(
        [python, "-I", "-c", PROBE, str(ROOT / "verifier"), str(source)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    facts = json.loads(done.stdout)
    assert facts["version"] == [3, 10]
    assert facts["read_as_text"] is True
    calls = {name: (line, keywords) for name, line, keywords in facts["calls"]}
    assert calls["model.train"] == (16, {"data": "data.yaml", "epochs": "<name epochs>"})
    assert calls["logging.getLogger"][0] == 5 and calls["log.info"][0] == 13
    assert ["app.command", 9] in facts["decorators"]
    assert ["Detector", ["ultralytics.YOLO"]] in facts["classes"]
