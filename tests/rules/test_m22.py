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


ROUTES = """from app import app
from app.model import load


@app.post("/predict")
def predict(x: float) -> dict:
    return {"y": float(load()(x))}
"""


def test_routes_in_a_module_importing_the_app_are_found(make_repo) -> None:
    model = "import torch\n\n\ndef load():\n    return torch.load('models/model.pt')\n"
    repo = make_repo(
        {
            "app/__init__.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "app/routes.py": ROUTES,
            "app/model.py": model,
        }
    )
    ev = check("m22.fastapi", repo)
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("app/routes.py", 5)


REGISTER = """def register(app) -> None:
    @app.get("/health")
    def health() -> dict:
        return {"ok": True}
"""

MAIN = """from fastapi import FastAPI

from api.routes import register

app = FastAPI()
register(app)
"""


def test_routes_registered_on_the_app_without_a_model_are_weak_not_found(make_repo) -> None:
    repo = make_repo({"api/__init__.py": "", "api/main.py": MAIN, "api/routes.py": REGISTER})
    ev = check("m22.fastapi", repo)
    assert ev.status is Status.WEAK
    assert (ev.locations[0].path, ev.locations[0].line) == ("api/routes.py", 2)


def test_routes_registered_on_the_app_with_a_model_are_found(make_repo) -> None:
    routes = "import torch\n\nmodel = torch.load('m.pt')\n\n\n" + REGISTER
    repo = make_repo({"api/__init__.py": "", "api/main.py": MAIN, "api/routes.py": routes})
    ev = check("m22.fastapi", repo)
    assert ev.status is Status.FOUND


def test_decorators_in_a_module_unrelated_to_the_app_are_not_routes(make_repo) -> None:
    cache = "import torch\n\n\n@cache.get('x')\ndef f():\n    return torch.load('m.pt')\n"
    repo = make_repo(
        {"api/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n", "lib/cache.py": cache}
    )
    ev = check("m22.fastapi", repo)
    assert ev.status is Status.ABSENT


HELPER_APP = """from fastapi import FastAPI
from inference import Predictor

app = FastAPI()
predictor = Predictor()


@app.post("/predict")
def predict(x: float) -> dict:
    return {"y": predictor.run(x)}
"""


def test_model_loaded_in_an_own_helper_module_counts(make_repo) -> None:
    helper = "import torch\n\n\nclass Predictor:\n    def __init__(self):\n        self.model = torch.load('m.pt')\n"
    ev = check("m22.fastapi", make_repo({"app/main.py": HELPER_APP, "app/inference.py": helper}))
    assert ev.status is Status.FOUND


def test_an_own_helper_module_without_a_model_stays_weak(make_repo) -> None:
    helper = "class Predictor:\n    def run(self, x):\n        return x * 2\n"
    ev = check("m22.fastapi", make_repo({"app/main.py": HELPER_APP, "app/inference.py": helper}))
    assert ev.status is Status.WEAK


STREAMLIT_PAGE = """import streamlit as st
import torch

model = torch.load("models/model.pt")
image = st.file_uploader("image")
if image is not None:
    st.write(int(model(image).argmax()))
"""


def test_a_model_served_with_another_framework_is_weak_and_named(make_repo) -> None:
    ev = check("m22.fastapi", make_repo({"app/upload.py": STREAMLIT_PAGE}))
    assert ev.status is Status.WEAK
    assert "Streamlit" in ev.message and "asks for FastAPI" in ev.message
    assert [(loc.path, loc.line) for loc in ev.locations] == [("app/upload.py", 1)]


def test_another_framework_without_a_model_is_no_evidence(make_repo) -> None:
    page = 'import streamlit as st\n\nst.title("About our project")\n'
    ev = check("m22.fastapi", make_repo({"app/about.py": page}))
    assert ev.status is Status.ABSENT


def test_a_fastapi_app_wins_over_another_framework(make_repo) -> None:
    ev = check("m22.fastapi", make_repo({"api/main.py": APP, "app/upload.py": STREAMLIT_PAGE}))
    assert ev.status is Status.FOUND and "Streamlit" not in ev.message


def test_an_import_resolves_to_the_groups_module_files_only(make_repo) -> None:
    """`module_files` looks only at files whose path holds the module's path: each import still resolves
    as a pass over every code file would resolve it."""
    from verifier.rules.m22_api import imported_own_modules, module_files

    repo = make_repo(
        {
            "src/shop/__init__.py": "",
            "src/shop/model.py": "",
            "src/shop/api/__init__.py": "from . import routes\nfrom .model_io import save\n",
            "src/shop/api/routes.py": "from shop.model import Net\nfrom ..model import Net\nimport numpy\n",
            "src/shop/api/model_io.py": "",
            "tests/test_model.py": "",
            "docs/shop/model.md": "",
            "other/shop/model.py": "",
            "shop_model.py": "",
        }
    )
    assert module_files(repo, "shop.model", "src/shop/api/routes.py") == [
        "other/shop/model.py",
        "src/shop/model.py",
    ]
    assert module_files(repo, "..model", "src/shop/api/routes.py") == ["src/shop/model.py"]
    assert module_files(repo, "shop.api", "x.py") == ["src/shop/api/__init__.py"]  # a package: __init__
    assert module_files(repo, "shop.model.Net", "x.py") == ["other/shop/model.py", "src/shop/model.py"]
    # near misses: a test, a Markdown file and a file whose name only contains the module's are no module
    assert module_files(repo, "test_model", "x.py") == [] and module_files(repo, "model_io", "x.py") == [
        "src/shop/api/model_io.py"
    ]
    assert module_files(repo, "numpy", "src/shop/api/routes.py") == []
    assert module_files(repo, "shop.model", "src/shop/model.py") == ["other/shop/model.py"]  # never itself
    assert imported_own_modules(repo, "src/shop/api/__init__.py") == ["src/shop/api/model_io.py"]
