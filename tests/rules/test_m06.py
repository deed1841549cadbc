"""M6 rules beyond the fixture table: the data step, model/training and the template's layout."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check

MODEL = "import torch\nfrom torch import nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.conv = nn.Conv2d(1, 32, 3)\n"
TRAIN = "import torch\n\n\ndef train(model, loader):\n    opt = torch.optim.Adam(model.parameters())\n    for x, y in loader:\n        loss = model(x).sum()\n        loss.backward()\n        opt.step()\n"


def test_make_dataset_that_downloads_is_found(make_repo: Callable[..., Repo]) -> None:
    code = (
        "from torchvision import datasets\n\n\ndef main():\n    datasets.MNIST('data/raw', download=True)\n"
    )
    evidence = check("m06.data", make_repo({"src/data/make_dataset.py": code}))
    assert evidence.status is Status.FOUND
    assert evidence.locations[0].path == "src/data/make_dataset.py"


def test_no_data_module_is_absent_and_says_where_it_looked(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m06.data", make_repo({"src/digits/model.py": MODEL}))
    assert evidence.status is Status.ABSENT
    assert any("data.py" in item for item in evidence.looked_for)


def test_model_and_training_loop_in_other_file_names_are_found(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({"src/models/net.py": MODEL, "src/models/train_model.py": TRAIN})
    evidence = check("m06.model-training", repo)
    assert evidence.status is Status.FOUND
    assert {loc.path for loc in evidence.locations} >= {"src/models/train_model.py"}


def test_model_without_any_training_is_not_found(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m06.model-training", make_repo({"src/digits/model.py": MODEL}))
    assert evidence.status in (Status.WEAK, Status.ABSENT)
    assert evidence.status is not Status.FOUND


def test_cookiecutter_readme_line_is_cited(make_repo: Callable[..., Repo]) -> None:
    readme = "# digits\n\nCreated using [mlops_template](https://github.com/SkafteNicki/mlops_template).\n"
    evidence = check("m06.cookiecutter", make_repo({"README.md": readme}))
    assert evidence.status is Status.FOUND
    assert (evidence.locations[0].path, evidence.locations[0].line) == ("README.md", 3)


IO_CODE = "import pandas as pd\n\n\ndef main():\n    df = pd.read_csv('data/raw/x.csv')\n    df.to_csv('data/processed/x.csv')\n"


@pytest.mark.parametrize(
    "path",
    [
        "src/pkg/download_data.py",
        "src/pkg/process_data.py",
        "src/pkg/data_processing.py",
        "scripts/prepare_data.py",
        "src/pkg/datasets/mnist.py",
        "src/pkg/preprocessing.py",
    ],
)
def test_data_code_under_other_names_is_found(make_repo: Callable[..., Repo], path: str) -> None:
    evidence = check("m06.data", make_repo({path: IO_CODE}))
    assert evidence.status is Status.FOUND and evidence.locations[0].path == path


def test_a_data_notebook_is_found(make_repo: Callable[..., Repo]) -> None:
    cell = {"cell_type": "code", "source": IO_CODE.splitlines(keepends=True), "metadata": {}, "outputs": []}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    evidence = check("m06.data", make_repo({"notebooks/data.ipynb": json.dumps(notebook)}))
    assert evidence.status is Status.FOUND and evidence.locations[0].path == "notebooks/data.ipynb"


def test_drift_code_reading_reference_data_is_not_the_data_step(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m06.data", make_repo({"src/pkg/data_drift.py": IO_CODE}))
    assert evidence.status is Status.ABSENT


@pytest.mark.parametrize(
    "code",
    [
        "from ultralytics import YOLO\n\nmodel = YOLO('yolov8n.pt')\nmodel.train(data='data.yaml', epochs=10)\n",
        "from trl import SFTTrainer\n\nt = SFTTrainer(model='m', train_dataset=None)\nt.train()\n",
        "import xgboost as xgb\n\nbooster = xgb.train({}, None)\n",
    ],
)
def test_library_training_calls_are_training(make_repo: Callable[..., Repo], code: str) -> None:
    evidence = check("m06.model-training", make_repo({"src/p/train.py": code}))
    assert evidence.status is Status.FOUND and evidence.locations[0].path == "src/p/train.py"


def test_switching_a_module_to_training_mode_is_no_training(make_repo: Callable[..., Repo]) -> None:
    code = MODEL + "\n\ndef run(net):\n    net.train()\n    return net\n"
    assert check("m06.model-training", make_repo({"src/p/model.py": code})).status is Status.WEAK


def test_a_readme_saying_no_cookiecutter_was_used_is_no_evidence(make_repo: Callable[..., Repo]) -> None:
    readme = "# Project\n\nWe did not use cookiecutter; the layout is our own.\n"
    assert check("m06.cookiecutter", make_repo({"README.md": readme})).status is Status.ABSENT


def test_the_2023_cookiecutter_data_science_layout_is_found(make_repo: Callable[..., Repo]) -> None:
    files = {
        "src/data/make_dataset.py": "x = 1\n",
        "src/features/build_features.py": "x = 1\n",
        "src/visualization/visualize.py": "x = 1\n",
        "src/models/predict_model.py": "x = 1\n",
        "README.md": "# Own project\n",
    }
    assert check("m06.cookiecutter", make_repo(files)).status is Status.FOUND


@pytest.mark.parametrize(
    "path", ["src/p/database.py", "src/p/metadata.py", "src/p/data_models.py", "notebooks/explore_data.ipynb"]
)
def test_files_named_for_data_that_are_no_data_step(make_repo: Callable[..., Repo], path: str) -> None:
    code = "import json\n\n\ndef save(meta):\n    json.dump(meta, open('meta.json', 'w'))\n"
    assert check("m06.data", make_repo({path: code})).status is Status.ABSENT


YOLO_WRAPPER = """from ultralytics import YOLO


class Detector:
    def __init__(self, weights: str = "yolov8n.pt") -> None:
        self.model = YOLO(weights)

    def run_training(self, **overrides):
        return self.model.train(**overrides)
"""


@pytest.mark.parametrize(
    ("files", "cited"),
    [
        (
            {
                "src/p/model.py": YOLO_WRAPPER,
                "src/p/train.py": "from p.model import Detector\n\nDetector().run_training(epochs=3)\n",
            },
            "src/p/model.py",
        ),
        (
            {
                "src/p/train.py": "from ultralytics import YOLO\n\nmodel = YOLO('yolov8n.yaml')\nmodel.train()\n"
            },
            None,
        ),
        (
            {
                "src/p/train.py": "from ultralytics import YOLO\n\nYOLO('y.pt').train(cfg='configs/args.yaml')\n"
            },
            None,
        ),
        ({"src/p/train.py": "from p.setup import build\n\ntrainer = build()\ntrainer.train()\n"}, None),
        (
            {
                "src/p/train.py": "from fastai.vision.all import *\n\nlearn = vision_learner(dls, resnet34)\nlearn.fine_tune(3)\n"
            },
            None,
        ),
        (
            {
                "src/p/train.py": "from lightning.pytorch.cli import LightningCLI\n\nLightningCLI(Model, DataModule)\n"
            },
            None,
        ),
        ({"Makefile": "train:\n\tyolo detect train data=data.yaml model=yolov8n.pt epochs=10\n"}, "Makefile"),
        ({"scripts/train.sh": "yolo task=detect mode=train data=data.yaml\n"}, "scripts/train.sh"),
        (
            {
                "train.Dockerfile": "FROM ultralytics/ultralytics\nCMD yolo detect train data=data.yaml epochs=5\n"
            },
            "train.Dockerfile",
        ),
    ],
    ids=[
        "yolo-wrapped",
        "yolo-bound",
        "yolo-cfg",
        "trainer-name",
        "fastai",
        "lightning-cli",
        "yolo-cli",
        "yolo-cli-mode",
        "yolo-cli-in-a-capitalised-dockerfile",
    ],
)
def test_training_through_a_framework_api_is_training(
    make_repo: Callable[..., Repo], files: dict[str, str], cited: str | None
) -> None:
    evidence = check("m06.model-training", make_repo(files))
    assert evidence.status is Status.FOUND, evidence.message
    assert evidence.locations[0].path == (cited or "src/p/train.py")


def test_a_factory_model_with_a_loop_cites_the_model(make_repo: Callable[..., Repo]) -> None:
    code = "import timm\n\nmodel = timm.create_model('resnet18', num_classes=2)\n" + TRAIN.split("\n", 1)[1]
    evidence = check("m06.model-training", make_repo({"src/p/train.py": code}))
    assert evidence.status is Status.FOUND and "library model" in evidence.message
    assert any(loc.line == 3 for loc in evidence.locations)


@pytest.mark.parametrize(
    "files",
    [
        {
            "src/p/predict.py": "import timm\n\nmodel = timm.create_model('resnet18', pretrained=True)\nmodel.eval()\n"
        },
        {"src/p/predict.py": "from ultralytics import YOLO\n\nYOLO('best.pt').predict('img.jpg')\n"},
        {"src/p/model.py": MODEL + "\n\ndef run(net):\n    net.train(mode=False)\n    net.train(True)\n"},
    ],
    ids=["timm-inference", "yolo-predict", "torch-mode-switch"],
)
def test_a_model_without_training_is_weak_not_found(
    make_repo: Callable[..., Repo], files: dict[str, str]
) -> None:
    evidence = check("m06.model-training", make_repo(files))
    assert evidence.status is Status.WEAK, evidence.message
    assert "no training procedure" in evidence.message


def test_framework_commands_that_do_not_train_are_no_training(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {
            "Makefile": "predict:\n\tyolo detect predict model=best.pt source=img.jpg\nval:\n\tyolo mode=val\n",
            "scripts/run.sh": "# yolo train data=data.yaml\necho trainer.train\n",
        }
    )
    assert check("m06.model-training", repo).status is Status.ABSENT


LOOP = (
    "import torch\n\n\ndef run(model, opt, loss):\n    loss.backward()\n    opt.step()\n    model.fit(opt)\n"
)


def test_training_commands_are_looked_for_only_while_fewer_places_than_cited_are_found(
    make_repo: Callable[..., Repo], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rules import m06_code_structure
    from verifier.textsearch import TextSearch

    searched: list[str] = []
    original = TextSearch.search

    def recording(self: TextSearch, pattern: str, *globs: str, **options: object) -> object:
        searched.append(pattern)
        return original(self, pattern, *globs, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(TextSearch, "search", recording)
    makefile = {"Makefile": "train:\n\tyolo detect train data=coco.yaml\n"}
    three = {f"src/p/train{n}.py": LOOP for n in range(2)}  # two files, two calls each
    evidence = check("m06.model-training", make_repo({**three, **makefile}))
    assert m06_code_structure.TRAIN_COMMAND not in searched
    assert evidence.status is Status.FOUND and "Makefile" not in {loc.path for loc in evidence.locations}
    assert len(evidence.locations) == m06_code_structure.CITED_TRAINING

    two = check("m06.model-training", make_repo({"src/p/train.py": LOOP, **makefile}))
    assert m06_code_structure.TRAIN_COMMAND in searched
    assert [loc.path for loc in two.locations] == ["src/p/train.py", "src/p/train.py", "Makefile"]
    assert two.locations[2].line == 2


def test_only_files_with_a_model_or_training_finding_are_template_matched(
    make_repo: Callable[..., Repo], monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import FIXTURES

    stub = (FIXTURES / "rules/m06.model-training/template/src/digits/model.py").read_text()
    files = {
        "src/digits/__init__.py": "",
        "src/digits/model.py": stub,  # the template's dummy model, untouched: no model of the group's
        "src/digits/train.py": LOOP,
        "src/digits/utils.py": "def add(a, b):\n    return a + b\n",
        "src/digits/api.py": "import fastapi\n\napp = fastapi.FastAPI()\n",
    }
    repo = make_repo(files)
    from verifier import templates

    digest = templates.normalized_hash(stub, "digits")
    table = {"blobs": [], "stubs": [{"hash": digest, "file": "model.py", "template": "test stub"}]}
    monkeypatch.setattr(templates, "_table", lambda: table)
    asked: list[str] = []
    original = Repo.template_match

    def recording(self: Repo, path: str) -> object:
        asked.append(path)
        return original(self, path)

    monkeypatch.setattr(Repo, "template_match", recording)
    evidence = check("m06.model-training", repo)
    assert evidence.status is Status.FOUND
    assert evidence.message == "Found a training procedure (the model may come from a library)."
    assert {loc.path for loc in evidence.locations} == {"src/digits/train.py"}
    assert set(asked) == {"src/digits/model.py", "src/digits/train.py"}


@pytest.mark.parametrize(
    "code",
    [
        "from torchvision import models\n\nnet = models.resnet18(weights=None)\n",
        "import torchvision as tv\n\nnet = tv.models.resnet18(weights=None)\n",
        # no import: the name is read as written, and the text holds it
        "def build():\n    return torchvision.models.resnet18(weights=None)\n",
    ],
    ids=["from-import", "alias", "unimported"],
)
def test_a_torchvision_model_is_a_library_model(make_repo: Callable[..., Repo], code: str) -> None:
    evidence = check("m06.model-training", make_repo({"src/p/model.py": code, "src/p/utils.py": "x = 1\n"}))
    assert evidence.status is Status.WEAK and "library model" in evidence.message
    assert [loc.path for loc in evidence.locations] == ["src/p/model.py"]


def test_only_files_that_can_name_torchvision_are_looked_at_call_by_call(
    make_repo: Callable[..., Repo],
) -> None:
    from verifier.checks import may_name

    files = {
        "src/p/model.py": "from torchvision import models\n\nnet = models.resnet18()\n",
        "src/p/utils.py": "import torch\n\nx = torch.zeros(1)\n",
        "src/p/tv.py": "import os\n\n\u00e9t\u00e9 = os.getcwd()\n",  # outside ASCII: looked at
        "notebooks/a.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
    }
    repo = make_repo(files)
    looked_at = [path for path in sorted(files) if may_name(repo, path, "torchvision")]
    assert looked_at == ["notebooks/a.ipynb", "src/p/model.py", "src/p/tv.py"]
