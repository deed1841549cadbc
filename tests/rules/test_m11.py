"""M11 beyond the fixture table: configs the code loads, and Hydra used versus only installed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check

CONFIG = "lr: 0.001\nbatch_size: 64\nepochs: 10\n"


def test_config_loaded_with_omegaconf_is_found(make_repo: Callable[..., Repo]) -> None:
    code = "from omegaconf import OmegaConf\n\ncfg = OmegaConf.load('configs/train.yaml')\n"
    repo = make_repo({"configs/train.yaml": CONFIG, "src/digits/train.py": code})
    evidence = check("m11.config-files", repo)
    assert evidence.status is Status.FOUND
    assert any(loc.path == "configs/train.yaml" for loc in evidence.locations)


def test_hydra_compose_is_found(make_repo: Callable[..., Repo]) -> None:
    code = (
        "import hydra\n\nwith hydra.initialize(config_path='../configs', version_base='1.3'):\n"
        "    cfg = hydra.compose(config_name='train')\n"
    )
    repo = make_repo({"configs/train.yaml": CONFIG, "src/digits/predict.py": code})
    evidence = check("m11.hydra", repo)
    assert evidence.status is Status.FOUND
    assert evidence.locations[0].path == "src/digits/predict.py"


def test_yaml_safe_load_is_not_hydra(make_repo: Callable[..., Repo]) -> None:
    code = "import yaml\n\nwith open('configs/train.yaml') as f:\n    cfg = yaml.safe_load(f)\n"
    repo = make_repo({"configs/train.yaml": CONFIG, "src/digits/train.py": code})
    evidence = check("m11.hydra", repo)
    assert evidence.status is Status.ABSENT
    assert "@hydra.main" in evidence.looked_for
    assert check("m11.config-files", repo).status is Status.FOUND


def test_configs_in_the_hydra_config_path_are_found(make_repo) -> None:
    code = "import hydra\n\n\n@hydra.main(config_path='../../cfg', config_name='train')\ndef main(cfg):\n    pass\n"
    repo = make_repo({"src/p/train.py": code, "cfg/train.yaml": "lr: 0.01\nepochs: 10\n"})
    ev = check("m11.config-files", repo)
    assert ev.status is Status.FOUND and ev.locations[0].path == "cfg/train.yaml"


def test_a_config_file_named_by_the_code_is_found(make_repo) -> None:
    code = "from omegaconf import OmegaConf\n\ncfg = OmegaConf.load('hyperparameters.yaml')\n"
    repo = make_repo({"src/p/train.py": code, "hyperparameters.yaml": "lr: 0.01\n"})
    ev = check("m11.config-files", repo)
    assert ev.status is Status.FOUND and {loc.path for loc in ev.locations} == {
        "hyperparameters.yaml",
        "src/p/train.py",
    }


def test_reading_some_other_json_is_no_load_of_the_configs(make_repo) -> None:
    code = "import json\n\nlabels = json.load(open('labels.json'))\n"
    repo = make_repo({"src/p/predict.py": code, "labels.json": "{}", "configs/config.yaml": "lr: 0.01\n"})
    assert check("m11.config-files", repo).status is Status.WEAK


@pytest.mark.parametrize(
    ("code", "files"),
    [
        ("import json\n\nrows = json.load(open('data/train.json'))\n", {"data/train.json": '{"a": 1}'}),
        (
            "import json\n\njson.dump({}, open('training_results.json', 'w'))\n",
            {"training_results.json": '{"a": 1}'},
        ),
        ("import yaml\n\nlabels = yaml.safe_load(open('labels.yaml'))\n", {"labels.yaml": "- cat\n- dog\n"}),
        (
            "import tomllib\n\nmeta = tomllib.load(open('pyproject.toml', 'rb'))\n",
            {"pyproject.toml": "[project]\nname='p'\n"},
        ),
    ],
)
def test_data_results_and_tool_files_the_code_opens_are_no_configs(make_repo, code: str, files: dict) -> None:
    assert check("m11.config-files", make_repo({"src/p/run.py": code, **files})).status is Status.ABSENT
