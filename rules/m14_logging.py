"""M14 Logging, Weights & Biases and hyperparameter sweeps."""

import re

from verifier.checks import AUTOMATION_GLOBS, instantiated, own_locations, usage_or_dependency
from verifier.evidence import Evidence, Location, Status
from verifier.repo import Repo
from verifier.rule import Rule, Trace, checked
from verifier.textsearch import prepared

LOG_CALLS = (
    "logging.getLogger",
    "logging.basicConfig",
    "loguru.logger.info",
    "loguru.logger.add",
    "loguru.logger.debug",
    "loguru.logger.warning",
    "loguru.logger.error",
    "logger.info",
    "logging.info",
)
# Folders runs write into (Hydra's dated outputs and multirun, .hydra/, W&B run folders): a config saved
# there records a run, it configures no sweep. A configs/wandb/sweep.yaml is the group's own.
RUN_OUTPUT = re.compile(
    r"(^|/)(\.hydra|multirun)/|^outputs/|(^|/)outputs/\d{4}-\d{2}-\d{2}/|(^|/)wandb/(offline-)?run-"
)
WANDB_CALLS = (
    "wandb.init",
    "wandb.log",
    "wandb.Artifact",
    "wandb.log_artifact",
    "wandb.Image",
    "WandbLogger",
    "wandb.watch",
    "wandb.save",
    "WandbCallback",
    "WandbMetricsLogger",
    "WandbModelCheckpoint",
)


# Experiment loggers record metrics for a tracker; they log no events of the program.
EXPERIMENT_LOGGERS = (
    "CSVLogger",
    "WandbLogger",
    "TensorBoardLogger",
    "MLFlowLogger",
    "CometLogger",
    "NeptuneLogger",
    "SummaryWriter",
)
COURSE_REPORT_TOOL = "reports/report.py"
SWEEP_COMMAND = prepared(r"\bwandb (sweep|agent)\b|hydra/sweeper")


WANDB_ENV_KEYS = prepared(r"WANDB_(API_KEY|PROJECT|ENTITY)")


class Logging(Rule):
    """The stdlib logging module or loguru used by the group's code beyond the template. Experiment
    loggers (Lightning's CSVLogger, WandbLogger, TensorBoard) record metrics, not events: weak. A loguru
    dependency that no code of the group imports is weak, and no evidence at all when the course's
    reports/report.py is what needs it."""

    id = "m14.logging"
    modules = ("M14",)
    title = "Logging of important events"
    texts = ("Use logging to log important events in your code",)

    def check(self, repo: Repo) -> Evidence:
        uses = repo.call_locations(*LOG_CALLS) + repo.imports("loguru")
        looked_for = ("logging.getLogger / loguru logger calls in the code",)
        evidence = usage_or_dependency(repo, uses, what="logging", distributions=(), looked_for=looked_for)
        if evidence.status is not Status.ABSENT:
            return evidence
        experiment = own_locations(repo, repo.call_locations(*EXPERIMENT_LOGGERS))
        if experiment:
            return Evidence.weak(
                "Only experiment loggers (metrics for a tracker) were found, no logging of events.",
                experiment,
            )
        declared = repo.dependency_locations("loguru")
        if (
            declared
            and repo.has(COURSE_REPORT_TOOL)
            and repo.python(COURSE_REPORT_TOOL).imports_module("loguru")
        ):
            return Evidence.absent(
                f"loguru is declared, but only the course's {COURSE_REPORT_TOOL} imports it; no code of the group logs.",
                looked_for,
            )
        if declared:
            return Evidence.weak(
                "Logging is a declared dependency, but no code of the group uses it.", declared
            )
        return evidence


# A logger config naming WandbLogger; the class path is one word without a colon, so the scan after one
# `_target_:` stops at the next.
WANDB_LOGGER_CONFIG = prepared(r"_target_:\s*[^\s:]*WandbLogger|class_path:\s*[^\s:]*WandbLogger")


class WeightsAndBiases(Rule):
    """wandb.init/log/Artifact, a WandbLogger (in code or a Hydra/LightningCLI config), a W&B callback
    (Keras, SB3) or report_to="wandb" of Hugging Face training arguments in the group's code. The
    dependency or .env keys alone are weak."""

    id = "m14.wandb"
    modules = ("M14",)
    title = "Weights & Biases logs training progress"
    texts = (
        "Use Weights & Biases to log training progress and other important metrics/artifacts in your code",
        "Use wandb to log training progress and other important metrics/artifacts in your code",
    )

    def check(self, repo: Repo) -> Evidence:
        uses = repo.call_locations(*WANDB_CALLS)
        uses += [
            repo.location(path, call.line)
            for path, call in repo.calls("TrainingArguments", "SFTConfig", "Seq2SeqTrainingArguments")
            if "wandb" in str(call.keywords.get("report_to", ""))
        ]
        configured = repo.search(WANDB_LOGGER_CONFIG, "*.yaml", "*.yml", limit=3)
        if configured and (instantiated(repo, "logger") or repo.call_locations("LightningCLI")):
            uses += configured  # the code builds its logger from these configs
        evidence = usage_or_dependency(
            repo,
            uses,
            what="Weights & Biases",
            distributions=("wandb",),
            looked_for=("wandb.init/log/Artifact or WandbLogger in the code", "wandb dependency"),
        )
        if evidence.status is Status.ABSENT and configured:
            return Evidence.weak(
                "A W&B logger config exists, but no code builds a logger from it.", configured
            )
        if evidence.status is Status.ABSENT:
            keys = repo.search(WANDB_ENV_KEYS, ".env*", "*.yaml", "*.yml", "*.md", limit=3)
            if keys:
                return Evidence.weak("Only W&B keys or settings were found, no code that logs to W&B.", keys)
        return evidence


_SMAC_FACADES = {
    "HyperparameterOptimizationFacade": "hyperparameter_optimization_facade",
    "MultiFidelityFacade": "multi_fidelity_facade",
    "HyperbandFacade": "hyperband_facade",
    "BlackBoxFacade": "blackbox_facade",
    "RandomFacade": "random_facade",
    "AlgorithmConfigurationFacade": "algorithm_configuration_facade",
}
# Calls that run a hyperparameter search: W&B sweeps, Optuna, Ray Tune, SMAC (imported from `smac` or
# its facade modules), hyperopt, scikit-optimize, scikit-learn's searches and KerasTuner.
SEARCH_CALLS = (
    "wandb.sweep",
    "wandb.agent",
    "optuna.create_study",
    "optuna.study.create_study",
    "ray.tune.run",
    "tune.Tuner",
    *(f"smac.{facade}" for facade in _SMAC_FACADES),
    *(f"{module}.{facade}" for facade, module in _SMAC_FACADES.items()),
    "hyperopt.fmin",
    "skopt.gp_minimize",
    "skopt.forest_minimize",
    "skopt.BayesSearchCV",
    "model_selection.GridSearchCV",
    "model_selection.RandomizedSearchCV",
    "model_selection.HalvingGridSearchCV",
    "model_selection.HalvingRandomSearchCV",
    "_search.GridSearchCV",
    "_search.RandomizedSearchCV",
    "keras_tuner.RandomSearch",
    "keras_tuner.BayesianOptimization",
    "keras_tuner.Hyperband",
)
SEARCH_LIBRARIES = ("optuna", "ray", "hyperopt", "smac", "scikit-optimize", "keras-tuner")


class Sweep(Rule):
    """A sweep configuration (method/metric/parameters), wandb.sweep/wandb.agent, a search run by an
    optimisation library (Optuna, Ray Tune, SMAC, hyperopt, scikit-optimize, scikit-learn's
    GridSearchCV/RandomizedSearchCV, KerasTuner) or a Hydra sweeper or multirun. With no trace in the
    repository, the tracking answer decides (a sweep can be started from the W&B UI or by hand): a
    screenshot of the sweep is weak, a description only the report's word, silence absent."""

    id = "m14.sweep"
    trace = Trace.CODE
    modules = ("M14",)
    title = "Hyperparameter optimization sweep"
    texts = ("Consider running a hyperparameter optimization sweep",)

    def check(self, repo: Repo) -> Evidence:
        sweeps = [
            repo.location(path, getattr(doc, "line", 1) or 1, "sweep config: method/metric/parameters")
            for path, doc in repo.yaml_documents(holding=("parameters",))
            if isinstance(doc, dict) and "parameters" in doc and ("method" in doc or "metric" in doc)
        ]
        sweeps += [
            repo.location(path, getattr(doc, "line", 1) or 1, "hydra sweeper params")
            for path, doc in repo.yaml_documents(holding=("sweeper",))
            if isinstance(doc, dict)
            and isinstance(doc.get("hydra"), dict)
            and isinstance(doc["hydra"].get("sweeper"), dict)
            and doc["hydra"]["sweeper"].get("params")
        ]
        calls = repo.call_locations(*SEARCH_CALLS)
        commands = repo.search(SWEEP_COMMAND, *AUTOMATION_GLOBS, "*.yaml", limit=4)
        commands = [
            loc
            for loc in commands
            if not RUN_OUTPUT.search(loc.path) and not re.search(r"sweeper\s*:\s*basic\b", loc.snippet)
        ]
        found = own_locations(
            repo,
            [loc for loc in sweeps if not RUN_OUTPUT.search(loc.path)]
            + calls
            + commands
            + multirun_commands(repo)
            + multirun_outputs(repo),
        )
        if found:
            return Evidence.found("A hyperparameter sweep is configured or launched.", found)
        declared = repo.dependency_locations(*SEARCH_LIBRARIES)
        if declared:
            return Evidence.weak("A sweep library is a dependency, but no sweep was found.", declared)
        return Evidence.absent(
            "No hyperparameter sweep was found.",
            (
                "W&B sweep config (method/metric/parameters)",
                "wandb.sweep/agent",
                "optuna study",
                "hydra sweeper, or a Hydra multirun (-m/--multirun) over several values in scripts, tasks or docs",
                "committed multirun/ outputs of several runs",
            ),
        )


# A Hydra multirun flag, then (on the same line) an override over several values: `lr=1e-3,1e-4`,
# `lr=range(1,4)`, `model=choice(a,b)`, `lr=interval(0.1,1)`, `glob(*)`.
MULTIRUN_FLAG = prepared(r"(--multirun|(^|\s)-m)\s")
MULTIRUN_FLAG_PATTERN = re.compile(MULTIRUN_FLAG)
SWEPT_OVERRIDE = re.compile(
    r"[\w.+~/-]=[^\s,\"'()=]+(?:,[^\s,\"'()=]+)+(?=[\s\"'\\]|$)|[\w.+~/-]=['\"]?(range|choice|interval|glob)\("
)
# A multirun job folder: <sweep dir>/<job number>/.hydra/overrides.yaml
MULTIRUN_JOB = re.compile(r"^(?P<sweep>(?:.*/)?multirun/(?:.+/)?)(?P<job>\d+)/\.hydra/overrides\.yaml$")


MAX_CONTINUATION_LINES = 20


def _continued_command(repo: Repo, location: Location) -> str:
    """The command starting on the line of `location`, with the lines it continues onto through a
    trailing backslash (`train.py -m a=1 \\` / `  lr=0.1,0.01`); the line alone when the file cannot be read."""
    lines = (
        repo.lines(location.path)[location.line - 1 : location.line - 1 + MAX_CONTINUATION_LINES]
        if location.line
        else []
    )
    if not lines:
        return location.snippet
    command = []
    for line in lines:
        stripped = line.rstrip()
        command.append(stripped.removesuffix("\\"))
        if not stripped.endswith("\\"):
            break
    return " ".join(command)


def multirun_commands(repo: Repo) -> list[Location]:
    """Hydra multirun commands over several values in scripts, task runners, CI, YAML or the docs:
    `python train.py -m lr=1e-3,1e-4` or `--multirun model=choice(a,b)`, also when the overrides
    follow on lines the command continues onto with a trailing backslash. A `-m` with one value per
    override (`python -m pytest`, `-m lr=0.1`) runs nothing more than a single run."""
    lines = repo.search(MULTIRUN_FLAG, *AUTOMATION_GLOBS, "*.yaml", "*.md", "*.rst", "*.txt", limit=20)
    found = []
    for loc in lines:
        if RUN_OUTPUT.search(loc.path):
            continue
        command = _continued_command(repo, loc)
        flag = MULTIRUN_FLAG_PATTERN.search(command)
        if flag and SWEPT_OVERRIDE.search(command[flag.end() :]):
            found.append(loc)
    return found


def multirun_outputs(repo: Repo) -> list[Location]:
    """Committed Hydra multirun outputs: a sweep folder (multirun/<date>/<time>/) holding at least two
    numbered jobs, each with its .hydra/overrides.yaml. One job is one run, not a sweep."""
    jobs: dict[str, list[str]] = {}
    for path in repo.paths_containing("multirun/"):
        match = MULTIRUN_JOB.match(path)
        if match:
            jobs.setdefault(match["sweep"], []).append(path)
    return [
        Location(sorted(paths)[0], None, f"{len(paths)} jobs of a Hydra multirun sweep in {sweep}")
        for sweep, paths in sorted(jobs.items())
        if len(paths) >= 2
    ]


class WeightsAndBiasesWithSweep(Rule):
    """2023-2024 wording that asks for both W&B logging and a hyperparameter sweep: both must hold."""

    id = "m14.wandb-sweep"
    modules = ("M14",)
    title = "W&B logging and a hyperparameter sweep (2023-24 wording)"
    texts = (
        "Use Weights & Biases to log training progress and other important metrics/artifacts in your code. "
        "Additionally, consider running a hyperparameter optimization sweep.",
    )

    def check(self, repo: Repo) -> Evidence:
        wandb, sweep = checked(WeightsAndBiases, repo), checked(Sweep, repo)
        both = wandb.locations + sweep.locations
        if wandb.status is Status.FOUND and sweep.status is Status.FOUND:
            return Evidence.found("W&B logging and a hyperparameter sweep were both found.", both)
        if Status.FOUND in (wandb.status, sweep.status) or both:
            missing = "a sweep" if wandb.status is Status.FOUND else "W&B logging"
            return Evidence.weak(
                f"Only half of the item holds: {missing} is missing. {wandb.message} {sweep.message}", both
            )
        return Evidence.absent(f"{wandb.message} {sweep.message}", wandb.looked_for + sweep.looked_for)


OPTUNA_SWEEPER = prepared(r"hydra/sweeper\s*:\s*optuna|_target_:\s*optuna\.|OptunaSweeper")


class Optuna(Rule):
    """2022 wording "(extra) Used Optuna ...": an optuna study in the group's code, or Hydra's Optuna
    sweeper configured."""

    id = "m14.optuna"
    modules = ("M14",)
    title = "Optuna hyperparameter optimization (2022 wording)"
    texts = ("(extra) Used Optuna to run hyperparameter optimization on your model",)

    def check(self, repo: Repo) -> Evidence:
        uses = repo.call_locations("optuna.create_study", "optuna.load_study") + repo.imports("optuna")
        # Hydra's Optuna sweeper plugin: `override hydra/sweeper: optuna`, `_target_: optuna.samplers...`
        uses += repo.search(OPTUNA_SWEEPER, "*.yaml", "*.yml", limit=3)
        return usage_or_dependency(
            repo,
            uses,
            what="Optuna",
            distributions=("optuna", "hydra-optuna-sweeper"),
            looked_for=("optuna.create_study in the code", "Hydra's Optuna sweeper in a config"),
        )
