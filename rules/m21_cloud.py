"""M21 Using the cloud: bucket linked to DVC, image build triggers, training on GCP."""

from verifier.rule import Rule


class BucketDvc(Rule):
    """A DVC remote in .dvc/config whose url is gs://...; gs:// paths without DVC are weak."""

    id = "m21.bucket-dvc"
    modules = ("M21",)
    title = "GCP bucket linked to DVC"
    texts = (
        "Create a data storage in GCP Bucket for your data and link this with your data version control setup",
        "Create a data storage in GCP Bucket for you data and preferable link this with your data version "
        "control setup",
        "Create a data storage on `gcp` for you data",
    )


class BuildTrigger(Rule):
    """A Cloud Build file (any name) with docker build steps, or a workflow that builds and pushes
    images on push. A build config that only runs by hand is weak; console triggers are invisible."""

    id = "m21.build-trigger"
    modules = ("M21",)
    title = "Trigger workflow that builds the docker images"
    texts = ("Create a trigger workflow for automatically building your docker images",)


class CloudTraining(Rule):
    """A Vertex AI job config (workerPoolSpecs/machineSpec), `gcloud ai custom-jobs create`,
    aiplatform jobs in code, or `gcloud compute instances create` for training."""

    id = "m21.cloud-training"
    modules = ("M21",)
    title = "Model training on Compute Engine or Vertex AI"
    texts = (
        "Get your model training in GCP using either the Engine or Vertex AI",
        "Get your model training on `gcp`",
    )
