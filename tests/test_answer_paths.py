"""Answer checks that must not accuse wrongly (issue #18, section 4): one test per shape of path, CI and
tool claim that looked like a contradiction but was none, each with a near miss that still is one."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.answers import AnswerFinding, check_answers, gitignored
from verifier.repo import Repo
from verifier.report import parse_report

from conftest import write_tree


def answer_findings(root: Path, number: int, body: str) -> dict[str, AnswerFinding]:
    """The findings about one answer (31-question numbering), by check, without the length check."""
    text = f"# R\n\n## Overall project checklist\n\n* [ ] x\n\n### Question {number}\n\n> Answer:\n\n{body}\n"
    return {f.check: f for f in check_answers(Repo(root), parse_report(text)) if f.check != "completeness"}


def paths(root: Path, body: str, number: int = 5) -> AnswerFinding | None:
    return answer_findings(root, number, body).get("paths")


@pytest.fixture
def group(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "group",
        {
            "src/pkg/__init__.py": "",
            "src/pkg/train.py": "import torch\n",
            "configs/config.yaml": "lr: 0.1\n",
            ".github/workflows/tests.yaml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
            "dockerfiles/api.dockerfile": "FROM python:3.12\n",
            "docs/mkdocs.yaml": "site_name: p\n",
            "README.md": "# p\n",
        },
    )


def test_an_extension_alone_is_no_path(group: Path) -> None:
    assert paths(group, "All settings are `.yaml` files, the project is described in `.toml`.") is None
    near_miss = paths(group, "All settings are in `settings.yaml`.")
    assert near_miss is not None and near_miss.verdict == "inconsistent"


def test_a_path_relative_to_the_report_or_with_a_broken_prefix_resolves(group: Path) -> None:
    found = paths(
        group, "The code is in `../src/pkg/`, the CI in `../.github/workflows/` and configs in `.../configs`."
    )
    assert found is not None and found.verdict == "consistent", found
    assert found.observed == "3 of 3 exist"
    assert paths(group, "The code is in `../src/other/`.").verdict == "inconsistent"


def test_a_file_in_another_letter_case_or_with_the_other_yaml_suffix_exists(group: Path) -> None:
    found = paths(
        group, "The API image is `dockerfiles/api.Dockerfile`; the docs are configured in `mkdocs.yml`."
    )
    assert found is not None and found.verdict == "consistent", found
    assert paths(group, "The API image is `dockerfiles/web.Dockerfile`.").verdict == "inconsistent"


def test_a_name_pattern_is_no_committed_file(group: Path) -> None:
    body = (
        "Each run writes `config_seed{X}.yaml` and its logs go to `logs/<timestamp>/`, with `$HOME/.cache`."
    )
    assert paths(group, body) is None


def test_a_path_the_answer_says_was_removed_or_not_used_is_no_claim(group: Path) -> None:
    assert paths(group, "We removed `src/pkg/evaluate.py` in the last week.") is None
    assert paths(group, "The old `scripts/export.py` is not used anymore.") is None
    assert paths(group, "The training lives in `src/pkg/fit.py`.").verdict == "inconsistent"


@pytest.mark.parametrize(
    "token",
    [".hydra/config.yaml", "outputs/", "multirun/", "wandb/", "profiling/trace.json", "tb_logs/"],
)
def test_run_output_folders_are_unverifiable_not_missing(group: Path, token: str) -> None:
    found = paths(group, f"The run leaves `{token}` behind.")
    assert found is not None and found.verdict == "unverifiable", found
    assert "run time" in found.message


def test_a_path_ignored_by_a_nested_gitignore_is_unverifiable(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "src/pkg/.gitignore": "cache/\n!cache/keep.txt\n",
            "src/pkg/model.py": "x = 1\n",
            "README.md": "# p\n",
        },
    )
    found = paths(root, "Features are cached in `src/pkg/cache/features.parquet`.")
    assert found is not None and found.verdict == "unverifiable" and "git-ignored" in found.message
    assert gitignored(Repo(root), "src/pkg/cache/")
    assert not gitignored(Repo(root), "src/pkg/cache/keep.txt")  # re-included by the nested file
    assert not gitignored(Repo(root), "cache/features.parquet")  # the nested file speaks for its folder only
    assert paths(root, "The model is `src/pkg/net.py`.").verdict == "inconsistent"


def test_data_tracked_by_dvc_is_unverifiable(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "data/enriched.dvc": "outs:\n- md5: 0a1b\n  path: enriched\n",
            ".dvc/config": "[core]\n    remote = gcs\n",
            "src/pkg/data.py": "x = 1\n",
        },
    )
    found = paths(
        root, "The enriched set is described in `enriched/meta.json`, see also `data/enriched/test.csv`."
    )
    assert found is not None and found.verdict == "unverifiable" and "tracked by DVC" in found.message
    assert found.observed == "0 of 2 exist"
    assert paths(root, "The raw set is described in `raw/meta.json`.").verdict == "inconsistent"


def test_a_file_the_code_writes_when_it_runs_is_unverifiable(tmp_path: Path) -> None:
    workflow = "on: push\njobs:\n  load:\n    runs-on: ubuntu-latest\n    steps:\n      - run: mkdir reports/locust_results\n"
    root = write_tree(tmp_path, {".github/workflows/load.yaml": workflow, "src/pkg/api.py": "x = 1\n"})
    found = paths(root, "The results [are here](locust_results/local_stats.csv).", number=25)
    assert (
        found is not None
        and found.verdict == "unverifiable"
        and "written when the code runs" in found.message
    )
    said = paths(root, "The summary `metrics/summary.json` is generated by our evaluation script.")
    assert said is not None and said.verdict == "unverifiable"
    saved = paths(root, "The scores are saved to `results/scores.json` after each epoch.")
    assert saved is not None and saved.verdict == "unverifiable"
    # named without any write, or as the thing that writes: a script that should be committed and is not
    assert paths(root, "We evaluate with `src/pkg/evaluate.py`.").verdict == "inconsistent"
    assert (
        paths(root, "`src/pkg/predict.py` outputs the predictions as a CSV file.").verdict == "inconsistent"
    )


def test_a_list_of_api_routes_is_no_path(group: Path) -> None:
    assert paths(group, "We test the `root/` and `predict/` endpoints.", number=25) is None


WINDOWS_AND_UBUNTU = (
    "on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        os: [ubuntu-latest, macos-latest]\n"
    "    runs-on: ${{ matrix.os }}\n    steps:\n      - run: pytest\n"
)


@pytest.mark.parametrize(
    "body",
    [
        "Our tests run in GitHub Actions (linux and Mac - Windows was difficult to get up and running).",
        "The workflow tests on Ubuntu and macOS. It also ran on Windows, which we decided to leave out.",
        "We test on Ubuntu and macOS; we tried Windows but it kept failing on path separators.",
    ],
)
def test_an_os_in_a_failed_or_abandoned_clause_is_no_claim(tmp_path: Path, body: str) -> None:
    root = write_tree(tmp_path, {".github/workflows/tests.yaml": WINDOWS_AND_UBUNTU})
    found = answer_findings(root, 11, body)
    assert "ci-windows" not in found
    assert found["ci-ubuntu"].verdict == "consistent"


def test_an_os_claimed_plainly_is_still_checked(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {".github/workflows/tests.yaml": WINDOWS_AND_UBUNTU})
    assert (
        answer_findings(root, 11, "Our tests run on Ubuntu, macOS and Windows.")["ci-windows"].verdict
        == "inconsistent"
    )


def test_caching_asked_of_an_action_that_does_not_cache_is_unverifiable(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/setup-python@v5\n"
        "        with:\n          python-version: '3.12'\n          enable-cache: true\n      - run: pytest\n"
    )
    root = write_tree(tmp_path, {".github/workflows/tests.yaml": workflow})
    found = answer_findings(root, 11, "We use the built-in caching of setup-python to speed up installs.")[
        "ci-caching"
    ]
    assert found.verdict == "unverifiable" and "enable-cache" in found.message
    plain = write_tree(
        tmp_path / "plain",
        {".github/workflows/tests.yaml": workflow.replace("          enable-cache: true\n", "")},
    )
    assert (
        answer_findings(plain, 11, "We use caching to speed up installs.")["ci-caching"].verdict
        == "inconsistent"
    )


def test_an_answer_that_denies_a_tool_claims_nothing_with_its_explanation(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"src/pkg/train.py": "import torch\n"})
    body = (
        "We did not use Weights & Biases (W&B) because we trained no model ourselves. W&B is most valuable for "
        "experiment tracking, such as logging hyperparameters and comparing runs."
    )
    assert "tool-m14.wandb" not in answer_findings(root, 14, body)
    assert "tool-m08.dvc" not in answer_findings(root, 30, "Tried to set up DVC (twice).")
    used = answer_findings(root, 14, "We logged every run to W&B and compared the loss curves there.")
    assert used["tool-m14.wandb"].verdict == "inconsistent"


@pytest.mark.parametrize(
    "name",
    ["docker/serve.Dockerfile", "dockerfile", "Dockerfile.api", "api.DOCKERFILE", "ops/[gpu] #1!.dockerfile"],
)
def test_a_dockerfile_in_any_letter_case_that_writes_the_path_counts_as_the_rules_read_it(
    tmp_path: Path, name: str
) -> None:
    """The Dockerfiles searched for a write are those the rules read (`Repo.dockerfiles`), not only the names
    `Dockerfile*` and `*.dockerfile` spell in one letter case."""
    image = "FROM python:3.12\nRUN python eval.py --output metrics_out/scores.json\n"
    root = write_tree(tmp_path, {name: image, "src/pkg/api.py": "x = 1\n"})
    found = paths(root, "The scores are in `metrics_out/scores.json`.")
    assert (
        found is not None
        and found.verdict == "unverifiable"
        and "written when the code runs" in found.message
    )
    # near miss: the Dockerfile names the file without writing it
    copied = write_tree(tmp_path / "copied", {name: "FROM python:3.12\nCOPY metrics_out/scores.json /app/\n"})
    assert paths(copied, "The scores are in `metrics_out/scores.json`.").verdict == "inconsistent"
    # a file that is no Dockerfile (prose about one) is not searched
    notes = write_tree(
        tmp_path / "notes", {"docs/dockerfile_notes.md": "run with --output metrics_out/scores.json\n"}
    )
    assert paths(notes, "The scores are in `metrics_out/scores.json`.").verdict == "inconsistent"
