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


TIMM_LOADER = """from timm.data import create_dataset, create_loader


def loaders(args):
    dataset = create_dataset("folder", root=args.data)
    return create_loader(dataset, input_size=(3, 224, 224), batch_size=32, num_workers={workers}, pin_memory=True)
"""


def test_timm_create_loader_with_workers_is_weak(make_repo) -> None:
    ev = check(
        "m29.data-loading", make_repo({"src/leaves/train.py": TIMM_LOADER.format(workers="args.workers")})
    )
    assert ev.status is Status.WEAK
    assert (ev.locations[0].path, ev.locations[0].line) == ("src/leaves/train.py", 6)


def test_timm_create_loader_without_workers_is_absent(make_repo) -> None:
    ev = check("m29.data-loading", make_repo({"src/leaves/train.py": TIMM_LOADER.format(workers="0")}))
    assert ev.status is Status.ABSENT


def test_a_create_loader_of_the_groups_own_is_no_data_loader(make_repo) -> None:
    source = "def create_loader(ds, num_workers=4):\n    return list(ds)\n\n\nitems = create_loader([1], num_workers=4)\n"
    ev = check("m29.data-loading", make_repo({"src/leaves/data.py": source}))
    assert ev.status is Status.ABSENT
