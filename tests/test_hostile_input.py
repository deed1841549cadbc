"""Hostile input: every regular expression is linear on adversarial text, YAML walkers end on
self-referential documents, huge numbers, items and notebooks are bounded, and one bad report never
costs another repository its result."""

from __future__ import annotations

import csv
import importlib
import io
import json
import pkgutil
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from redos import assert_linear

import verifier
import verifier.rules
from verifier import answers, cli, coverage_check, dependencies, pyfacts, registry
from verifier.answers import check_answers
from verifier.engine import run_rule
from verifier.pyfacts import notebook_code
from verifier.registry import all_rules, match_item
from verifier.repo import Repo
from verifier.report import ChecklistItem, parse_report
from verifier.rules import (
    extra,
    m06_code_structure,
    m09_cli,
    m10_docker,
    m14_logging,
    m16_testing,
    m17_ci,
    m18_pre_commit,
    m21_cloud,
    m23_deployment,
    m24_api_testing,
    m26_frontend,
    m27_drift,
    m29_data_loading,
    m30_distributed,
)
from verifier.safe_yaml import YamlRefused, has_key, load_all, mappings
from verifier.workflows import MAX_MATRIX_VALUES, parse_workflow

from conftest import FIXTURES, SEEDS, write_tree

REPORT = """# Exam template for 02476 Machine Learning Operations

## Overall project checklist

### Week 1

* [x] Create a git repository (M5)
* [x] Construct one or multiple docker files for your code (M10)
* [x] Use distributed training (M30)
* [x] Get your model training in GCP using either the Engine or Vertex AI (M21)

## Group information

"""
BASE_FILES = {"reports/README.md": REPORT, "Dockerfile": "FROM python:3.12-slim\n", "src/app.py": "x = 1\n"}

# The report parser is rewritten in parallel (issue #14); add "verifier.report" here once it is linear.
NOT_AUDITED = frozenset({"verifier.report"})
# Patterns that never see text of unbounded length, with the reason (each one super-linear on long text).
BOUNDED_INPUT = {
    r"\[[!^]?\]?[^\]]*\]|[\[\]*?\\]": "Repo.glob: runs on the glob patterns the rules are written with",
    r"(?i)(.*\.)?dockerfile": "Repo.is_text: runs on the last component of a file name (255 bytes at most)",
}


def _audited_modules() -> list[ModuleType]:
    modules = []
    for package in (verifier, verifier.rules):
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            name = f"{package.__name__}.{info.name}"
            if name not in NOT_AUDITED:
                modules.append(importlib.import_module(name))
    return modules


def _patterns_of(module: ModuleType) -> Iterator[tuple[str, re.Pattern[str]]]:
    """Compiled patterns at module level, in module-level containers, and on classes the module defines."""

    def inside(value: Any) -> Iterator[Any]:
        yield value
        if isinstance(value, (tuple, list, set, frozenset)):
            yield from value
        elif isinstance(value, dict):
            yield from value.values()
        elif isinstance(value, type) and value.__module__ == module.__name__:
            yield from vars(value).values()

    for name, value in vars(module).items():
        for candidate in inside(value):
            if isinstance(candidate, re.Pattern) and isinstance(candidate.pattern, str):
                yield name, candidate


@pytest.mark.parametrize("module", _audited_modules(), ids=lambda m: m.__name__)
def test_every_module_level_pattern_is_linear_on_adversarial_text(module: ModuleType) -> None:
    for name, pattern in dict.fromkeys(_patterns_of(module)):
        if pattern.pattern not in BOUNDED_INPUT:
            assert_linear(pattern.pattern, pattern.flags, f"{module.__name__}.{name}")


def _pattern_sources() -> list[Path]:
    roots = [FIXTURES / "example-project", *sorted((FIXTURES / "answers").iterdir())]
    return roots + sorted(path for path in (FIXTURES / "rules").glob("*/*") if path.is_dir())


@pytest.fixture(scope="module")
def compiled_while_verifying() -> dict[tuple[str, int], str]:
    """Every pattern the verifier compiles from a string (f-strings, rule patterns handed to Repo.search,
    patterns built in loops) while all rules run over every fixture repository and the answer checks run
    over the fixture and seed reports, with the place that compiled it."""
    seen: dict[tuple[str, int], str] = {}
    original = re._compile  # type: ignore[attr-defined]

    def recording(pattern: Any, flags: Any) -> Any:
        frame = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__", "") in ("re", "re.__init__"):
            frame = frame.f_back
        module = frame.f_globals.get("__name__", "") if frame is not None else ""
        if isinstance(pattern, str) and module.startswith("verifier") and module not in NOT_AUDITED:
            seen.setdefault((pattern, int(flags)), f"{module}:{frame.f_lineno}")
        return original(pattern, flags)

    re._compile = recording  # type: ignore[attr-defined]
    # Start as a worker forked for one repository does, whatever ran before in this process: no compiled
    # pattern kept by `re` or by a function cache of the verifier (the recorded set does not depend on order).
    re.purge()
    for name, module in list(sys.modules.items()):
        if name == "verifier" or name.startswith("verifier."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
    try:
        rules = all_rules()
        for root in _pattern_sources():
            repo = Repo(root)
            for rule in rules:
                run_rule(rule(), repo)
        example = Repo(FIXTURES / "example-project")
        reports = [root / "reports" / "README.md" for root in _pattern_sources()[:3]]
        reports += sorted(SEEDS.glob("*.md"))
        for report in reports:
            check_answers(example, parse_report(report.read_bytes()))
        verifier.verify(FIXTURES / "example-project")
    finally:
        re._compile = original  # type: ignore[attr-defined]
    return seen


def test_patterns_are_recorded_from_rules_and_answers(compiled_while_verifying: dict) -> None:
    """The recorder sees what is compiled at run time, such as a pattern built from the repository (m19's
    line of a workflow's `paths:` filter; the package name a template stub is compared with is no longer
    compiled at all: `templates.replace_word`); a rule's fixed search pattern is audited either here or,
    declared with `textsearch.prepared`, among the module-level patterns (`_PREPARED_COMPILED`), which
    `test_every_module_level_pattern_is_linear_on_adversarial_text` audits. No count is asserted: it falls
    each time a fixed pattern moves to import time."""
    from rules import m32_documentation
    from rules.m10_docker import BUILD_COMMAND
    from rules.m32_documentation import PAGES_DEPLOY_STEP
    from verifier import textsearch

    places = {where.split(":")[0] for where in compiled_while_verifying.values()}
    # verifier.workflows compiled m32's GitHub Pages step pattern here until it was prepared at import
    assert {"verifier.answers", "verifier.repo", "verifier.textsearch"} <= places
    recorded = {pattern for pattern, _ in compiled_while_verifying}
    assert r"\*\*/\*\.dvc" in recorded
    at_import = {compiled.pattern for compiled in textsearch._PREPARED_COMPILED.values()}
    assert BUILD_COMMAND in recorded | at_import
    assert PAGES_DEPLOY_STEP in dict(_patterns_of(m32_documentation)).values()  # audited at module level


CHUNKS = 4  # the recorded patterns are checked in parts, so pytest-xdist spreads them over workers


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_pattern_compiled_while_verifying_is_linear_on_adversarial_text(
    compiled_while_verifying: dict, chunk: int
) -> None:
    slow = []
    for pattern, flags in sorted(compiled_while_verifying)[chunk::CHUNKS]:
        if pattern in BOUNDED_INPUT:
            continue
        try:
            assert_linear(pattern, flags, compiled_while_verifying[pattern, flags])
        except AssertionError as error:
            slow.append(str(error))
    assert not slow, "\n".join(slow)


# Time bounds below are CPU seconds (time.process_time): other processes on a busy machine do not count.


# ------------------------------------------------------------------ each rewritten pattern, old and new
@dataclass(frozen=True)
class Rewrite:
    """A pattern as it was, the pattern that replaced it, text where both must agree, and hostile text of
    about 1 MB the old one needed minutes or hours for."""

    name: str
    old: str
    new: str | re.Pattern[str]
    flags: int
    normal: tuple[str, ...]
    hostile: str


MB = 1_000_000
MAKEFILE = (
    ".PHONY: train\ntrain: data\n\tpython train.py\ntrain :\ndata:\nFOO = a:b\nFOO := x\nX ?= 1\nY += 2\n"
    "serve epochs='10':\ndeploy port=\"8080\" host='0.0.0.0':\nlint test: install\nbuild  : \nall::\nVAR=1\n"
)
PYPROJECT = (
    '[tool.pytest.ini_options]\n\n\naddopts = "-q --cov=src"\n[tool.other]\naddopts = [\n  "-q",\n'
    '  "--cov=src",\n]\n\n[coverage:run]\nsource = src\n  addopts = "-q"\n'
)
REWRITES = [
    Rewrite(
        "m09 MAKE_TARGET",
        r"(?m)^([A-Za-z0-9][\w.-]*)(?:[ \t]+(?![=:?+])(?:[^:=\n]|='[^'\n]*'|=\"[^\"\n]*\")*)?[ \t]*:(?![=:])",
        m09_cli.MAKE_TARGET,
        0,
        (MAKEFILE, "a  b  c: d\n", "x\t=\ty:\n", "name 'quoted:colon':\n"),
        "a" + " " * MB,
    ),
    Rewrite(
        "m06 DATA_FILES",
        r"(^|/)[^/]*(data|preprocess)[^/]*\.(py|ipynb)$|(^|/)(data|datasets?)/[^/]+\.(py|ipynb)$",
        m06_code_structure.DATA_FILES,
        re.IGNORECASE,
        (
            "src/proj/data.py",
            "src/proj/make_dataset.py",
            "data/process.py",
            "datasets/x.ipynb",
            "src/metadata.py",
            "notebooks/Preprocess_v2.ipynb",
            "src/proj/model.py",
            "data.txt",
            "a/data/b/c.py",
            "x.pydata.py",
        ),
        "data" * (MB // 4),
    ),
    Rewrite(
        "m10 BUILD_COMMAND",
        r"docker(\s+buildx)?\s+build\b|docker[- ]compose\b.*\b(build|up)\b|gcr\.io/cloud-builders/docker|"
        r"docker/build-push-action|gcloud builds submit|kaniko",
        m10_docker.BUILD_COMMAND,
        re.IGNORECASE | re.MULTILINE,
        (
            "docker build -t app .",
            "docker compose up -d",
            "docker-compose -f x.yml build",
            "docker compose logs\nbuild",
            "uses: docker/build-push-action@v5",
            "gcloud builds submit --tag x",
            "docker compose pull && docker compose up",
        ),
        "docker compose " * (MB // 15),
    ),
    Rewrite(
        "m10 CLOUDBUILD_BUILD_STEP",
        r"cloud-builders/docker|\bbuild\b.*-t\b|kaniko",
        m10_docker.CLOUDBUILD_BUILD_STEP,
        re.IGNORECASE,
        ("gcr.io/cloud-builders/docker build -t gcr.io/x .", "build -t x", "python build.py", "kaniko"),
        "build " * (MB // 6),
    ),
    Rewrite(
        "m14 WANDB_LOGGER_CONFIG",
        r"_target_:\s*\S*WandbLogger|class_path:\s*\S*WandbLogger",
        m14_logging.WANDB_LOGGER_CONFIG,
        re.IGNORECASE | re.MULTILINE,
        (
            "_target_: pytorch_lightning.loggers.WandbLogger",
            '_target_: "lightning.pytorch.loggers.wandb.WandbLogger"',
            "  class_path: lightning.pytorch.loggers.WandbLogger",
            "_target_: x.TensorBoardLogger",
        ),
        "_target_:" * (MB // 9),
    ),
    Rewrite(
        "m16 COVERAGE_SETTINGS",
        r"^\s*addopts\s*=(\s*\[[^\]]*|.*)--cov\b|^\s*\[coverage:(run|report)\]",
        m16_testing.COVERAGE_SETTINGS,
        re.IGNORECASE | re.MULTILINE,
        (PYPROJECT, 'addopts = "-q"\n', "addopts=--cov-report=xml\n"),
        "\n" * MB,
    ),
    Rewrite(
        "m17 REFORMAT_ONLY",
        r"ruff\s+format(?![^\n]*--check)|black(?![^\n]*--check)",
        m17_ci.REFORMAT_ONLY,
        0,
        (
            "ruff format .",
            "ruff format --check .",
            "black .",
            "black --check src",
            "ruff format . && ruff check",
        ),
        "black" * (MB // 5),
    ),
    Rewrite(
        "m18 HOOK_ID_LINE",
        r"^\s*-?\s*id:",
        m18_pre_commit.HOOK_ID_LINE,
        re.IGNORECASE,
        ("  - id: ruff", "- id: black", "    id: mypy", "   -   id: x", "repos:", "  - repo: x", "-id:"),
        " " * MB,
    ),
    Rewrite(
        "m21 DVC_REMOTE_ADD",
        r"\bdvc\s+remote\s+(add|modify)\b.*\bgs://[\w.-]+",
        m21_cloud.DVC_REMOTE_ADD,
        re.IGNORECASE | re.MULTILINE,
        (
            "dvc remote add -d storage gs://bucket/path",
            "dvc remote modify s url gs://b",
            "dvc remote add x s3://b",
        ),
        "dvc remote add " * (MB // 15),
    ),
    Rewrite(
        "m21 CLOUDBUILD_IMAGE_BUILD",
        r"cloud-builders/docker\b.*\bbuild\b|kaniko",
        m21_cloud.CLOUDBUILD_IMAGE_BUILD,
        re.IGNORECASE,
        ("gcr.io/cloud-builders/docker build -t x .", "gcr.io/cloud-builders/docker push x"),
        "cloud-builders/docker " * (MB // 22),
    ),
    Rewrite(
        "m23 TORCHSERVE_COMMANDS",
        r"torch-model-archiver|torchserve\b[^\n]*--start|[\"']torchserve[\"'],\s*[\"']--start|FROM\s+pytorch/torchserve",
        m23_deployment.TORCHSERVE_COMMANDS,
        re.IGNORECASE | re.MULTILINE,
        ("torchserve --start --model-store x", '["torchserve", "--start"]', "FROM pytorch/torchserve:latest"),
        "torchserve " * (MB // 11),
    ),
    Rewrite(
        "m24 LOAD_TEST_COMMAND",
        r"from\s+['\"]k6/http['\"]|\bvegeta\s+attack\b|\blocust\s+-f\b|\blocust\b.*--headless|\bhey\s+-[nzc]\b|"
        r"\bab\s+-n\s+\d|\bwrk\s+-[tcd]\s*\d",
        m24_api_testing.LOAD_TEST_COMMAND,
        re.IGNORECASE | re.MULTILINE,
        (
            "locust -f locustfile.py",
            "locust --host x --headless",
            "hey -n 100 url",
            "ab -n 100 -c 10 u",
            "wrk -t2 u",
        ),
        "locust " * (MB // 7),
    ),
    Rewrite(
        "m26 PAGE_CALL (FORM_SUBMIT)",
        m26_frontend.JS_CALL + r"|<form\b[^>]*\b(action\s*=|method\s*=\s*[\"']?post)",
        m26_frontend.PAGE_CALL,
        re.IGNORECASE,
        (
            '<form action="/predict" method="post">',
            "<form method='POST'>",
            "<form id=x>",
            '<form\n action="/x">',
        ),
        "<form\n" * (MB // 6),
    ),
    Rewrite(
        "m29 TIMED_WORKERS",
        r"num_workers.*(time|speed)|benchmark.*num_workers|get_timing",
        m29_data_loading.TIMED_WORKERS,
        re.IGNORECASE | re.MULTILINE,
        ("num_workers=4  # time per epoch", "benchmark with num_workers", "get_timing()", "num_workers: 2"),
        "num_workers" * (MB // 11),
    ),
    Rewrite(
        "extra LINKED_IMAGE",
        r"(?<!!)\[[^\]]*\]\(\s*<?([^)>\s]+\.(?:png|jpe?g|svg|gif|webp|pdf))>?\s*\)",
        extra.LINKED_IMAGE,
        re.IGNORECASE,
        ("[diagram](figures/overview.png)", "![x](a.png)", "[a](b.pdf)", "[x](< figures/y.svg >)"),
        "[" * MB,
    ),
    Rewrite(
        "answers QUOTED_QUESTION",
        r"[\"\u201c][^\"\u201d\n]{3,300}\?[\"\u201d]",
        answers.QUOTED_QUESTION,
        0,
        ('He asked "How did you do it?" and', "\u201cWhat is X?\u201d", '"a" and "b?"', '"no question"'),
        "\u201caaa" * (MB // 4),
    ),
    Rewrite(
        "answers EMBEDDED_IMAGE",
        r"!\[[^\]]*\]\([^)]*\)|<img[^>]*>",
        answers.EMBEDDED_IMAGE,
        0,
        ("![alt](figures/a.png)", '<img src="x.png" width=100>', "![a](b(1).png) text", "no image"),
        "![" * (MB // 2),
    ),
    Rewrite(
        "answers LINK_TARGET",
        r"\]\([^)]*\)",
        answers.LINK_TARGET,
        0,
        ("[text](path/to/x.md)", "[a](b(c).md)", "[x] (y)", "[a](b) and [c](d)"),
        "](" * (MB // 2),
    ),
    Rewrite(
        "answers RELATIVE_LINK",
        r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)",
        answers.RELATIVE_LINK,
        0,
        ("see [the config](configs/train.yaml).", "![img](a.png)", "[a](b c)", "[x](y) [z](w)"),
        "[" * MB,
    ),
    Rewrite(
        "m27 RUNS_EVALUATION",
        r"python\b.*(infer|evaluat|predict)",
        m27_drift.RUNS_EVALUATION,
        re.IGNORECASE | re.MULTILINE,
        (
            "python -m src.inference --model x",
            "uv run python evaluate.py && python predict.py",
            "python train.py\nrun predictions",
            "PYTHON src/Evaluation.py",
        ),
        "python " * (MB // 7),
    ),
    Rewrite(
        "coverage LINE_RATE",
        r"<coverage[^>]*\bline-rate=\"([\d.]+)\"",
        coverage_check.LINE_RATE,
        0,
        (
            '<coverage line-rate="0.85" branch-rate="0">',
            '<?xml version="1.0" ?>\n<coverage version="7.0"\n lines-valid="10" line-rate="0.5">',
        ),
        "<coverage" * (MB // 9),
    ),
]


def _matches(pattern: str | re.Pattern[str], flags: int, text: str) -> list[tuple[int, str]]:
    """Each match as (line of its end, the text of its groups): where a rule cites it and what it reads."""
    compiled = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
    return [
        (text.count("\n", 0, max(match.start(), match.end() - 1)), repr(match.groups()))
        for match in compiled.finditer(text)
    ]


@pytest.mark.parametrize("rewrite", REWRITES, ids=lambda r: r.name)
def test_a_rewritten_pattern_reads_normal_text_as_before(rewrite: Rewrite) -> None:
    for text in rewrite.normal:
        assert _matches(rewrite.new, rewrite.flags, text) == _matches(rewrite.old, rewrite.flags, text), text
    assert any(_matches(rewrite.old, rewrite.flags, text) for text in rewrite.normal), "nothing matched"


@pytest.mark.parametrize("rewrite", REWRITES, ids=lambda r: r.name)
def test_a_rewritten_pattern_reads_a_megabyte_of_hostile_text_in_linear_time(rewrite: Rewrite) -> None:
    compiled = rewrite.new if isinstance(rewrite.new, re.Pattern) else re.compile(rewrite.new, rewrite.flags)
    start = time.process_time()
    for _ in compiled.finditer(rewrite.hostile):
        pass
    assert time.process_time() - start < 2.0


def test_the_placeholder_check_reads_answers_as_the_old_pattern_did() -> None:
    old = re.compile(r"\W*(todo|tbd|fill\s*in|\.\.\.)\W*", re.IGNORECASE)
    pieces = [
        "todo",
        "TODO",
        "tbd",
        "fill",
        "in",
        " ",
        ".",
        "...",
        "-",
        "x",
        "_",
        "\n",
        "é",
        "fill in",
        "Fill  In",
    ]
    generator = random.Random(14)
    for _ in range(20_000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 5)))
        assert answers._is_placeholder(text) == bool(old.fullmatch(text.strip())), repr(text)
    start = time.process_time()
    assert not answers._is_placeholder("." * MB + "x")  # the old pattern: quadratic
    assert time.process_time() - start < 1


# ------------------------------------------------------------------ YAML that refers to itself
@pytest.mark.parametrize("text", ["x: &a [*a, *a]\n", "a: &a {b: *a, c: [*a]}\n", "- &a [1, [*a]]\n"])
def test_a_recursive_alias_is_refused_by_the_loader(text: str) -> None:
    with pytest.raises(YamlRefused, match="recursive alias"):
        load_all(text)


def test_an_alias_used_after_its_collection_still_loads() -> None:
    (document,) = load_all("base: &a {lr: 0.1}\nrun: {params: *a, again: [*a, *a]}\n")
    assert document["run"]["params"] == {"lr": 0.1} and document["run"]["again"] == [{"lr": 0.1}] * 2


def _self_referential() -> dict:
    """A document that contains itself, as a loader without the recursive-alias check would build it."""
    document: dict = {"on": "push", "jobs": {}, "dependencies": []}
    job = {"runs-on": "ubuntu-latest", "steps": [document], "strategy": {"matrix": document}}
    document["jobs"]["test"] = job
    document["trainer"] = {"strategy": "ddp", "devices": 2, "child": document, "loader": [document]}
    document["num_workers"] = 4
    document["dependencies"].extend([{"pip": document["dependencies"]}, document])
    return document


def test_every_walker_of_loaded_yaml_ends_on_a_document_that_contains_itself(tmp_path: Path) -> None:
    document = _self_referential()
    start = time.process_time()
    assert has_key(document, "workerPoolSpecs") is False and has_key(document, "num_workers") is True
    assert [parent for parent, _ in mappings(document)] == [
        "",
        "jobs",
        "test",
        "strategy",
        "dependencies",
        "trainer",
    ]
    workflow = parse_workflow(".github/workflows/t.yaml", document)
    assert [job.id for job in workflow.jobs] == ["test"] and workflow.caching_steps() == []
    assert workflow.matrix_values("os") == {}
    assert dependencies.from_environment_yml("environment.yml", "", document) == []
    repo = Repo(write_tree(tmp_path, {"configs/train.yaml": "x: 1\n", "src/train.py": "x = 1\n"}))
    repo.yaml_documents = lambda *patterns, holding=(): iter([("configs/train.yaml", document)])  # type: ignore[method-assign]
    assert repo.vertex_configs == []
    assert m29_data_loading._yaml_workers(repo)
    assert list(m30_distributed._trainer_configs(repo))
    assert time.process_time() - start < 2


def test_a_fifteen_byte_recursive_alias_costs_one_warning(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {**BASE_FILES, "configs/x.yaml": "x: &a [*a, *a]\n"})
    start = time.process_time()
    result = verifier.verify(root)
    assert time.process_time() - start < 10
    assert any("configs/x.yaml" in w and "recursive alias" in w for w in result.warnings)
    assert {item.rule: item.verdict for item in result.items}["m10.dockerfiles"] == "confirmed"


# ------------------------------------------------------------------ numbers of 5,000 digits
HUGE = "9" * 5_000


def test_numbers_of_five_thousand_digits_fail_no_check(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        f"      - uses: astral-sh/setup-uv@v{HUGE}\n"
    )
    answers_text = "".join(
        f"### Question {n}\n\n> Answer:\n\n{body}\n\n"
        for n, body in (
            (7, f"We implemented {HUGE} tests in total, and 3 tests for the API."),
            (8, f"Our total coverage is {HUGE}.5%, in tests/ 80%."),
            (11, "We cache dependencies in our workflows with setup-uv."),
        )
    )
    files = {
        **BASE_FILES,
        ".github/workflows/t.yaml": workflow,
        "configs/trainer.yaml": f"trainer:\n  devices: '{HUGE}'\n  strategy: ddp\n  max_epochs: 3\n",
        "tests/test_a.py": "def test_a():\n    pass\n",
        "reports/README.md": REPORT + answers_text,
    }
    result = verifier.verify(write_tree(tmp_path, files))
    assert not [w for w in result.warnings if "failed" in w], result.warnings
    findings = {(f.question, f.check): f for f in result.answers}
    assert findings[11, "ci-caching"].verdict == "consistent"  # setup-uv v5+ caches by default
    assert findings[7, "tests"].message.startswith("claims 3 tests")
    repo = Repo(tmp_path)
    assert list(m30_distributed._trainer_configs(repo))


def test_a_report_with_huge_numbers_keeps_every_other_repository_in_a_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = write_tree(tmp_path / "plain", BASE_FILES)
    hostile = write_tree(
        tmp_path / "hostile",
        {
            **BASE_FILES,
            "reports/README.md": REPORT + f"### Question 7\n\n> Answer:\n\nWe have {HUGE} tests.\n",
        },
    )
    assert cli.main([str(plain), str(hostile), "-f", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [Path(row["repo"]).name for row in rows] == ["plain", "hostile"]
    assert all(row["score"] and not row.get("error") for row in rows)


# ------------------------------------------------------------------ item-to-rule matching
def _seed_items() -> list:
    return [item for seed in sorted(SEEDS.glob("*.md")) for item in parse_report(seed.read_bytes()).checklist]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="no seed reports next to the project")
def test_every_seed_item_matches_the_same_rule_with_the_same_score_as_without_the_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rules = all_rules()
    items = _seed_items()
    assert len(items) > 100 and max(len(item.text) for item in items) < registry.MAX_MATCHED_CHARS
    cut = [match_item(item, rules) for item in items]
    monkeypatch.setattr(registry, "MAX_MATCHED_CHARS", 10**9)
    assert [match_item(item, rules) for item in items] == cut


def test_a_long_item_is_matched_by_its_start_in_bounded_time() -> None:
    rules = all_rules()
    start = time.process_time()
    for text in ("e e " * (5 * MB // 4), "Construct one or multiple docker files for your code " * 100_000):
        match = match_item(ChecklistItem(1, "Week 1", text, "x", True, ("M10",)), rules)
    assert time.process_time() - start < 2
    assert match.rule is not None and match.rule.id == "m10.dockerfiles"  # the start of a pasted item


# ------------------------------------------------------------------ notebooks
def _notebook(*cells: list[str]) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": "markdown", "metadata": {}, "source": ["# Training\n"]},
                *({"cell_type": "code", "metadata": {}, "outputs": [], "source": lines} for lines in cells),
            ],
            "metadata": {},
            "nbformat": 4,
        }
    )


HYDRA_CELL = [
    "import hydra\n",
    "@hydra.main(config_path='conf', config_name='c')\n",
    "def main(cfg):\n",
    "    pass\n",
]


def test_notebook_code_is_read_in_whole_cells_up_to_the_file_cap() -> None:
    big = ["x = 1\n"] * 100_000  # 600 kB
    code = notebook_code(_notebook(HYDRA_CELL, big, ["y = 2\n"]), max_bytes=500_000)
    assert code.source == "".join(HYDRA_CELL).rstrip("\n") and "x = 1" not in code.source
    assert code.note == "code cells over 500 kB; only the first 1 were read"
    whole = notebook_code(_notebook(HYDRA_CELL, big, ["!pip install x\n", "y = 2\n"]), max_bytes=1_000_000)
    assert (
        whole.note is None and whole.source.endswith("\n\n\ny = 2") and whole.source.count("x = 1") == 100_000
    )


def test_a_notebook_of_many_strings_is_decoded_cell_by_cell_and_stops_at_a_huge_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    normal = _notebook(HYDRA_CELL, ["!ls\n", "y = 2\n"], ["%time z = 3\n"])
    plain = notebook_code(normal)  # json.loads of the whole file
    assert plain.source == notebook_code_of_json(normal) and plain.note is None
    monkeypatch.setattr(pyfacts, "MAX_NOTEBOOK_STRINGS", 5)
    assert notebook_code(normal) == plain  # source, text as written, and where each cell starts
    monkeypatch.setattr(pyfacts, "MAX_CELL_STRINGS", 1_000)
    code = notebook_code(_notebook(HYDRA_CELL, ["x = 1\n"] * 5_000, ["y = 2\n"]))
    assert code.source == "".join(HYDRA_CELL).rstrip("\n")
    assert (
        code.note == "a cell holds more than 1,000 JSON strings; only the 1 code cell(s) before it were read"
    )


def notebook_code_of_json(text: str) -> str:
    """What the notebook's code cells hold, read the plain way (json.loads of the whole file)."""
    cells = json.loads(text)["cells"]
    sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    return "\n\n".join(
        "\n".join("" if line.lstrip().startswith(("!", "%")) else line for line in source.splitlines())
        for source in sources
    )


def test_a_notebook_with_a_huge_code_cell_keeps_the_cells_before_it_and_warns_once(tmp_path: Path) -> None:
    files = {
        **BASE_FILES,
        "reports/README.md": REPORT.replace(
            "* [x] Use distributed training (M30)",
            "* [x] Used Hydra to load the configurations and manage your hyperparameters (M11)",
        ),
        "notebooks/train.ipynb": _notebook(HYDRA_CELL, ["x = 1\n"] * 300_000),
    }
    result = verifier.verify(write_tree(tmp_path, files))
    assert {item.rule: item.verdict for item in result.items}["m11.hydra"] == "confirmed"
    assert [w for w in result.warnings if "code cell" in w] == [
        "notebooks/train.ipynb: code cells over 1000 kB; only the first 1 were read"
    ]


# ------------------------------------------------------------------ declared dependencies
def _first_line_holding(text: str, needle: str) -> int | None:
    """How the dependency reader found a declaration's line before: a scan of every line per look-up."""
    return next((number for number, line in enumerate(text.splitlines(), start=1) if needle in line), None)


def test_a_declaration_is_found_on_the_same_line_as_by_a_scan_of_every_line() -> None:
    pieces = ["torch", ">=2", "\n", "\r\n", "\x0c", "\u2028", '"', ",", " ", "numpy", "torch>=2", "x"]
    generator = random.Random(14)
    for _ in range(5_000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 12)))
        needle = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 3)))
        assert dependencies._Lines(text).of(needle) == _first_line_holding(text, needle), (text, needle)


def test_a_megabyte_of_declared_dependencies_is_read_in_linear_time() -> None:
    specs = [f"package-{number}>=1.0" for number in range(45_000)]
    text = "[project]\ndependencies = [\n" + "".join(f'  "{spec}",\n' for spec in specs) + "]\n"
    start = time.process_time()
    found = dependencies.from_pyproject("pyproject.toml", text, {"project": {"dependencies": specs}})
    assert time.process_time() - start < 2  # 18 s for 20,000 before: every look-up scanned every line
    assert len(found) == 45_000 and found[0].line == 3 and found[999].line == 1002
    assert found[dependencies.MAX_LOCATED].line is None  # beyond the look-ups one file is given


# ------------------------------------------------------------------ workflow matrices
def test_a_matrix_of_a_hundred_thousand_values_is_merged_in_linear_time() -> None:
    values = ", ".join(str(number % 50_000) for number in range(100_000))
    text = (
        "on: push\njobs:\n"
        f"  a:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        python: ['3.11', {values}]\n"
        "  b:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
        "        python: ['3.12', '3.11']\n        include: [{python: {v: 1}}, {python: {v: 1}}]\n"
    )
    workflow = parse_workflow(".github/workflows/t.yaml", load_all(text)[0], text)
    start = time.process_time()
    axes = workflow.matrix_values("python")
    assert time.process_time() - start < 1  # 7 s for 50,000 before: every value was compared with all
    assert len(axes["python"]) == MAX_MATRIX_VALUES and axes["python"][:3] == ["3.11", 0, 1]
    small = parse_workflow("t.yaml", load_all(text.replace(values, "3.10"))[0])
    assert small.matrix_values("python") == {"python": ["3.11", 3.1, "3.12", {"v": 1}]}


# ------------------------------------------------------------------ patterns built from repository text
def test_a_hook_id_is_matched_literally_not_as_a_pattern(tmp_path: Path) -> None:
    config = (
        "repos:\n  - repo: local\n    hooks:\n"
        "      - id: " + "a" * 40 + "!\n"  # what `(a+)+$` backtracks on exponentially
        "      - id: '(a+)+$'\n        name: bomb\n        entry: x\n        language: system\n"
    )
    repo = Repo(write_tree(tmp_path, {".pre-commit-config.yaml": config}))
    start = time.process_time()
    evidence = run_rule(m18_pre_commit.PreCommit(), repo)
    assert time.process_time() - start < 2
    assert [location.line for location in evidence.locations] == [4, 5]
