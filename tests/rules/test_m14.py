"""M14 rules beyond the fixture table: the combined W&B-sweep item needs both halves."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from verifier.evidence import Status
from verifier.repo import Repo

from conftest import check

WANDB = "import wandb\n\nwandb.init(project='digits')\nwandb.log({'loss': 1.0})\n"
SWEEP = "method: bayes\nmetric:\n  name: loss\n  goal: minimize\nparameters:\n  lr:\n    min: 0.0001\n    max: 0.1\n"


def test_wandb_and_sweep_config_together_are_found(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo({"src/digits/train.py": WANDB, "configs/sweep.yaml": SWEEP})
    evidence = check("m14.wandb-sweep", repo)
    assert evidence.status is Status.FOUND
    assert {loc.path for loc in evidence.locations} >= {"src/digits/train.py", "configs/sweep.yaml"}


def test_wandb_without_sweep_is_not_found(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m14.wandb-sweep", make_repo({"src/digits/train.py": WANDB}))
    assert evidence.status is Status.WEAK
    assert any(loc.path == "src/digits/train.py" for loc in evidence.locations)


def test_neither_half_is_absent_naming_both(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m14.wandb-sweep", make_repo({"src/digits/train.py": "print('train')\n"}))
    assert evidence.status is Status.ABSENT
    joined = " ".join(evidence.looked_for).lower()
    assert "wandb" in joined and "sweep" in joined


def test_logging_in_a_copied_course_file_is_not_the_groups_logging(make_repo: Callable[..., Repo]) -> None:
    repo = make_repo(
        {"reports/report.py": "from loguru import logger\nlogger.info('x')\n", "src/d/a.py": "x = 1\n"}
    )
    evidence = check("m14.logging", repo)
    assert evidence.status is Status.ABSENT
    assert evidence.looked_for


def test_wandb_through_framework_integrations_is_found(make_repo: Callable[..., Repo]) -> None:
    hf = "from transformers import TrainingArguments\n\nargs = TrainingArguments('out', report_to='wandb')\n"
    evidence = check("m14.wandb", make_repo({"src/p/train.py": hf}))
    assert evidence.status is Status.FOUND and evidence.locations[0].line == 3
    hydra = "logger:\n  _target_: lightning.pytorch.loggers.WandbLogger\n  project: digits\n"
    train = "from hydra.utils import instantiate\n\n\ndef main(cfg):\n    logger = instantiate(cfg.logger)\n"
    evidence = check("m14.wandb", make_repo({"configs/trainer/default.yaml": hydra, "src/p/train.py": train}))
    assert evidence.status is Status.FOUND and evidence.locations[0].path == "configs/trainer/default.yaml"
    unused = check("m14.wandb", make_repo({"configs/logger/wandb.yaml": hydra}))
    assert unused.status is Status.WEAK  # a template's logger config that no code builds
    keras = "from wandb.integration.keras import WandbMetricsLogger\n\nmodel.fit(x, callbacks=[WandbMetricsLogger()])\n"
    assert check("m14.wandb", make_repo({"train.py": keras})).status is Status.FOUND


def test_report_to_another_tracker_is_no_wandb(make_repo: Callable[..., Repo]) -> None:
    hf = "from transformers import TrainingArguments\n\nargs = TrainingArguments('out', report_to='tensorboard')\n"
    assert check("m14.wandb", make_repo({"src/p/train.py": hf})).status is Status.ABSENT


def test_a_hydra_sweeper_config_and_an_optuna_study_are_sweeps(make_repo: Callable[..., Repo]) -> None:
    config = "lr: 0.1\nhydra:\n  mode: MULTIRUN\n  sweeper:\n    params:\n      lr: 0.1,0.01\n"
    assert check("m14.sweep", make_repo({"configs/config.yaml": config})).status is Status.FOUND
    study = "import optuna\n\nstudy = optuna.study.create_study(direction='minimize')\n"
    assert check("m14.sweep", make_repo({"src/p/tune.py": study})).status is Status.FOUND
    plain = "lr: 0.1\nhydra:\n  run:\n    dir: outputs\n"
    assert check("m14.sweep", make_repo({"configs/config.yaml": plain})).status is Status.ABSENT


def test_hydra_run_outputs_and_the_basic_sweeper_are_no_sweep(make_repo: Callable[..., Repo]) -> None:
    run = "hydra:\n  run:\n    dir: outputs\n  sweeper:\n    _target_: hydra._internal.core_plugins.basic_sweeper.BasicSweeper\n  hydra/sweeper: basic\n"
    repo = make_repo(
        {
            "outputs/2023-01-06/13-26-15/.hydra/hydra.yaml": run,
            "configs/config.yaml": "defaults:\n  - override hydra/sweeper: basic\n",
        }
    )
    assert check("m14.sweep", repo).status is Status.ABSENT


def test_hydras_optuna_sweeper_is_optuna(make_repo: Callable[..., Repo]) -> None:
    config = "defaults:\n  - override hydra/sweeper: optuna\nhydra:\n  sweeper:\n    sampler:\n      _target_: optuna.samplers.TPESampler\n"
    assert check("m14.optuna", make_repo({"configs/config.yaml": config})).status is Status.FOUND


def test_a_sweep_config_in_a_folder_named_wandb_is_the_groups_own(make_repo: Callable[..., Repo]) -> None:
    sweep = "method: bayes\nmetric:\n  name: loss\n  goal: minimize\nparameters:\n  lr:\n    values: [0.1, 0.01]\n"
    assert check("m14.sweep", make_repo({"configs/wandb/sweep.yaml": sweep})).status is Status.FOUND


MULTIRUN = "train:\n\tpython src/digits/train.py -m optimizer.lr=1e-3,1e-4 model.depth=2,4\n"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("Makefile", MULTIRUN),
        ("tasks.py", 'ctx.run("python src/digits/train.py --multirun lr=range(1,4)")\n'),
        ("README.md", "Sweep the learning rate:\n\n    python train.py -m lr=0.1,0.01 batch_size=32\n"),
        ("scripts/sweep.sh", "uv run src/digits/train.py --multirun 'model=choice(small,large)'\n"),
    ],
    ids=["makefile", "tasks", "readme", "script"],
)
def test_hydra_multirun_over_several_values_is_a_sweep(
    make_repo: Callable[..., Repo], path: str, text: str
) -> None:
    evidence = check("m14.sweep", make_repo({path: text}))
    assert evidence.status is Status.FOUND, evidence.message
    assert evidence.locations[0].path == path


def test_a_single_value_run_pytest_m_and_a_commented_multirun_are_no_sweep(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo(
        {
            "Makefile": "test:\n\tpython -m pytest tests/ -k 'a,b'\ntrain:\n\tpython train.py -m lr=0.1\n",
            "scripts/sweep.sh": "# python train.py --multirun lr=0.1,0.01\n",
            "README.md": "Use `-m` for a module: python -m digits.train\n",
        }
    )
    assert check("m14.sweep", repo).status is Status.ABSENT


def _multirun_job(sweep: str, job: int) -> dict[str, str]:
    return {
        f"{sweep}/{job}/.hydra/overrides.yaml": f"- lr={0.1 / (job + 1)}\n",
        f"{sweep}/{job}/.hydra/config.yaml": "lr: 0.1\n",
    }


def test_committed_multirun_outputs_of_several_jobs_are_a_sweep(make_repo: Callable[..., Repo]) -> None:
    sweep = "multirun/2024-01-10/10-11-12"
    files = {
        f"{sweep}/multirun.yaml": "hydra:\n  mode: MULTIRUN\n",
        **_multirun_job(sweep, 0),
        **_multirun_job(sweep, 1),
    }
    evidence = check("m14.sweep", make_repo(files))
    assert evidence.status is Status.FOUND
    assert evidence.locations[0].path == f"{sweep}/0/.hydra/overrides.yaml"
    assert "2 jobs" in evidence.locations[0].snippet


def test_a_multirun_folder_with_one_job_and_a_dated_single_run_are_no_sweep(
    make_repo: Callable[..., Repo],
) -> None:
    files = {
        **_multirun_job("multirun/2024-01-10/10-11-12", 0),
        **_multirun_job("multirun/2024-01-11/09-00-00", 0),
        "outputs/2024-01-10/10-11-12/.hydra/overrides.yaml": "- lr=0.1\n",
    }
    assert check("m14.sweep", make_repo(files)).status is Status.ABSENT


def test_python_keywords_after_a_module_flag_are_no_swept_override(make_repo: Callable[..., Repo]) -> None:
    tasks = (
        'ctx.run("coverage run -m pytest tests/", echo=True, pty=not WINDOWS)\n'
        'ctx.run("uv run coverage report -m -i", echo=True,pty=False)\n'
    )
    assert check("m14.sweep", make_repo({"tasks.py": tasks})).status is Status.ABSENT


REPORT_TOOL = "import typer\nfrom loguru import logger\n\nlogger.info('checking the report')\n"
PYPROJECT = '[project]\nname = "p"\ndependencies = ["torch", "loguru>=0.7"]\n'


def test_loguru_declared_only_for_the_course_report_tool_is_no_logging(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo(
        {"pyproject.toml": PYPROJECT, "reports/report.py": REPORT_TOOL, "src/p/train.py": "print('x')\n"}
    )
    evidence = check("m14.logging", repo)
    assert evidence.status is Status.ABSENT
    assert "reports/report.py" in evidence.message


def test_loguru_declared_without_the_report_tool_needing_it_stays_weak(
    make_repo: Callable[..., Repo],
) -> None:
    repo = make_repo(
        {"pyproject.toml": PYPROJECT, "reports/report.py": "import typer\n", "src/p/train.py": "x = 1\n"}
    )
    evidence = check("m14.logging", repo)
    assert evidence.status is Status.WEAK and evidence.locations[0].path == "pyproject.toml"


def test_experiment_loggers_are_metrics_not_event_logging(make_repo: Callable[..., Repo]) -> None:
    code = (
        "from lightning import Trainer\nfrom lightning.pytorch.loggers import CSVLogger, WandbLogger\n\n"
        "trainer = Trainer(logger=[CSVLogger('logs'), WandbLogger(project='p')])\n"
    )
    evidence = check("m14.logging", make_repo({"src/p/train.py": code, "reports/report.py": REPORT_TOOL}))
    assert evidence.status is Status.WEAK and "experiment loggers" in evidence.message
    assert evidence.locations[0].path == "src/p/train.py" and evidence.locations[0].line == 4


def test_event_logging_next_to_an_experiment_logger_is_found(make_repo: Callable[..., Repo]) -> None:
    code = (
        "import logging\n\nfrom lightning.pytorch.loggers import CSVLogger\n\n"
        "log = logging.getLogger(__name__)\nlogger = CSVLogger('logs')\n"
    )
    evidence = check("m14.logging", make_repo({"src/p/train.py": code}))
    assert evidence.status is Status.FOUND and evidence.locations[0].line == 5


CONTINUED_MULTIRUN = (
    "Our sweep:\n\n```bash\nuv run src/digits/train.py -m trainer.logger=false \\\n"
    "  optimizer.lr=0.001,0.0001 \\\n  model.dropout=0.1,0.3\n```\n"
)


def test_a_multirun_whose_swept_overrides_follow_on_continued_lines_is_a_sweep(
    make_repo: Callable[..., Repo],
) -> None:
    evidence = check("m14.sweep", make_repo({"README.md": CONTINUED_MULTIRUN}))
    assert evidence.status is Status.FOUND, evidence.message
    assert (evidence.locations[0].path, evidence.locations[0].line) == ("README.md", 4)


def test_continued_lines_of_single_values_or_of_the_next_command_are_no_sweep(
    make_repo: Callable[..., Repo],
) -> None:
    single = CONTINUED_MULTIRUN.replace("0.001,0.0001", "0.001").replace("0.1,0.3", "0.1")
    ended = "python train.py -m trainer.logger=false\npython plot.py lr=0.1,0.01\n"
    for text in (single, ended):
        assert check("m14.sweep", make_repo({"README.md": text})).status is Status.ABSENT, text


SMAC_SEARCH = """from smac.facade.hyperparameter_optimization_facade import (
    HyperparameterOptimizationFacade as HPOFacade,
)
from smac.scenario import Scenario


def optimise(space, train):
    smac = HPOFacade(Scenario(space, n_trials=50), train)
    return smac.optimize()
"""
GRID_SEARCH = """from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

search = GridSearchCV(SVC(), {"C": [0.1, 1, 10]}, cv=3)
"""


@pytest.mark.parametrize("source", [SMAC_SEARCH, GRID_SEARCH], ids=["smac", "sklearn-grid"])
def test_a_search_run_by_an_optimisation_library_is_a_sweep(
    make_repo: Callable[..., Repo], source: str
) -> None:
    evidence = check("m14.sweep", make_repo({"src/digits/tuning.py": source}))
    assert evidence.status is Status.FOUND, evidence.message
    assert evidence.locations[0].path == "src/digits/tuning.py"


def test_smac_only_declared_is_weak_and_a_class_of_the_same_name_is_no_search(
    make_repo: Callable[..., Repo],
) -> None:
    declared = make_repo({"requirements.txt": "smac==2.0.2\ntorch\n"})
    assert check("m14.sweep", declared).status is Status.WEAK
    own = "class HyperparameterOptimizationFacade:\n    pass\n\n\nHyperparameterOptimizationFacade()\n"
    assert check("m14.sweep", make_repo({"src/digits/facade.py": own})).status is Status.ABSENT


def test_the_combined_item_holds_half_with_a_smac_search_and_no_wandb(make_repo: Callable[..., Repo]) -> None:
    evidence = check("m14.wandb-sweep", make_repo({"src/digits/tuning.py": SMAC_SEARCH}))
    assert evidence.status is Status.WEAK
    assert "W&B logging is missing" in evidence.message


SWEEP_REPORT = """# Exam template for 02476 Machine Learning Operations

## Overall project checklist

* [x] Consider running a hyperparameter optimization sweep (M14)

## Running code and tracking experiments

### Question 14

> **Upload 1 to 3 screenshots that show the experiments that you have done in W&B (or another experiment tracking**
> **service of your choice).**
>
> Answer:

{answer}
"""
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


@pytest.mark.parametrize(
    ("answer", "verdict", "said"),
    [
        (
            "We tracked the loss in W&B.\n\n![runs](figures/hyperparameter_sweep.png)",
            "weakly-supported",
            "the screenshot figures/hyperparameter_sweep.png",
        ),
        (
            "We ran a W&B sweep over the learning rate and the batch size.",
            "unverifiable",
            "Only the report's word",
        ),
        ("We tracked the loss in W&B.\n\n![runs](figures/loss.png)", "unsupported", "does not mention it"),
    ],
    ids=["sweep-screenshot", "described", "other-screenshot"],
)
def test_with_no_sweep_in_the_repository_the_tracking_answer_decides(
    make_repo: Callable[..., Repo], answer: str, verdict: str, said: str
) -> None:
    from verifier.engine import verify

    repo = make_repo(
        {
            "reports/README.md": SWEEP_REPORT.format(answer=answer),
            "reports/figures/hyperparameter_sweep.png": PNG,
            "reports/figures/loss.png": PNG + b"loss",
            "src/digits/train.py": WANDB,
        }
    )
    result = verify(repo, check_answers=False).item("m14.sweep")
    assert result is not None
    assert result.verdict == verdict, result.message
    assert said in result.message
