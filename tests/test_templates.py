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


WORD_PIECES = ["pkg", "pkgpkg", "_", "é", "\u00b2", "\u0663", "-", ".", " ", "\n", "x", "p", "kg", "\u00a0"]


@pytest.mark.parametrize("word", ["pkg", "my_pkg", "-pkg", "pkg.", "é", "p", "kg-"])
def test_a_word_is_replaced_where_the_regex_with_word_boundaries_replaces_it(word: str) -> None:
    rng = random.Random(5)
    for _ in range(3_000):
        text = "".join(rng.choice([*WORD_PIECES, word]) for _ in range(rng.randint(0, 12)))
        expected = re.sub(rf"\b{re.escape(word)}\b", "{{pkg}}", text)
        assert templates.replace_word(text, word, "{{pkg}}") == expected, (word, text)
    assert (
        templates.replace_word("import pkg.data, pkgs, my_pkg", "pkg", "P") == "import P.data, pkgs, my_pkg"
    )
    assert templates.replace_word("pkgpkg pkg", "pkg", "P") == "pkgpkg P"  # a near miss, then a match


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


def folded_lines(text: str) -> int:
    folded = templates._layout_folded(text)
    return len(folded.split("\n")) if folded else 0


RARE_PIECES = [*PIECES, "\x0b", "\x1c", "\x1f", "\xa0", "\r\r\n", "\ufeff", "  # c\n", "\n#\n"]


def test_the_folded_lines_are_counted_exactly_or_not_at_all_on_random_texts() -> None:
    rng = random.Random(3)
    counted = 0
    for _ in range(5_000):
        text = "".join(rng.choice(RARE_PIECES) for _ in range(rng.randint(0, 40)))
        lines = folded_lines(text)
        count = templates.folded_line_count(text)
        if count is not None:
            counted += 1
            assert count == lines, repr(text)
    assert counted > 300  # the exact count is the common case, not a rarity the loop never met


def test_other_line_breaks_leave_the_count_to_folding() -> None:
    assert templates.folded_line_count("a\r\nb\r\n\r\n# c\r\n") == 2
    for text in ("a\rb", "a\x0cb", "a\u2028b", "a\r\r\nb"):
        assert templates.folded_line_count(text) is None, repr(text)


def stub_table(stub: str, lines: int | None) -> dict[str, object]:
    entry: dict[str, object] = {"hash": line_by_line_hash(stub, "pkg"), "file": "f.py", "template": "T"}
    if lines is not None:
        entry["lines"] = lines
    return {"blobs": [], "stubs": [entry]}


def record_folds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    folded: list[str] = []
    real_fold = templates._layout_folded
    monkeypatch.setattr(templates, "_layout_folded", lambda text: folded.append(text) or real_fold(text))
    return folded


def test_a_file_that_folds_to_no_stubs_number_of_lines_is_not_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    folded = record_folds(monkeypatch)
    monkeypatch.setattr(templates, "_table", lambda: stub_table("import pkg\nx = 1\n", 2))
    assert match_stub_of_any("import pkg\nx = 1\n  y = 2\n", ["pkg"]) is None  # one line more
    assert match_stub_of_any("import pkg\n", ["pkg"]) is None  # one line less
    assert folded == []
    # a line break only folding tells: folded (and a copy found)
    assert match_stub_of_any("import pkg\x0cx = 1\n", ["pkg"]) == templates.TemplateMatch("f.py", "T")
    assert match_stub_of_any("import pkg\x0cx = 1\ny = 2\n", ["pkg"]) is None
    assert len(folded) == 2


def test_comments_and_blank_lines_do_not_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """The near miss: more lines than the stub, but as many lines of code."""
    monkeypatch.setattr(templates, "_table", lambda: stub_table("import pkg\nx = 1\n", 2))
    padded = "# header\n\n   # indented comment\n\t\nimport group  # inline\n\n\n#\nx = 1\n" + "\n" * 20
    assert match_stub_of_any(padded, ["group"]) == templates.TemplateMatch("f.py", "T")
    assert match_stub_of_any("import group\r\n\r\nx = 1\r\n", ["group"]) == templates.TemplateMatch(
        "f.py", "T"
    )


def test_a_table_whose_stubs_do_not_say_their_lines_folds_every_file(monkeypatch: pytest.MonkeyPatch) -> None:
    long_stub = "".join(f"x{n} = {n}\n" for n in range(40))
    monkeypatch.setattr(templates, "_table", lambda: stub_table(long_stub, None))
    assert match_stub_of_any(long_stub, ["pkg"]) == templates.TemplateMatch("f.py", "T")


def test_every_shipped_stub_says_its_lines() -> None:
    stubs = templates._table()["stubs"]
    assert stubs and all(isinstance(stub["lines"], int) and stub["lines"] > 0 for stub in stubs)
    assert templates._index().stub_lines == frozenset(stub["lines"] for stub in stubs)
