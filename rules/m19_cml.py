"""M19 Continuous machine learning: workflows triggered by data and by the model registry."""

import re

from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule

DVC_STEP = r"\bdvc\s+(pull|repro|push)|cml\b"
REGISTRY_STEP = r"model[-_ ]registry|link_artifact|wandb.*artifact|staged?_model|MODEL_NAME"
DATA_PATH = r"\.dvc|(^|/)data(/|$)|\*\*/\*\.dvc|dvc\.(yaml|lock)"


class DataTrigger(Rule):
    """A workflow whose push/pull_request `paths` filter matches DVC files (*.dvc, .dvc/**) or data/**."""

    id = "m19.data-trigger"
    modules = ("M19",)
    title = "Workflow triggered by data changes"
    texts = ("Add a continues workflow that triggers when data changes",)

    def check(self, repo: Repo) -> Evidence:
        hits = [
            repo.location(w.path, repo.line_of(w.path, re.escape(f)) or 1, f"paths: {f}")
            for w in repo.workflows
            for f in w.path_filters()
            if re.search(DATA_PATH, f)
        ]
        if hits:
            return Evidence.found("A workflow runs when data or DVC files change.", hits)
        dvc_steps = [
            repo.step_location(w.path, s, DVC_STEP) for w in repo.workflows for s in w.steps_running(DVC_STEP)
        ]
        if dvc_steps:
            return Evidence.weak(
                "A workflow pulls data with DVC or uses CML, but is not triggered by data changes (no paths filter).",
                dvc_steps,
            )
        return Evidence.absent(
            "No workflow is triggered by data changes.",
            ("on: push/pull_request with paths matching *.dvc, .dvc/** or data/**",),
        )


class RegistryTrigger(Rule):
    """A repository_dispatch workflow (e.g. types: staged_model) or a workflow that runs on its own
    and acts on W&B registry artifacts; one started only by hand (workflow_dispatch) is weak."""

    id = "m19.registry-trigger"
    modules = ("M19",)
    title = "Workflow triggered by model registry changes"
    texts = ("Add a continues workflow that triggers when changes to the model registry is made",)

    def check(self, repo: Repo) -> Evidence:
        dispatch = [
            repo.location(
                w.path,
                repo.line_of(w.path, r"repository_dispatch") or 1,
                f"repository_dispatch {w.triggers.get('repository_dispatch') or ''}",
            )
            for w in repo.workflows
            if w.triggered_by("repository_dispatch")
        ]
        if dispatch:
            return Evidence.found(
                "A workflow is triggered by repository_dispatch (e.g. a W&B registry webhook).", dispatch
            )
        registry = [
            (w, repo.step_location(w.path, s, REGISTRY_STEP))
            for w in repo.workflows
            for s in w.steps_running(REGISTRY_STEP)
        ]
        automatic = [loc for w, loc in registry if set(w.triggers) - {"workflow_dispatch"}]
        if automatic:
            return Evidence.found(
                "A workflow that runs on its own (not only by hand) acts on W&B registry models.", automatic
            )
        if registry:
            return Evidence.weak(
                "A workflow acts on registry models, but only when started by hand (workflow_dispatch).",
                [loc for _, loc in registry],
            )
        return Evidence.absent(
            "No workflow is triggered by model registry changes.",
            ("on: repository_dispatch (types: staged_model)", "workflows acting on W&B registry artifacts"),
        )
