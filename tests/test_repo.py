"""Listing a git work tree whose index is missing (a clone whose checkout failed)."""

from __future__ import annotations

import re
from pathlib import Path

import pathspec
import pytest

from verifier import filelist, reader, templates
from verifier.repo import Repo

from conftest import git, git_init, write_tree


def test_missing_index_falls_back_to_the_head_tree(tmp_path: Path) -> None:
    root = git_init(
        write_tree(tmp_path / "group", {"Dockerfile": "FROM python:3.12\n", "src/app.py": "x = 1\n"})
    )
    (root / ".git" / "index").unlink()
    repo = Repo(root)
    assert repo.files == ("Dockerfile", "src/app.py")
    assert repo.blob_id("Dockerfile") is not None and len(repo.blob_id("Dockerfile")) == 40
    assert any("index is missing" in warning for warning in repo.warnings)


def test_files_missing_on_disk_are_not_listed(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a = 1\n", "big.bin": b"\x00" * 10}))
    (root / "big.bin").unlink()
    assert Repo(root).files == ("a.py",)


def test_repository_without_commits_checks_the_files_on_disk(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "group", {"Dockerfile": "FROM python:3.12\n"})
    git(root, "init", "-q", "-b", "main")
    repo = Repo(root)
    assert repo.is_git and repo.files == ("Dockerfile",)
    assert any("no committed files" in warning for warning in repo.warnings)


def test_untracked_files_are_not_checked_and_say_so(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "group", {"a.py": "a = 1\n", ".gitignore": "*.log\n"}))
    write_tree(root, {"new.py": "b = 2\n", "run.log": "ignored\n"})
    repo = Repo(root)
    assert repo.files == (".gitignore", "a.py")
    assert any(w.startswith("1 untracked file(s) were not checked") for w in repo.warnings)
    included = Repo(root, include_untracked=True)
    assert included.files == (".gitignore", "a.py", "new.py")  # run.log stays ignored
    assert included.read("new.py") == "b = 2\n"
    assert any(w.startswith("1 untracked file(s) were checked too") for w in included.warnings)


def test_files_without_suffix_are_searched_and_binary_ones_are_not(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "group",
        {
            ".dvc/config": "[core]\n    remote = gcs\n['remote \"gcs\"']\n    url = gs://bucket/\n",
            "blob": b"\x00\x01gs://no",
        },
    )
    hits = Repo(root).search(r"url\s*=\s*gs://")
    assert [(h.path, h.line) for h in hits] == [(".dvc/config", 4)]


@pytest.mark.parametrize(
    "pattern",
    [
        "*.dvc",
        "pyproject.toml",
        "requirements*.txt",
        "configs/",
        "dockerfiles/*",
        ".github/workflows/*.yaml",
        "Dockerfile*",
        "*.Dockerfile",
        "docs/**/*.md",
        "README*.md",
        "profil*/*",
        ".dvc/*",
        "*",
        "ab[]c]de",
        "ab[!]c]de",
        "**/c\\6/sub/00005_tar[].]jpG",
        "foo ",
        "[a-z]*.md",
    ],
)
def test_indexed_glob_matches_a_plain_pathspec_scan(tmp_path: Path, pattern: str) -> None:
    files = [
        "a.dvc",
        "data/raw.dvc",
        ".dvc/config",
        "pyproject.toml",
        "sub/pyproject.toml",
        "requirements.txt",
        "requirements_dev.txt",
        "app/requirements-api.txt",
        "configs/a.yaml",
        "src/configs/b.yaml",
        "dockerfiles/t.dockerfile",
        ".github/workflows/ci.yaml",
        ".github/workflows/sub/x.yaml",
        "Dockerfile",
        "Dockerfile.api",
        "api/Dockerfile",
        "api.Dockerfile",
        "docs/index.md",
        "docs/a/b.md",
        "README.md",
        "README_uv.md",
        "profiling/run.prof",
        "x/README.md",
        "ab]de",
        "x/ab]de",
        "abxde",
        "c6/sub/00005_tar.jpG",
        "foo",
        "a/foo",
    ]
    repo = Repo(write_tree(tmp_path / "g", dict.fromkeys(files, "x\n")))
    spec = pathspec.PathSpec.from_lines("gitignore", [pattern])
    assert repo.glob(pattern) == sorted(p for p in repo.files if spec.match_file(p))


def test_virtualenvs_and_caches_are_never_listed(tmp_path: Path) -> None:
    root = git_init(
        write_tree(
            tmp_path / "g",
            {
                "src/a.py": "x = 1\n",
                ".venv/lib/site.py": "y\n",
                "web/node_modules/x.js": "z\n",
                ".dvc/cache/ab/cd": "d\n",
                "sub/.DS_Store": "e",
            },
        )
    )
    assert Repo(root).files == ("src/a.py",)


def test_history_reads_file_lists_only_when_asked(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "g", {"a.py": "a = 1\n", "b.py": "b = 1\n"}))
    (root / "a.py").write_text("a = 2\n")
    git(root, "commit", "-q", "-am", "change a")
    history = Repo(root).history
    assert [c.subject for c in history.commits] == ["change a", "initial commit"]
    assert all(not c.files for c in history.commits)
    assert history.file_commit_counts() == {"a.py": 2, "b.py": 1}
    assert history.untouched_since_first_commit() == {"b.py"}
    assert history.last_commit("a.py").subject == "change a"


def test_cloudbuild_and_vertex_look_ups(make_repo) -> None:
    repo = make_repo(
        {
            "cloudbuild.yaml": "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, .]\n",
            "configs/build_api.yml": "steps:\n  - name: gcr.io/cloud-builders/gcloud\n",
            "configs/train.yaml": "steps: [1, 2]\nlr: 0.1\n",
            "configs/vertex.yaml": "trainingInput:\n  jobSpec:\n    workerPoolSpecs:\n      - machineSpec: {machineType: n1}\n",
            "configs/model.yaml": "workers: 2\n",
        }
    )
    assert repo.cloudbuild_files == ["cloudbuild.yaml", "configs/build_api.yml"]
    assert repo.vertex_configs == ["configs/vertex.yaml"]


def test_listing_gives_git_blob_ids_and_finds_dockerfiles_in_any_case(tmp_path: Path) -> None:
    files = {
        "Dockerfile": "FROM python:3.12\n",
        "docker/API.Dockerfile": "FROM python:3.11\n",
        "dockerfiles/train.dockerfile": "FROM nvidia/cuda\n",
        "docs/dockerfile_notes.md": "FROM nothing\n",
        "src/ünïcode_İ.py": "x = 1\n",
    }
    root = git_init(write_tree(tmp_path / "d", files))
    repo = Repo(root)
    assert repo.files == tuple(sorted(files))
    expected = git(root, "hash-object", "dockerfiles/train.dockerfile").strip()
    assert repo.blob_id("dockerfiles/train.dockerfile") == expected
    assert [d.path for d in repo.dockerfiles] == [
        "Dockerfile",
        "docker/API.Dockerfile",
        "dockerfiles/train.dockerfile",
    ]
    assert [d.base_images for d in repo.dockerfiles][2] == ["nvidia/cuda"]


def test_committed_virtualenv_with_any_name_is_found_by_pyvenv_cfg(tmp_path: Path) -> None:
    files = {"src/a.py": "x = 1\n", "myenv/pyvenv.cfg": "home = /usr\n", "myenv/lib/site.py": "y = 2\n"}
    root = git_init(write_tree(tmp_path / "v", files))
    assert Repo(root).files == ("src/a.py",)
    assert Repo(write_tree(tmp_path / "w", files)).files == ("src/a.py",)


def test_blob_ids_come_from_the_read_and_large_binary_files_give_no_warning(tmp_path: Path) -> None:
    files = {"src/a.py": "x = 1\n", "reports/figures/big.png": "placeholder\n"}
    root = git_init(write_tree(tmp_path / "b", files))
    (root / "reports/figures/big.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00" + b"\x01" * 2_000)
    repo = Repo(root, max_file_bytes=1_000)
    assert repo.blob_id("src/a.py") == git(root, "hash-object", "src/a.py").strip()
    assert repo.read("reports/figures/big.png") is None
    assert repo.blob_id("reports/figures/big.png") is None  # over the cap: no template file is that large
    assert repo.warnings == [] and repo.truncated == set()


def test_blob_ids_of_every_kind_of_content_are_gits_and_hashed_only_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contents = {
        "ascii.py": b"x = 1\n",
        "utf8.py": "s = 'ünïcode İ €'\n".encode(),
        "crlf_bom.py": b"\xef\xbb\xbfx = 1\r\ny = 2\r\n",
        "latin1.py": b"s = '\xe9t\xe9'\n",  # not valid UTF-8: the text holds U+FFFD
        "replacement.py": "s = '\ufffd'\n".encode(),  # a real U+FFFD: hashed from the bytes all the same
        "binary.bin": b"\x89PNG\r\n\x1a\n\x00\x01\x02",
        "empty.py": b"",
    }
    root = tmp_path / "blobs"
    root.mkdir()
    for name, data in contents.items():
        (root / name).write_bytes(data)
    git_init(root)
    hashed: list[int] = []
    real_hash = reader.git_blob_id
    monkeypatch.setattr(reader, "git_blob_id", lambda data: hashed.append(len(data)) or real_hash(data))
    repo = Repo(root)
    for name in contents:
        repo.read(name)
    assert (
        len(hashed) == 3
    )  # latin1.py, replacement.py and binary.bin only: their text does not give the bytes
    for name in contents:
        assert repo.blob_id(name) == git(root, "hash-object", name).strip(), name
    assert len(hashed) == len(contents)
    assert repo.blob_id("ascii.py") == git(root, "hash-object", "ascii.py").strip() and len(hashed) == len(
        contents
    )


def test_a_file_of_a_size_no_template_blob_has_is_neither_read_nor_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figure = b"\x89PNG\r\n\x1a\n\x00template figure"
    root = tmp_path / "sizes"
    (root / "reports" / "figures").mkdir(parents=True)
    (root / "reports" / "figures" / "overview.png").write_bytes(figure)  # the template's own figure
    (root / "reports" / "figures" / "same_size.png").write_bytes(figure.upper())  # its size, not its bytes
    (root / "reports" / "figures" / "ours.png").write_bytes(figure + b"!")  # a byte more
    git_init(root)
    blob = {"id": templates.git_blob_id(figure), "file": "reports/figures/overview.png", "template": "T"}
    table = {"blobs": [{**blob, "size": len(figure)}], "stubs": []}
    monkeypatch.setattr(templates, "_table", lambda: table)
    repo = Repo(root)
    assert repo.template_match("reports/figures/overview.png") == templates.TemplateMatch(blob["file"], "T")
    assert repo.template_match("reports/figures/same_size.png") is None
    assert repo.template_match("reports/figures/ours.png") is None
    assert "reports/figures/same_size.png" in repo.reader._text  # read and hashed: the size could match
    assert "reports/figures/ours.png" not in repo.reader._text  # never read
    # a table that does not give every blob's size: every file is hashed, as before sizes were known
    monkeypatch.setattr(templates, "_table", lambda: {"blobs": [blob], "stubs": []})
    repo = Repo(root)
    assert repo.template_match("reports/figures/ours.png") is None
    assert "reports/figures/ours.png" in repo.reader._text


def test_paths_containing_matches_a_plain_scan_in_any_query_order(tmp_path: Path) -> None:
    files = [
        "data.py",
        "src/pkg/data.py",
        "src/pkg/metadata.pyc.txt",
        "configs/config.yaml",
        "configs.yml",
        "Dockerfile",
        "docker/API.dockerfile",
        "README.md",
        "docs/readme.MD",
        "uv.lock",
        "data/raw/img.png",
    ]
    root = git_init(write_tree(tmp_path / "p", dict.fromkeys(files, "x\n")))
    texts = [
        ".py",
        "data.py",
        "config",
        "configs",
        "ata.p",
        "dockerfile",
        ".lock",
        "uv.lock",
        ".md",
        "/",
        "zzz",
    ]
    for order in (texts, list(reversed(texts))):
        repo = Repo(root)
        for text in order:
            assert repo.paths_containing(text) == [p for p in repo.files if text in p], text
            assert repo.paths_containing(text.upper(), ignore_case=True) == [
                p for p in repo.files if text in p.lower()
            ], text


def test_a_short_listing_is_searched_for_every_text(tmp_path: Path) -> None:
    """Below MIN_PATHS paths a listing search costs less than finding an earlier answer to narrow: each text
    is looked for in the listing, and the answers are the plain scan's."""
    files = ["src/data.py", "src/model.py", "tests/test_data.py"]
    file_list = Repo(git_init(write_tree(tmp_path / "p", dict.fromkeys(files, "x\n")))).file_list
    searched: list[str] = []
    scan = file_list._scan_listing
    file_list._scan_listing = lambda text, case: searched.append(text) or scan(text, case)  # type: ignore[method-assign]
    assert file_list.paths_containing(".py") == files
    assert file_list.paths_containing("data.py") == ["src/data.py", "tests/test_data.py"]
    assert file_list.paths_containing("data.py") == ["src/data.py", "tests/test_data.py"]  # kept
    assert searched == [".py", "data.py"]
    assert file_list._narrowing == {False: {}, True: {}}


@pytest.mark.parametrize(("narrow_among", "listing_searches"), [(3, ["src/"]), (2, ["src/", "data.py"])])
def test_a_text_is_looked_for_among_the_few_files_of_one_it_contains(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, narrow_among: int, listing_searches: list[str]
) -> None:
    """`data.py` is looked for among the files holding `.py` when those are few (at most NARROW_AMONG): the
    listing is not searched again. With one file more than the cap (a near miss) the listing is searched;
    both give the plain scan's answer, in either letter case."""
    files = ["src/data.py", "src/model.py", "tests/test_data.py"]
    root = git_init(write_tree(tmp_path / "p", dict.fromkeys(files, "x\n")))
    monkeypatch.setattr(filelist, "NARROW_AMONG", narrow_among)
    monkeypatch.setattr(filelist, "MIN_PATHS", 1)  # narrowing is for listings of many paths
    file_list = Repo(root).file_list
    searched: list[str] = []
    scan = file_list._scan_listing
    file_list._scan_listing = lambda text, case: searched.append(text) or scan(text, case)  # type: ignore[method-assign]
    assert file_list.paths_containing("src/") == ["src/data.py", "src/model.py"]
    assert file_list.paths_containing(".py") == files
    assert file_list.paths_containing("data.py") == ["src/data.py", "tests/test_data.py"]
    assert [text for text in searched if text != ".py"] == listing_searches
    assert file_list.paths_containing("SRC/DATA", ignore_case=True) == ["src/data.py"]
    assert file_list.paths_containing("src/data", ignore_case=False) == ["src/data.py"]
    del file_list._scan_listing  # the view below searches its own listing
    view = file_list.within("src")  # its own paths: nothing searched in the whole listing is among them
    assert view.paths_containing("data.py") == ["data.py"] and view.paths_containing("DATA", True) == [
        "data.py"
    ]


def test_globs_in_a_repository_with_a_committed_dataset_match_a_plain_pathspec_scan(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        f"data/raw/{folder}/img_{n:04d}.png": b"\x89PNG" for folder in ("a", "b") for n in range(1_100)
    }
    files.update(dict.fromkeys([f".venv/lib/m{n:03d}.py" for n in range(300)], "x = 1\n"))
    files.update(
        dict.fromkeys(
            [
                "configs/config.yaml",
                "configs/sweep.yaml",
                "requirements.txt",
                "requirements_dev.txt",
                "Pipfile",
                "dockerfiles/api.dockerfile",
                "tests/test_data.py",
                "src/pkg/configs/model.yaml",
                "reports/figures/loss.png",
                "data.dvc",
            ],
            "x\n",
        )
    )
    repo = Repo(git_init(write_tree(tmp_path / "big", files)))
    assert repo.file_list._listing.runs, "the dataset folders are runs"
    assert not any(path.startswith(".venv/") for path in repo.files)
    assert repo.has("data/raw/b/img_1099.png") and not repo.has("data/raw/b")
    assert not repo.has("zzz") and not repo.has("")
    patterns = [
        "configs/", "dockerfiles/*", "tests/test_*.py", "requirements*.txt", "*config*.yaml", "Pipfile",
        "*.dvc", "reports/figures/*", "data/raw/a/*", "img_00*.png", "**/configs/*.yaml", "*.png",
    ]  # fmt: skip
    for pattern in patterns:
        spec = pathspec.PathSpec.from_lines("gitignore", [pattern])
        assert repo.glob(pattern) == [path for path in repo.files if spec.match_file(path)], pattern


def test_top_folders_are_the_root_folders_that_hold_files(tmp_path: Path) -> None:
    files = [
        "data.py",
        "data-old/x.csv",
        "data/a/b.png",
        "data/c.txt",
        "Dockerfile",
        "src/pkg/m.py",
        "zeta.md",
    ]
    repo = Repo(git_init(write_tree(tmp_path / "t", dict.fromkeys(files, "x\n"))))
    assert repo.top_folders == {"data-old", "data", "src"}


def test_a_glob_searches_the_pattern_part_with_the_fewest_paths_to_filter(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {f"data/text/{n:05d}.txt": "x\n" for n in range(2_500)}
    files["requirements.txt"] = "torch\n"
    repo = Repo(git_init(write_tree(tmp_path / "t", files)))
    assert repo.glob("requirements*.txt") == ["requirements.txt"]
    assert ("requirements", False) in repo.file_list._containing and (
        ".txt",
        False,
    ) not in repo.file_list._containing


def test_yaml_documents_holding_parse_only_files_that_may_hold_the_literal(make_repo) -> None:
    repo = make_repo(
        {
            "a_cloudbuild.yaml": "steps:\n  - name: gcr.io/cloud-builders/docker\n",
            "b_escaped.yaml": '"st\\x65ps":\n  - name: gcr.io/cloud-builders/gcloud\n',
            "c_config.yaml": "model:\n  lr: 0.1\n  path: C:\\data\\x\n  name: 'a\\x73teps'\n",
            "d_broken.yaml": "a: b: c\n",
            "e_sweep.yaml": "sweeper: {params: {lr: '0.1,0.2'}}\n",
        }
    )
    found = [path for path, _ in repo.yaml_documents(holding=("steps",))]
    assert found == ["a_cloudbuild.yaml", "b_escaped.yaml"]  # an escaped key may spell the literal
    assert "c_config.yaml" not in repo.configs._yaml and "e_sweep.yaml" not in repo.configs._yaml
    # a file that may not load is loaded all the same, so its warning is the one every file gave before
    assert [w for w in repo.warnings if "d_broken.yaml" in w] and "d_broken.yaml" in repo.configs._yaml
    # a file passed over for one literal is given to a later query that holds its own (and the files
    # parsed already are given too: a caller judges each document, a pre-check only spares parsing)
    assert [path for path, _ in repo.yaml_documents(holding=("sweeper",))] == [
        "a_cloudbuild.yaml",
        "b_escaped.yaml",
        "e_sweep.yaml",
    ]
    assert [path for path, _ in repo.yaml_documents()] == [
        "a_cloudbuild.yaml",
        "b_escaped.yaml",
        "c_config.yaml",
        "e_sweep.yaml",
    ]


def test_yaml_all_holding_parses_a_file_only_when_its_text_may_hold_the_literal(make_repo) -> None:
    from verifier.checks import is_job_config

    repo = make_repo(
        {
            "configs/train.yaml": "model:\n  lr: 0.1\n",
            "configs/job.yaml": "steps:\n  - name: gcr.io/cloud-builders/docker\n",
            "configs/escaped.yaml": '"st\\x65ps":\n  - name: x\n',
            "configs/broken.yaml": "a: b: c\n",
            "configs/mentions.yaml": "notes: 'three steps'\n",
        }
    )
    assert repo.yaml_all("configs/train.yaml", holding=("steps",)) == []
    assert "configs/train.yaml" not in repo.configs._yaml  # not parsed
    assert repo.yaml_all("configs/job.yaml", holding=("steps",))[0]["steps"][0]["name"].endswith("docker")
    assert repo.yaml_all("configs/escaped.yaml", holding=("steps",)) == [{"steps": [{"name": "x"}]}]
    assert repo.yaml_all("configs/broken.yaml", holding=("steps",)) == []
    assert [w for w in repo.warnings if "configs/broken.yaml" in w]  # loaded all the same: its warning stays
    assert repo.yaml_all("configs/mentions.yaml", holding=("steps",)) == [{"notes": "three steps"}]
    # a file parsed already is given whatever it holds
    assert repo.yaml_all("configs/train.yaml") == repo.yaml_all("configs/train.yaml", holding=("absent",))
    assert is_job_config(repo, "configs/job.yaml") and is_job_config(repo, "configs/escaped.yaml")
    assert not is_job_config(repo, "configs/mentions.yaml") and not is_job_config(repo, "configs/train.yaml")
    fresh = make_repo({"configs/train.yaml": "model:\n  lr: 0.1\n"})
    assert not is_job_config(fresh, "configs/train.yaml") and not fresh.configs._yaml


def test_cloudbuild_steps_reads_the_steps_once_for_every_pattern(make_repo, monkeypatch) -> None:
    import verifier.configfiles as configfiles

    repo = make_repo(
        {
            "cloudbuild.yaml": "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: ['build', '.']\n"
            "  - name: gcr.io/google.com/cloudsdktool/cloud-sdk\n    entrypoint: gcloud\n"
            "    args: ['run', 'deploy', 'api']\n",
            "configs/train.yaml": "lr: 0.1\n",
        }
    )
    loads: list[str] = []
    original = configfiles.yaml_load_all
    monkeypatch.setattr(configfiles, "yaml_load_all", lambda text: loads.append(text) or original(text))
    scans: list[tuple[str, ...]] = []
    documents = repo.configs.yaml_documents
    monkeypatch.setattr(
        repo.configs,
        "yaml_documents",
        lambda *p, holding=(): scans.append(tuple(holding)) or documents(*p, holding=holding),
    )
    builds = repo.cloudbuild_steps(r"docker.*\bbuild\b")
    assert [(loc.path, loc.line) for loc in builds] == [("cloudbuild.yaml", 2)]
    assert len(loads) == 1  # the Cloud Build file; the config holds no `steps`
    deploys = repo.cloudbuild_steps(re.compile(r"run\s+deploy"))
    assert [(loc.path, loc.line, loc.snippet) for loc in deploys] == [
        ("cloudbuild.yaml", 4, "gcr.io/google.com/cloudsdktool/cloud-sdk run deploy api gcloud")
    ]
    assert repo.cloudbuild_steps("kaniko") == [] and len(loads) == 1
    assert scans == [("steps",)]  # one pass over the YAML files for the three patterns
    assert make_repo({"a.yaml": "x: 1\n"}).cloudbuild_steps("(unbalanced") == []  # no step: never compiled


def test_warnings_of_yaml_files_are_the_same_with_and_without_literal_pre_checks(make_repo) -> None:
    files = {
        "1.yaml": "x: *nothing\n",
        "2.yaml": "ok: 1\n",
        "3.yaml": "d: 2023-02-30\n",
        "4.yaml": "[" * 150 + "]" * 150,
        "5.yaml": "- [a\n",
    }
    narrow, full = make_repo(files), make_repo(files)
    assert list(narrow.yaml_documents(holding=("absent",))) == []
    list(full.yaml_documents())
    assert list(narrow.warnings) == list(full.warnings) and len(full.warnings) == 4


def test_a_tool_run_folders_yaml_is_no_config_of_the_group(make_repo) -> None:
    cloudbuild = "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: ['build', '-t', 'x', '.']\n"
    repo = make_repo(
        {
            "wandb/run-20240112_121503-o0m9roav/files/cloudbuild.yaml": cloudbuild,
            "outputs/2024-01-12/10-00-00/.hydra/broken.yaml": "a: b: c\n",
            "multirun/2024-01-12/0/config.yaml": "workerPoolSpecs: []\n",
            "wandb/sweep-zjgi1mbh/config-hf84p4a3.yaml": "steps:\n  - name: x\n",
            "configs/wandb/sweep.yaml": "method: bayes\n",  # a folder the group named wandb is its own
        }
    )
    assert repo.cloudbuild_files == [] and repo.configs.vertex_configs == []
    assert repo.cloudbuild_steps(r"cloud-builders/docker") == []
    assert [path for path, _ in repo.yaml_documents()] == ["configs/wandb/sweep.yaml"]
    assert not [w for w in repo.warnings if "broken.yaml" in w]  # never parsed, so never a warning
    # named by a pattern, such a file is read as any other (near miss)
    assert [path for path, _ in repo.yaml_documents("wandb/**/*.yaml")] == [
        "wandb/run-20240112_121503-o0m9roav/files/cloudbuild.yaml",
        "wandb/sweep-zjgi1mbh/config-hf84p4a3.yaml",
    ]
    # the same config outside a run folder is the group's
    own = make_repo({"cloudbuild.yaml": cloudbuild})
    assert (
        own.cloudbuild_files == ["cloudbuild.yaml"]
        and len(own.cloudbuild_steps(r"cloud-builders/docker")) == 1
    )


def test_globs_ending_in_a_name_find_in_a_listing_of_data_runs_what_pathspec_finds(tmp_path: Path) -> None:
    """In a listing with runs of data files a glob that ends with literal text (`Makefile`, `*.py`) is looked
    for at the end of paths, which skips the runs; a folder named like that text (`Makefile/`, whose files
    the glob matches) is still found, and so is a data file whose stem holds the text."""
    files = {f"data/raw/{n // 500}/img_{n:05d}.png": "" for n in range(2_500)}
    files |= {"data/raw/3/Makefile_notes.png": "", "data/raw/4/Makefile/a.png": "", "data/raw/2/Pipfile": ""}
    files |= {"Makefile": "all:\n", "src/app.py": "x = 1\n", "docs/Pipfile.md": "", "justfile": "run:\n"}
    repo = Repo(write_tree(tmp_path / "p", files))
    assert repo.file_list._listing.runs  # the data folders are runs
    for pattern in (
        "Makefile",
        "Pipfile",
        "justfile",
        "*.py",
        "Makefile*",
        "*.png",
        "img_00001.png",
        "/Makefile",
    ):
        spec = pathspec.PathSpec.from_lines(filelist.GITIGNORE, [pattern])
        assert repo.glob(pattern) == [path for path in repo.files if spec.match_file(path)], pattern
    assert repo.glob("Makefile") == ["Makefile", "data/raw/4/Makefile/a.png"]
    assert repo.glob("Pipfile") == ["data/raw/2/Pipfile"]
