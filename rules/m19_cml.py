"""M19 Continuous machine learning: workflows triggered by data and by the model registry."""

from verifier.rule import Rule


class DataTrigger(Rule):
    """A workflow whose push/pull_request `paths` filter matches DVC files (*.dvc, .dvc/**) or data/**."""

    id = "m19.data-trigger"
    modules = ("M19",)
    title = "Workflow triggered by data changes"
    texts = ("Add a continues workflow that triggers when data changes",)


class RegistryTrigger(Rule):
    """A repository_dispatch workflow (e.g. types: staged_model) or a workflow acting on W&B
    registry artifacts; a manual-only trigger is weak."""

    id = "m19.registry-trigger"
    modules = ("M19",)
    title = "Workflow triggered by model registry changes"
    texts = ("Add a continues workflow that triggers when changes to the model registry is made",)
