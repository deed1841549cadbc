"""M21 Using the cloud: bucket linked to DVC, image build triggers, training on GCP."""

import re

from verifier.checks import AUTOMATION_GLOBS, GCP_REGISTRY, gcp_image_builds, trains
from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule, Trace
from verifier.textsearch import prepared

DOCKER_BUILD = prepared(
    re.compile(
        r"docker(\s+buildx)?\s+build\b|docker/build-push-action|gcloud builds submit|docker\s+push\b",
        re.IGNORECASE,
    )
)

TRAINING_JOB = r"(ai\s+custom-jobs\s+create|compute\s+instances\s+create)"
CLOUDBUILD_TRAINING_JOB = re.compile(
    rf"\b{TRAINING_JOB}", re.IGNORECASE
)  # cloud-builders/gcloud, a cloud-sdk image
VERTEX_SPECS = re.compile(r"workerPoolSpecs|worker_pool_specs", re.IGNORECASE)


# `.{0,300}`: on the same line, at most 300 characters on (a scan per start stays short).
DVC_REMOTE_ADD = prepared(r"\bdvc\s+remote\s+(add|modify)\b.{0,300}\bgs://[\w.-]+")
CLOUDBUILD_IMAGE_BUILD = re.compile(r"cloud-builders/docker\b.{0,300}\bbuild\b|kaniko", re.IGNORECASE)
GCLOUD_TRAINING_JOB = prepared(rf"gcloud\s+(beta\s+)?{TRAINING_JOB}")


DVC_GS_REMOTE = prepared(r"url\s*=\s*gs://")
GS_BUCKET = prepared(r"gs://[\w.-]+")
DVC_ANY_REMOTE = prepared(r"url\s*=\s*\S+")


class BucketDvc(Rule):
    """A DVC remote whose url is gs://...: in .dvc/config, or made by `dvc remote add ... gs://` in a
    workflow, script or Dockerfile (also in a DVC project in a subfolder). gs:// paths without DVC, or a
    gs:// remote shown only in the docs, are weak; no trace is unverifiable (a console bucket leaves none)."""

    id = "m21.bucket-dvc"
    trace = Trace.CONSOLE
    modules = ("M21",)
    title = "GCP bucket linked to DVC"
    texts = (
        "Create a data storage in GCP Bucket for your data and link this with your data version control setup",
        "Create a data storage in GCP Bucket for you data and preferable link this with your data version "
        "control setup",
        "Create a data storage on `gcp` for you data",
    )

    def check(self, repo: Repo) -> Evidence:
        remotes = repo.search(DVC_GS_REMOTE, ".dvc/config", "*/.dvc/config", limit=4)
        remotes += repo.search(
            DVC_REMOTE_ADD, *AUTOMATION_GLOBS, *(d.path for d in repo.dockerfiles), "*.py", limit=4
        )
        if remotes:
            return Evidence.found("A DVC remote points at a GCP bucket.", remotes)
        buckets = repo.search(
            r"gs://[\w.-]+", *AUTOMATION_GLOBS, "*.py", "*.yaml", "*.yml", "*.toml", "*.cfg", limit=4
        )
        buckets += repo.call_locations("storage.Client", "google.cloud.storage.Client")
        buckets += repo.search(GS_BUCKET, *(d.path for d in repo.dockerfiles), "*.md", "*.rst", limit=4)
        if buckets:
            dvc = "DVC uses another remote" if repo.has(".dvc/config") else "DVC is not set up"
            return Evidence.weak(f"A GCP bucket is used, but {dvc}.", buckets)
        other = repo.search(DVC_ANY_REMOTE, ".dvc/config", "*/.dvc/config", limit=2)
        if other:
            return Evidence.absent(
                "DVC is set up with a remote that is not a GCP bucket.",
                ("url = gs://... in .dvc/config or dvc remote add ... gs://",),
            )
        # A bucket made and filled in the console leaves no file (COURSE.md trap 13): unverifiable.
        return Evidence.unverifiable(
            "No GCP bucket was found in the repository; a bucket made in the GCP console leaves no file.",
            (
                "url = gs://... in .dvc/config or dvc remote add ... gs://",
                "gs:// paths or google-cloud-storage use (code, config or docs)",
            ),
        )


class BuildTrigger(Rule):
    """A Cloud Build file (any name) with docker build steps, or a workflow that builds and pushes
    images on push (or pull_request, release, schedule, or after another workflow: workflow_run). A
    build config that only runs by hand is weak; console triggers are invisible."""

    id = "m21.build-trigger"
    trace = Trace.CONSOLE
    modules = ("M21",)
    title = "Trigger workflow that builds the docker images"
    texts = ("Create a trigger workflow for automatically building your docker images",)

    def check(self, repo: Repo) -> Evidence:
        cloudbuild = repo.cloudbuild_steps(CLOUDBUILD_IMAGE_BUILD)
        automatic = [
            w
            for w in repo.workflows
            if w.triggered_by("push", "pull_request", "release", "schedule", "workflow_run")
        ]
        workflow_builds = [
            repo.step_location(w.path, s, DOCKER_BUILD)
            for w in automatic
            for s in w.steps
            if s.runs(DOCKER_BUILD) or s.uses.startswith("docker/build-push-action")
        ]
        if cloudbuild or workflow_builds:
            return Evidence.found(
                "Docker images are built by Cloud Build config or on push by a workflow.",
                workflow_builds + cloudbuild,
            )
        manual = [
            repo.step_location(w.path, s, DOCKER_BUILD)
            for w in repo.workflows
            for s in w.steps
            if s.runs(DOCKER_BUILD)
        ]
        if manual:
            return Evidence.weak("Image builds are only started by hand (workflow_dispatch).", manual)
        looked_for = (
            "cloudbuild*.yaml with gcr.io/cloud-builders/docker build steps",
            "a workflow building/pushing images on push",
        )
        if repo.dockerfiles:
            return Evidence.unverifiable(
                "No build config or build workflow was found; a Cloud Build trigger made in the console can build a Dockerfile without leaving a file.",
                looked_for,
            )
        return Evidence.absent("No Dockerfile and no build configuration were found.", looked_for)


# Commands that run training on GCP by hand: a Vertex AI job, a VM made or logged into; and a GPU container
# run, which is GCP training only with an image from a GCP registry.
GCLOUD_TRAINING = prepared(
    r"gcloud\s+(beta\s+)?(ai\s+custom-jobs\s+create|compute\s+(instances\s+create|ssh)\b)"
)
GPU_RUN = prepared(r"\bdocker\s+run\b[^\n]{0,300}--gpus")


class CloudTraining(Rule):
    """A Vertex AI job config (workerPoolSpecs/machineSpec), `gcloud ai custom-jobs create`,
    aiplatform jobs in code, or `gcloud compute instances create` for training; or a training image built
    by Cloud Build or pushed to a GCP registry (its ENTRYPOINT/CMD trains) together with documented
    `gcloud ai custom-jobs create`, `gcloud compute ssh` or `docker run --gpus` commands. Either half
    alone is weak (a `docker run --gpus` only with an image from a GCP registry); a training image pushed
    to Docker Hub is not GCP training."""

    id = "m21.cloud-training"
    trace = Trace.CONSOLE
    modules = ("M21",)
    title = "Model training on Compute Engine or Vertex AI"
    texts = (
        "Get your model training in GCP using either the Engine or Vertex AI",
        "Get your model training on `gcp`",
    )

    def check(self, repo: Repo) -> Evidence:
        vertex = [repo.location(p, repo.line_of(p, VERTEX_SPECS) or 1) for p in repo.vertex_configs]
        commands = repo.search(GCLOUD_TRAINING_JOB, *AUTOMATION_GLOBS, "*.py", "*.yaml", limit=6)
        commands += repo.cloudbuild_steps(CLOUDBUILD_TRAINING_JOB)
        code = repo.call_locations(
            "aiplatform.CustomJob",
            "aiplatform.CustomContainerTrainingJob",
            "aiplatform.CustomTrainingJob",
            "CustomJob.from_local_script",
        )
        found = vertex + commands + code
        if found:
            return Evidence.found("Training on Vertex AI or Compute Engine is configured.", found)
        images = [build.location for build in gcp_image_builds(repo) if trains(repo, build)]
        documented = repo.search(GCLOUD_TRAINING, "*.md", "*.rst", *AUTOMATION_GLOBS, limit=4)
        gpu_runs = repo.search(GPU_RUN, "*.md", "*.rst", *AUTOMATION_GLOBS, limit=4)
        documented += [loc for loc in gpu_runs if images or GCP_REGISTRY.search(loc.snippet)]
        if images and documented:
            return Evidence.found(
                "A training image is built for a GCP registry and the commands that run it on GCP are documented.",
                images[:3] + documented[:3],
            )
        if images:
            return Evidence.weak(
                "A training image is built for a GCP registry, but nothing shows it running on Vertex AI or Compute Engine.",
                images,
            )
        if documented:
            return Evidence.weak(
                "Commands for training on GCP are only documented; no training image is built for GCP.",
                documented,
            )
        return Evidence.unverifiable(
            "No Vertex AI job config or gcloud training command was found; training run by hand on a VM leaves no trace.",
            (
                "workerPoolSpecs configs",
                "gcloud ai custom-jobs create",
                "aiplatform jobs in code",
                "gcloud compute instances create",
                "a training image built by Cloud Build or pushed to a GCP registry, with documented gcloud commands",
            ),
        )
