"""The GitHub Action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml), run as their own commands.

The action's steps are run as the bash scripts a runner would run, with the `${{ }}` expressions of their
environments filled in, a fake $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT, and pip kept offline: the
project and its dependencies come from a wheelhouse made of this test environment's installed
distributions, and the project itself is built from a copy of the source tree (the action's path).
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

import verifier

from conftest import FIXTURES, ROOT, git_init

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")
SOURCE = ("verifier", "rules", "pyproject.toml", "README.md", "LICENSE")


def dependency_closure(project: str = "mlops-verifier") -> set[str]:
    """The distributions `project` needs at run time on this interpreter, and setuptools to build it."""
    names, queue = {"setuptools"}, [project]
    while queue:
        for text in importlib.metadata.distribution(queue.pop()).requires or ():
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                name = requirement.name
                if name.lower() not in {n.lower() for n in names}:
                    names.add(name)
                    queue.append(name)
    return names


def repack(name: str, into: Path) -> Path:
    """A wheel of the installed distribution `name`, from its RECORD and WHEEL tag (no network, no build)."""
    distribution = importlib.metadata.distribution(name)
    tag = re.search(r"^Tag: (\S+)$", distribution.read_text("WHEEL") or "", re.M)
    assert tag, f"{name} was not installed from a wheel"
    stem = re.sub(r"[-_.]+", "_", distribution.metadata["Name"])
    wheel = into / f"{stem}-{distribution.version}-{tag.group(1)}.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for file in distribution.files or ():
            path = Path(str(distribution.locate_file(file)))
            if file.parts[0] != ".." and "__pycache__" not in file.parts and path.is_file():
                archive.write(path, file.as_posix())
    return wheel


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The action's path (a copy of the source) and an offline wheelhouse with everything it installs."""
    base = tmp_path_factory.mktemp("runner")
    action_path = base / "action"
    action_path.mkdir()
    for name in SOURCE:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, action_path / name)  # type: ignore[operator]
    (action_path / "action.yml").write_bytes((ROOT / "action.yml").read_bytes())
    wheelhouse = base / "wheels"
    wheelhouse.mkdir()
    for name in dependency_closure():
        repack(name, wheelhouse)
    return {"action": action_path, "wheels": wheelhouse, "temp": base / "temp"}


def expression(text: str, context: dict[str, str]) -> str:
    """`${{ name }}` filled in from `context` (an unknown name is a test failure, not an empty string)."""
    return EXPRESSION.sub(lambda match: context[match.group(1)], text)


def run_action(
    runner: dict[str, Path],
    workspace: Path,
    summary: Path,
    inputs: dict[str, str] | None = None,
    only: str | None = None,
) -> tuple[list[subprocess.CompletedProcess[str]], dict[str, str]]:
    """Every step of action.yml in order (or only the step with the id `only`, once the install step has
    run), as GitHub runs a composite action's bash step; stops at the first step that fails. Returns the
    finished steps and the outputs the steps wrote."""
    runner["temp"].mkdir(exist_ok=True)
    output = runner["temp"] / "github_output"
    output.write_text("")
    context = {f"inputs.{name}": spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    context.update({f"inputs.{name}": value for name, value in (inputs or {}).items()})
    context.update({"github.action_path": str(runner["action"]), "runner.temp": str(runner["temp"])})
    environment = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(runner["temp"]),
        "RUNNER_TEMP": str(runner["temp"]),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_WORKSPACE": str(workspace),
        # pip stays offline: no configuration of this machine, no index, only the wheelhouse
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(runner["wheels"]),
    }
    done = []
    for step in ACTION["runs"]["steps"]:
        if only is not None and step.get("id") != only:
            continue
        assert step["shell"] == "bash" and "${{" not in step["run"]  # inputs reach scripts as env only
        env = {**environment, **{key: expression(str(value), context) for key, value in step["env"].items()}}
        cwd = workspace / expression(step.get("working-directory", "."), context)
        script = runner["temp"] / "step.sh"
        script.write_text(step["run"], encoding="utf-8")
        finished = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        done.append(finished)
        if finished.returncode:
            break
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return done, outputs


@pytest.fixture(scope="module")
def installed(runner: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The action run once on the example project: its install step leaves the runner's virtualenv."""
    workspace = tmp_path_factory.mktemp("workspace")
    shutil.copytree(FIXTURES / "example-project", workspace / "project")
    git_init(workspace / "project")
    summary = workspace / "summary.md"
    steps, outputs = run_action(runner, workspace, summary, {"path": "project"})
    runner["first"] = workspace
    runner["steps"] = steps  # type: ignore[assignment]
    runner["outputs"] = outputs  # type: ignore[assignment]
    runner["summary"] = summary
    return runner


def test_the_action_installs_from_its_own_path_and_writes_the_summary(installed: dict) -> None:
    install, verify = installed["steps"]
    assert install.returncode == 0, install.stderr
    assert verify.returncode == 0, verify.stderr
    summary = installed["summary"].read_text(encoding="utf-8")
    assert summary.startswith("## mlops-verifier: .") and "| unsupported | 58 | m24.load-test |" in summary
    assert "### Answers" in summary
    assert "| unsupported | 58 |" in verify.stdout  # the log shows it too
    expected = verifier.verify(installed["first"] / "project")
    assert installed["outputs"] == {"score": str(expected.score), "honesty": str(expected.honesty)}
    assert f"Score **{expected.score:.2f}**" in summary
    venv = installed["temp"] / "mlops-verifier"
    assert (venv / "bin" / "verify").is_file()
    assert not list(venv.glob("lib/*/site-packages/__editable__*"))  # a real install, not this checkout
    assert list(venv.glob("lib/*/site-packages/verifier/rules/m17_ci.py"))


def test_the_action_fails_below_min_score_after_writing_the_summary(installed: dict) -> None:
    summary = installed["temp"] / "gated.md"
    inputs = {"path": "project", "min-score": "0.95"}
    steps, _ = run_action(installed, installed["first"], summary, inputs, only="verify")
    assert steps[-1].returncode == 1
    assert "below --min-score 0.95" in steps[-1].stderr
    assert "m24.load-test" in summary.read_text(encoding="utf-8")


def test_the_action_passes_show_and_args_without_running_them(installed: dict) -> None:
    summary = installed["temp"] / "problems.md"
    steps, _ = run_action(
        installed,
        installed["first"],
        summary,
        {
            "path": "project",
            "show": "problems",
            "args": "--ignore M24 --ignore $(touch${IFS}pwned) --ignore *",
        },
        only="verify",
    )
    assert steps[-1].returncode == 0, steps[-1].stderr
    text = summary.read_text(encoding="utf-8")
    assert "| confirmed |" not in text and "| contradicted | 35 |" in text  # problems only
    assert "m24.load-test" not in text  # --ignore M24 reached verify
    assert not (installed["first"] / "project" / "pwned").exists()
    assert "--ignore $(touch${IFS}pwned) names no rule id" in steps[-1].stderr  # a word, never a command
    assert "--ignore * names no rule id" in steps[-1].stderr  # never globbed


def test_a_repository_without_a_report_fails_the_step_with_one_line(installed: dict, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    git_init(tmp_path / "empty")
    summary = tmp_path / "summary.md"
    steps, outputs = run_action(installed, tmp_path, summary, {"path": "empty"}, only="verify")
    assert steps[-1].returncode == 2 and "no report at reports/README.md" in steps[-1].stderr
    assert "**Not verified:**" in summary.read_text(encoding="utf-8")
    assert outputs == {"score": "", "honesty": ""}


def hook_command(hook: dict) -> list[str]:
    return [*shlex.split(hook["entry"]), *hook.get("args", [])]


def test_the_pre_commit_hook_runs_on_the_report_only() -> None:
    (hook,) = HOOKS
    assert re.search(hook["files"], "reports/README.md")
    assert not re.search(hook["files"], "README.md") and not re.search(hook["files"], "reports/README.md.bak")
    assert hook["pass_filenames"] is False and hook["language"] == "python"


def test_the_pre_commit_entry_prints_the_problems_and_gates_on_the_configured_score(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "example-project", project)
    git_init(project)
    (hook,) = HOOKS
    command = hook_command(hook)
    verify = Path(sys.executable).parent / command[0]
    done = subprocess.run(
        [str(verify), *command[1:]], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "m24.load-test" in done.stdout and "CONFIRMED" not in done.stdout  # the problems, not the rest
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.mlops-verifier]\nmin-score = 0.95\n")
    gated = subprocess.run(
        [str(verify), *command[1:]], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert gated.returncode == 1 and "below --min-score 0.95" in gated.stderr
