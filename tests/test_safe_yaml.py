"""The safe YAML loader: line numbers on mappings, YAML 1.1 keys, refused bombs and tags."""

from __future__ import annotations

import pytest

from verifier.safe_yaml import LineDict, YamlRefused, load_all


def test_documents_load_with_the_line_of_each_mapping() -> None:
    documents = load_all("a: 1\n---\nsteps:\n  - name: x\n    args: [b]\n")
    assert documents[0] == {"a": 1}
    step = documents[1]["steps"][0]
    assert isinstance(step, LineDict) and step == {"name": "x", "args": ["b"]}
    assert step.line == 4


def test_unsafe_tags_are_read_as_plain_data_never_run() -> None:
    documents = load_all("x: !!python/object/apply:os.system ['echo hacked']\nref: !Ref Bucket\n")
    assert documents == [{"x": ["echo hacked"], "ref": "Bucket"}]


@pytest.mark.parametrize(
    "text, reason",
    [
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            ),
            "alias bomb",
        ),
        ("[" * 10_000 + "]" * 10_000, "nesting deeper"),
    ],
)
def test_alias_bombs_and_deep_nesting_are_refused(text: str, reason: str) -> None:
    with pytest.raises(YamlRefused, match=reason):
        load_all(text)
