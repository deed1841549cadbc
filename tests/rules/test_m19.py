"""M19 triggers: `on:` read as True, a **/*.dvc paths filter, repository_dispatch staged_model."""

from __future__ import annotations

from verifier.evidence import Status

from conftest import check

DATA = """name: data
on:
  push:
    paths:
      - '**/*.dvc'
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - run: dvc pull
"""


def test_dvc_paths_filter_is_found(make_repo) -> None:
    ev = check("m19.data-trigger", make_repo({".github/workflows/data.yaml": DATA}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/data.yaml", 5)


def test_on_key_read_as_true_keeps_its_triggers(make_repo) -> None:
    repo = make_repo({".github/workflows/data.yaml": DATA})
    assert repo.workflows[0].triggered_by("push")
    assert "**/*.dvc" in repo.workflows[0].path_filters()


def test_dvc_pull_without_paths_is_weak(make_repo) -> None:
    ev = check(
        "m19.data-trigger",
        make_repo({".github/workflows/data.yaml": DATA.replace("    paths:\n      - '**/*.dvc'\n", "")}),
    )
    assert ev.status is Status.WEAK
    assert ev.locations[0].path == ".github/workflows/data.yaml"


def test_repository_dispatch_staged_model_is_found(make_repo) -> None:
    wf = "on:\n  repository_dispatch:\n    types: [staged_model]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n"
    ev = check("m19.registry-trigger", make_repo({".github/workflows/stage.yaml": wf}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/stage.yaml", 2)
    assert "staged_model" in ev.locations[0].snippet


def test_no_dispatch_says_what_was_looked_for(make_repo) -> None:
    ev = check("m19.registry-trigger", make_repo({".github/workflows/data.yaml": DATA}))
    assert ev.status is Status.ABSENT
    assert any("repository_dispatch" in item for item in ev.looked_for)


REGISTRY_STEP = (
    "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python link_to_model_registry.py\n"
)


def test_scheduled_workflow_acting_on_the_registry_is_found(make_repo) -> None:
    wf = "on:\n  schedule:\n    - cron: '0 3 * * *'\n" + REGISTRY_STEP
    ev = check("m19.registry-trigger", make_repo({".github/workflows/registry.yaml": wf}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/registry.yaml", 8)


def test_manual_only_workflow_acting_on_the_registry_is_weak(make_repo) -> None:
    wf = "on: workflow_dispatch\n" + REGISTRY_STEP
    ev = check("m19.registry-trigger", make_repo({".github/workflows/registry.yaml": wf}))
    assert ev.status is Status.WEAK
    assert "by hand" in ev.message
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/registry.yaml", 6)


def _paths_workflow(*paths: str) -> str:
    listed = "".join(f"      - '{p}'\n" for p in paths)
    return (
        "on:\n  push:\n    paths:\n"
        + listed
        + "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: dvc pull\n"
    )


def test_top_level_datasets_folder_filter_is_found(make_repo) -> None:
    ev = check("m19.data-trigger", make_repo({".github/workflows/data.yaml": _paths_workflow("datasets/**")}))
    assert ev.status is Status.FOUND
    assert ev.locations[0].snippet == "paths: datasets/**"


def test_filter_on_a_dvc_tracked_folder_is_found(make_repo) -> None:
    repo = make_repo(
        {
            ".github/workflows/data.yaml": _paths_workflow("models/**"),
            "models.dvc": "outs:\n- md5: abc.dir\n  path: models\n",
        }
    )
    ev = check("m19.data-trigger", repo)
    assert ev.status is Status.FOUND
    assert ev.locations[0].snippet == "paths: models/**"


def test_code_folders_named_data_are_no_data_trigger(make_repo) -> None:
    # issue #18: a DVC step that runs only when code changes never runs for a data change (was: weak)
    wf = _paths_workflow("src/proj/data/**", "configs/data/**", "!data/**")
    ev = check("m19.data-trigger", make_repo({".github/workflows/data.yaml": wf}))
    assert ev.status is Status.ABSENT
    assert "src/proj/data/**" in ev.message


def test_model_name_argument_is_no_registry_action(make_repo) -> None:
    steps = (
        "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: python src/proj/train.py --model_name resnet18\n"
        '      - run: echo "docker build -t $MODEL_NAME ."\n'
    )
    ev = check("m19.registry-trigger", make_repo({".github/workflows/train.yaml": "on: push\n" + steps}))
    assert ev.status is Status.ABSENT


def test_pushed_workflow_using_a_registry_artifact_is_found(make_repo) -> None:
    steps = (
        "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: python -c \"import wandb; wandb.init().use_artifact('team/wandb-registry-model/digits:staging')\"\n"
    )
    ev = check("m19.registry-trigger", make_repo({".github/workflows/eval.yaml": "on: push\n" + steps}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == (".github/workflows/eval.yaml", 6)


def test_scheduled_alias_promotion_is_found(make_repo) -> None:
    wf = (
        "on:\n  schedule:\n    - cron: '0 3 * * *'\n"
        "jobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: python src/proj/promote_model.py --aliases production\n"
    )
    ev = check("m19.registry-trigger", make_repo({".github/workflows/promote.yaml": wf}))
    assert ev.status is Status.FOUND
    assert ev.locations[0].snippet.startswith("python src/proj/promote_model.py")


def test_a_paths_filter_action_on_data_is_a_data_trigger(make_repo) -> None:
    workflow = (
        "on: push\njobs:\n  changes:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: dorny/paths-filter@v3\n        id: filter\n        with:\n          filters: |\n"
        "            data:\n              - 'data/**'\n"
    )
    ev = check("m19.data-trigger", make_repo({".github/workflows/data.yaml": workflow}))
    assert ev.status is Status.FOUND and ev.locations[0].line == 6
    code = workflow.replace("'data/**'", "'src/**'")
    assert check("m19.data-trigger", make_repo({".github/workflows/data.yaml": code})).status is Status.ABSENT


def test_a_dvc_workflow_filtered_to_code_files_is_no_data_trigger(make_repo) -> None:
    ev = check(
        "m19.data-trigger", make_repo({".github/workflows/api.yaml": _paths_workflow("api.py", "src/**")})
    )
    assert ev.status is Status.ABSENT
    assert ".github/workflows/api.yaml runs DVC but only when api.py, src/** change" in ev.message


def test_a_workflow_outside_github_workflows_never_runs(make_repo) -> None:
    repo = make_repo(
        {
            "workflows/cml_data.yaml": _paths_workflow("**/*.dvc", ".dvc/**"),
            ".github/stage_model.yaml": "on:\n  repository_dispatch:\n    types: staged_model\njobs:\n  t:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - run: echo staged\n",
        }
    )
    data = check("m19.data-trigger", repo)
    assert data.status is Status.ABSENT
    assert "workflows/cml_data.yaml" in data.message and "never runs" in data.message
    registry = check("m19.registry-trigger", repo)
    assert registry.status is Status.ABSENT
    assert ".github/stage_model.yaml" in registry.message and "outside .github/workflows/" in registry.message


def test_a_workflow_in_github_workflows_is_not_stray(make_repo) -> None:
    ev = check(
        "m19.data-trigger", make_repo({".github/workflows/cml_data.yaml": _paths_workflow("**/*.dvc")})
    )
    assert ev.status is Status.FOUND
