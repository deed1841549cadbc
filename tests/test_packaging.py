"""The built wheel: verifier plus verifier.rules and its data, a working `verify`, no top-level `rules`."""

from __future__ import annotations

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
