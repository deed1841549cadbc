"""M6 Code structure: cookiecutter layout, data.py, model.py and train.py."""

import re

from verifier.checks import AUTOMATION_GLOBS, may_name
from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule
from verifier.textsearch import prepared

# data.py, make_dataset.py, download_data.py, data_processing.py, preprocess.py, a data/ or datasets/
# package, and notebooks with such names; not drift or monitoring code that reads reference data.
DATA_FILES = re.compile(
    r"(^|/)(?=[^/]*(data|preprocess))[^/]*\.(py|ipynb)$|(^|/)(data|datasets?)/[^/]+\.(py|ipynb)$",
    re.IGNORECASE,
)
NOT_DATA_PIPELINE = re.compile(
    r"drift|monitor|collect|api|app\b|data_?models?|database|metadata|(^|_)db\b|explor|(^|_)eda\b|analys|visuali|plot",
    re.IGNORECASE,
)
IO_CALLS = frozenset(
    {
        "load_dataset",
        "load_from_disk",
        "save_to_disk",
        "read_csv",
        "read_parquet",
        "read_json",
        "read_excel",
        "to_csv",
        "to_parquet",
        "load",
        "save",
        "savez",
        "urlretrieve",
        "urlopen",
        "download",
        "download_url",
        "hf_hub_download",
        "snapshot_download",
        "dataset_download_files",
        "ImageFolder",
        "MNIST",
        "CIFAR10",
        "FashionMNIST",
        "open",
        "imread",
        "read_text",
        "write_text",
        "read_bytes",
        "get",
        "copytree",
        "extractall",
        "extract",
        "unpack_archive",
        "ZipFile",
        "dataset_download",
        "fetch_openml",
        "dump",
        "read_pickle",
        "to_pickle",
        "read_table",
        "loadtxt",
        "savetxt",
        "imwrite",
    }
)
NEGATED_TEMPLATE = re.compile(
    r"\b(not|n't|no|never|without|instead of)\b[^.]{0,40}(cookiecutter|mlops_template)", re.IGNORECASE
)
MODEL_BASES = ("nn.Module", "Module", "LightningModule", "PreTrainedModel", "BaseEstimator")
# Training through a framework's own API: Keras/scikit-learn/Lightning fit, fastai's fit_one_cycle and
# fine_tune, LightningCLI (runs its `fit` subcommand), xgboost/lightgbm train, a *Trainer's train().
TRAIN_CALLS = (
    "backward",
    "fit",
    "fit_one_cycle",
    "fit_flat_cos",
    "fine_tune",
    "LightningCLI",
    "trainer.train",
    "Trainer.train",
    "xgboost.train",
    "lightgbm.train",
)
# `model.train()` or `model.train(mode=False)` only switch a torch module's mode; a train() with any other
# keyword (`YOLO(...).train(data=..., epochs=10)`, `model.train(cfg="args.yaml")`, `**overrides`) trains, and
# so does the train() of an object a trainer class built (`t = SFTTrainer(...); t.train()`) or of a name
# saying it is one (`self.trainer.train()`, `runner.train()`).
TORCH_MODE_KEYWORDS = frozenset({"mode"})
TRAINER_NAME = re.compile(r"(^|[._])(trainer|runner|learner)$", re.IGNORECASE)
TRAINER_CLASS = re.compile(r"(Trainer|Runner|Learner|^ultralytics\.\w+)$")
# Library models: Ultralytics, timm and torchvision factories, Hugging Face from_pretrained, Keras models.
MODEL_FACTORIES = (
    "ultralytics.YOLO",
    "ultralytics.RTDETR",
    "timm.create_model",
    "from_pretrained",
    "keras.Sequential",
    "keras.Model",
)
# Framework training commands in scripts, task runners, CI or Dockerfiles: `yolo train ...`,
# `yolo detect train ...`, `yolo task=detect mode=train ...`, `python -m spacy train config.cfg`.
TRAIN_COMMAND = prepared(
    r"\byolo[ \t]+(?:\w+[ \t]+)?train\b|\byolo\b[^\n]{0,300}\bmode=train\b|\bspacy[ \t]+train\b"
)


def _own(repo: Repo, paths: list[str]) -> list[str]:
    return [p for p in paths if repo.template_match(p) is None and (repo.read(p) or "").strip()]


class _OwnCode:
    """Whether a file is the group's own code as `_own` tells it (no untouched template copy, not empty),
    judged for a file when a finding in it is first asked about: the findings of a rule are per file, so
    finding them in every code file and keeping those in own files gives what finding them in the own
    files gives, in the same order, while only the few files with a finding are template-matched."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.known: dict[str, bool] = {}

    def __call__(self, path: str) -> bool:
        own = self.known.get(path)
        if own is None:
            own = self.known[path] = bool(_own(self.repo, [path]))
        return own

    def kept(self, locations: list[Location]) -> list[Location]:
        return [location for location in locations if self(location.path)]


COOKIECUTTER = prepared(r"mlops_template|cookiecutter")


class Cookiecutter(Rule):
    """The layout of a course cookiecutter template of any year (src/<pkg>/{data,model,train}.py,
    tasks.py, the README line "Created using mlops_template", or the 2023 cookiecutter-data-science
    layout)."""

    id = "m06.cookiecutter"
    modules = ("M6",)
    title = "Initial file structure from a cookiecutter template"
    texts = (
        "Create the initial file structure using cookiecutter with an appropriate template",
        "Create the initial file structure using cookiecutter",
    )

    def check(self, repo: Repo) -> Evidence:
        mention = repo.search(COOKIECUTTER, "README.md", "README*.md", "*.md", limit=3)
        mention = [
            loc
            for loc in mention
            if not loc.path.startswith("docs/") and not NEGATED_TEMPLATE.search(loc.snippet)
        ]
        layout = repo.glob("data.py", "model.py", "train.py", "train_model.py", "make_dataset.py")
        markers = repo.glob(
            "tasks.py",
            "dockerfiles/*",
            "configs/",
            "tests/test_*.py",
            "reports/figures/*",
            # the 2023 cookiecutter-data-science layout
            "build_features.py",
            "visualize.py",
            "predict_model.py",
            "test_environment.py",
            "references/*",
        )
        locations = mention + [Location(p, None, "template layout") for p in layout[:3]]
        if mention or (layout and len(markers) >= 2):
            return Evidence.found("The repository has the course template's layout.", locations)
        if layout or markers:
            return Evidence.weak(
                "Only part of a template layout was found.",
                [Location(p, None, p) for p in (layout + markers)[:4]],
            )
        return Evidence.absent(
            "No cookiecutter template layout was found.",
            (
                "README line 'Created using mlops_template'",
                "src/<pkg>/{data,model,train}.py",
                "src/data/make_dataset.py",
            ),
        )


class DataModule(Rule):
    """A data module (data.py, make_dataset.py, download_data.py, data_processing.py, preprocess.py, a
    data/ or datasets/ package, or such a notebook) that differs from the template stub and does I/O:
    downloads, loads a dataset or saves processed data."""

    id = "m06.data"
    modules = ("M6",)
    title = "data.py downloads and preprocesses the data"
    texts = (
        "Fill out the `data.py` file such that it downloads whatever data you need and preprocesses it "
        "(if necessary)",
        "Fill out the `make_dataset.py` file such that it downloads whatever data you need and",
        "Fill out the `make_dataset.py` file such that it downloads whatever data you need and preprocesses it",
    )

    def check(self, repo: Repo) -> Evidence:
        candidates = [
            p
            for p in repo.code_files
            if DATA_FILES.search(p) and not NOT_DATA_PIPELINE.search(p.rsplit("/", 1)[-1])
        ]
        own = _own(repo, candidates)
        io = [
            repo.location(p, call.line)
            for p in own
            for call in repo.python(p).calls
            if call.name.split(".")[-1] in IO_CALLS or call.name.startswith("torchvision.datasets")
        ]
        if io:
            return Evidence.found(
                f"The data code in {', '.join(sorted({loc.path for loc in io})[:3])} reads or writes data.",
                io,
            )
        if own:
            return Evidence.weak(
                "A data module exists but no download, load or save call was found in it.",
                [Location(p, 1, p) for p in own],
            )
        if candidates:
            return Evidence.template(
                "Only the template's data stub was found.", [Location(p, 1, p) for p in candidates]
            )
        return Evidence.absent(
            "No data module was found.", ("data.py", "make_dataset.py", "dataset.py", "a data/ package")
        )


# The training places the evidence cites: the calls found in the code first, then training commands.
CITED_TRAINING = 3


class ModelTraining(Rule):
    """A model class beyond the template's dummy model, or a library model (Ultralytics YOLO,
    timm.create_model, from_pretrained, Keras), and a training procedure: a loop with backward() and an
    optimizer step, Trainer.fit, LightningCLI, a scikit-learn or Keras fit, fastai's fit_one_cycle, xgboost or
    lightgbm train, a Hugging Face, TRL or Ultralytics trainer's train(), or a framework's training command
    (`yolo train`) in a script."""

    id = "m06.model-training"
    modules = ("M6",)
    title = "A model in model.py and a training procedure in train.py"
    texts = (
        "Add a model to `model.py` and a training procedure to `train.py` and get that running",
        "Add a model file and a training script and get that running",
    )

    def check(self, repo: Repo) -> Evidence:
        code, own = repo.code_files, _OwnCode(repo)
        models = own.kept(repo.subclasses(*MODEL_BASES, paths=code))
        library_models = own.kept(repo.call_locations(*MODEL_FACTORIES, paths=code)) + [
            repo.location(path, call.line)
            for path in code
            if may_name(repo, path, "torchvision")
            for call in repo.python(path).calls
            if call.name.startswith("torchvision.models.") and own(path)
        ]
        training = own.kept(repo.call_locations(*TRAIN_CALLS, paths=code) + _train_calls(repo, code))
        if len(training) < CITED_TRAINING:  # a command found after as many calls would not be cited
            training += [
                loc
                for loc in repo.search(
                    TRAIN_COMMAND, *AUTOMATION_GLOBS, *(d.path for d in repo.dockerfiles), limit=3
                )
                if repo.template_match(loc.path) is None
            ]
        if training:
            what = (
                "a model class and a training procedure"
                if models
                else "a training procedure with a library model"
                if library_models
                else "a training procedure (the model may come from a library)"
            )
            return Evidence.found(
                f"Found {what}.", training[:CITED_TRAINING] + (models or library_models)[:3]
            )
        if models or library_models:
            kind = "a model class" if models else "a library model"
            return Evidence.weak(
                f"Found {kind} but no training procedure (backward(), fit(), a trainer's train()).",
                (models or library_models)[:4],
            )
        template = [
            p for p in repo.code_files if re.search(r"(^|/)(model|train)\.py$", p) and repo.template_match(p)
        ]
        if template:
            return Evidence.template(
                "Only the template's dummy model and training stub.", [Location(p, 1, p) for p in template]
            )
        return Evidence.absent(
            "No model class and no training loop were found.",
            (
                "nn.Module / LightningModule subclasses, or a library model (YOLO, timm, from_pretrained)",
                "loss.backward(), optimizer.step(), Trainer.fit, .fit(), a trainer's train()",
            ),
        )


def _train_calls(repo: Repo, paths: list[str]) -> list[Location]:
    """`.train(...)` calls that train (see TORCH_MODE_KEYWORDS): with a keyword other than `mode`, on a
    trainer's name, on a name bound to a trainer or framework model, or in a file that builds a *Trainer."""
    found = []
    for path, call in repo.calls("train", paths=paths):
        facts = repo.python(path)
        receiver = call.name.rpartition(".")[0]
        bound_to = {name: str(value) for name, value, _ in facts.assignments}.get(receiver, "")
        trains = (
            bool(set(call.keywords) - TORCH_MODE_KEYWORDS)
            or bool(TRAINER_NAME.search(receiver) or TRAINER_CLASS.search(receiver))
            or bool(bound_to.startswith("<call ") and TRAINER_CLASS.search(bound_to[6:-1]))
            or any(c.name.endswith("Trainer") for c in facts.calls)
        )
        if trains:
            found.append(repo.location(path, call.line))
    return found
