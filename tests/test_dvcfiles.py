"""Cutting the per-file listings out of DVC pointer files keeps every other value as YAML reads it."""

from __future__ import annotations

import random
from typing import Any

import pytest
import yaml

from verifier.dvcfiles import without_file_listings
from verifier.safe_yaml import load_all

CLOUD_VERSIONED = """outs:
- hash: md5
  path: nnUNet_raw
  files:
  - relpath: Dataset101/dataset.json
    md5: 5595b7158c80145d885a85b605a863a9
    size: 400
    cloud:
      remote-storage:
        etag: 0882b490a2bb8d92031001
        version_id: '1768477283326466'
  - relpath: Dataset101/imagesTr/case_000_0000.png
    md5: cd7a262878ef8ac0a5f52deede1dd274
    size: 471842

  # a comment inside the listing
  - relpath: Dataset101/imagesTr/case_000_0001.png
    md5: 4c75b5accfba7f3b707caa8c51ee5eea
    size: 477
- md5: 0b1c
  size: 12
  files:
    - relpath: indented/sequence.csv
      md5: ab
  path: 'data/quoted path'
  nfiles: 1
deps:
- path: https://example.org/data.zip
"""


def without_listings(value: Any) -> Any:
    """`value` with every non-empty `files` collection replaced by an empty list."""
    if isinstance(value, dict):
        return {
            key: [] if key == "files" and isinstance(item, (list, dict)) and item else without_listings(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [without_listings(item) for item in value]
    return value


def test_a_cloud_versioned_pointer_keeps_its_paths_and_loses_its_listing() -> None:
    cut = without_file_listings(CLOUD_VERSIONED)
    assert "relpath" not in cut and "comment inside" not in cut
    (document,) = load_all(cut)
    assert [out["path"] for out in document["outs"]] == ["nnUNet_raw", "data/quoted path"]
    assert document["outs"][1]["nfiles"] == 1 and document["deps"] == [
        {"path": "https://example.org/data.zip"}
    ]
    assert load_all(cut) == [without_listings(d) for d in load_all(CLOUD_VERSIONED)]


def test_a_pointer_without_a_listing_is_returned_as_it_is() -> None:
    plain = "outs:\n- md5: a3f\n  size: 10\n  path: data\n"
    assert without_file_listings(plain) is plain


@pytest.mark.parametrize(
    "text",
    [
        "outs:\n- path: data\n  files: [a.csv, b.csv]\n",  # a flow list on the key's line
        "outs:\n- path: data\n  files: |\n    a.csv\n",  # a block scalar
        "outs:\n- path: data\n  myfiles:\n  - a.csv\n  files_count: 2\n",  # other keys that end in files
        'outs:\n- path: data\n  "files":\n  - a.csv\n',  # a quoted key
    ],
)
def test_near_misses_are_left_as_they_are(text: str) -> None:
    assert without_file_listings(text) == text


def test_a_listing_that_is_the_first_key_of_an_entry_is_cut() -> None:
    text = "outs:\n- files:\n  - relpath: a\n    md5: b\n  path: data\n"
    assert load_all(without_file_listings(text)) == [{"outs": [{"files": [], "path": "data"}]}]


def test_windows_line_ends() -> None:
    text = CLOUD_VERSIONED.replace("\n", "\r\n")
    assert load_all(without_file_listings(text)) == [without_listings(d) for d in load_all(text)]


def _random_value(rng: random.Random, depth: int) -> Any:
    kind = rng.choice(["str", "int", "list", "dict", "files"] if depth < 4 else ["str", "int"])
    if kind == "str":
        return rng.choice(["data", "a b", "x: y", "- not a dash", "#hash", "files:", "long " * 30, ""])
    if kind == "int":
        return rng.randint(0, 10**6)
    if kind == "list":
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "files":
        return {"files": [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))], "path": "p"}
    return {rng.choice(["path", "md5", "files", "outs", "nfiles", "cloud"]): _random_value(rng, depth + 1)}


@pytest.mark.parametrize("seed", range(300))
def test_generated_block_yaml_reads_the_same_but_the_listings(seed: int) -> None:
    rng = random.Random(seed)
    document = {
        "outs": [_random_value(rng, 1) for _ in range(rng.randint(1, 4))],
        "deps": _random_value(rng, 2),
    }
    for indent in (2, 4):
        text = yaml.safe_dump(document, default_flow_style=False, indent=indent, width=60, sort_keys=False)
        for written in (text, text.replace("\n", "\r\n")):
            expected = [without_listings(d) for d in load_all(written)]
            assert load_all(without_file_listings(written)) == expected, written
