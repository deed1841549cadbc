"""M23 cloud deploy: `gcloud run deploy` anywhere (workflow, cloudbuild, tasks.py, shell script)."""

from __future__ import annotations

import pytest

from verifier.evidence import Status

from conftest import check

DEPLOY = "gcloud run deploy api --image europe-west1-docker.pkg.dev/p/r/api --region europe-west1"
PLACES = {
    ".github/workflows/deploy.yaml": f"on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {DEPLOY}\n",
    "cloudbuild.yaml": "steps:\n  - name: gcr.io/cloud-builders/gcloud\n    args: ['run', 'deploy', 'api', '--image', 'x']\n",
    "tasks.py": f'from invoke import task\n\n\n@task\ndef deploy(ctx):\n    ctx.run("{DEPLOY}")\n',
    "scripts/deploy.sh": f"#!/bin/sh\n{DEPLOY}\n",
}


@pytest.mark.parametrize("path", PLACES)
def test_gcloud_run_deploy_anywhere_is_found(make_repo, path: str) -> None:
    ev = check("m23.cloud-deploy", make_repo({path: PLACES[path]}))
    assert ev.status is Status.FOUND
    assert ev.locations[0].path == path


def test_nothing_is_unverifiable_with_looked_for(make_repo) -> None:
    ev = check("m23.cloud-deploy", make_repo({"README.md": "# project\n"}))
    assert ev.status is Status.UNVERIFIABLE
    assert any("gcloud run deploy" in item for item in ev.looked_for)


def test_cloudbuild_bash_step_running_gcloud_run_deploy_is_found(make_repo) -> None:
    build = (
        "steps:\n  - name: gcr.io/google.com/cloudsdktool/cloud-sdk\n    entrypoint: bash\n"
        "    args: ['-c', 'gcloud run deploy api --image x --region europe-west1']\n"
    )
    ev = check("m23.cloud-deploy", make_repo({"deploy/build.yml": build}))
    assert ev.status is Status.FOUND
    assert ev.locations[0].path == "deploy/build.yml"


def test_a_terraform_cloud_run_service_is_a_deployment(make_repo) -> None:
    tf = (
        'resource "google_cloud_run_v2_service" "api" {\n  name     = "api"\n  location = "europe-west1"\n}\n'
    )
    ev = check("m23.cloud-deploy", make_repo({"infra/main.tf": tf}))
    assert ev.status is Status.FOUND and ev.locations[0].path == "infra/main.tf"


def test_deploy_instructions_only_in_the_readme_are_weak(make_repo) -> None:
    readme = "# p\n\nDeploy with:\n\n    gcloud run deploy api --source .\n"
    assert check("m23.cloud-deploy", make_repo({"README.md": readme})).status is Status.WEAK


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (
            "Dockerfile",
            'FROM pytorch/torchserve:latest\nCMD ["torchserve", "--start", "--model-store", "store"]\n',
        ),
        ("serve.sh", "torchserve --ncs --start --model-store model_store --models mnist=mnist.mar\n"),
        (
            "src/handler.py",
            "from ts.torch_handler.image_classifier import ImageClassifier\n\n\nclass H(ImageClassifier):\n    pass\n",
        ),
        ("config.properties", "inference_address=http://0.0.0.0:8080\nmodel_store=model_store\n"),
    ],
)
def test_torchserve_shapes_are_found(make_repo, path: str, text: str) -> None:
    ev = check("m23.torchserve", make_repo({path: text}))
    assert ev.status is Status.FOUND and ev.locations[0].path == path


def test_torchserve_only_in_the_readme_is_weak(make_repo) -> None:
    readme = "# p\n\n    torch-model-archiver --model-name mnist --version 1.0\n"
    assert check("m23.torchserve", make_repo({"README.md": readme})).status is Status.WEAK


SERVING_IMAGE = (
    "FROM python:3.11-slim\nCOPY . .\nEXPOSE 8080\nCMD exec uvicorn api:app --host 0.0.0.0 --port $PORT\n"
)
PUSH_API = """steps:
  - name: gcr.io/cloud-builders/docker
    args: ['build', '-t', 'europe-west1-docker.pkg.dev/p/images/api', '-f', 'dockerfiles/api.dockerfile', '.']
"""
LOOKUP = """from google.cloud import run_v2


def backend_url() -> str:
    service = run_v2.ServicesClient().get_service(name="projects/p/locations/l/services/api")
    return service.uri
"""


@pytest.mark.parametrize(
    "files",
    [
        {"dockerfiles/api.dockerfile": SERVING_IMAGE, "src/p/frontend.py": LOOKUP},
        {
            "dockerfiles/api.dockerfile": SERVING_IMAGE,
            "scripts/url.sh": "gcloud run services describe api --format 'value(status.url)'\n",
        },
        {"dockerfiles/api.dockerfile": SERVING_IMAGE, "cloudbuild.yaml": PUSH_API},
    ],
    ids=["run-v2-client", "services-describe", "pushed-to-artifact-registry"],
)
def test_a_serving_image_on_cloud_runs_port_with_a_lookup_or_a_gcp_push_is_weak(make_repo, files) -> None:
    ev = check("m23.cloud-deploy", make_repo(files))
    assert ev.status is Status.WEAK, ev.message
    assert ev.locations[0].path == "dockerfiles/api.dockerfile" and ev.locations[0].line == 4  # the CMD


def test_a_serving_image_alone_or_on_another_port_is_not_evidence(make_repo) -> None:
    local = SERVING_IMAGE.replace("EXPOSE 8080", "EXPOSE 8000").replace("$PORT", "8000")
    assert check("m23.cloud-deploy", make_repo({"Dockerfile": SERVING_IMAGE})).status is Status.UNVERIFIABLE
    repo = make_repo({"dockerfiles/api.dockerfile": local, "cloudbuild.yaml": PUSH_API})
    assert check("m23.cloud-deploy", repo).status is Status.UNVERIFIABLE


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (
            ".github/workflows/deploy.yaml",
            "on: push\njobs:\n  d:\n    steps:\n      # - run: gcloud run deploy api --image x\n      - run: echo skip\n",
        ),
        (
            "cloudbuild.yaml",
            "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: ['build', '.']\n#  - name: gcr.io/cloud-builders/gcloud\n#    args: ['run', 'deploy', 'api']\n",
        ),
        ("scripts/deploy.sh", "#!/bin/sh\n# GCLOUD RUN DEPLOY api --image x\n"),
        ("infra/main.tf", '# resource "google_cloud_run_v2_service" "api" {\n#   name = "api"\n# }\n'),
    ],
    ids=["workflow", "cloudbuild-args", "upper-case", "terraform"],
)
def test_a_commented_out_deploy_is_no_evidence_and_the_message_says_so(
    make_repo, path: str, text: str
) -> None:
    ev = check("m23.cloud-deploy", make_repo({path: text}))
    assert ev.status is Status.UNVERIFIABLE
    assert f"{path}:" in ev.message and "commented out" in ev.message


def test_a_commented_out_deploy_counts_only_in_files_the_deploy_search_reads(make_repo) -> None:
    """A tool's run output (a Hydra run's saved config) is never evidence, so a commented-out deploy there
    gives no note; the same line in the group's own config does."""
    line = "# gcloud run deploy api --image x\nlr: 0.1\n"
    run_output = "outputs/2024-01-08/15-20-24/.hydra/config.yaml"
    ev = check("m23.cloud-deploy", make_repo({run_output: line}))
    assert ev.status is Status.UNVERIFIABLE and "commented out" not in ev.message
    ev = check("m23.cloud-deploy", make_repo({"configs/deploy.yaml": line}))
    assert ev.status is Status.UNVERIFIABLE and "configs/deploy.yaml:1 is commented out" in ev.message


ARCHIVE_IN_IMAGE = (
    "FROM pytorch/torchserve:0.5.2-cpu\nCOPY model.pt .\n"
    "RUN torch-model-archiver --model-name vit --version 1.0 --serialized-file model.pt --handler h.py\n"
    'CMD ["torchserve", "--start", "--model-store", "store", "--models", "vit=vit.mar"]\n'
)


@pytest.mark.parametrize("path", ["serve.Dockerfile", "deploy/Serve.Dockerfile", "docker/Dockerfile.serve"])
def test_torchserve_in_a_dockerfile_of_any_spelling_is_found(make_repo, path: str) -> None:
    ev = check("m23.torchserve", make_repo({path: ARCHIVE_IN_IMAGE}))
    assert ev.status is Status.FOUND
    assert ev.locations[0].path == path


def test_a_markdown_file_named_like_a_dockerfile_is_no_image(make_repo) -> None:
    notes = "# Notes\n\nWe might try FROM pytorch/torchserve later.\n"
    ev = check("m23.torchserve", make_repo({"docs/dockerfile_notes.md": notes}))
    assert ev.status is Status.WEAK  # a mention in the docs, not an image


def test_torchserve_commands_in_a_notes_file_are_weak(make_repo) -> None:
    notes = (
        "- Create the .mar file :\n\n"
        "torch-model-archiver --model-name m --version 1.0 --serialized-file m.pt --handler image_classifier\n\n"
        "- Deploy locally :\n\ntorchserve --start --ncs --model-store model_store --models m=m.mar\n"
    )
    ev = check("m23.torchserve", make_repo({"models/instructions.txt": notes}))
    assert ev.status is Status.WEAK
    assert ev.locations[0].path == "models/instructions.txt"


def test_the_archiver_as_a_requirement_line_is_no_command(make_repo) -> None:
    ev = check("m23.torchserve", make_repo({"docs/pinned.txt": "torch-model-archiver==0.7.1\n"}))
    assert ev.status is Status.UNVERIFIABLE
