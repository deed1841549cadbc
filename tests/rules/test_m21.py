"""M21 cloud: a cloudbuild file under any name whose steps run the docker builder."""

from __future__ import annotations

import pytest

from verifier.evidence import Status

from conftest import check

BUILD = """steps:
  - name: 'gcr.io/cloud-builders/docker'
    args: ['build', '.', '-t', 'europe-west1-docker.pkg.dev/p/r/api', '-f', 'dockerfiles/api.dockerfile']
  - name: 'gcr.io/cloud-builders/docker'
    args: ['push', 'europe-west1-docker.pkg.dev/p/r/api']
"""


def test_docker_builder_steps_under_any_file_name_are_found(make_repo) -> None:
    ev = check("m21.build-trigger", make_repo({"infra/images.yml": BUILD}))
    assert ev.status is Status.FOUND
    assert ev.locations[0].path == "infra/images.yml"
    assert ev.locations[0].line == 2


def test_gs_dvc_remote_is_found(make_repo) -> None:
    config = "[core]\n    remote = storage\n['remote \"storage\"']\n    url = gs://my-bucket\n"
    ev = check("m21.bucket-dvc", make_repo({".dvc/config": config}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".dvc/config", 4)


def test_vertex_worker_pool_config_is_found(make_repo) -> None:
    job = "workerPoolSpecs:\n  machineSpec:\n    machineType: n1-highmem-2\n  replicaCount: 1\n  containerSpec:\n    imageUri: gcr.io/p/train\n"
    ev = check("m21.cloud-training", make_repo({"configs/vertex.yaml": job}))
    assert ev.status is Status.FOUND
    assert ev.locations[0].path == "configs/vertex.yaml"


def test_no_training_trace_is_unverifiable_with_looked_for(make_repo) -> None:
    ev = check("m21.cloud-training", make_repo({"README.md": "# project\n"}))
    assert ev.status is Status.UNVERIFIABLE
    assert any("workerPoolSpecs" in item for item in ev.looked_for)


def test_workflow_build_cites_the_docker_line_inside_a_multi_line_step(make_repo) -> None:
    wf = (
        "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - name: Push\n        run: |\n          gcloud auth configure-docker europe-west1-docker.pkg.dev\n"
        "          docker push europe-west1-docker.pkg.dev/p/r/api:latest\n"
    )
    ev = check("m21.build-trigger", make_repo({".github/workflows/build.yaml": wf}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/build.yaml", 9)
    assert ev.locations[0].snippet.startswith("docker push")


def test_cloudbuild_step_creating_a_vertex_job_in_list_form_is_found(make_repo) -> None:
    build = (
        "steps:\n  - name: gcr.io/cloud-builders/gcloud\n"
        "    args: ['ai', 'custom-jobs', 'create', '--region', 'europe-west1', '--config', 'job.yaml']\n"
    )
    ev = check("m21.cloud-training", make_repo({"vertex_train.yaml": build}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("vertex_train.yaml", 2)
    assert "custom-jobs create" in ev.locations[0].snippet


TRAIN_DOCKERFILE = (
    "FROM python:3.11-slim\nRUN pip install dvc[gs]\n"
    "RUN dvc remote add -d remote_storage gs://mybucket\nRUN dvc pull\n"
)


def test_dvc_remote_added_in_a_dockerfile_is_found(make_repo) -> None:
    config = "[core]\n    no_scm = false\n"
    repo = make_repo({".dvc/config": config, "dockerfiles/train.dockerfile": TRAIN_DOCKERFILE})
    ev = check("m21.bucket-dvc", repo)
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("dockerfiles/train.dockerfile", 3)


def test_dvc_remote_added_in_a_workflow_is_found_like_in_a_dockerfile(make_repo) -> None:
    wf = (
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: dvc remote add -d storage gs://mybucket\n      - run: dvc pull\n"
    )
    ev = check("m21.bucket-dvc", make_repo({".github/workflows/data.yaml": wf}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/data.yaml", 6)


def test_a_dockerfile_copying_from_a_bucket_without_dvc_is_weak(make_repo) -> None:
    dockerfile = "FROM google/cloud-sdk:slim\nRUN gsutil cp gs://mybucket/data.csv data/\n"
    ev = check("m21.bucket-dvc", make_repo({"Dockerfile": dockerfile, "README.md": "# x\n"}))
    assert ev.status is Status.WEAK
    assert (ev.locations[0].path, ev.locations[0].line) == ("Dockerfile", 2)


def test_a_gs_remote_only_in_the_docs_is_weak(make_repo) -> None:
    config = "[core]\n    remote = gdrive\n['remote \"gdrive\"']\n    url = gdrive://abc\n"
    readme = "# Data\n\nThe data also lives in our bucket: `dvc remote add -d gcs gs://our-bucket`.\n"
    ev = check("m21.bucket-dvc", make_repo({".dvc/config": config, "README.md": readme}))
    assert ev.status is Status.WEAK
    assert (ev.locations[0].path, ev.locations[0].line) == ("README.md", 3)


def test_a_build_after_the_tests_workflow_is_automatic(make_repo) -> None:
    wf = (
        "on:\n  workflow_run:\n    workflows: [Tests]\n    types: [completed]\njobs:\n  b:\n"
        "    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -t api -f dockerfiles/api.dockerfile .\n"
    )
    ev = check(
        "m21.build-trigger", make_repo({".github/workflows/build.yaml": wf, "Dockerfile": "FROM python\n"})
    )
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/build.yaml", 9)


def test_a_cloud_sdk_step_creating_a_custom_job_is_cloud_training(make_repo) -> None:
    build = (
        "steps:\n  - name: gcr.io/google.com/cloudsdktool/cloud-sdk\n    entrypoint: gcloud\n"
        "    args: ['ai', 'custom-jobs', 'create', '--region=europe-west1', '--config=config.yaml']\n"
    )
    ev = check("m21.cloud-training", make_repo({"vertex_train.yaml": build}))
    assert ev.status is Status.FOUND and ev.locations[0].path == "vertex_train.yaml"


def test_no_bucket_trace_without_dvc_is_unverifiable(make_repo) -> None:
    ev = check("m21.bucket-dvc", make_repo({"src/p/train.py": "x = 1\n"}))
    assert ev.status is Status.UNVERIFIABLE and ev.looked_for


def test_a_dvc_project_in_a_subfolder_with_a_bucket_remote_is_found(make_repo) -> None:
    config = "[core]\n    remote = gcs\n['remote \"gcs\"']\n    url = gs://my-bucket/data\n"
    ev = check(
        "m21.bucket-dvc",
        make_repo({"project/.dvc/config": config, "project/data.dvc": "outs:\n- path: data\n"}),
    )
    assert ev.status is Status.FOUND and ev.locations[0].path == "project/.dvc/config"


TRAINING_IMAGE = 'FROM python:3.11-slim\nCOPY src src\nENTRYPOINT ["python", "-u", "src/digits/train.py"]\n'
API_DOCKERFILE = 'FROM python:3.11-slim\nCOPY src src\nCMD ["uvicorn", "digits.api:app", "--port", "8080"]\n'
CLOUDBUILD = """steps:
  - name: gcr.io/cloud-builders/docker
    args: ['build', '-f', 'dockerfiles/{name}.dockerfile', '-t', 'europe-west1-docker.pkg.dev/p/images/{name}:latest', '.']
  - name: gcr.io/cloud-builders/docker
    args: ['push', 'europe-west1-docker.pkg.dev/p/images/{name}:latest']
"""
CUSTOM_JOB_DOCS = "## Training on Vertex AI\n\n```bash\ngcloud ai custom-jobs create --region=europe-west1 --config=job.yaml\n```\n"


def test_a_training_image_built_for_gcp_with_documented_gcloud_commands_is_found(make_repo) -> None:
    repo = make_repo(
        {
            "dockerfiles/train.dockerfile": TRAINING_IMAGE,
            "cloudbuild.yaml": CLOUDBUILD.format(name="train"),
            "docs/training.md": CUSTOM_JOB_DOCS,
        }
    )
    ev = check("m21.cloud-training", repo)
    assert ev.status is Status.FOUND, ev.message
    assert [loc.path for loc in ev.locations] == ["cloudbuild.yaml", "docs/training.md"]


@pytest.mark.parametrize(
    ("files", "cited"),
    [
        ({"docs/training.md": CUSTOM_JOB_DOCS}, "docs/training.md"),
        ({"README.md": "gcloud compute ssh trainer-vm --zone europe-west1-b\n"}, "README.md"),
        (
            {
                "dockerfiles/train.dockerfile": TRAINING_IMAGE,
                "scripts/build.sh": "docker build -f dockerfiles/train.dockerfile -t gcr.io/p/train:v1 .\n",
            },
            "scripts/build.sh",
        ),
        ({"README.md": "docker run --gpus all europe-docker.pkg.dev/p/images/trainer:latest\n"}, "README.md"),
    ],
    ids=["custom-job-documented", "compute-ssh-documented", "gcr-training-image", "gpu-run-of-a-gcp-image"],
)
def test_one_half_of_cloud_training_is_weak(make_repo, files, cited) -> None:
    ev = check("m21.cloud-training", make_repo(files))
    assert ev.status is Status.WEAK, ev.message
    assert ev.locations[0].path == cited


def test_docker_hub_training_images_serving_images_and_local_gpu_runs_are_no_gcp_training(make_repo) -> None:
    repo = make_repo(
        {
            "dockerfiles/train.dockerfile": TRAINING_IMAGE,
            "dockerfiles/api.dockerfile": API_DOCKERFILE,
            "cloudbuild.yaml": CLOUDBUILD.format(name="api"),
            "Makefile": "push:\n\tdocker build -f dockerfiles/train.dockerfile -t ada/train:latest .\n\tdocker push ada/train:latest\n",
            "README.md": "Run it locally on a GPU: docker run --gpus all ada/train:latest\n",
        }
    )
    ev = check("m21.cloud-training", repo)
    assert ev.status is Status.UNVERIFIABLE, ev.locations
