"""M11 Config files and Hydra."""

from verifier.rule import Rule


class ConfigFiles(Rule):
    """YAML/JSON/TOML experiment configurations with hyperparameters that the code loads. Config
    files nobody loads are weak; a .gitkeep is nothing."""

    id = "m11.config-files"
    modules = ("M11",)
    title = "Configuration files for experiments"
    texts = ("Write one or multiple configurations files for your experiments",)


class Hydra(Rule):
    """@hydra.main, hydra.compose or hydra.initialize in the group's code with its config directory.
    hydra-core only in the dependencies, or committed outputs/.hydra runs, is weak."""

    id = "m11.hydra"
    modules = ("M11",)
    title = "Hydra loads the configurations"
    texts = ("Used Hydra to load the configurations and manage your hyperparameters",)
