"""M23 Cloud deployment (and the older local TorchServe deployment)."""

from verifier.rule import Rule


class CloudDeploy(Rule):
    """`gcloud run deploy` / `gcloud functions deploy` in a workflow, Cloud Build step, script or
    tasks file, a Cloud Run service YAML, or functions_framework code. Only a *.run.app URL is weak."""

    id = "m23.cloud-deploy"
    modules = ("M23",)
    title = "Model deployed on Cloud Functions or Cloud Run"
    texts = (
        "Deploy your model in GCP using either Functions or Run as the backend",
        "Deployed your model using `gcp`",
    )


class TorchServe(Rule):
    """2022-2024 wording: local deployment with TorchServe (a model archive, torch-model-archiver,
    a handler or a torchserve config)."""

    id = "m23.torchserve"
    modules = ("M23",)
    title = "Local deployment with TorchServe (2022-24 wording)"
    texts = (
        "If applicable, consider deploying the model locally using torchserve",
        "Deployed your model locally using TorchServe",
    )
