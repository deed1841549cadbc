"""M2 rules beyond the fixture table: what m02.requirements counts as an undeclared import."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check


def test_stdlib_local_packages_aliases_and_setup_py_build_backend_are_not_undeclared(
    fixture_repo: Callable[..., Repo],
) -> None:
    evidence = check("m02.requirements", fixture_repo("rules/m02.requirements/near-miss-stdlib-local-setup"))
    assert evidence.status is Status.FOUND, evidence.message
    assert [loc.path for loc in evidence.locations] == ["requirements.txt"]


def test_undeclared_imports_are_listed_with_their_lines(fixture_repo: Callable[..., Repo]) -> None:
    evidence = check("m02.requirements", fixture_repo("rules/m02.requirements/weak"))
    assert evidence.status is Status.WEAK
    assert evidence.details["undeclared"] == ["PIL", "cv2"]
    assert "cv2" in evidence.message and "PIL" in evidence.message
    assert {(loc.path, loc.line) for loc in evidence.locations} == {
        ("src/digits/train.py", 2),
        ("src/digits/train.py", 3),
    }


def test_setuptools_outside_setup_py_still_counts(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({"requirements.txt": "torch\n", "src/digits/build.py": "import setuptools\n"})
    evidence = check("m02.requirements", repo)
    assert evidence.status is Status.WEAK
    assert evidence.details["undeclared"] == ["setuptools"]


def test_no_dependency_file_names_what_was_looked_for(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m02.requirements", make_repo({"src/digits/train.py": "import torch\n"}))
    assert evidence.status is Status.ABSENT
    assert "requirements*.txt" in evidence.looked_for


def test_a_package_that_a_declared_one_requires_counts_and_is_named(make_repo) -> None:
    code = "import torch\nimport pydantic\nfrom fastapi import FastAPI\nimport torchvision\nimport yaml\n"
    repo = make_repo({"src/app/api.py": code, "requirements.txt": "fastapi\ntorchvision\nhydra-core\n"})
    ev = check("m02.requirements", repo)
    assert ev.status is Status.FOUND
    assert "pydantic comes with fastapi" in ev.message and "torch comes with torchvision" in ev.message
    assert "yaml comes with hydra-core" in ev.message  # through omegaconf: followed transitively


def test_a_required_package_of_an_undeclared_one_is_still_missing(make_repo) -> None:
    repo = make_repo({"src/app/api.py": "import torch\nimport pydantic\n", "requirements.txt": "numpy\n"})
    ev = check("m02.requirements", repo)
    assert ev.status is Status.WEAK
    assert ev.details["undeclared"] == ["pydantic", "torch"]


def test_a_namespace_import_is_not_covered_by_a_sibling_that_a_declared_package_requires(make_repo) -> None:
    # wandb requires protobuf (google.protobuf); google.cloud.storage is another distribution
    repo = make_repo({"src/app/gcs.py": "from google.cloud import storage\n", "requirements.txt": "wandb\n"})
    ev = check("m02.requirements", repo)
    assert ev.status is Status.WEAK and ev.details["undeclared"] == ["google"]


@pytest.mark.parametrize(
    "files",
    [
        {"conda.yaml": "name: p\ndependencies:\n  - python=3.11\n"},
        {"dev-requirements.txt": "pytest\n"},
        {"requirements.in": "torch\n"},
        {"pixi.toml": "[project]\nname = 'p'\n"},
        {"backend/pyproject.toml": "[project]\nname = 'api'\ndependencies = ['fastapi']\n"},
    ],
)
def test_other_environment_files_are_found(make_repo, files: dict[str, str]) -> None:
    ev = check("m02.environment", make_repo(files))
    assert ev.status is Status.FOUND and ev.locations[0].path == next(iter(files))


def test_any_google_distribution_declares_the_google_namespace(make_repo) -> None:
    code = "from google.cloud import secretmanager\n"
    repo = make_repo({"src/app/secrets.py": code, "requirements.txt": "google-cloud-secret-manager\n"})
    assert check("m02.requirements", repo).status is Status.FOUND


def test_conda_files_of_other_names_and_the_templates_conda_create(make_repo) -> None:
    env = "name: p\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n"
    assert check("m02.conda-environment", make_repo({"env.yml": env})).status is Status.FOUND
    assert check("m02.conda-environment", make_repo({"environment_gpu.yml": env})).status is Status.FOUND
    makefile = "create_environment:\n\tconda create --name p python=3.11 -y\n\nrequirements:\n\tpip install -r requirements.txt\n"
    ev = check("m02.conda-environment", make_repo({"Makefile": makefile, "requirements.txt": "torch\n"}))
    assert ev.status is Status.WEAK  # the template's target is no conda environment of the group's
    readme = "# p\n\n    conda create -n p python=3.11\n"
    assert check("m02.conda-environment", make_repo({"README.md": readme})).status is Status.FOUND


def test_the_2022_template_makefiles_conditional_conda_create_is_the_templates(make_repo) -> None:
    makefile = (
        'create_environment:\nifeq (True,$(HAS_CONDA))\n\t@echo ">>> Detected conda"\n'
        "\tconda create --name $(PROJECT_NAME) python=3\nelse\n\tpip install virtualenv\nendif\n"
    )
    ev = check("m02.conda-environment", make_repo({"Makefile": makefile, "requirements.txt": "torch\n"}))
    assert ev.status is Status.WEAK


UV_LOCK = """version = 1

[[package]]
name = "dvc"
version = "3.6"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "hydra-core" },
]

[[package]]
name = "group-project"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "dvc" },
]

[[package]]
name = "hydra-core"
version = "1.3.2"
source = { registry = "https://pypi.org/simple" }
"""


def test_an_import_a_lock_file_installs_transitively_counts_and_is_named(make_repo) -> None:
    """hydra-core pulled in by dvc is installed by the lock: not declared by the group (m11 does not count
    it), but no undeclared import either, and the message says where it comes from."""
    pyproject = '[project]\nname = "group-project"\ndependencies = ["dvc"]\n'
    files = {
        "pyproject.toml": pyproject,
        "uv.lock": UV_LOCK,
        "src/app/train.py": "import hydra\nimport dvc\n",
    }
    ev = check("m02.requirements", make_repo(files))
    assert ev.status is Status.FOUND, ev.message
    assert "hydra comes with uv.lock (transitively)" in ev.message
    # near miss: without the lock, hydra is an undeclared import
    ev = check("m02.requirements", make_repo({k: v for k, v in files.items() if k != "uv.lock"}))
    assert ev.status is Status.WEAK and ev.details["undeclared"] == ["hydra"]
