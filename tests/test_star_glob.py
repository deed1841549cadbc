"""`filelist.StarGlob`: the plain globs the rules use, matched without a regex exactly as pathspec matches them."""

from __future__ import annotations

import itertools
import random
import re

import pathspec
import pytest

from verifier.filelist import NAME, PREFIX, SUFFIX, StarGlob, _star_match, glob_spec

# Globs the rules ask for (the shapes of nearly every `Repo.glob` call).
RULE_GLOBS = [
    "*.py", "*.ipynb", "Dockerfile*", "*.dockerfile", "*dockerfile*", "configs/", "requirements*.txt",
    "requirements/*.txt", "*requirements*.txt", "dockerfiles/*", "tests/test_*.py", "reports/figures/*",
    "profil*/*", "*/.dvc/config", ".dvc/config", ".github/workflows/*.yaml", "__init__.py", "*config*.yaml",
    "*.pt.trace.json", "htmlcov/index.html", "/pyproject.toml", "/data/", "src/*/", "/*", "/*/", "x/*/y",
]  # fmt: skip
NAMES = [
    "a",
    "b",
    "ab",
    "a.py",
    "x.py",
    ".py",
    "py",
    "configs",
    "Dockerfile",
    "Dockerfile.api",
    "api.Dockerfile",
]
NAMES += ["requirements.txt", "requirements", "dev-requirements.txt", "test_a.py", "tests", ".dvc", "config"]
NAMES += ["profiling", "profil", "figures", "reports", "x", "y", "src", "data", "index.html", "htmlcov"]
NAMES += ["n.ipynb", "t.pt.trace.json", ".github", "workflows", "ci.yaml", "my_config.yaml", "__init__.py"]
NAMES += ["pyproject.toml", "api.dockerfile", "dockerfiles"]


def _paths(rng: random.Random, count: int) -> list[str]:
    paths = {"/".join(rng.choice(NAMES) for _ in range(rng.randint(1, 5))) for _ in range(count)}
    paths |= {path + "/" for path in list(paths)[:50]}  # a folder's own path, as pathspec sees one
    for glob in RULE_GLOBS:  # each rule glob's own shape, one level deeper, and under a folder
        example = glob.strip("/").replace("*", "q")
        paths |= {example, example + "/z", "a/" + example, example + "/z/w"}
    return sorted(paths)


def _random_globs(rng: random.Random, count: int) -> list[str]:
    """Globs over a small alphabet, so that stars, slashes and letters meet in every arrangement."""
    alphabet = "ab.*/"
    return sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))) for _ in range(count)})


def test_every_glob_the_rules_use_needs_no_regex() -> None:
    assert all(StarGlob.of(pattern) is not None for pattern in RULE_GLOBS)
    assert isinstance(glob_spec("*.py"), StarGlob)


@pytest.mark.parametrize(
    "pattern",
    [
        "[ab].py",
        "a?.py",
        "**/x.py",
        "a/**/b",
        "!a.py",
        "#a",
        "a.py ",
        " a.py",
        "a\\*",
        "*",
        "*/",
        "/",
        "a//b",
    ],
)
def test_a_pattern_outside_the_plain_shapes_is_left_to_pathspec(pattern: str) -> None:
    assert StarGlob.of(pattern) is None
    assert isinstance(glob_spec(pattern), pathspec.PathSpec)


def test_rule_globs_match_exactly_what_pathspec_matches() -> None:
    paths = _paths(random.Random(17), 3_000)
    for pattern in RULE_GLOBS:
        glob = StarGlob.of(pattern)
        assert glob is not None
        spec = pathspec.PathSpec.from_lines("gitignore", [pattern])
        expected = [path for path in paths if spec.match_file(path)]
        assert [path for path in paths if glob.match_file(path)] == expected, pattern
        assert expected, f"{pattern} matches none of the paths: a weak comparison"


def test_random_plain_globs_match_exactly_what_pathspec_matches() -> None:
    rng = random.Random(4)
    paths = sorted(
        {
            "/".join(parts)
            for n in range(1, 4)
            for parts in itertools.product(["a", "b", "ab", "a.b", ".a", "ba."], repeat=n)
        }
    )
    paths += [path + "/" for path in paths[:40]] + ["a//b", "/a", "./a", "a\nb/a", "a.b\n"]
    compared = 0
    for pattern in _random_globs(rng, 3_000):
        glob = StarGlob.of(pattern)
        if glob is None:
            continue
        compared += 1
        spec = pathspec.PathSpec.from_lines("gitignore", [pattern])
        for path in paths:
            assert glob.match_file(path) == spec.match_file(path), (pattern, path)
    assert compared > 500


def test_near_misses_do_not_match() -> None:
    assert StarGlob.of("*.py").match_file("src/a.py") and not StarGlob.of("*.py").match_file("src/a.pyc")
    assert StarGlob.of("*.py").match_file("a.py/b"), "a folder named like the pattern holds matches"
    assert StarGlob.of("configs/").match_file("src/configs/a.yaml")
    assert not StarGlob.of("configs/").match_file("configs"), "a file is not the folder configs/"
    assert StarGlob.of("dockerfiles/*").match_file("dockerfiles/api")
    assert not StarGlob.of("dockerfiles/*").match_file("dockerfiles/sub/api"), "one level only"
    assert not StarGlob.of("dockerfiles/*").match_file("x/dockerfiles/api"), "anchored at the root"
    assert not StarGlob.of("*/.dvc/config").match_file(".dvc/config")


@pytest.mark.parametrize(
    ("glob", "name", "expected"),
    [
        ("a*b*c", "abc", True),
        ("a*b*c", "aXbYbZc", True),
        ("a*b*c", "acb", False),
        ("*ab*ab*", "abab", True),
        ("*ab*ab*", "aba", False),
        ("a*a", "a", False),
        ("a*", "a", True),
        ("*", "", True),
    ],
)
def test_star_match_takes_the_shortest_run_before_each_literal(glob: str, name: str, expected: bool) -> None:
    assert _star_match(glob, name) is expected
    assert (re.fullmatch(".*".join(map(re.escape, glob.split("*"))), name, re.DOTALL) is not None) is expected


@pytest.mark.parametrize(
    ("pattern", "shape"),
    [
        ("uv.lock", NAME),
        ("configs/", NAME),
        ("*.py", SUFFIX),
        ("*.dvc/", SUFFIX),
        ("Dockerfile*", PREFIX),
        ("Dockerfile*/", ""),  # a folder glob that a prefix test would also match at the last name
        ("*config*.yaml", ""),
        ("a*b", ""),
        ("/uv.lock", ""),
        ("src/*.py", ""),
    ],
)
def test_unanchored_one_name_globs_are_decided_by_a_substring_test(pattern: str, shape: str) -> None:
    """The shape says which globs skip the name-by-name match; the comparisons with pathspec above hold for
    every shape, and these paths are each shape's near misses."""
    glob = StarGlob.of(pattern)
    assert glob is not None and glob.shape == shape
    spec = pathspec.PathSpec.from_lines("gitignore", [pattern])
    stem = pattern.strip("/*").split("*")[0]
    for path in [
        stem,
        f"a/{stem}",
        f"{stem}/b",
        f"a/{stem}x",
        f"a/x{stem}",
        f"x{stem}/b",
        f"{stem}x/b",
        "a/b",
    ]:
        assert glob.match_file(path) == spec.match_file(path), (pattern, path)
