"""The built wheel: verifier plus verifier.rules and its data, a working `verify`, no top-level `rules`."""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from verifier.registry import builtin_rules

from conftest import FIXTURES, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("mlops_verifier-*.whl")
    return built


def test_wheel_contents(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "verifier/rules/m17_ci.py" in names
    assert "verifier/data/fingerprints.json" in names
    assert "verifier/schema/result.schema.json" in names
    assert not any(name.startswith("rules/") for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "verify = verifier.cli:main" in text and "[pytest11]" in text


def test_wheel_metadata_says_what_the_project_is(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    names = archive.namelist()
    assert "verifier/py.typed" in names
    assert {f"verifier/{m}.py" for m in ("html", "sarif", "style", "views", "config")} <= set(names)
    license_file = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    assert archive.read(license_file).decode().startswith("MIT License")
    metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    fields = [
        tuple(line.split(": ", 1)) for line in metadata.split("\n\n", 1)[0].splitlines() if ": " in line
    ]
    classifiers = {value for key, value in fields if key == "Classifier"}
    assert {"Framework :: Pytest", "Typing :: Typed", "Programming Language :: Python :: 3.10"} <= classifiers
    assert not any(c.startswith("License ::") for c in classifiers)  # the SPDX expression says it
    assert ("License-Expression", "MIT") in fields and ("Requires-Python", ">=3.10") in fields
    urls = dict(value.split(", ", 1) for key, value in fields if key == "Project-URL")
    assert urls["Source"] == "https://github.com/mlops-verifier/mlops-verifier"
    assert set(urls) >= {"Homepage", "Documentation", "Issues", "Changelog"}
    version = next(value for key, value in fields if key == "Version")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{version}]" in changelog and "## [Unreleased]" in changelog


def test_every_project_url_names_the_same_repository() -> None:
    """README, action, changelog and pyproject point at one repository (until a release exists)."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    texts = [pyproject] + [
        (ROOT / name).read_text(encoding="utf-8") for name in ("README.md", "CHANGELOG.md")
    ]
    repositories = {
        match
        for text in texts
        for match in re.findall(r"github\.com/([\w.-]+/[\w.-]+?)(?:\.git|[/#@\s\"')\]]|$)", text)
    }
    assert repositories - {"SkafteNicki/mlops_template", "SkafteNicki/dtu_mlops"} == {
        "mlops-verifier/mlops-verifier"
    }


def test_wheel_installs_and_verifies_with_every_rule(wheel: Path, tmp_path: Path) -> None:
    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    python = env / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    # Dependencies come from the test environment; the project itself only from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    code = (
        "import importlib.util, json, sys\n"
        "from verifier.registry import builtin_rules\n"
        "from verifier.cli import main\n"
        "assert importlib.util.find_spec('rules') is None, 'a top-level rules package was installed'\n"
        "print(len(builtin_rules()))\n"
        f"sys.exit(main([{str(FIXTURES / 'example-project')!r}, '-f', 'json', '-o', {str(tmp_path / 'out.json')!r}]))\n"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip()) == len(builtin_rules())
    assert (tmp_path / "out.json").read_text().count('"rule": "m') >= 45
