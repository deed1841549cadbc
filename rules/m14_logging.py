"""M14 Logging, Weights & Biases and hyperparameter sweeps."""

from verifier.rule import Rule


class Logging(Rule):
    """The stdlib logging module or loguru used by the group's code beyond the template; a
    dependency alone is weak."""

    id = "m14.logging"
    modules = ("M14",)
    title = "Logging of important events"
    texts = ("Use logging to log important events in your code",)


class WeightsAndBiases(Rule):
    """wandb.init/log/Artifact or a WandbLogger in the group's code. The dependency or .env keys
    alone are weak."""

    id = "m14.wandb"
    modules = ("M14",)
    title = "Weights & Biases logs training progress"
    texts = (
        "Use Weights & Biases to log training progress and other important metrics/artifacts in your code",
        "Use wandb to log training progress and other important metrics/artifacts in your code",
    )


class Sweep(Rule):
    """A sweep configuration (method/metric/parameters), wandb.sweep/wandb.agent, an Optuna study
    or a Hydra sweeper."""

    id = "m14.sweep"
    modules = ("M14",)
    title = "Hyperparameter optimization sweep"
    texts = ("Consider running a hyperparameter optimization sweep",)


class WeightsAndBiasesWithSweep(Rule):
    """2023-2024 wording that asks for both W&B logging and a hyperparameter sweep: both must hold."""

    id = "m14.wandb-sweep"
    modules = ("M14",)
    title = "W&B logging and a hyperparameter sweep (2023-24 wording)"
    texts = (
        "Use Weights & Biases to log training progress and other important metrics/artifacts in your code. "
        "Additionally, consider running a hyperparameter optimization sweep.",
    )


class Optuna(Rule):
    """2022 wording "(extra) Used Optuna ...": an optuna study in the group's code."""

    id = "m14.optuna"
    modules = ("M14",)
    title = "Optuna hyperparameter optimization (2022 wording)"
    texts = ("(extra) Used Optuna to run hyperparameter optimization on your model",)
