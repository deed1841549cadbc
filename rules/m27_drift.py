"""M27 Data drifting."""

import re

from verifier.checks import AUTOMATION_GLOBS, own_locations, usage_or_dependency
from verifier.evidence import Evidence, Location, Status
from verifier.pyfacts import PythonFacts
from verifier.repo import Repo
from verifier.rule import Rule
from verifier.rules.m22_api import fastapi_apps, imported_own_modules
from verifier.rules.m23_deployment import deploy_commands
from verifier.textsearch import prepared

STORAGE_MODULE = re.compile(r"collect|log|stor|monitor|database|(^|/)db", re.IGNORECASE)
COMMAND_WORD = re.compile(r"[\w-]+")
DRIFT_LIBRARIES = ("evidently", "nannyml", "whylogs", "alibi_detect", "deepchecks", "frouros", "torchdrift")
STORE_CALLS = (
    "add_task",
    "to_csv",
    "writerow",
    "upload_from_string",
    "upload_from_file",
    "upload_from_filename",
    "insert_one",
    "execute",
    "write",
    "write_text",
    "json.dump",
    "bigquery.Client.insert_rows_json",
    "insert_rows_json",
    "insert_rows",
    "insert_many",
    "collection.add",  # Firestore
    "document.set",
)
DISK_WRITES = ("write", "write_bytes", "write_text")


def _upload_writes(facts: PythonFacts) -> set[int]:
    """Lines that save an uploaded file (`f.write(await file.read())`, or of a name bound to those
    bytes): keeping the upload on disk is no collection of inputs with their predictions."""
    reads = {f"<name {name}>" for name, value, _ in facts.assignments if _reads_upload(value)}
    return {
        call.line
        for call in facts.calls
        if call.name.rpartition(".")[2] in DISK_WRITES
        and call.args
        and (_reads_upload(call.args[0]) or call.args[0] in reads)
    }


def _reads_upload(value: object) -> bool:
    """`await file.read()` or `file.read()`: the bytes of an uploaded file."""
    return isinstance(value, str) and value.startswith("<call ") and value.endswith(".read>")


def _names_used(repo: Repo, app: str) -> set[str]:
    """Names the app imports or calls (last dotted part), to tell a helper's used code from the rest."""
    facts = repo.python(app)
    return {name.rpartition(".")[2] for name, _ in facts.imports} | {
        part for call in facts.calls for part in call.name.split(".")
    }


def _stores(repo: Repo, path: str, used: set[str] | None) -> list[Location]:
    """Store calls in `path` (an SQLAlchemy `add` + `commit` counts by its commit), leaving out saved
    uploads; with `used`, only inside the functions and methods of those names (not every method of a class the
    app imports: a model's own metric dump is no collection)."""
    facts = repo.python(path)
    calls = facts.calls_to(*STORE_CALLS)
    if facts.calls_to("add"):
        calls += facts.calls_to("commit")
    saved_uploads = _upload_writes(facts)
    spans = [
        (definition.line, definition.end_line or definition.line)
        for definition in facts.functions
        if definition.name in (used or ())
    ]
    found = [
        repo.location(path, call.line)
        for call in calls
        if call.line not in saved_uploads
        and (used is None or any(start <= call.line <= end for start, end in spans))
    ]
    return [loc for loc in found if not loc.snippet.lstrip().startswith("#")]


# Perturbations that make a drifted copy of the data: torchvision, PIL, albumentations and skimage.
PERTURBATIONS = (
    "ColorJitter",
    "GaussianBlur",
    "GaussianNoise",
    "RandomErasing",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_gamma",
    "adjust_saturation",
    "ImageEnhance.Brightness",
    "ImageEnhance.Contrast",
    "RandomBrightnessContrast",
    "GaussNoise",
    "random_noise",
)
# A file about drift: its name says drift, robustness, perturbation or corruption, or its text says drift.
DRIFT_NAME = re.compile(r"drift|robust|perturb|corrupt", re.IGNORECASE)
# The model run on the drifted data: a call named for prediction, inference, evaluation or scoring
# (`predict_proba`, `run_inference`, `evaluate_model`; not `infer_label_from_path`), or a script line
# running the group's inference or evaluation code.
EVALUATES = re.compile(
    r"(^|_)(predict\w{0,40}|infer(ence)?|evaluate\w{0,40}|eval|score\w{0,40}|accuracy)$", re.IGNORECASE
)
# `.{0,300}`: on the same line, at most 300 characters on (a line of repeated `python` stays linear).
RUNS_EVALUATION = prepared(r"python\b.{0,300}(infer|evaluat|predict)")


def _about_drift(repo: Repo, path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return bool(DRIFT_NAME.search(name)) or any(
        "drift" in text.lower() for text, _ in repo.python(path).strings
    )


def drift_experiments(repo: Repo) -> tuple[list[Location], list[Location]]:
    """(perturbations that make drifted data, model runs on it) in the group's code and scripts about drift:
    a robustness experiment that compares the model's outputs before and after a drift, without a drift
    library. Augmentation in training code not about drift is neither."""
    about = [p for p in repo.code_files if _about_drift(repo, p)]
    perturbed = own_locations(repo, repo.call_locations(*PERTURBATIONS, paths=about))
    runs = [
        repo.location(path, call.line)
        for path in about
        for call in repo.python(path).calls
        if EVALUATES.search(call.name.rpartition(".")[2])
    ]
    scripts = [p for p in repo.text_files(*AUTOMATION_GLOBS) if DRIFT_NAME.search(p.rsplit("/", 1)[-1])]
    if scripts:
        runs += repo.search(RUNS_EVALUATION, *scripts, limit=3)
    return perturbed, own_locations(repo, runs)


LOGGED_FIELDS = prepared(r"prediction|input")


class DriftRobustness(Rule):
    """Drift analysis over the group's data: evidently, nannyml, whylogs, alibi-detect, deepchecks,
    frouros, torchdrift, the group's own statistical tests, or a robustness experiment: drifted copies
    of the data (ColorJitter, blur, noise, brightness/contrast) run through the model in code or scripts
    about drift. Drifted data without a model run on it, or a drift library only as a dependency, is weak."""

    id = "m27.drift-robustness"
    modules = ("M27",)
    title = "Robustness of the model towards data drift"
    texts = (
        "Check how robust your model is towards data drifting",
        "Checked how robust your model is towards data drifting",
    )

    def check(self, repo: Repo) -> Evidence:
        uses = repo.imports(*DRIFT_LIBRARIES) + repo.call_locations(
            "ks_2samp", "scipy.stats.ks_2samp", "wasserstein_distance", "chi2_contingency"
        )
        evidence = usage_or_dependency(
            repo,
            uses,
            what="drift analysis",
            distributions=("evidently", "nannyml", "whylogs", "alibi-detect", "deepchecks", "torchdrift"),
            looked_for=(
                "evidently / nannyml / whylogs / alibi-detect / deepchecks / torchdrift in the code",
                "statistical drift tests (ks_2samp)",
                "a robustness experiment: drifted data (ColorJitter, noise, blur) run through the model",
            ),
        )
        if evidence.status is Status.FOUND:
            return evidence
        perturbed, runs = drift_experiments(repo)
        if perturbed and runs:
            return Evidence.found(
                "A robustness experiment runs the model on drifted copies of the data.",
                perturbed[:3] + runs[:3],
            )
        if perturbed and evidence.status is Status.ABSENT:
            return Evidence.weak(
                "Drifted copies of the data are made, but no model run on them was found.", perturbed
            )
        return evidence


class InputOutputCollection(Rule):
    """The deployed API stores its inputs and predictions (a background task writing to CSV, a file,
    a database, Firestore or a GCS bucket), in the app file or in an own module it imports (there,
    inside the functions/classes the app uses, unless the module is named for storage). Saving the
    uploaded file itself (`f.write(await file.read())`) is no collection."""

    id = "m27.io-collection"
    modules = ("M27",)
    title = "Collection of input-output data from the deployed app"
    texts = ("Setup collection of input-output data from your deployed application",)

    def check(self, repo: Repo) -> Evidence:
        apps = [path for path, _ in fastapi_apps(repo)]
        scopes: dict[str, set[str] | None] = dict.fromkeys(apps)
        for app in apps:
            for module in imported_own_modules(repo, app):
                if module in scopes and scopes[module] is None:
                    continue
                named_for_storage = STORAGE_MODULE.search(module)
                scopes[module] = (
                    None if named_for_storage else (scopes.get(module) or set()) | _names_used(repo, app)
                )
        stores = [loc for path, used in scopes.items() for loc in _stores(repo, path, used)]
        stores += repo.call_locations("BackgroundTasks", paths=apps)
        if stores:
            return Evidence.found("The API stores requests and predictions.", stores)
        logged = repo.search(LOGGED_FIELDS, *apps, limit=3) if apps else []
        logged = [loc for loc in logged if "log" in loc.snippet.lower()]
        if logged:
            return Evidence.weak("The API logs its inputs or predictions, but does not store them.", logged)
        return Evidence.absent(
            "The API does not store its inputs and outputs.",
            (
                "a background task or write (CSV, database, GCS blob) of inputs and predictions in the FastAPI app",
            ),
        )


def drift_images(repo: Repo, drift_modules: set[str]) -> list[Location]:
    """Dockerfile commands that run a module using a drift library (`CMD ["python", "data_drift.py"]`,
    `python -m pkg.drift`): drift detection packaged to run in the cloud as a job."""
    stems = {path.rsplit("/", 1)[-1].removesuffix(".py") for path in drift_modules if path.endswith(".py")}
    found = []
    for dockerfile in repo.dockerfiles:
        for keyword in ("CMD", "ENTRYPOINT"):
            for line, args in dockerfile.get(keyword):
                words = set(COMMAND_WORD.findall(args.replace(".py", " ")))
                if stems & words:
                    found.append(repo.location(dockerfile.path, line))
    return found


class DriftApi(Rule):
    """A service exposing drift reports (a FastAPI app, or a Cloud Function, that uses a drift library
    itself or through an own module it imports) together with its cloud deploy configuration; a
    Cloud Function is deployed by nature. A FastAPI service without a deploy trace is weak, and so is a
    container image that runs the drift code as a job (no API)."""

    id = "m27.drift-api"
    elsewhere = r"drift"
    modules = ("M27",)
    title = "Drift detection API deployed to the cloud"
    texts = ("Deploy to the cloud a drift detection API",)

    def check(self, repo: Repo) -> Evidence:
        drift_modules = {loc.path for loc in repo.imports(*DRIFT_LIBRARIES)}

        def drifts(path: str) -> bool:
            return path in drift_modules or any(m in drift_modules for m in imported_own_modules(repo, path))

        functions = [
            loc
            for loc in repo.decorators("functions_framework.http", "functions_framework.cloud_event")
            if drifts(loc.path)
        ]
        if functions:
            return Evidence.found("A Cloud Function serves drift reports.", functions)
        services = [routes for path, routes in fastapi_apps(repo) if routes and drifts(path)]
        routes = [loc for group in services for loc in group]
        if not routes:
            images = drift_images(repo, drift_modules)
            if images:
                return Evidence.weak(
                    "Drift detection is packaged in a container image that runs it as a job; it serves no API.",
                    images,
                )
            return Evidence.absent(
                "No API serving drift reports was found.",
                (
                    "a FastAPI app or Cloud Function using evidently/nannyml/whylogs (itself or through "
                    "an own module) and exposing a report route",
                    "a container image running the drift code (weak)",
                ),
            )
        deploys = [
            loc
            for loc in deploy_commands(repo)
            if "drift" in loc.snippet.lower() or "monitor" in loc.snippet.lower()
        ]
        if deploys:
            return Evidence.found("A drift detection API is deployed to the cloud.", routes[:3] + deploys)
        return Evidence.weak("A drift detection API exists, but no cloud deploy of it was found.", routes)
