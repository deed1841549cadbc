"""M19 Continuous machine learning: workflows triggered by data and by the model registry."""

import re

from verifier.checks import stray_workflows
from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule
from verifier.textsearch import prepared

DVC_STEP = prepared(re.compile(r"\bdvc\s+(pull|repro|push)|cml\b", re.IGNORECASE))
# Registry actions, not a model's name: `--model_name resnet18` or `$MODEL_NAME` act on no registry.
REGISTRY_STEP = prepared(
    re.compile(
        r"model[-_ ]registry|wandb-registry|link_artifact|use_artifact|wandb\s+artifact|"
        r"(link|stage|promote)[-_]?(to[-_])?model|staged?_model|client_payload|artifact_version|--aliases?\b",
        re.IGNORECASE,
    )
)
# DVC files, or a data folder at the top of the repository (`data/**`, `datasets/**`), not a code
# package's data module (`src/proj/data/**`) or a config group (`configs/data/**`).
DATA_PATH = re.compile(r"\.dvc\b|(^|/)dvc\.(yaml|lock)$|^(\./)?(\*\*/)?(data|datasets?|raw[-_]data)(/|$)")
GLOB_CHARACTER = re.compile(r"[*?\[]")
DISPATCH = re.compile(r"repository_dispatch", re.IGNORECASE)


def _dvc_outputs(repo: Repo) -> set[str]:
    """Paths the repository tracks with DVC: `data/raw` for data/raw.dvc, and the outs of dvc.yaml stages."""
    outputs = {path[: -len(".dvc")] for path in repo.glob("*.dvc")}
    for path in repo.glob("dvc.yaml"):
        stages = repo.yaml(path)
        stages = stages.get("stages") if isinstance(stages, dict) else None
        for stage in stages.values() if isinstance(stages, dict) else []:
            outs = stage.get("outs") if isinstance(stage, dict) else None
            for out in outs if isinstance(outs, list) else []:
                for name in out if isinstance(out, dict) else [out]:
                    folder = path.rpartition("/")[0]
                    outputs.add(f"{folder}/{name}".strip("/") if folder else str(name).strip("/"))
    return outputs


def _names_data(path_filter: str, tracked: set[str]) -> bool:
    """A paths filter naming DVC files, a top-level data folder, or a path tracked by DVC."""
    if path_filter.startswith("!"):
        return False
    if DATA_PATH.search(path_filter):
        return True
    prefix = GLOB_CHARACTER.split(path_filter.removeprefix("./"), maxsplit=1)[0].strip("/")
    return bool(prefix) and any(prefix == out or prefix.startswith(out + "/") for out in tracked)


class DataTrigger(Rule):
    """A workflow whose push/pull_request `paths` filter names DVC files (*.dvc, .dvc/**, dvc.lock), a
    top-level data folder (data/**, datasets/**) or a path tracked by DVC; code folders named data
    (src/proj/data/**, configs/data/**) are no data. A DVC/CML step in a workflow without any paths filter
    is weak; one filtered to code files only (api.py) never runs for data, and a workflow file outside
    .github/workflows/ never runs at all: both absent, and the message says so."""

    id = "m19.data-trigger"
    modules = ("M19",)
    title = "Workflow triggered by data changes"
    texts = ("Add a continues workflow that triggers when data changes",)

    def check(self, repo: Repo) -> Evidence:
        tracked = _dvc_outputs(repo)
        hits = [
            repo.location(w.path, repo.line_of(w.path, re.escape(f)) or 1, f"paths: {f}")
            for w in repo.workflows
            for f in w.path_filters()
            if _names_data(f, tracked)
        ]
        # dorny/paths-filter: a job step that decides what runs by the paths a push changed
        hits += [
            repo.location(w.path, s.line or 1, f"paths-filter: {line.strip()}")
            for w in repo.workflows
            for s in w.steps_using("dorny/paths-filter")
            for line in str(s.with_.get("filters", "")).splitlines()
            if _names_data(line.strip().lstrip("-").strip().strip("'\""), tracked)
        ]
        if hits:
            return Evidence.found("A workflow runs when data or DVC files change.", hits)
        # A workflow with no paths filter runs on every push, data changes included; one filtered to other
        # files (api.py, src/**) never runs for a data change.
        unfiltered = [w for w in repo.workflows if not w.path_filters()]
        dvc_steps = [
            repo.step_location(w.path, s, DVC_STEP) for w in unfiltered for s in w.steps_running(DVC_STEP)
        ]
        if dvc_steps:
            return Evidence.weak(
                "A workflow pulls data with DVC or uses CML, but is not triggered by data changes (no paths filter).",
                dvc_steps,
            )
        looked_for = (
            "on: push/pull_request with paths matching *.dvc, .dvc/**, dvc.lock, data/** or datasets/**",
        )
        stray = [
            w.path for w in stray_workflows(repo) if any(_names_data(f, tracked) for f in w.path_filters())
        ]
        if stray:
            return Evidence.absent(
                f"{stray[0]} is written as a workflow triggered by data changes, but it lies outside "
                ".github/workflows/, so GitHub never runs it.",
                looked_for,
            )
        code_only = [w for w in repo.workflows if w.path_filters() and w.steps_running(DVC_STEP)]
        if code_only:
            filters = ", ".join(code_only[0].path_filters()[:3])
            return Evidence.absent(
                f"No workflow is triggered by data changes: {code_only[0].path} runs DVC but only when "
                f"{filters} change, which are no data files.",
                looked_for,
            )
        return Evidence.absent("No workflow is triggered by data changes.", looked_for)


class RegistryTrigger(Rule):
    """A repository_dispatch workflow (e.g. types: staged_model) or a workflow that runs on its own
    and acts on the W&B registry (link_artifact / use_artifact, registry paths, the dispatch payload,
    model aliases); one started only by hand (workflow_dispatch) is weak. A model's name
    (`--model_name`, `$MODEL_NAME`) is no registry action."""

    id = "m19.registry-trigger"
    modules = ("M19",)
    title = "Workflow triggered by model registry changes"
    texts = ("Add a continues workflow that triggers when changes to the model registry is made",)

    def check(self, repo: Repo) -> Evidence:
        dispatch = [
            repo.location(
                w.path,
                repo.line_of(w.path, DISPATCH) or 1,
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
        looked_for = (
            "on: repository_dispatch (types: staged_model)",
            "workflows acting on W&B registry artifacts",
        )
        stray = [w.path for w in stray_workflows(repo) if w.triggered_by("repository_dispatch")]
        if stray:
            return Evidence.absent(
                f"{stray[0]} is written as a repository_dispatch workflow, but it lies outside "
                ".github/workflows/, so GitHub never runs it.",
                looked_for,
            )
        return Evidence.absent("No workflow is triggered by model registry changes.", looked_for)
