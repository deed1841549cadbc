"""M27 Data drifting."""

import re

from verifier.checks import usage_or_dependency
from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule
from verifier.rules.m22_api import fastapi_apps, imported_own_modules
from verifier.rules.m23_deployment import deploy_commands

STORAGE_MODULE = r"collect|log|stor|monitor|database|(^|/)db"
DRIFT_LIBRARIES = ("evidently", "nannyml", "whylogs", "alibi_detect", "deepchecks", "frouros")
STORE_CALLS = (
    "add_task",
    "to_csv",
    "writerow",
    "upload_from_string",
    "upload_from_filename",
    "insert_one",
    "execute",
    "write",
    "json.dump",
    "bigquery.Client.insert_rows_json",
    "insert_rows_json",
)


class DriftRobustness(Rule):
    """Drift analysis over the group's data: evidently, nannyml, whylogs, alibi-detect, or the
    group's own statistical tests. The dependency alone is weak."""

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
        return usage_or_dependency(
            repo,
            uses,
            what="drift analysis",
            distributions=("evidently", "nannyml", "whylogs", "alibi-detect", "deepchecks"),
            looked_for=(
                "evidently / nannyml / whylogs / alibi-detect / deepchecks in the code",
                "statistical drift tests (ks_2samp)",
            ),
        )


class InputOutputCollection(Rule):
    """The deployed API stores its inputs and predictions (a background task writing to CSV, a
    database or a GCS bucket, or structured prediction logs)."""

    id = "m27.io-collection"
    modules = ("M27",)
    title = "Collection of input-output data from the deployed app"
    texts = ("Setup collection of input-output data from your deployed application",)

    def check(self, repo: Repo) -> Evidence:
        apps = [path for path, _ in fastapi_apps(repo)]
        helpers = [
            m for app in apps for m in imported_own_modules(repo, app) if re.search(STORAGE_MODULE, m, re.I)
        ]
        stores = [
            loc
            for loc in repo.call_locations(*STORE_CALLS, paths=apps + helpers)
            if not loc.snippet.lstrip().startswith("#")
        ]
        stores += repo.call_locations("BackgroundTasks", paths=apps)
        if stores:
            return Evidence.found("The API stores requests and predictions.", stores)
        logged = repo.search(r"prediction|input", *apps, limit=3) if apps else []
        logged = [loc for loc in logged if "log" in loc.snippet.lower()]
        if logged:
            return Evidence.weak("The API logs its inputs or predictions, but does not store them.", logged)
        return Evidence.absent(
            "The API does not store its inputs and outputs.",
            (
                "a background task or write (CSV, database, GCS blob) of inputs and predictions in the FastAPI app",
            ),
        )


class DriftApi(Rule):
    """A service exposing drift reports together with its cloud deploy configuration; a service
    without a deploy trace is weak."""

    id = "m27.drift-api"
    elsewhere = r"drift"
    modules = ("M27",)
    title = "Drift detection API deployed to the cloud"
    texts = ("Deploy to the cloud a drift detection API",)

    def check(self, repo: Repo) -> Evidence:
        drift_modules = {loc.path for loc in repo.imports(*DRIFT_LIBRARIES)}
        services = [routes for path, routes in fastapi_apps(repo) if path in drift_modules and routes]
        routes = [loc for group in services for loc in group]
        if not routes:
            return Evidence.absent(
                "No API serving drift reports was found.",
                ("a FastAPI app that imports evidently/nannyml/whylogs and exposes a report route",),
            )
        deploys = [
            loc
            for loc in deploy_commands(repo)
            if "drift" in loc.snippet.lower() or "monitor" in loc.snippet.lower()
        ]
        if deploys:
            return Evidence.found("A drift detection API is deployed to the cloud.", routes[:3] + deploys)
        return Evidence.weak("A drift detection API exists, but no cloud deploy of it was found.", routes)
