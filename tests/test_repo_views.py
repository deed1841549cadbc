"""The views behind `Repo` (filelist, reader, configfiles, pyview, textsearch), the lock file reader, the
`git ls-tree` split, and the one-way imports: result types, stages, and a CLI that loads nothing it does
not use."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import time
import weakref
from pathlib import Path

import pytest

from verifier import dependencies
from verifier.configfiles import ConfigFiles
from verifier.engine import verify
from verifier.filelist import FileList, tree_entries
from verifier.pyview import PythonView
from verifier.reader import Reader
from verifier.repo import Repo
from verifier.textsearch import TextSearch

from conftest import ROOT, git_init, write_tree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

UV_LOCK = """version = 1
requires-python = ">=3.11"

[[package]]
name = "absl-py"
version = "2.1.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.example/absl_py-2.1.0.tar.gz", hash = "sha256:ab", size = 1 }
wheels = [
    { url = "https://files.example/absl_py-2.1.0-py3-none-any.whl", hash = "sha256:cd", size = 2 },
]

[[package]]
name = "group-project"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "torch" },
    { name = "wandb", marker = "sys_platform == 'linux'" },
]

[package.optional-dependencies]
dev = [
    { name = "pytest" },
]

[package.metadata]
requires-dist = [{ name = "torch", specifier = ">=2" }]

[[ package ]]  # spaced header, with a comment
name = 'torch'
version = "2.5.1"
"""
POETRY_LOCK = """[[package]]
name = "numpy"
version = "1.26.4"
description = "Fundamental package for array computing in Python"
optional = false
python-versions = ">=3.9"
files = [
    {file = "numpy-1.26.4.tar.gz", hash = "sha256:ab"},
]

[package.dependencies]
name = "not-a-package-key"

[[package]]
name = "hydra-core"
version = "1.3.2"

[metadata]
lock-version = "2.0"
"""


def lock_names(repo: Repo, path: str) -> list[tuple[str, str]]:
    return [
        (dep.name, dep.spec)
        for dep in dependencies.from_lock(path, {"package": repo.configs.lock_packages(path)})
    ]


@pytest.mark.parametrize(("name", "text"), [("uv.lock", UV_LOCK), ("poetry.lock", POETRY_LOCK)])
def test_a_lock_file_read_line_by_line_gives_what_a_toml_parser_gives(
    tmp_path: Path, name: str, text: str
) -> None:
    repo = Repo(write_tree(tmp_path / "r", {name: text}))
    parsed = dependencies.from_lock(name, tomllib.loads(text))
    assert lock_names(repo, name) == [(dep.name, dep.spec) for dep in parsed] and parsed
    assert not repo.warnings


def test_a_lock_file_with_a_merge_conflict_is_left_to_the_toml_parser(tmp_path: Path) -> None:
    conflicted = UV_LOCK.replace(
        'version = "2.1.0"', '<<<<<<< HEAD\nversion = "2.1.0"\n=======\nversion = "2.2"\n>>>>>>> x'
    )
    repo = Repo(write_tree(tmp_path / "r", {"uv.lock": conflicted}))
    assert lock_names(repo, "uv.lock") == []
    assert any(w.startswith("uv.lock: invalid TOML") for w in repo.warnings)


def test_a_lock_file_with_quoted_keys_is_left_to_the_toml_parser(tmp_path: Path) -> None:
    quoted = '[[package]]\n"name" = "numpy"\n"version" = "2.0"\n'
    repo = Repo(write_tree(tmp_path / "r", {"uv.lock": quoted}))
    assert lock_names(repo, "uv.lock") == [("numpy", "2.0")] and not repo.warnings


def test_a_lock_file_cut_at_the_read_cap_gives_no_packages_and_says_why(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {"uv.lock": UV_LOCK * (40_000 // len(UV_LOCK) + 1)})
    repo = Repo(root, max_file_bytes=2_000)  # a lock file is read up to 16 times the cap: 32 kB
    assert lock_names(repo, "uv.lock") == []
    assert (
        "uv.lock: a lock file cut at the read cap does not parse; its packages were not read" in repo.warnings
    )
    assert lock_names(Repo(root), "uv.lock"), "read whole, the same file gives its packages"


def test_a_lock_file_over_the_read_cap_is_read_whole_up_to_sixteen_times_it(tmp_path: Path) -> None:
    lock = UV_LOCK * (6_000 // len(UV_LOCK) + 1)  # over a 2 kB cap, under 16 times it
    root = write_tree(tmp_path / "r", {"uv.lock": lock, "requirements.txt": "torch\n" * 1_000})
    repo = Repo(root, max_file_bytes=2_000)
    assert lock_names(repo, "uv.lock") == lock_names(Repo(root), "uv.lock") != []
    assert repo.read("uv.lock") == lock and "uv.lock" not in repo.truncated
    assert not any(w.startswith("uv.lock") for w in repo.warnings)
    # any other file keeps the cap (near miss: a 6 kB requirements file)
    assert len(repo.read("requirements.txt") or "") == 2_000 and "requirements.txt" in repo.truncated


def test_git_ls_tree_output_is_split_into_entries_and_a_malformed_record_is_left_out() -> None:
    blob = "a" * 40
    output = (
        f"100644 blob {blob}\tsrc/app.py\x00"
        f"160000 commit {blob}\tvendor/lib\x00"
        f"100644 blob {blob}\tname with spaces\tand a tab.txt\x00"
        "garbage without a tab\x00"
        f"10x644 blob {blob}\tbad-mode\x00"
        f"100644 blob not-hex\tbad-id\x00"
    )
    assert tree_entries(output) == [
        ("100644", blob, "src/app.py"),
        ("160000", blob, "vendor/lib"),
        ("100644", blob, "name with spaces\tand a tab.txt"),
    ]


def test_git_ls_tree_split_is_linear_on_a_path_of_digits() -> None:
    hostile = "1" * 2_000_000 + "\x00"
    start = time.process_time()
    assert tree_entries(hostile) == []
    assert time.process_time() - start < 0.5


def test_repo_is_a_facade_over_one_instance_of_each_view(tmp_path: Path) -> None:
    repo = Repo(write_tree(tmp_path / "r", {"src/app.py": "import wandb\n", "configs/a.yaml": "x: 1\n"}))
    assert isinstance(repo.file_list, FileList) and isinstance(repo.reader, Reader)
    assert isinstance(repo.text_search, TextSearch) and isinstance(repo.configs, ConfigFiles)
    assert isinstance(repo.python_view, PythonView)
    assert repo.files == repo.file_list.files == ("configs/a.yaml", "src/app.py")
    assert repo.python("src/app.py") is repo.python_view.python("src/app.py")  # parsed once
    assert repo.yaml("configs/a.yaml") == {"x": 1} and repo.configs.yaml_all("configs/a.yaml") == [{"x": 1}]
    assert repo.read("src/app.py") is repo.reader.read("src/app.py")  # read once
    lines = repo.lines("src/app.py")
    lines.append("changed by a caller")
    assert repo.lines("src/app.py") == ["import wandb"]  # callers get their own copy


def test_a_repo_and_a_verification_leave_no_reference_cycles(tmp_path: Path) -> None:
    """The views never refer back to the Repo: dropped, it is freed at once (the engine pauses the cycle
    collector during a verification, which is sound only while a verification leaves no cycles)."""
    files = {
        "reports/README.md": "## Overall project checklist\n\n* [x] Use DVC (M8)\n",
        "src/app.py": "import wandb\nwandb.init()\n",
        "configs/a.yaml": "x: 1\n",
        "nb.ipynb": '{"cells": [{"cell_type": "code", "source": ["import torch"]}]}',
    }
    root = git_init(write_tree(tmp_path / "r", files))
    verify(root)  # loads the rules: importing a module makes cycles of its own
    gc.collect()
    gc.disable()
    try:
        repo = Repo(root)
        repo.search(r"wandb"), repo.imports("torch"), repo.dependencies, repo.history, repo.yaml_documents()
        dropped = weakref.ref(repo)
        del repo
        assert dropped() is None
        verify(root)
        assert gc.collect() == 0, "a verification leaves no cyclic garbage"
    finally:
        gc.enable()


def test_naming_the_report_files_after_a_search_excludes_them_from_later_searches(tmp_path: Path) -> None:
    repo = Repo(write_tree(tmp_path / "r", {"notes/report.md": "docker build .\n"}))
    assert [hit.path for hit in repo.search(r"docker\s+build", "*.md")] == ["notes/report.md"]
    repo.report_files = {"notes/report.md"}
    assert repo.search(r"docker\s+build", "*.md") == []


# ------------------------------------------------------------------ imports


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    script = textwrap.dedent(code) + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT, timeout=60
    )
    return set(done.stdout.split())


HEAVY = ("yaml", "importlib.metadata", "pathspec", "verifier.engine", "verifier.registry", "verifier.rules")


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_load_no_rules_yaml_or_entry_points(option: str) -> None:
    loaded = _modules_after(
        f"""
        import contextlib, io
        import verifier.cli
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
            verifier.cli.main(["{option}"])
        """
    )
    assert "verifier.cli" in loaded
    assert not [name for name in loaded if name.startswith(HEAVY)]


def test_a_verification_loads_what_it_needs_on_first_use() -> None:
    assert not [name for name in _modules_after("import verifier") if name.startswith(HEAVY)]
    loaded = _modules_after("import verifier\nverifier.verify")
    assert {"verifier.engine", "verifier.registry", "yaml"} <= loaded


def test_the_result_types_and_the_stages_import_one_way() -> None:
    assert "verifier.engine" not in _modules_after("import verifier.answers, verifier.overrides")
    stages = {
        "verifier.engine",
        "verifier.answers",
        "verifier.overrides",
        "verifier.repo",
        "verifier.witness",
    }
    assert not stages & _modules_after("import verifier.results")


def test_a_plain_lock_line_is_read_as_the_key_pattern_reads_it() -> None:
    import random

    from verifier.configfiles import LOCK_KEY, _plain_lock_value

    assert _plain_lock_value('name = "torch"') == ("name", "torch")
    assert _plain_lock_value('version = "2.5.1"') == ("version", "2.5.1")
    for other in (
        'name  = "x"',
        "name = 'x'",
        'name = "x" # pinned',
        'name = "a\\"b"',
        'names = "x"',
        "name",
    ):
        assert _plain_lock_value(other) is None, other  # left to LOCK_KEY
    rng = random.Random(11)
    keys, separators = ["name", "version", "names", "nam"], [" = ", "=", "  = ", " =\t"]
    contents, tails = ["x", "1.2", "a b", "", '"', "\\", "'", "#"], ["", " ", "# c", '"']
    plain = 0
    for _ in range(20_000):
        content = "".join(rng.choice(contents) for _ in range(rng.randint(0, 3)))
        line = rng.choice(keys) + rng.choice(separators) + '"' + content + '"' + rng.choice(tails)
        value = _plain_lock_value(line)
        if value is not None:
            plain += 1
            key = LOCK_KEY.fullmatch(line)
            assert key is not None and (key.group(1), key.group(2)) == value, line
    assert plain > 50
