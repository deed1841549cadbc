"""M30 distributed training: Lightning 1.x arguments, strategy classes and config-driven trainers."""

from __future__ import annotations

import pytest

from verifier.evidence import Status

from conftest import check

HEAD = "import pytorch_lightning as pl\nfrom lightning.pytorch.strategies import DDPStrategy\n\n"


@pytest.mark.parametrize(
    "call",
    [
        "pl.Trainer(gpus=2)",
        "pl.Trainer(accelerator='ddp', gpus=2)",
        "pl.Trainer(accelerator='gpu', devices=-1)",
        "pl.Trainer(accelerator='gpu', devices=[0, 1])",
        "pl.Trainer(num_nodes=2)",
        "pl.Trainer(strategy=DDPStrategy(find_unused_parameters=False), devices=-1)",
    ],
)
def test_lightning_1x_and_multi_device_trainers_are_found(make_repo, call: str) -> None:
    ev = check("m30.distributed-training", make_repo({"src/digits/train.py": HEAD + f"trainer = {call}\n"}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("src/digits/train.py", 4)


@pytest.mark.parametrize(
    "call", ["pl.Trainer(gpus=1)", "pl.Trainer(devices=[0])", "pl.Trainer(accelerator='gpu')"]
)
def test_a_single_device_trainer_is_absent(make_repo, call: str) -> None:
    ev = check(
        "m30.distributed-training",
        make_repo({"src/digits/train.py": f"import pytorch_lightning as pl\n{call}\n"}),
    )
    assert ev.status is Status.ABSENT


TRAIN = """import hydra
import lightning as L


@hydra.main(config_path="../../configs", config_name="config")
def main(cfg) -> None:
    trainer = L.Trainer(**cfg.trainer, max_epochs=cfg.epochs)
    trainer.fit(model)
"""


def test_trainer_config_asking_for_ddp_is_found(make_repo) -> None:
    config = "epochs: 5\ntrainer:\n  accelerator: gpu\n  strategy: ddp\n  devices: 2\n"
    ev = check(
        "m30.distributed-training", make_repo({"src/digits/train.py": TRAIN, "configs/config.yaml": config})
    )
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("configs/config.yaml", 4)
    assert any(loc.path == "src/digits/train.py" and loc.line == 7 for loc in ev.locations)


def test_hydra_trainer_group_with_several_devices_is_found(make_repo) -> None:
    config = "_target_: lightning.Trainer\naccelerator: gpu\ndevices: 4\n"
    ev = check(
        "m30.distributed-training",
        make_repo({"src/digits/train.py": TRAIN, "configs/trainer/gpu.yaml": config}),
    )
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("configs/trainer/gpu.yaml", 3)


def test_config_with_devices_that_no_trainer_reads_is_absent(make_repo) -> None:
    train = "import lightning as L\n\ntrainer = L.Trainer(devices=1, max_epochs=3)\n"
    config = "trainer:\n  strategy: ddp\n  devices: 2\n"
    ev = check(
        "m30.distributed-training", make_repo({"src/digits/train.py": train, "configs/config.yaml": config})
    )
    assert ev.status is Status.ABSENT


def test_config_driven_trainer_on_one_device_is_absent(make_repo) -> None:
    config = "epochs: 5\ntrainer:\n  accelerator: gpu\n  devices: 1\n"
    ev = check(
        "m30.distributed-training", make_repo({"src/digits/train.py": TRAIN, "configs/config.yaml": config})
    )
    assert ev.status is Status.ABSENT


def test_compose_gpu_devices_are_not_a_trainer_config(make_repo) -> None:
    compose = (
        "services:\n  train:\n    deploy:\n      resources:\n        reservations:\n          devices:\n"
        "            - driver: nvidia\n            - driver: nvidia\n"
    )
    ev = check(
        "m30.distributed-training", make_repo({"src/digits/train.py": TRAIN, "docker-compose.yaml": compose})
    )
    assert ev.status is Status.ABSENT


def test_a_multi_device_config_the_trainer_does_not_take_is_not_found(make_repo) -> None:
    config = "trainer:\n  devices: -1\n"
    code = (
        "import pytorch_lightning as pl\nfrom hydra.utils import instantiate\n\n\ndef main(cfg):\n"
        "    model = instantiate(cfg.model)\n    trainer = pl.Trainer(max_epochs=1, accelerator='auto')\n"
    )
    ev = check("m30.distributed-training", make_repo({"configs/config.yaml": config, "src/p/train.py": code}))
    assert ev.status is not Status.FOUND


ACCELERATE = """from accelerate import Accelerator


def train(model, optimizer, loader):
    accelerator = Accelerator()
    model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
    for batch in loader:
        accelerator.backward(model(batch).sum())
"""


def test_an_accelerator_in_one_process_is_not_distributed_training(make_repo) -> None:
    repo = make_repo({"src/p/train.py": ACCELERATE, "Makefile": "train:\n\tpython src/p/train.py\n"})
    ev = check("m30.distributed-training", repo)
    assert ev.status is Status.ABSENT
    assert "Accelerator is used in src/p/train.py" in ev.message and "one process" in ev.message


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("Makefile", "train:\n\taccelerate launch --num_processes 2 src/p/train.py\n"),
        (
            "configs/accelerate.yaml",
            "compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_GPU\nnum_processes: 2\n",
        ),
    ],
    ids=["accelerate-launch", "accelerate-config"],
)
def test_an_accelerator_launched_in_several_processes_is_found(make_repo, path: str, text: str) -> None:
    ev = check("m30.distributed-training", make_repo({"src/p/train.py": ACCELERATE, path: text}))
    assert ev.status is Status.FOUND
    assert ev.locations[0].path == path
    assert any(loc.path == "src/p/train.py" for loc in ev.locations)


def test_devices_from_a_variable_are_weak(make_repo) -> None:
    code = "import lightning as L\n\n\ndef main(args):\n    L.Trainer(accelerator=args.accelerator, devices=args.devices).fit(None)\n"
    ev = check("m30.distributed-training", make_repo({"src/p/train.py": code}))
    assert ev.status is Status.WEAK and ev.locations[0].line == 5


def test_accelerator_auto_alone_and_dataloader_workers_are_not_distributed(make_repo) -> None:
    code = (
        "import lightning as L\nfrom torch.utils.data import DataLoader\n\n"
        "loader = DataLoader(dataset, batch_size=32, num_workers=8, pin_memory=True)\n"
        "trainer = L.Trainer(accelerator='auto', max_epochs=3)\n"
    )
    ev = check("m30.distributed-training", make_repo({"src/p/train.py": code}))
    assert ev.status is Status.ABSENT
    assert 'accelerator="auto" is Lightning\'s default' in ev.message


def test_a_computed_accelerator_type_is_no_device_setting(make_repo) -> None:
    code = "import lightning as L\n\naccelerator = 'gpu'\nL.Trainer(accelerator=accelerator, devices=1)\n"
    assert check("m30.distributed-training", make_repo({"src/p/train.py": code})).status is Status.ABSENT


@pytest.mark.parametrize("path", ["train.Dockerfile", "docker/Train.Dockerfile", "Dockerfile.train"])
def test_torchrun_in_a_dockerfile_of_any_spelling_is_found(make_repo, path: str) -> None:
    image = "FROM pytorch/pytorch\nCOPY . .\nCMD torchrun --nproc_per_node=2 src/digits/train.py\n"
    ev = check("m30.distributed-training", make_repo({path: image}))
    assert ev.status is Status.FOUND and ev.locations[0].path == path


def test_a_dockerfile_that_runs_plain_python_is_no_launch(make_repo) -> None:
    image = "FROM pytorch/pytorch\nCOPY . .\nCMD python src/digits/train.py --nproc 2\n"
    assert check("m30.distributed-training", make_repo({"train.Dockerfile": image})).status is Status.ABSENT
