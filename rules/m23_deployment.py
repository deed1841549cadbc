"""M23 Cloud deployment (and the older local TorchServe deployment)."""

import re

from verifier.checks import AUTOMATION_GLOBS, gcp_image_builds, trace_search, usage_or_dependency
from verifier.evidence import Evidence, Location, Status
from verifier.repo import Repo
from verifier.rule import Rule, Trace
from verifier.textsearch import prepared

DEPLOY = prepared(
    r"gcloud\s+(beta\s+|alpha\s+)?(run\s+(deploy|services\s+replace)|functions\s+deploy|app\s+deploy)"
    r"|google-github-actions/deploy-cloudrun|deploy-cloud-functions"
    r"|resource\s+\"google_(cloud_run(_v2)?_service|cloudfunctions2?_function)\""  # terraform
)

CLOUDBUILD_DEPLOY = re.compile(
    r"\b(run\s+(deploy|services\s+replace)|functions\s+deploy|app\s+deploy)\b", re.IGNORECASE
)


def deploy_commands(repo: Repo) -> list[Location]:
    """gcloud deploy commands in workflows, Cloud Build files, scripts, tasks and Makefiles, and deploy actions."""
    found = [
        loc
        for loc in repo.search(DEPLOY, *AUTOMATION_GLOBS, "*.py", "*.yaml", "*.yml", "*.tf", limit=10)
        if not repo.is_excluded(loc.path)
    ]
    found += repo.cloudbuild_steps(CLOUDBUILD_DEPLOY)
    return found


# Cloud Run's contract: the container listens on $PORT (8080 by default).
CLOUD_RUN_PORT = re.compile(r"\$\{?PORT\b|(?<![\d.])8080\b")
# Code or scripts that look a deployed service up: `gcloud run services describe/list`, the Cloud Run client.
SERVICE_LOOKUP = prepared(r"gcloud\s+(beta\s+)?run\s+services\s+(describe|list)\b")
SERVICE_URL = prepared(r"https://[\w.-]+\.run\.app|cloudfunctions\.net")
COMMENTED_DEPLOY = prepared(
    re.compile(rf"^\s*(#|//|REM\b).*?({DEPLOY}|['\"]run['\"],\s*['\"]deploy['\"])", re.IGNORECASE)
)


def serving_images(repo: Repo) -> list[Location]:
    """Dockerfile lines that make a container listen where Cloud Run sends requests: a CMD/ENTRYPOINT
    on $PORT or 8080, or EXPOSE 8080 / EXPOSE $PORT."""
    found = []
    for dockerfile in repo.dockerfiles:
        for keyword in ("CMD", "ENTRYPOINT", "EXPOSE"):
            found += [
                repo.location(dockerfile.path, line)
                for line, args in dockerfile.get(keyword)
                if CLOUD_RUN_PORT.search(args)
            ]
    return found


def commented_deploys(repo: Repo) -> list[Location]:
    """Deploy commands that are commented out in scripts, workflows, Cloud Build files, terraform and code (a
    file is read line by line only when it holds the literals every such line holds). Only the files the
    deploy search reads (`Repo.searchable`): the note says why a line like one the search counts is not
    counted, and a tool's run output or the report's own files are never counted, commented out or not."""
    found = []
    for path in repo.searchable(*AUTOMATION_GLOBS, "*.py", "*.yaml", "*.yml", "*.tf"):
        if repo.may_match(path, COMMENTED_DEPLOY) and (line := repo.line_of(path, COMMENTED_DEPLOY)):
            found.append(repo.location(path, line))
    return found


def _cloud_run_image(repo: Repo, note: str) -> Evidence | None:
    """Weak evidence of a console deployment: a serving image on Cloud Run's port whose service the code
    looks up, or that is built for a GCP registry; None without one."""
    images = serving_images(repo)
    lookups = repo.search(SERVICE_LOOKUP, *AUTOMATION_GLOBS, "*.py", limit=3) + repo.imports(
        "google.cloud.run_v2"
    )
    if images and not lookups:
        pushed = {build.dockerfile for build in gcp_image_builds(repo)}
        images = [loc for loc in images if loc.path in pushed]
    if not images:
        return None
    how = "the code looks its service up" if lookups else "it is built for a GCP registry"
    return Evidence.weak(
        f"A serving image listens on Cloud Run's port and {how}, but no deploy step is in the repository."
        + note,
        images[:3] + lookups[:2],
    )


class CloudDeploy(Rule):
    """`gcloud run deploy` / `gcloud functions deploy` in a workflow, Cloud Build step, script or
    tasks file, a Cloud Run service YAML or terraform resource, or functions_framework code. Weak: only a
    *.run.app URL or deploy instructions in docs, or a serving image listening on $PORT/8080 that is built
    for a GCP registry or whose service the code looks up (`gcloud run services describe`,
    google.cloud.run_v2). A commented-out deploy step is no evidence, and the message says so."""

    id = "m23.cloud-deploy"
    trace = Trace.CONSOLE
    modules = ("M23",)
    title = "Model deployed on Cloud Functions or Cloud Run"
    texts = (
        "Deploy your model in GCP using either Functions or Run as the backend",
        "Deployed your model using `gcp`",
    )

    def check(self, repo: Repo) -> Evidence:
        services = [
            repo.location(p, getattr(d, "line", 1) or 1, "Knative/Cloud Run service")
            for p, d in repo.yaml_documents(holding=("serving.knative.dev",))
            if isinstance(d, dict)
            and d.get("kind") == "Service"
            and "serving.knative.dev" in str(d.get("apiVersion", ""))
        ]
        found = (
            deploy_commands(repo)
            + services
            + repo.imports("functions_framework")
            + repo.decorators("functions_framework.http")
        )
        if found:
            return Evidence.found("A Cloud Run or Cloud Functions deployment is configured.", found)
        commented = commented_deploys(repo)
        note = (
            f" The deploy step at {commented[0].path}:{commented[0].line} is commented out, so it is no evidence."
            if commented
            else ""
        )
        urls = trace_search(repo, SERVICE_URL, limit=4, prose=True)
        urls += repo.search(DEPLOY, "*.md", "*.rst", limit=3)
        if urls:
            return Evidence.weak(
                "Only a deployed service URL or deploy instructions were found, no deploy configuration."
                + note,
                urls,
            )
        cloud_run_image = _cloud_run_image(repo, note)
        if cloud_run_image is not None:
            return cloud_run_image
        return Evidence.unverifiable(
            "No deploy command or service config was found; a deployment made in the GCP console leaves no file."
            + note,
            (
                "gcloud run deploy / gcloud functions deploy in workflows, cloudbuild, scripts or tasks",
                "Cloud Run service YAML",
                "functions_framework",
                "a serving image on $PORT/8080 built for GCP or looked up with gcloud run services / run_v2",
            ),
        )


LOOKED_FOR_TORCHSERVE = (
    "torch-model-archiver / torchserve --start commands or a pytorch/torchserve image",
    "TorchServe handlers (BaseHandler, ImageClassifier ...) or ts.torch_handler imports",
    "*.mar archives or a torchserve config.properties",
)

TORCHSERVE_COMMANDS = prepared(
    r"torch-model-archiver|torchserve\b[^\n]{0,300}--start|[\"']torchserve[\"'],\s*[\"']--start|"
    r"FROM\s+pytorch/torchserve"
)

TORCHSERVE_SETTING = re.compile(r"^(inference_address|model_store)\s*=", re.IGNORECASE)

# A requirements line naming the archiver (`torch-model-archiver==0.7.1`) is a dependency, not a command.
REQUIREMENT_LINE = re.compile(r"^\s*torch-model-archiver\s*(?:[<>=~!;\[]|$)", re.IGNORECASE)


class TorchServe(Rule):
    """2022-2024 wording: local deployment with TorchServe (a model archive, torch-model-archiver or
    torchserve commands in scripts, Dockerfiles of any spelling (serve.Dockerfile) or notebooks, a
    pytorch/torchserve image, a handler, or a torchserve config). Commands only in docs or notes (README,
    instructions.txt) are weak; no trace is unverifiable, since a local deployment
    leaves none."""

    id = "m23.torchserve"
    trace = Trace.CODE
    modules = ("M23",)
    title = "Local deployment with TorchServe (2022-24 wording)"
    texts = (
        "If applicable, consider deploying the model locally using torchserve",
        "Deployed your model locally using TorchServe",
    )

    def check(self, repo: Repo) -> Evidence:
        dockerfiles = [dockerfile.path for dockerfile in repo.dockerfiles]
        uses = repo.search(TORCHSERVE_COMMANDS, *AUTOMATION_GLOBS, "*.py", "*.ipynb", *dockerfiles, limit=6)
        uses += repo.subclasses(
            "BaseHandler", "ImageClassifier", "TextClassifier", "ObjectDetector", "ImageSegmenter"
        )
        uses += repo.imports("ts.torch_handler", "ts.context") + [
            Location(p, None, p) for p in repo.glob("*.mar")
        ]
        uses += [
            repo.location(p, line)
            for p in repo.glob("config.properties")
            if (line := repo.line_of(p, TORCHSERVE_SETTING))
        ]
        evidence = usage_or_dependency(
            repo,
            uses,
            what="TorchServe",
            distributions=("torchserve", "torch-model-archiver"),
            looked_for=LOOKED_FOR_TORCHSERVE,
        )
        if evidence.status is not Status.ABSENT:
            return evidence
        documented = [
            location
            for location in repo.search(TORCHSERVE_COMMANDS, "*.md", "*.rst", "*.txt", limit=3)
            if not REQUIREMENT_LINE.match(location.snippet)
        ]
        if documented:
            return Evidence.weak("TorchServe commands appear only in the documentation.", documented)
        # A local deployment typed in a terminal leaves no file (the .mar archive is usually git-ignored).
        return Evidence.unverifiable(
            "No TorchServe trace was found; a local deployment run from the terminal leaves none.",
            LOOKED_FOR_TORCHSERVE,
        )
