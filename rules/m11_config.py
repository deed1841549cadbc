"""M11 Config files and Hydra."""

import json
import posixpath
import re

from verifier.checks import is_job_config, usage_or_dependency
from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule

CONFIG_DIRS = re.compile(r"(^|/)(configs?|conf|config_files|hparams|experiments?)/[^/]+\.(ya?ml|json|toml)$")
NOT_EXPERIMENT_CONFIGS = re.compile(
    r"(^|/)\.|cloudbuild|docker-compose|compose\.|mkdocs|pre-commit|dependabot|codecov|vertex|workflow|environment\.ya?ml$|\.github/"
)
CONFIG_LOADS = (
    "hydra.main",
    "hydra.compose",
    "OmegaConf.load",
    "yaml.safe_load",
    "yaml.load",
    "yaml.full_load",
    "tomllib.load",
    "toml.load",
    "initialize",
    "compose",
)
NOT_CONFIG_PLACES = re.compile(
    r"(^|/)(data|datasets?|reports?|outputs?|results?|tests?|models?)/|(^|/)(pyproject\.toml|dvc\.(yaml|lock)|"
    r"package(-lock)?\.json|\.pre-commit-config\.ya?ml)$"
)
# Calls whose string arguments may name a config file: `OmegaConf.load("train.yaml")`, `open("cfg.json")`.
FILE_ARGUMENTS = ("open", "OmegaConf.load", "yaml.safe_load", "json.load", "Path", "read_text", "toml.load")


def _config_name(name: str) -> bool:
    """A YAML or TOML file, or a JSON file named like a config (labels.json is data, hparams.json is not)."""
    lowered = name.lower()
    if lowered.endswith((".yaml", ".yml", ".toml")):
        return True
    return lowered.endswith(".json") and bool(
        re.search(r"conf|param|setting|experiment|train|sweep", lowered)
    )


def _referenced_configs(repo: Repo) -> list[tuple[str, Location]]:
    """(config file, call) for string arguments of reading calls that name an existing YAML/JSON/TOML file
    holding a mapping (read from the repository root or the calling file's folder); data under data/,
    results written by the code and tool files (pyproject.toml, dvc.yaml) are no experiment configs."""
    found = []
    for path, call in repo.calls(*FILE_ARGUMENTS):
        if call.name.rpartition(".")[2] == "open" and any(
            isinstance(a, str) and a[:1] in "wax" for a in [*call.args[1:2], call.keywords.get("mode", "")]
        ):
            continue  # written, not read
        for argument in call.args:
            if isinstance(argument, str) and _config_name(argument):
                here = posixpath.normpath(posixpath.join(posixpath.dirname(path), argument))
                target = next((t for t in (argument.lstrip("./"), here) if repo.has(t)), None)
                if target and not NOT_CONFIG_PLACES.search(target) and _holds_settings(repo, target):
                    found.append((target, repo.location(path, call.line)))
    return found


def _holds_settings(repo: Repo, path: str) -> bool:
    """The file is a mapping of settings (a list of class names is data)."""
    if path.endswith((".yaml", ".yml")):
        return isinstance(repo.yaml(path), dict)
    if path.endswith(".toml"):
        return bool(repo.toml(path))
    try:
        return isinstance(json.loads(repo.read(path) or ""), dict)
    except ValueError:
        return False


def _hydra_config_files(repo: Repo) -> list[str]:
    """YAML files under the config_path of @hydra.main / hydra.initialize (relative to the calling file)."""
    folders = set()
    for path, call in repo.calls("hydra.main", "hydra.initialize", "initialize"):
        config_path = call.keywords.get("config_path")
        if isinstance(config_path, str) and config_path:
            folders.add(posixpath.normpath(posixpath.join(posixpath.dirname(path), config_path)) + "/")
    return [p for p in repo.glob("*.yaml", "*.yml") if p.startswith(tuple(folders))] if folders else []


class ConfigFiles(Rule):
    """YAML/JSON/TOML experiment configurations with hyperparameters that the code loads: files in a
    config folder (configs/, conf/ ...), in the config_path of @hydra.main, or named by the code
    (`OmegaConf.load("train.yaml")`, `open("hparams.json")`). Config files nobody loads are weak (a
    json.load of some other file is no load of them); a .gitkeep is nothing."""

    id = "m11.config-files"
    modules = ("M11",)
    title = "Configuration files for experiments"
    texts = ("Write one or multiple configurations files for your experiments",)

    def check(self, repo: Repo) -> Evidence:
        structured = repo.glob("*.yaml", "*.yml", "*.json", "*.toml")
        candidates = [p for p in structured if CONFIG_DIRS.search(p)] + repo.glob(
            "*config*.yaml", "*config*.yml", "sweep*.yaml", "*params*.yaml"
        )
        referenced = _referenced_configs(repo)
        candidates += _hydra_config_files(repo) + [path for path, _ in referenced]
        configs = list(
            dict.fromkeys(
                p
                for p in candidates
                if not repo.is_generated(p)
                and not repo.is_excluded(p)
                and not NOT_EXPERIMENT_CONFIGS.search(p)
                and not is_job_config(repo, p)
            )
        )
        loads = repo.decorators("hydra.main") + repo.call_locations(*CONFIG_LOADS)
        loads += [location for path, location in referenced if path in configs]
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
