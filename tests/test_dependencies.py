"""One normalized dependency set from every place a group declares packages."""

from __future__ import annotations

from collections.abc import Callable

from verifier.repo import Repo


def test_every_source_gives_pep503_names_with_their_origin(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {
            "pyproject.toml": '[project]\nname = "p"\ndependencies = ["Hydra_Core>=1.3", "torch"]\n'
            '[project.optional-dependencies]\ndev = ["pytest"]\n',
            "requirements.txt": "# base\nnumpy==1.26\n-r requirements_dev.txt\n",
            "requirements_dev.txt": "Ruff\n",
            "uv.lock": 'version = 1\n[[package]]\nname = "fastapi"\nversion = "0.1"\n',
            "environment.yml": "name: e\ndependencies:\n  - python=3.11\n  - pip:\n    - wandb\n",
        }
    )
    names = {dep.name: dep for dep in repo.dependencies}
    assert {"hydra-core", "torch", "pytest", "numpy", "ruff", "fastapi", "wandb"} <= set(names)
    assert names["hydra-core"].path == "pyproject.toml" and names["hydra-core"].line == 3
    assert names["numpy"].path == "requirements.txt" and names["numpy"].line == 2
    assert names["ruff"].path == "requirements_dev.txt"
    assert names["fastapi"].path == "uv.lock"
    assert names["wandb"].path == "environment.yml"
    assert [d.path for d in repo.dependency("Hydra.Core")] == ["pyproject.toml"]
    assert repo.dependency("tensorflow") == []


def test_what_declared_distributions_bring_does_not_depend_on_their_order() -> None:
    """pandas and matplotlib both bring numpy: the one named is the same whatever the order (a set's
    order changes with PYTHONHASHSEED, and the verify output must not)."""
    from verifier.dependencies import provided_through

    forward = provided_through(["matplotlib", "pandas"])
    assert forward == provided_through(["pandas", "matplotlib"])
    assert forward["numpy"] == "matplotlib"
