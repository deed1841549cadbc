"""Every rule on its fixtures: a positive case, a negative case and a template-only or near-miss case.

Each fixture is a plain tree under fixtures/rules/<rule-id>/<case>/. The table says which evidence status
the rule must give and which file its first location must cite; absent and unverifiable findings must say
what was looked for, found and weak ones must cite a real line of a real file.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from verifier import templates
from verifier.evidence import Status
from verifier.registry import all_rules
from verifier.repo import Repo

from conftest import FIXTURES, check

CASES = [
    ("m02.environment", "found", "found", "pyproject.toml"),
    ("m02.environment", "absent", "absent", None),
    ("m02.environment", "template", "template", "pyproject.toml"),
    ("m02.conda-environment", "found", "found", "environment.yml"),
    ("m02.conda-environment", "absent", "absent", None),
    ("m02.conda-environment", "weak", "weak", "requirements.txt"),
    ("m02.requirements", "found", "found", "requirements.txt"),
    ("m02.requirements", "absent", "absent", None),
    ("m02.requirements", "weak", "weak", "src/digits/train.py"),
    ("m06.cookiecutter", "found", "found", "README.md"),
    ("m06.cookiecutter", "absent", "absent", None),
    ("m06.cookiecutter", "weak", "weak", "train.py"),
    ("m06.data", "found", "found", "src/digits/data.py"),
    ("m06.data", "absent", "absent", None),
    ("m06.data", "weak", "weak", "src/digits/data.py"),
    ("m06.model-training", "found", "found", "src/digits/model.py"),
    ("m06.model-training", "absent", "absent", None),
    ("m06.model-training", "template", "template", "src/digits/model.py"),
    ("m07.pep8", "found", "found", ".pre-commit-config.yaml"),
    ("m07.pep8", "absent", "absent", None),
    ("m07.pep8", "weak", "weak", "pyproject.toml"),
    ("m07.typing-docs", "found", "found", "src/digits/util.py"),
    ("m07.typing-docs", "absent", "absent", None),
    ("m07.typing-docs", "weak", "weak", "src/digits/util.py"),
    ("m08.dvc", "found", "found", "data.dvc"),
    ("m08.dvc", "absent", "absent", None),
    ("m08.dvc", "weak", "weak", ".dvc/config"),
    ("m09.cli", "found", "found", "src/digits/train.py"),
    ("m09.cli", "absent", "absent", None),
    ("m09.cli", "template", "template", "tasks.py"),
    ("m10.dockerfiles", "found", "found", "dockerfiles/train.dockerfile"),
    ("m10.dockerfiles", "absent", "absent", None),
    ("m10.dockerfiles", "template", "template", "dockerfiles/train.dockerfile"),
    ("m10.docker-build", "found", "found", ".github/workflows/build.yaml"),
    ("m10.docker-build", "absent", "absent", None),
    ("m10.docker-build", "weak", "weak", "README.md"),
    ("m10.docker-build", "unverifiable", "unverifiable", None),
    ("m10.docker-build", "near-miss-commented", "unverifiable", None),
    ("m11.config-files", "found", "found", "configs/config.yaml"),
    ("m11.config-files", "absent", "absent", None),
    ("m11.config-files", "weak", "weak", "configs/config.yaml"),
    ("m11.config-files", "near-miss-vertex-job", "absent", None),
    ("m11.hydra", "found", "found", "src/digits/train.py"),
    ("m11.hydra", "absent", "absent", None),
    ("m11.hydra", "weak", "weak", "requirements.txt"),
    ("m13.profiling", "found", "found", "src/digits/profile_train.py"),
    ("m13.profiling", "unverifiable", "unverifiable", None),
    ("m13.profiling", "weak", "weak", "docs/profiling.md"),
    ("m14.logging", "found", "found", "src/digits/train.py"),
    ("m14.logging", "absent", "absent", None),
    ("m14.logging", "weak", "weak", "requirements.txt"),
    ("m14.wandb", "found", "found", "src/digits/train.py"),
    ("m14.wandb", "absent", "absent", None),
    ("m14.wandb", "weak", "weak", ".env.example"),
    ("m14.sweep", "found", "found", "configs/sweep.yaml"),
    ("m14.sweep", "absent", "absent", None),
    ("m14.sweep", "weak", "weak", "requirements.txt"),
    ("m14.wandb-sweep", "found", "found", "src/digits/train.py"),
    ("m14.wandb-sweep", "absent", "absent", None),
    ("m14.wandb-sweep", "weak", "weak", "src/digits/train.py"),
    ("m14.optuna", "found", "found", "src/digits/tune.py"),
    ("m14.optuna", "absent", "absent", None),
    ("m14.optuna", "weak", "weak", "requirements.txt"),
    ("m15.lightning", "found", "found", "src/digits/model.py"),
    ("m15.lightning", "absent", "absent", None),
    ("m15.lightning", "weak", "weak", "requirements.txt"),
    ("m16.data-tests", "found", "found", "tests/test_data.py"),
    ("m16.data-tests", "absent", "absent", None),
    ("m16.data-tests", "near-miss-api-test", "absent", None),
    ("m16.model-tests", "found", "found", "tests/test_model.py"),
    ("m16.model-tests", "absent", "absent", None),
    ("m16.model-tests", "template", "template", "tests/test_model.py"),
    ("m16.coverage", "found", "found", ".github/workflows/tests.yaml"),
    ("m16.coverage", "unverifiable", "unverifiable", None),
    ("m16.coverage", "weak", "weak", "pyproject.toml"),
    ("m17.ci", "found", "found", ".github/workflows/tests.yaml"),
    ("m17.ci", "absent", "absent", None),
    ("m17.ci", "weak-install-only", "weak", ".github/workflows/ci.yaml"),
    ("m17.ci-matrix-cache", "found", "found", ".github/workflows/tests.yaml"),
    ("m17.ci-matrix-cache", "absent", "absent", None),
    ("m17.ci-matrix-cache", "weak", "weak", ".github/workflows/tests.yaml"),
    ("m17.lint-ci", "found", "found", ".github/workflows/lint.yaml"),
    ("m17.lint-ci", "absent", "absent", None),
    ("m17.lint-ci", "weak-format-without-check", "weak", ".github/workflows/lint.yaml"),
    ("m18.pre-commit", "found", "found", ".pre-commit-config.yaml"),
    ("m18.pre-commit", "absent", "absent", None),
    ("m18.pre-commit", "template", "template", ".pre-commit-config.yaml"),
    ("m19.data-trigger", "found", "found", ".github/workflows/cml_data.yaml"),
    ("m19.data-trigger", "absent", "absent", None),
    ("m19.data-trigger", "weak", "weak", ".github/workflows/train.yaml"),
    ("m19.registry-trigger", "found", "found", ".github/workflows/stage_model.yaml"),
    ("m19.registry-trigger", "absent", "absent", None),
    ("m19.registry-trigger", "weak", "weak", ".github/workflows/link.yaml"),
    ("m21.bucket-dvc", "found", "found", ".dvc/config"),
    ("m21.bucket-dvc", "absent", "absent", None),
    ("m21.bucket-dvc", "weak", "weak", "src/digits/upload.py"),
    ("m21.build-trigger", "found", "found", "configs/cloudbuild_images.yaml"),
    ("m21.build-trigger", "absent", "absent", None),
    ("m21.build-trigger", "unverifiable", "unverifiable", None),
    ("m21.build-trigger", "weak", "weak", ".github/workflows/build.yaml"),
    ("m21.cloud-training", "found", "found", "configs/vertex_cpu.yaml"),
    ("m21.cloud-training", "unverifiable", "unverifiable", None),
    ("m21.cloud-training", "found-command", "found", "tasks.py"),
    ("m22.fastapi", "found", "found", "api/app/inference.py"),
    ("m22.fastapi", "absent", "absent", None),
    ("m22.fastapi", "template", "template", "src/digits/api.py"),
    ("m22.fastapi", "weak", "weak", "app/main.py"),
    ("m23.cloud-deploy", "found", "found", "scripts/deploy.sh"),
    ("m23.cloud-deploy", "unverifiable", "unverifiable", None),
    ("m23.cloud-deploy", "weak", "weak", "README.md"),
    ("m23.torchserve", "found", "found", "Makefile"),
    ("m23.torchserve", "absent", "unverifiable", None),  # a local deployment leaves no file
    ("m23.torchserve", "weak", "weak", "requirements.txt"),
    ("m24.api-tests", "found", "found", "tests/integrationtests/test_apis.py"),
    ("m24.api-tests", "absent", "absent", None),
    ("m24.api-tests", "weak", "weak", "tests/test_apis.py"),
    ("m24.api-tests", "template", "template", "tests/test_api.py"),
    ("m24.load-test", "found", "found", "tests/performancetests/locustfile.py"),
    ("m24.load-test", "absent", "absent", None),
    ("m24.load-test", "weak", "weak", "requirements_dev.txt"),
    ("m25.onnx-bentoml", "found", "found", "src/digits/export.py"),
    ("m25.onnx-bentoml", "absent", "absent", None),
    ("m25.onnx-bentoml", "weak", "weak", "requirements.txt"),
    ("m26.frontend", "found", "found", "frontend/app.py"),
    ("m26.frontend", "absent", "absent", None),
    ("m26.frontend", "weak", "weak", "frontend/app.py"),
    ("m26.frontend", "near-miss-generated-report", "absent", None),
    ("m27.drift-robustness", "found", "found", "src/digits/drift.py"),
    ("m27.drift-robustness", "absent", "absent", None),
    ("m27.drift-robustness", "weak", "weak", "requirements.txt"),
    ("m27.io-collection", "found", "found", "src/digits/api.py"),
    ("m27.io-collection", "absent", "absent", None),
    ("m27.io-collection", "found-in-helper-module", "found", "src/digits/prediction_store.py"),
    ("m27.drift-api", "found", "found", "monitoring/drift_api.py"),
    ("m27.drift-api", "absent", "absent", None),
    ("m27.drift-api", "weak", "weak", "monitoring/drift_api.py"),
    ("m28.metrics", "found", "found", "src/digits/api.py"),
    ("m28.metrics", "absent", "absent", None),
    ("m28.metrics", "weak", "weak", "requirements.txt"),
    ("m28.cloud-monitoring", "found", "found", "service.yaml"),
    ("m28.cloud-monitoring", "unverifiable", "unverifiable", None),
    ("m28.cloud-monitoring", "near-miss-docs-only", "unverifiable", None),
    ("m28.alerts", "found", "found", "infra/alerts.tf"),
    ("m28.alerts", "unverifiable", "unverifiable", None),
    ("m28.alerts", "near-miss-agent-file", "unverifiable", None),
    ("m28.old-telemetry", "found", "found", "src/digits/api.py"),
    ("m28.old-telemetry", "unverifiable", "unverifiable", None),
    ("m28.old-telemetry", "weak", "weak", "requirements.txt"),
    ("m28.old-performance", "found", "found", "src/digits/drift.py"),
    ("m28.old-performance", "unverifiable", "unverifiable", None),
    ("m28.old-performance", "weak", "weak", "requirements.txt"),
    ("m29.data-loading", "found", "found", "src/digits/loading_benchmark.py"),
    ("m29.data-loading", "absent", "absent", None),
    ("m29.data-loading", "weak", "weak", "src/digits/train.py"),
    ("m30.distributed-training", "found", "found", "src/digits/train.py"),
    ("m30.distributed-training", "absent", "absent", None),
    ("m30.distributed-training", "weak", "weak", "src/digits/train.py"),  # devices from a config: 1
    ("m30.distributed-training", "near-miss-accelerator-auto", "absent", None),  # was weak before issue #18
    ("m31.inference-optimization", "found", "found", "src/digits/quantize.py"),
    ("m31.inference-optimization", "absent", "absent", None),
    ("m31.inference-optimization", "near-miss-prune-word", "absent", None),
    ("m32.documentation", "found", "found", "mkdocs.yml"),
    ("m32.documentation", "absent", "absent", None),
    ("m32.documentation", "template", "template", "docs/mkdocs.yaml"),
    ("m32.github-pages", "found", "found", ".github/workflows/docs.yaml"),
    ("m32.github-pages", "absent", "absent", None),
    ("m32.github-pages", "weak", "weak", "tasks.py"),
]

# Cases whose file stands in for a course-template stub: its fingerprint is registered for the test,
# so the template mechanism is exercised without copying the template's code into the project.
STUB_FILES = {("m06.model-training", "template"): ("src/digits/model.py", "digits")}


@pytest.mark.parametrize(
    ("rule_id", "case", "status", "cited"), CASES, ids=[f"{r}/{c}" for r, c, _, _ in CASES]
)
def test_rule_on_fixture(
    rule_id: str,
    case: str,
    status: str,
    cited: str | None,
    fixture_repo: Callable[..., Repo],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = fixture_repo(f"rules/{rule_id}/{case}")
    if (rule_id, case) in STUB_FILES:
        path, package = STUB_FILES[(rule_id, case)]
        digest = templates.normalized_hash(repo.read(path) or "", package)
        table = {"blobs": [], "stubs": [{"hash": digest, "file": path, "template": "test stub"}]}
        monkeypatch.setattr(templates, "_table", lambda: table)
    evidence = check(rule_id, repo)
    assert evidence.status is Status(status), evidence.message
    assert evidence.message.strip()
    if cited is None:
        assert not evidence.locations
    else:
        first = evidence.locations[0]
        assert first.path == cited
        assert repo.has(first.path) or first.path in {".git", ".git/config"}
        if first.line is not None:
            assert 0 < first.line <= len(repo.lines(first.path))
    if evidence.status in (Status.ABSENT, Status.UNVERIFIABLE):
        assert evidence.looked_for, "an absent or unverifiable finding must say what was looked for"


def test_every_rule_has_three_fixture_cases() -> None:
    by_rule: dict[str, set[str]] = {}
    for rule_id, case, _, _ in CASES:
        by_rule.setdefault(rule_id, set()).add(case)
    special = {"m05.git-repository", "m05.write-access", "extra.code-on-github", "extra.architecture-diagram"}
    unverifiable_by_design = {
        "extra.revisit-description",
        "extra.shared-understanding",
        "extra.presentation",
        "m20.gcp-project",
    }
    for rule in all_rules():
        if rule.id in special | unverifiable_by_design:
            continue
        assert len(by_rule.get(rule.id, ())) >= 3, (
            f"{rule.id} needs a positive, a negative and a near-miss fixture"
        )
        for case in by_rule[rule.id]:
            assert (FIXTURES / "rules" / rule.id / case).is_dir()


def test_no_rule_is_left_unimplemented() -> None:
    assert [rule.id for rule in all_rules() if not rule.implemented] == []
