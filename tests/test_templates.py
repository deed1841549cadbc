"""The normalised hash of template stubs: one pass over the text gives the hash the fingerprints were made with."""

from __future__ import annotations

import hashlib
import random
import re

import pytest

from verifier import templates
from verifier.templates import match_stub, match_stub_of_any, normalized_hash


def line_by_line_hash(text: str, package: str | None = None) -> str:
    """The definition the fingerprint table was made with: each line on its own."""
    lines = []
    for line in text.replace("\r\n", "\n").splitlines():
        line = (re.sub(r"(^|\s)#.*$", "", line) if "#" in line else line).strip()
        if line:
            lines.append(line)
    folded = "\n".join(lines)
    if package:
        folded = re.sub(rf"\b{re.escape(package)}\b", "{{pkg}}", folded)
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]


PIECES = ["#", " ", "\t", "\n", "\r\n", "\r", "\x0c", "\x85", "\u2028", "x", "pkg", "a#b", "\\", "'", "_"]


@pytest.mark.parametrize("package", [None, "pkg", "my_pkg", ""])
def test_the_hash_is_the_line_by_line_one_on_random_texts(package: str | None) -> None:
    rng = random.Random(2)
    for _ in range(3_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30)))
        assert normalized_hash(text, package) == line_by_line_hash(text, package), repr(text)


def test_comments_layout_and_the_package_name_are_folded() -> None:
    stub = "import pkg.data  # the data\n\n\ndef main():\n    # say hello\n    print('hi')  # done\n"
    same = "import other.data\r\ndef main():\r\n\tprint('hi')\r\n"
    assert normalized_hash(stub, "pkg") == normalized_hash(same, "other")
    assert normalized_hash(stub, "pkg") != normalized_hash(same, "pkg")  # a package name not folded
    assert normalized_hash("x = '#a'", None) != normalized_hash("x = '", None)  # '#' after a letter stays


def test_a_stub_matches_with_any_of_the_packages_tried_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    stub = "from pkg import data\n"
    table = {
        "blobs": [],
        "stubs": [{"hash": line_by_line_hash(stub, "pkg"), "file": "f.py", "template": "T"}],
    }
    monkeypatch.setattr(templates, "_table", lambda: table)
    copy = "from group_one import data  # copied\n"
    assert match_stub_of_any(copy, ["other", "group_one"]) == templates.TemplateMatch("f.py", "T")
    assert match_stub(copy, "group_one") == templates.TemplateMatch("f.py", "T")
    assert match_stub_of_any(copy, ["other", None]) is None
    assert match_stub_of_any("from group_one import model\n", ["group_one"]) is None
