"""M11 Config files and Hydra."""

import re

from verifier.checks import is_job_config, usage_or_dependency
from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule

CONFIG_DIRS = r"(^|/)(configs?|conf|config_files|hparams|experiments?)/[^/]+\.(ya?ml|json|toml)$"
NOT_EXPERIMENT_CONFIGS = r"(^|/)\.|cloudbuild|docker-compose|compose\.|mkdocs|pre-commit|dependabot|codecov|vertex|workflow|environment\.ya?ml$|\.github/"
CONFIG_LOADS = (
    "hydra.main",
    "hydra.compose",
    "OmegaConf.load",
    "yaml.safe_load",
    "yaml.load",
    "json.load",
    "tomllib.load",
    "toml.load",
    "initialize",
    "compose",
)


class ConfigFiles(Rule):
    """YAML/JSON/TOML experiment configurations with hyperparameters that the code loads. Config
    files nobody loads are weak; a .gitkeep is nothing."""

    id = "m11.config-files"
    modules = ("M11",)
    title = "Configuration files for experiments"
    texts = ("Write one or multiple configurations files for your experiments",)

    def check(self, repo: Repo) -> Evidence:
        structured = repo.glob("*.yaml", "*.yml", "*.json", "*.toml")
        candidates = [p for p in structured if re.search(CONFIG_DIRS, p)] + repo.glob(
            "*config*.yaml", "*config*.yml", "sweep*.yaml", "*params*.yaml"
        )
        configs = list(
            dict.fromkeys(
                p
                for p in candidates
                if not repo.is_generated(p)
                and not repo.is_excluded(p)
                and not re.search(NOT_EXPERIMENT_CONFIGS, p)
                and not is_job_config(repo, p)
            )
        )
        loads = repo.decorators("hydra.main") + repo.call_locations(*CONFIG_LOADS)
        if configs and loads:
            return Evidence.found(
                f"{len(configs)} config file(s) loaded by the code.",
                [Location(p, 1, p) for p in configs[:3]] + loads[:3],
            )
        if configs:
            return Evidence.weak(
                "Config files exist, but no code was found that loads them.",
                [Location(p, 1, p) for p in configs[:4]],
            )
        return Evidence.absent(
            "No experiment configuration files were found.",
            ("configs/*.yaml", "conf/*.yaml", "*config*.yaml loaded by the code"),
        )


class Hydra(Rule):
    """@hydra.main, hydra.compose or hydra.initialize in the group's code with its config directory.
    hydra-core only in the dependencies, or committed outputs/.hydra runs, is weak."""

    id = "m11.hydra"
    modules = ("M11",)
    title = "Hydra loads the configurations"
    texts = ("Used Hydra to load the configurations and manage your hyperparameters",)

    def check(self, repo: Repo) -> Evidence:
        uses = repo.decorators("hydra.main") + repo.call_locations(
            "hydra.compose", "hydra.initialize", "hydra.initialize_config_dir", "hydra.utils.instantiate"
        )
        evidence = usage_or_dependency(
            repo,
            uses,
            what="Hydra",
            distributions=("hydra-core",),
            looked_for=("@hydra.main", "hydra.compose/initialize", "hydra-core dependency"),
        )
        if evidence.status.value == "absent":
            runs = repo.glob(".hydra/config.yaml")
            if runs:
                return Evidence.weak(
                    "Only committed Hydra run outputs (.hydra/) were found, no code that uses Hydra.",
                    [Location(p, 1, p) for p in runs[:3]],
                )
        return evidence
