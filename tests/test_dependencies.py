"""One normalized dependency set from every place a group declares packages."""

from __future__ import annotations

from collections.abc import Callable

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check

# A uv.lock names the root project (source editable "."), and its direct dependencies in its tables.
UV_LOCK_DIRECT_FASTAPI = """version = 1
[[package]]
name = "fastapi"
version = "0.1"

[[package]]
name = "p"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "fastapi" },
]
"""


def test_every_source_gives_pep503_names_with_their_origin(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {
            "pyproject.toml": '[project]\nname = "p"\ndependencies = ["Hydra_Core>=1.3", "torch"]\n'
            '[project.optional-dependencies]\ndev = ["pytest"]\n',
            "requirements.txt": "# base\nnumpy==1.26\n-r requirements_dev.txt\n",
            "requirements_dev.txt": "Ruff\n",
            "uv.lock": UV_LOCK_DIRECT_FASTAPI,
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


def uv_lock(direct: list[str], dev: list[str], packages: list[str], root: str = "group-project") -> str:
    """A uv.lock as uv writes it: a table per package, the root project's with its direct dependencies."""
    tables = [
        f'[[package]]\nname = "{name}"\nversion = "1.0"\nsource = {{ registry = "https://pypi.org/simple" }}\n'
        for name in packages
    ]
    entries = "".join(f'    {{ name = "{name}" }},\n' for name in direct)
    dev_entries = "".join(f'    {{ name = "{name}" }},\n' for name in dev)
    tables.append(
        f'[[package]]\nname = "{root}"\nversion = "0.1.0"\nsource = {{ editable = "." }}\n'
        f"dependencies = [\n{entries}]\n\n[package.dev-dependencies]\ndev = [\n{dev_entries}]\n\n"
        f'[package.metadata]\nrequires-dist = [\n    {{ name = "torch", specifier = ">=2" }},\n]\n'
    )
    return 'version = 1\nrequires-python = ">=3.11"\n\n' + "\n".join(sorted(tables))


PYPROJECT_TORCH = '[project]\nname = "group-project"\ndependencies = ["torch>=2"]\n'


def test_a_transitive_package_of_a_uv_lock_is_not_declared(make_repo: Callable[..., Repo]) -> None:
    lock = uv_lock(["torch"], ["pytest"], ["torch", "pytest", "wandb", "some-template-lib"])
    repo = make_repo({"pyproject.toml": PYPROJECT_TORCH, "uv.lock": lock})
    assert repo.dependency("wandb") == []
    assert repo.dependency_locations("wandb") == []
    assert [d.spec for d in repo.transitive_locked] == [
        "some-template-lib 1.0, only a transitive package in uv.lock",
        "wandb 1.0, only a transitive package in uv.lock",
    ]
    # the group's own project is no dependency, neither declared nor transitive
    assert not repo.dependency("group-project")
    assert "group-project" not in {d.name for d in repo.transitive_locked}


def test_a_tool_runs_frozen_environment_is_no_manifest(make_repo: Callable[..., Repo]) -> None:
    """W&B copies `pip freeze` and the conda environment into each run folder: those files declare nothing,
    so a package the lock pulls in stays transitive; the group's own requirements file still counts."""
    lock = uv_lock(["torch"], [], ["torch", "wandb", "pillow"])
    frozen = "torch==2.1.0\nwandb==0.16.0\npillow==10.0\n"
    conda = "name: base\ndependencies:\n  - python=3.11\n  - pip:\n    - pillow==10.0\n"
    repo = make_repo(
        {
            "pyproject.toml": PYPROJECT_TORCH,
            "uv.lock": lock,
            "wandb/run-20240112_121503-o0m9roav/files/requirements.txt": frozen,
            "wandb/run-20240112_121503-o0m9roav/files/conda-environment.yaml": conda,
            "requirements_dev.txt": "pytest\n",
        }
    )
    assert repo.dependency("pillow") == [] and repo.dependency("wandb") == []
    assert {d.name for d in repo.transitive_locked} == {"pillow", "wandb"}
    assert [d.path for d in repo.dependency("pytest")] == ["requirements_dev.txt"]
    # the same files outside a run folder are the group's own manifests (near miss)
    own = make_repo({"pyproject.toml": PYPROJECT_TORCH, "uv.lock": lock, "requirements.txt": frozen})
    assert [d.path for d in own.dependency("pillow")] == ["requirements.txt", "uv.lock"]


def test_a_direct_package_of_a_uv_lock_is_declared_and_says_so(make_repo: Callable[..., Repo]) -> None:
    lock = uv_lock(["torch", "wandb"], ["pytest"], ["torch", "pytest", "wandb"])
    repo = make_repo({"pyproject.toml": PYPROJECT_TORCH, "uv.lock": lock})
    [wandb] = repo.dependency("wandb")
    assert wandb.path == "uv.lock" and wandb.spec == "wandb 1.0, a direct dependency in uv.lock"
    assert [loc.snippet for loc in repo.dependency_locations("wandb")] == [
        "wandb 1.0, a direct dependency in uv.lock"
    ]
    # a dev dependency group of the root project is direct too
    assert [d.path for d in repo.dependency("pytest")] == ["uv.lock"]
    assert repo.transitive_locked == []


def test_a_uv_lock_of_a_workspace_counts_every_members_direct_dependencies(
    make_repo: Callable[..., Repo],
) -> None:
    lock = uv_lock(["torch"], [], ["torch", "wandb", "fastapi"])
    lock += '\n[[package]]\nname = "api"\nversion = "0.1.0"\nsource = { editable = "packages/api" }\ndependencies = [\n    { name = "fastapi" },\n]\n'
    repo = make_repo({"pyproject.toml": PYPROJECT_TORCH, "uv.lock": lock})
    assert [d.path for d in repo.dependency("fastapi")] == ["uv.lock"]
    assert repo.dependency("wandb") == [] and not repo.dependency("api")


def test_a_poetry_lock_package_is_declared_only_when_pyproject_names_it(
    make_repo: Callable[..., Repo],
) -> None:
    pyproject = (
        '[tool.poetry]\nname = "p"\n\n[tool.poetry.dependencies]\npython = "^3.11"\nhydra-core = "^1.3"\n'
    )
    lock = "".join(
        f'[[package]]\nname = "{name}"\nversion = "1.3.2"\n\n'
        for name in ("hydra-core", "wandb", "omegaconf")
    )
    repo = make_repo({"pyproject.toml": pyproject, "poetry.lock": lock})
    assert [(d.path, d.spec) for d in repo.dependency("hydra-core")] == [
        ("pyproject.toml", "hydra-core"),
        ("poetry.lock", "hydra-core 1.3.2, locked in poetry.lock"),
    ]
    assert repo.dependency("wandb") == [] and repo.dependency("omegaconf") == []
    assert {d.name for d in repo.transitive_locked} == {"wandb", "omegaconf"}


def test_a_lock_without_the_groups_project_declares_nothing_of_its_own(
    make_repo: Callable[..., Repo],
) -> None:
    """A uv.lock that names no project of the group cannot tell direct from transitive: only what a
    manifest also declares counts (the near miss of the direct case)."""
    lock = 'version = 1\n[[package]]\nname = "wandb"\nversion = "0.19"\n\n[[package]]\nname = "numpy"\nversion = "2.0"\n'
    repo = make_repo({"requirements.txt": "numpy\n", "uv.lock": lock})
    assert repo.dependency("wandb") == []
    assert [d.path for d in repo.dependency("numpy")] == ["requirements.txt", "uv.lock"]


def test_a_rule_quotes_only_a_direct_lock_entry_as_a_declared_dependency(
    make_repo: Callable[..., Repo],
) -> None:
    """The brief's case: hydra-core pulled in by another package is not the group's choice of Hydra."""
    transitive = uv_lock(["torch"], [], ["torch", "hydra-core"])
    evidence = check("m11.hydra", make_repo({"pyproject.toml": PYPROJECT_TORCH, "uv.lock": transitive}))
    assert evidence.status is Status.ABSENT, evidence.message
    direct = uv_lock(["torch", "hydra-core"], [], ["torch", "hydra-core"])
    evidence = check("m11.hydra", make_repo({"pyproject.toml": PYPROJECT_TORCH, "uv.lock": direct}))
    assert evidence.status is Status.WEAK and "declared dependency" in evidence.message
    assert [(loc.path, loc.snippet) for loc in evidence.locations] == [
        ("uv.lock", "hydra-core 1.0, a direct dependency in uv.lock")
    ]
