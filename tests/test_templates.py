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


def folded_line_count(text: str) -> int:
    folded = templates._layout_folded(text)
    return len(folded.split("\n")) if folded else 0


def test_counted_code_lines_never_exceed_the_folded_lines_on_random_texts() -> None:
    rng = random.Random(3)
    for _ in range(3_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 40)))
        counted = len(templates.CODE_LINE_START.findall(text))
        assert counted <= folded_line_count(text), repr(text)
        for bound in range(0, 4):
            if templates.more_code_lines_than(text, bound):
                assert folded_line_count(text) > bound, (repr(text), bound)


def stub_table(stub: str, max_lines: int | None) -> dict[str, object]:
    table: dict[str, object] = {
        "blobs": [],
        "stubs": [{"hash": line_by_line_hash(stub, "pkg"), "file": "f.py", "template": "T"}],
    }
    if max_lines is not None:
        table["stubs_max_lines"] = max_lines
    return table


def test_a_file_with_more_code_lines_than_any_stub_is_not_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    folded: list[str] = []
    real_fold = templates._layout_folded
    monkeypatch.setattr(templates, "_layout_folded", lambda text: folded.append(text) or real_fold(text))
    monkeypatch.setattr(templates, "_table", lambda: stub_table("import pkg\nx = 1\n", 2))
    longer = "import pkg\nx = 1\n  y = 2\n"
    assert match_stub_of_any(longer, ["pkg"]) is None
    assert folded == []


def test_comments_and_blank_lines_do_not_count_against_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """The near miss: many more lines than the longest stub, but no more lines of code."""
    monkeypatch.setattr(templates, "_table", lambda: stub_table("import pkg\nx = 1\n", 2))
    padded = "# header\n\n   # indented comment\n\t\nimport group  # inline\n\n\n#\nx = 1\n" + "\n" * 20
    assert match_stub_of_any(padded, ["group"]) == templates.TemplateMatch("f.py", "T")
    assert match_stub_of_any("import group\r\nx = 1\r\n", ["group"]) == templates.TemplateMatch("f.py", "T")


def test_a_table_without_a_bound_folds_every_file(monkeypatch: pytest.MonkeyPatch) -> None:
    long_stub = "".join(f"x{n} = {n}\n" for n in range(40))
    monkeypatch.setattr(templates, "_table", lambda: stub_table(long_stub, None))
    assert match_stub_of_any(long_stub, ["pkg"]) == templates.TemplateMatch("f.py", "T")


def test_the_shipped_table_bounds_its_stubs() -> None:
    assert templates._table()["stubs_max_lines"] >= 100  # reports/report.py, the longest stub, has 131
