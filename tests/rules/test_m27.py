"""M27 drift: io-collection through helper modules and other stores (not saved uploads), drift APIs
whose drift code lives in an imported module or a Cloud Function, torchdrift."""

from __future__ import annotations

from verifier.evidence import Status

from conftest import check

APP = """from fastapi import FastAPI, UploadFile

from api.utils import save_prediction

app = FastAPI()


@app.post('/predict')
def predict(x: float):
    save_prediction(x, 1)
    return {'y': 1}
"""

UTILS = """import csv


def save_prediction(x, y):
    with open('predictions.csv', 'a') as f:
        csv.writer(f).writerow([x, y])
"""


def test_store_in_an_imported_helper_of_any_name_is_found(make_repo) -> None:
    ev = check("m27.io-collection", make_repo({"api/main.py": APP, "api/utils.py": UTILS}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("api/utils.py", 6)


def test_helper_code_the_app_does_not_use_is_no_collection(make_repo) -> None:
    app = APP.replace("save_prediction", "load_model")
    model = "import json\n\n\ndef load_model():\n    return 1\n\n\ndef train():\n    json.dump({'acc': 1}, open('m.json', 'w'))\n"
    ev = check("m27.io-collection", make_repo({"api/main.py": app, "api/utils.py": model}))
    assert ev.status is Status.ABSENT


def _app_with(*body: str) -> str:
    lines = "".join(f"    {line}\n" for line in body)
    return (
        "from pathlib import Path\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        "@app.post('/predict')\ndef predict(x: float):\n    y = 1\n" + lines + "    return {'y': y}\n"
    )


def test_other_stores_of_predictions_are_found(make_repo) -> None:
    for body in (
        ("blob.upload_from_file(io.BytesIO(json.dumps({'x': x, 'y': y}).encode()))",),
        ("Path('log.json').write_text(json.dumps({'x': x, 'y': y}))",),
        ("session.add(Prediction(x=x, y=y))", "session.commit()"),
        ("db.collection('preds').add({'x': x, 'y': y})",),
    ):
        ev = check("m27.io-collection", make_repo({"api/main.py": _app_with(*body)}))
        assert ev.status is Status.FOUND, body
        assert ev.locations[0].line == 10 + len(body), body


UPLOAD = """import tempfile

from fastapi import FastAPI, UploadFile

app = FastAPI()


@app.post('/predict')
async def predict(file: UploadFile):
    with tempfile.NamedTemporaryFile(suffix='.png') as tmp:
        tmp.write(await file.read())
    contents = await file.read()
    with open(file.filename, 'wb') as f:
        f.write(contents)
    return {'y': 1}
"""


def test_saving_the_uploaded_file_is_no_collection(make_repo) -> None:
    ev = check("m27.io-collection", make_repo({"api/main.py": UPLOAD}))
    assert ev.status is Status.ABSENT


DRIFT_APP = """from fastapi import FastAPI

from drift_api.drift import build_report

app = FastAPI()


@app.get('/drift')
def drift():
    return build_report()
"""
DRIFT = "from evidently import Report\n\n\ndef build_report():\n    return Report([])\n"
DEPLOY = "on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: gcloud run deploy drift-api --source .\n"


def test_drift_code_in_an_imported_module_is_found(make_repo) -> None:
    repo = make_repo(
        {"drift_api/main.py": DRIFT_APP, "drift_api/drift.py": DRIFT, ".github/workflows/deploy.yaml": DEPLOY}
    )
    ev = check("m27.drift-api", repo)
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("drift_api/main.py", 8)


def test_app_importing_no_drift_code_is_no_drift_api(make_repo) -> None:
    repo = make_repo(
        {
            "drift_api/main.py": DRIFT_APP,
            "drift_api/drift.py": "def build_report():\n    return {}\n",
            "src/proj/drift_analysis.py": "from evidently import Report\n",
            ".github/workflows/deploy.yaml": DEPLOY,
        }
    )
    assert check("m27.drift-api", repo).status is Status.ABSENT


def test_cloud_function_serving_drift_is_found(make_repo) -> None:
    fn = (
        "import functions_framework\nfrom evidently import Report\n\n\n"
        "@functions_framework.http\ndef drift(request):\n    return Report([]).json()\n"
    )
    ev = check("m27.drift-api", make_repo({"functions/drift/main.py": fn}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("functions/drift/main.py", 5)


def test_cloud_function_without_drift_code_is_no_drift_api(make_repo) -> None:
    fn = "import functions_framework\n\n\n@functions_framework.http\ndef predict(request):\n    return 'ok'\n"
    assert check("m27.drift-api", make_repo({"functions/main.py": fn})).status is Status.ABSENT


def test_torchdrift_detector_is_drift_analysis(make_repo) -> None:
    code = "import torchdrift\n\ndetector = torchdrift.detectors.KernelMMDDriftDetector()\n"
    ev = check("m27.drift-robustness", make_repo({"src/proj/drift.py": code}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("src/proj/drift.py", 1)


def test_a_write_in_a_model_class_the_api_imports_is_no_collection(make_repo) -> None:
    api = (
        "from fastapi import FastAPI\nfrom proj.model import Net\n\napp = FastAPI()\nmodel = Net()\n\n\n"
        "@app.post('/predict')\ndef predict(x: float):\n    return {'y': model(x)}\n"
    )
    model = (
        "import pandas as pd\n\n\nclass Net:\n    def __call__(self, x):\n        return x\n\n"
        "    def on_test_epoch_end(self):\n        pd.DataFrame([]).to_csv('reports/test_predictions.csv')\n"
    )
    repo = make_repo({"src/proj/__init__.py": "", "src/proj/api.py": api, "src/proj/model.py": model})
    assert check("m27.io-collection", repo).status is Status.ABSENT


ROBUSTNESS = """import torch
from torchvision import transforms

from digits.evaluate import evaluate_model


def robustness(model, images, labels):
    scores = {}
    for level in (0.0, 0.3, 0.6):
        drifted = transforms.ColorJitter(brightness=level, contrast=level)(images)
        scores[level] = evaluate_model(model, drifted, labels)
    return scores
"""
DRIFTED_DATA = '''from torchvision import transforms as T


def save_drifted(images, contrast: float):
    """Write a drifted copy of the dataset (contrast shift) for the drift experiment."""
    return [T.ColorJitter(contrast=contrast)(image) for image in images]
'''
DRIFT_SCRIPT = (
    "#!/usr/bin/env bash\n# drift experiment\npython src/digits/data.py --drift 0.3\n"
    "python src/digits/inference.py --data data/drifted --out before.json\n"
)


def test_a_robustness_experiment_on_drifted_data_is_found(make_repo) -> None:
    ev = check("m27.drift-robustness", make_repo({"src/digits/robustness.py": ROBUSTNESS}))
    assert ev.status is Status.FOUND
    assert [(loc.path, loc.line) for loc in ev.locations] == [
        ("src/digits/robustness.py", 10),
        ("src/digits/robustness.py", 11),
    ]


def test_drifted_data_and_a_drift_script_running_inference_are_found(make_repo) -> None:
    repo = make_repo({"src/digits/data.py": DRIFTED_DATA, "scripts/run_drift_experiment.sh": DRIFT_SCRIPT})
    ev = check("m27.drift-robustness", repo)
    assert ev.status is Status.FOUND
    assert {loc.path for loc in ev.locations} == {"src/digits/data.py", "scripts/run_drift_experiment.sh"}


def test_drifted_data_that_no_model_sees_is_weak(make_repo) -> None:
    ev = check("m27.drift-robustness", make_repo({"src/digits/data.py": DRIFTED_DATA}))
    assert ev.status is Status.WEAK and ev.locations[0].line == 6


def test_training_augmentation_and_a_drift_script_without_drifted_data_are_no_drift_check(make_repo) -> None:
    augment = (
        "from torchvision import transforms\n\n\ndef train(model, data):\n"
        "    data = transforms.ColorJitter(brightness=0.2)(data)\n    return evaluate(model, data)\n"
    )
    repo = make_repo(
        {"src/digits/train.py": augment, "scripts/drift_check.sh": "python src/digits/train.py\n"}
    )
    assert check("m27.drift-robustness", repo).status is Status.ABSENT


DRIFT_JOB = """from evidently.legacy.metric_preset import DataDriftPreset
from evidently.legacy.report import Report


def main() -> None:
    Report(metrics=[DataDriftPreset()]).save_html("drift.html")
"""


def test_a_container_image_running_the_drift_code_as_a_job_is_weak(make_repo) -> None:
    dockerfile = 'FROM python:3.12-slim\nCOPY deployment/drift/data_drift.py data_drift.py\nCMD ["python", "data_drift.py"]\n'
    repo = make_repo({"deployment/drift/data_drift.py": DRIFT_JOB, "deployment/drift.dockerfile": dockerfile})
    ev = check("m27.drift-api", repo)
    assert ev.status is Status.WEAK and (ev.locations[0].path, ev.locations[0].line) == (
        "deployment/drift.dockerfile",
        3,
    )


def test_an_image_running_other_code_is_no_drift_service(make_repo) -> None:
    dockerfile = 'FROM python:3.12-slim\nCMD ["python", "train.py"]\n'
    repo = make_repo({"src/p/data_drift.py": DRIFT_JOB, "Dockerfile": dockerfile})
    assert check("m27.drift-api", repo).status is Status.ABSENT
