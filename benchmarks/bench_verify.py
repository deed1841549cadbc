"""Speed of a verification against a floor measured in the same run (not part of the test suite).

Builds a student-shaped repository (about 200 source files, configs, workflows, Dockerfiles and a
53-item report), once as it is and once with 50,000 small binary data files committed, and a real-shaped
one (issue 17: committed profiler traces and large JSON data, notebooks with outputs, a 1 MB lock file,
200 Python modules of 60 functions each), then times in one warm process (medians of --runs interleaved
rounds):

    floor        git ls-files plus reading every text file the verifier may read (the issue's floor)
    parse floor  the floor plus ast.parse of every Python file and a YAML load of every YAML file
    read+parse   git ls-files, reading every text file up to the read cap and ast.parse of every Python
                 file: the floor of issue 17 (benchmarks/bench_real.py uses the same on real repositories)
    verify       verifier.verify(path)

Targets: verify <= 3x floor (issue 3), the 50,000-file repository within 1.5x of the plain one (issue 3),
and the real-shaped one within 3x of its read+parse floor (issue 17). Exits 1 when a target is missed.
`--layouts` also times other shapes of committed data (small class folders, two file types per folder,
per-sample folders) against the plain repository, for information.

    python benchmarks/bench_verify.py [--runs 7] [--data-files 50000] [--layouts]
"""

from __future__ import annotations

import argparse
import ast
import base64
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from bench_real import floor as read_parse_floor

from verifier import verify
from verifier.repo import TEXT_SUFFIXES

ITEMS = [
    line.strip()
    for line in """
Create a git repository (M5)
Make sure that all team members have write access to the GitHub repository (M5)
Create a dedicated environment for you project to keep track of your packages (M2)
Create the initial file structure using cookiecutter with an appropriate template (M6)
Fill out the `data.py` file such that it downloads whatever data you need and preprocesses it (if necessary) (M6)
Add a model to `model.py` and a training procedure to `train.py` and get that running (M6)
Remember to comply with good coding practices (`pep8`) while doing the project (M7)
Do a bit of code typing and remember to document essential parts of your code (M7)
Setup version control for your data or part of your data (M8)
Construct one or multiple docker files for your code (M10)
Write one or multiple configurations files for your experiments (M11)
Used Hydra to load the configurations and manage your hyperparameters (M11)
Use logging to log important events in your code (M14)
Use Weights & Biases to log training progress and other important metrics/artifacts in your code (M14)
Write unit tests related to the data part of your code (M16)
Get some continuous integration running on the GitHub repository (M17)
Add caching and multi-os/python/pytorch testing to your continuous integration (M17)
Add pre-commit hooks to your version control setup (M18)
Create a FastAPI application that can do inference using your model (M22)
Check how robust your model is towards data drifting (M27)
""".strip().splitlines()
]

MODULE = '''"""Module {n}."""
import logging

import hydra
import torch
import wandb
from torch import nn

logger = logging.getLogger(__name__)


class Block{n}(nn.Module):
    """A block."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


def step_{n}(model: nn.Module, batch: torch.Tensor) -> float:
    """One step."""
    loss = model(batch).sum()
    loss.backward()
    wandb.log({{"loss": loss.item()}})
    logger.info("step %s", {n})
    return float(loss)
'''


def git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@x",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@x",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


LAYOUTS = {
    "folders of 1,000 .png (the issue's)": lambda n: f"data/raw/{n // 1000:03d}/img_{n:05d}.png",
    "class folders of 50": lambda n: f"data/train/c{n // 50:04d}/img_{n:05d}.png",
    "two types per folder": lambda n: f"data/raw/{n // 1000:03d}/img_{n:05d}.{'png' if n % 2 else 'npy'}",
    "per-sample folders": lambda n: f"data/samples/s{n // 3:05d}/" + ("img.png", "mask", "meta.npy")[n % 3],
}


def build(root: Path, data_files: int, layout: str = next(iter(LAYOUTS)), *, commit: bool = True) -> Path:
    files: dict[str, str] = {
        "reports/README.md": "# Exam\n\n## Overall project checklist\n\n### Week 1\n\n"
        + "".join(f"* [x] {item}\n" for item in ITEMS)
        + "\n## Group information\n",
        "pyproject.toml": '[project]\nname = "bench"\ndependencies = ["torch", "hydra-core", "wandb"]\n',
        "Dockerfile": "FROM python:3.12-slim\nCOPY . .\nRUN pip install .\n",
        ".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.6.9\n    hooks:\n      - id: ruff\n",
        ".github/workflows/tests.yaml": "name: t\non: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
    }
    for n in range(160):
        files[f"src/bench/module_{n}.py"] = MODULE.format(n=n)
    for n in range(25):
        files[f"tests/test_module_{n}.py"] = f"def test_{n}():\n    assert {n} == {n}\n"
    for n in range(15):
        files[f"configs/experiment_{n}.yaml"] = f"lr: 0.00{n}\nepochs: {n}\n"
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    for n in range(data_files):
        target = root / LAYOUTS[layout](n)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(192))
    git(root, "init", "-q", "-b", "main")
    if commit:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "bench")
    return root


FUNCTION = '''

def step_{n}_{k}(model: nn.Module, batch: torch.Tensor, lr: float = 1e-3) -> float:
    """One step of block {k}."""
    logger.info("step %s", {k})
    loss = model(batch).sum() * lr
    wandb.log({{"loss": loss.item(), "block": {k}}})
    return float(loss)
'''


def _notebook(cells: int, output_bytes: int) -> str:
    """A notebook of `cells` code cells, each with a plotted output (base64) of about `output_bytes`."""
    image = base64.b64encode(os.urandom(output_bytes * 3 // 4)).decode()
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": n,
                    "metadata": {},
                    "source": ["import torch\n", f"x_{n} = torch.randn({n}, 3)\n", f"print(x_{n}.mean())\n"],
                    "outputs": [
                        {"output_type": "display_data", "data": {"image/png": image}, "metadata": {}}
                    ],
                }
                for n in range(cells)
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def _lock(packages: int) -> str:
    """A uv.lock of `packages` packages, each with a few wheels (about 700 bytes a package)."""
    parts = ['version = 1\nrequires-python = ">=3.11"\n']
    for n in range(packages):
        wheels = "".join(
            f'    {{ url = "https://files.pythonhosted.org/packages/{n:04x}/pkg_{n}-1.{n}-cp3{w}-none-any.whl", '
            f'hash = "sha256:{n:064x}", size = {n * 10 + w} }},\n'
            for w in range(3)
        )
        parts.append(
            f'\n[[package]]\nname = "package-{n}"\nversion = "1.{n}"\n'
            f'source = {{ registry = "https://pypi.org/simple" }}\nwheels = [\n{wheels}]\n'
        )
    return "".join(parts)


def build_real_shaped(root: Path) -> Path:
    """The plain repository's report and configs, plus what real student repositories commit (issue 17)."""
    build(root, 0, commit=False)
    files: dict[str, str] = {}
    for n in range(200):
        head = '"""Module."""\nimport logging\n\nimport torch\nimport wandb\nfrom torch import nn\n\n'
        files[f"src/bench/block_{n}.py"] = (
            head
            + "logger = logging.getLogger(__name__)\n"
            + "".join(FUNCTION.format(n=n, k=k) for k in range(60))
        )
    trace_event = (
        '{"ph": "X", "cat": "cpu_op", "name": "aten::linear", "pid": 1, "tid": 1, "ts": %d, "dur": 12},\n'
    )
    for n in range(6):
        files[f"reports/profiling/train_{n}.pt.trace.json"] = (
            '{"traceEvents": [\n' + "".join(trace_event % t for t in range(26_000)) + "{}]}\n"
        )
    record = '{"image": "data/raw/img_%05d.png", "label": %d, "split": "train", "bbox": [1, 2, 3, 4]},\n'
    files["data/processed/annotations.json"] = (
        "[\n" + "".join(record % (n, n % 10) for n in range(60_000)) + "{}]\n"
    )
    files["results/metrics.json"] = json.dumps({f"epoch_{n}": {"loss": 1 / (n + 1)} for n in range(40_000)})
    for n in range(3):
        files[f"notebooks/explore_{n}.ipynb"] = _notebook(12, 150_000)
    files["uv.lock"] = _lock(1_350)
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "bench")
    return root


def listed_text_files(root: Path) -> list[Path]:
    listed = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=True
    ).stdout
    return [
        root / name
        for name in listed.decode().split("\x00")
        if name and os.path.splitext(name)[1].lower() in TEXT_SUFFIXES
    ]


def floor(root: Path) -> None:
    """The issue's floor: list the tracked files and read every text file the verifier may read."""
    for path in listed_text_files(root):
        path.read_bytes()


def parse_floor(root: Path) -> None:
    """The floor plus the parsing no static verifier can skip: `ast.parse` of every Python file and a YAML
    load of every YAML file (with the same libyaml loader the verifier uses)."""
    for path in listed_text_files(root):
        data = path.read_bytes()
        if path.suffix == ".py":
            ast.parse(data)
        elif path.suffix in (".yaml", ".yml"):
            yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def layouts(workdir: Path, plain: Path, runs: int, data_files: int) -> dict[str, float]:
    """Median verify time of the plain repository and of one with `data_files` in each layout."""
    roots = {"plain": plain}
    for number, layout in enumerate(LAYOUTS):
        roots[layout] = build(workdir / f"layout-{number}", data_files, layout)
    for root in roots.values():
        verify(root)
    times: dict[str, list[float]] = {name: [] for name in roots}
    for _ in range(runs):
        for name, root in roots.items():
            start = time.perf_counter()
            verify(root)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data-files", type=int, default=50_000)
    parser.add_argument("--layouts", action="store_true", help="also time other shapes of committed data")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="mlops-verifier-bench-"))
    try:
        repos = {
            "plain": build(workdir / "plain", 0),
            "heavy": build(workdir / "heavy", args.data_files),
            "real": build_real_shaped(workdir / "real"),
        }
        verify(repos["plain"])  # warm imports and rule registry
        actions = {
            "floor": floor,
            "parse floor": parse_floor,
            "read+parse": read_parse_floor,
            "verify": verify,
        }
        times: dict[tuple[str, str], list[float]] = {(r, a): [] for r in repos for a in actions}
        # Rounds interleave every measurement, so a slow spell of a shared machine hits all of them alike.
        for _ in range(args.runs):
            for name, root in repos.items():
                for action, run in actions.items():
                    start = time.perf_counter()
                    run(root)
                    times[name, action].append(time.perf_counter() - start)
        median = {key: statistics.median(values) for key, values in times.items()}
        for name in repos:
            cells = "   ".join(f"{action} {median[name, action] * 1000:7.1f} ms" for action in actions)
            print(f"{name:6} {cells}")
        shaped = ("plain", "heavy")  # issue 3's repositories
        worst = max(median[name, "verify"] / median[name, "floor"] for name in shaped)
        worst_parse = max(median[name, "verify"] / median[name, "parse floor"] for name in shaped)
        parse_cost = max(median[name, "parse floor"] / median[name, "floor"] for name in shaped)
        growth = median["heavy", "verify"] / median["plain", "verify"]
        real = median["real", "verify"] / median["real", "read+parse"]
        print(f"verify / floor (worst)          {worst:5.2f}   target <= 3.0 (issue 3)")
        print(
            f"verify / parse floor (worst)    {worst_parse:5.2f}   (information: the floor with ast.parse and YAML loads)"
        )
        print(
            f"parse floor / floor (worst)     {parse_cost:5.2f}   (the lowest verify / floor of a verifier that parses"
            " each Python and YAML file once)"
        )
        print(f"verify 50k data / verify plain  {growth:5.2f}   target <= 1.5 (issue 3)")
        print(f"real-shaped: verify / read+parse {real:5.2f}   target <= 3.0 (issue 17)")
        print(f"medians of {args.runs} interleaved rounds")
        if args.layouts:
            times_by_layout = layouts(workdir, repos["plain"], args.runs, args.data_files)
            for layout, seconds in times_by_layout.items():
                ratio = seconds / times_by_layout["plain"]
                print(f"{layout:38} verify {seconds * 1000:6.1f} ms   {ratio:5.2f}x plain")
        return 0 if worst <= 3.0 and growth <= 1.5 and real <= 3.0 else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
