"""M24 API tests: TestClient tests are weak until a workflow runs them."""

from __future__ import annotations

import pytest

from verifier import templates
from verifier.evidence import Status

from conftest import check

TEST = """from fastapi.testclient import TestClient

from api.main import app

client = TestClient(app)


def test_root():
    assert client.get("/").status_code == 200
"""
WORKFLOW = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest tests/\n"


def test_testclient_without_ci_is_weak(make_repo) -> None:
    ev = check("m24.api-tests", make_repo({"tests/test_api.py": TEST}))
    assert ev.status is Status.WEAK
    assert (ev.locations[0].path, ev.locations[0].line) == ("tests/test_api.py", 5)


def test_testclient_run_by_workflow_is_found(make_repo) -> None:
    ev = check("m24.api-tests", make_repo({"tests/test_api.py": TEST, ".github/workflows/t.yaml": WORKFLOW}))
    assert ev.status is Status.FOUND
    assert {loc.path for loc in ev.locations} >= {"tests/test_api.py", ".github/workflows/t.yaml"}


def test_commented_out_testclient_is_absent(make_repo) -> None:
    commented = "\n".join("# " + line for line in TEST.splitlines())
    ev = check(
        "m24.api-tests", make_repo({"tests/test_api.py": commented, ".github/workflows/t.yaml": WORKFLOW})
    )
    assert ev.status is Status.ABSENT
    assert any("TestClient" in item for item in ev.looked_for)


def test_absent_names_the_api_test_file_without_tests(make_repo) -> None:
    commented = "\n".join("# " + line for line in TEST.splitlines())
    ev = check("m24.api-tests", make_repo({"tests/test_api.py": commented}))
    assert ev.status is Status.ABSENT
    assert "tests/test_api.py defines no test function" in ev.message


def test_workflow_running_only_unit_tests_leaves_integration_api_tests_weak(make_repo) -> None:
    unit_only = WORKFLOW.replace("pytest tests/", "pytest tests/unittests")
    repo = make_repo({"tests/integrationtests/test_api.py": TEST, ".github/workflows/t.yaml": unit_only})
    ev = check("m24.api-tests", repo)
    assert ev.status is Status.WEAK
    assert ev.locations[0].path == "tests/integrationtests/test_api.py"


def test_locustfile_is_found_and_dependency_only_is_weak(make_repo) -> None:
    locust = "from locust import HttpUser, task\n\n\nclass ApiUser(HttpUser):\n    @task\n    def root(self):\n        self.client.get('/')\n"
    ev = check("m24.load-test", make_repo({"tests/performancetests/locustfile.py": locust}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("tests/performancetests/locustfile.py", 4)
    weak = check("m24.load-test", make_repo({"requirements_dev.txt": "locust\n"}))
    assert weak.status is Status.WEAK
    assert weak.locations[0].path == "requirements_dev.txt"


def test_api_tests_are_cited_before_a_load_test_script(make_repo) -> None:
    load = "import httpx\n\n\nasync def test_many():\n    async with httpx.AsyncClient() as client:\n        await client.get('/')\n"
    repo = make_repo(
        {"tests/load_test_api.py": load, "tests/test_api.py": TEST, ".github/workflows/t.yaml": WORKFLOW}
    )
    ev = check("m24.api-tests", repo)
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("tests/test_api.py", 5)


LOCUSTFILE = """from locust import HttpUser, between, task


class CourseUser(HttpUser):
    wait_time = between(1, 2)

    @task
    def root(self) -> None:
        self.client.get("/")
"""


def test_an_unchanged_course_locustfile_is_weak_and_names_its_source(make_repo, monkeypatch) -> None:
    table = templates._table()
    entry = {
        "id": templates.git_blob_id(LOCUSTFILE.encode()),
        "file": "s7_deployment/exercise_files/locustfile_simple_fastapi_app.py",
        "template": "DM course exercise file",
    }
    patched = {**table, "blobs": [*table["blobs"], entry]}
    monkeypatch.setattr(templates, "_table", lambda: patched)
    ev = check("m24.load-test", make_repo({"tests/locustfile.py": LOCUSTFILE}))
    assert ev.status is Status.WEAK
    assert "locustfile_simple_fastapi_app.py" in ev.message and "course exercise" in ev.message
    assert ev.locations[0].path == "tests/locustfile.py"
    edited = LOCUSTFILE.replace('"/"', '"/predict"')
    assert check("m24.load-test", make_repo({"tests/locustfile.py": edited})).status is Status.FOUND


def test_shipped_exercise_fingerprints_cover_trap_15_files() -> None:
    names = {
        b["file"].rsplit("/", 1)[-1]
        for b in templates._table()["blobs"]
        if b["template"] == "DM course exercise file"
    }
    assert {
        "locustfile_simple_fastapi_app.py",
        "sentiment_monitoring.py",
        "distributed_example.py",
        "lfw_dataset.py",
        "frontend.py",
        "backend.py",
    } <= names


@pytest.mark.parametrize(
    "path", ["src/proj/download.py", "src/proj/data/load_data.py", "scripts/download_dataset.py"]
)
def test_a_dataset_download_is_not_a_load_test(make_repo, path: str) -> None:
    code = "import requests\n\n\ndef main():\n    requests.get('https://zenodo.org/data.zip')\n"
    assert check("m24.load-test", make_repo({path: code})).status is Status.ABSENT


def test_an_own_load_test_script_with_requests_is_found(make_repo) -> None:
    code = "import requests\n\n\ndef main():\n    for _ in range(100):\n        requests.post('http://localhost:8000/predict')\n"
    ev = check("m24.load-test", make_repo({"tests/load_test_api.py": code}))
    assert ev.status is Status.FOUND and ev.locations[0].path == "tests/load_test_api.py"


@pytest.mark.parametrize(
    "command",
    [
        "hey -n 1000 -c 50 http://localhost:8000/predict",
        "ab -n 500 -c 10 http://localhost:8000/",
        "wrk -t2 -c10 -d30s http://x/",
    ],
)
def test_load_generators_in_scripts_are_load_tests(make_repo, command: str) -> None:
    ev = check("m24.load-test", make_repo({"scripts/load.sh": f"#!/bin/sh\n{command}\n"}))
    assert ev.status is Status.FOUND and ev.locations[0].path == "scripts/load.sh"


BENTO_SERVICE = """import bentoml


@bentoml.service
class Classifier:
    @bentoml.api
    def predict(self, text: str) -> str:
        return text
"""


@pytest.mark.parametrize(
    ("files", "lines"),
    [
        (
            {
                "src/p/service.py": BENTO_SERVICE,
                "tests/test_service.py": "from p.service import Classifier\n\n\ndef test_predict():\n    assert Classifier().predict('a') == 'a'\n",
            },
            {1},
        ),
        (
            {
                "tests/test_bento.py": "import subprocess\n\nimport requests\n\n\ndef test_served():\n"
                "    server = subprocess.Popen(['bentoml', 'serve', 'service:Classifier'])\n"
                "    assert requests.post('http://127.0.0.1:3000/predict', json={}).ok\n    server.kill()\n"
            },
            {7, 8},
        ),
        (
            {
                "tests/test_flask.py": "from app import app\n\n\ndef test_home():\n    client = app.test_client()\n"
                "    assert client.get('/').status_code == 200\n"
            },
            {5},
        ),
        (
            {
                "tests/test_client.py": "import bentoml\n\n\ndef test_live():\n"
                "    with bentoml.SyncHTTPClient('http://localhost:3000') as client:\n        assert client.predict(text='a')\n"
            },
            {5},
        ),
    ],
    ids=["bentoml-direct", "bentoml-serve-subprocess", "flask-test-client", "bentoml-client"],
)
def test_tests_of_any_serving_framework_are_api_tests(make_repo, files, lines) -> None:
    ev = check("m24.api-tests", make_repo({**files, ".github/workflows/t.yaml": WORKFLOW}))
    assert ev.status is Status.FOUND, ev.message
    assert ev.locations[0].path.startswith("tests/")
    assert lines <= {loc.line for loc in ev.locations if loc.path.startswith("tests/")}


def test_a_test_that_imports_a_non_serving_module_or_starts_no_server_is_no_api_test(make_repo) -> None:
    repo = make_repo(
        {
            "src/p/service.py": BENTO_SERVICE,
            "src/p/model.py": "def build():\n    return 1\n",
            "tests/test_model.py": "import subprocess\n\nfrom p.model import build\n\n\ndef test_build():\n"
            "    subprocess.run(['python', 'train.py'])\n    assert build() == 1\n",
            "tests/helpers.py": "from p.service import Classifier\n",
            ".github/workflows/t.yaml": WORKFLOW,
        }
    )
    ev = check("m24.api-tests", repo)
    assert ev.status is Status.ABSENT, ev.locations
