"""M29 data loading: DataLoader workers passed as **kwargs from a dict or a YAML config."""

from __future__ import annotations

from verifier.evidence import Status

from conftest import check

DICT_KWARGS = """from torch.utils.data import DataLoader


def loader(ds):
    kw = dict(num_workers=4, pin_memory=True)
    return DataLoader(ds, batch_size=32, **kw)
"""


def test_workers_in_a_kwargs_dict_are_weak(make_repo) -> None:
    ev = check("m29.data-loading", make_repo({"src/digits/data.py": DICT_KWARGS}))
    assert ev.status is Status.WEAK
    assert (ev.locations[0].path, ev.locations[0].line) == ("src/digits/data.py", 6)


def test_workers_in_a_kwargs_dict_literal_with_timing_are_found(make_repo) -> None:
    source = (
        "import time\n\nfrom torch.utils.data import DataLoader\n\n\ndef loader(ds):\n"
        "    start = time.time()\n    return DataLoader(ds, **{'num_workers': 8}), time.time() - start\n"
    )
    ev = check("m29.data-loading", make_repo({"src/digits/data.py": source}))
    assert ev.status is Status.FOUND


CONFIG_KWARGS = """import hydra
from torch.utils.data import DataLoader


@hydra.main(config_path="../../configs", config_name="data")
def main(cfg) -> None:
    DataLoader(dataset, **cfg.loader)
"""


def test_workers_in_a_yaml_loader_config_are_weak(make_repo) -> None:
    config = "loader:\n  batch_size: 64\n  num_workers: 4\n"
    ev = check(
        "m29.data-loading", make_repo({"src/digits/data.py": CONFIG_KWARGS, "configs/data.yaml": config})
    )
    assert ev.status is Status.WEAK
    assert (ev.locations[0].path, ev.locations[0].line) == ("src/digits/data.py", 7)
    assert any((loc.path, loc.line) == ("configs/data.yaml", 3) for loc in ev.locations)


def test_kwargs_without_workers_are_absent(make_repo) -> None:
    config = "loader:\n  batch_size: 64\n  num_workers: 0\n"
    source = DICT_KWARGS.replace("num_workers=4, pin_memory=True", "batch_size=8")
    repo = make_repo(
        {"src/digits/data.py": source, "src/digits/other.py": CONFIG_KWARGS, "configs/data.yaml": config}
    )
    ev = check("m29.data-loading", repo)
    assert ev.status is Status.ABSENT


def test_workers_in_a_compose_or_workflow_file_are_no_loader_config(make_repo) -> None:
    files = {
        "src/digits/data.py": CONFIG_KWARGS,
        "configs/data.yaml": "loader:\n  batch_size: 64\n",
        "docker-compose.yaml": "services:\n  train:\n    environment:\n      num_workers: 4\n",
        ".github/workflows/train.yaml": "on: push\njobs:\n  t:\n    num_workers: 4\n",
    }
    ev = check("m29.data-loading", make_repo(files))
    assert ev.status is Status.ABSENT
