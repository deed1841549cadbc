"""M24 API tests: TestClient tests are weak until a workflow runs them."""

from __future__ import annotations

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
