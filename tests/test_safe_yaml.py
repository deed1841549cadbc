"""The safe YAML loader: line numbers on mappings, YAML 1.1 keys, refused bombs and tags."""

from __future__ import annotations

import random
from typing import Any

import pytest
import yaml

from verifier import safe_yaml
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


def _event_checked_load(text: str) -> list[Any] | str:
    """The documents as the event check followed by PyYAML's own load gives them, or the refusal."""
    try:
        safe_yaml._check_events(text)
        return list(yaml.load_all(text, Loader=safe_yaml._LineLoader))
    except safe_yaml.YamlRefused as error:
        return f"refused: {error}"
    except yaml.YAMLError:
        return "invalid"


def _load(text: str) -> list[Any] | str:
    try:
        return load_all(text)
    except YamlRefused as error:
        return "invalid" if str(error).startswith("invalid YAML") else f"refused: {error}"


def _random_stream(rng: random.Random) -> str:
    """Small YAML streams where anchors, aliases (some recursive or undefined), nesting, several documents
    and syntax errors meet."""
    pieces = ["a: ", "- ", "&x ", "&y ", "*x", "*y", "[", "]", "{", "}", ", ", "1", "b", "\n", "  ", "---\n"]
    pieces += ["k: &x [*x]\n", "c: &y {d: 1}\n", "e: [*y, *y, *y]\n", ": ", "!!binary xx", "2024-01-01"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25)))


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="the composed check runs with libyaml only")
def test_the_composed_check_loads_and_refuses_as_the_event_check_does() -> None:
    rng = random.Random(3)
    outcomes = set()
    for _ in range(3_000):
        text = _random_stream(rng)
        expected = _event_checked_load(text)
        assert _load(text) == expected, repr(text)
        outcomes.add(
            "refused" if isinstance(expected, str) and expected.startswith("refused") else str(type(expected))
        )
    assert len(outcomes) == 3, "documents, refusals and invalid streams were all compared"


def test_the_node_check_itself_refuses_bombs_recursion_and_depth() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    for text, reason in [
        (bomb, "alias bomb"),
        ("x: &a [*a, 1]\n", "recursive"),
        ("[" * 101 + "]" * 101, "nesting"),
    ]:
        loader = safe_yaml._LineLoader(text)
        with pytest.raises(YamlRefused, match=reason):
            safe_yaml._NodeCheck().document(loader.get_single_node())
    loader = safe_yaml._LineLoader("a: &a [1, 2]\nb: [*a, *a]\nc: " + "[" * 98 + "]" * 98 + "\n")
    safe_yaml._NodeCheck().document(loader.get_single_node())  # shared anchors and 100 levels are fine


def test_the_node_check_counts_events_as_the_event_check(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: [1, 2, 3]\n---\nb: 2\n"
    assert len(list(yaml.parse(text))) == 18
    monkeypatch.setattr(safe_yaml, "MAX_EVENTS", 18)
    assert load_all(text) == [{"a": [1, 2, 3]}, {"b": 2}]
    monkeypatch.setattr(safe_yaml, "MAX_EVENTS", 17)
    with pytest.raises(YamlRefused, match="more than 17 YAML events"):
        load_all(text)
    with pytest.raises(YamlRefused, match="more than 17 YAML events"):
        check = safe_yaml._NodeCheck()
        for document in yaml.compose_all(text, Loader=safe_yaml._LineLoader):
            check.document(document)
        check.count()


def _shape(value: Any) -> Any:
    """A loaded value with every mapping's type and line, and every scalar's type, made comparable."""
    if isinstance(value, dict):
        return (
            type(value).__name__,
            getattr(value, "line", None),
            [(_shape(k), _shape(v)) for k, v in value.items()],
        )
    if isinstance(value, list):
        return ["list", *map(_shape, value)]
    return (type(value).__name__, repr(value))


YAML_SHAPES = [
    "a: 1\nb: [x, 2.5, true, null, ~, 0x1F, 1_000, 1:30, 2024-01-02, '3', \"q\"]\n",
    "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: ['build', '-t', 'x', '.']\n",
    "base: &b {x: 1, y: [1, 2]}\nuse: *b\nagain: *b\nlist: &l [a, b]\nboth: [*l, *l]\n",
    "defaults: &d {lr: 0.1}\ntrain:\n  <<: *d\n  epochs: 3\n",  # a merge key: left to PyYAML
    "? [a, b]\n: 1\n",  # a collection as a key
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\nbin: !!binary aGVsbG8=\nref: !Ref Bucket\nm: !Custom {a: 1}\n",
    "a: 1\na: 2\nb: {c: 1, c: 3}\n",  # duplicate keys: the last one wins
    "1: one\ntrue: yes\nnull: nothing\n2.5: x\n",
    "",
    "---\n---\nx: 1\n...\n",
    "- [1, [2, [3, {a: [4]}]]]\n- {a: {b: {c: d}}}\n",
    "= : value key\n",
]


def _outcome(load: Any, text: str) -> Any:
    try:
        return _shape(load(text))
    except (YamlRefused, yaml.YAMLError) as error:
        return (
            f"refused: {error}"
            if isinstance(error, YamlRefused) and "invalid" not in str(error)
            else "invalid"
        )


def _pyyaml_load(text: str) -> list[Any]:
    """The load as it was before the composed check: the event check, then PyYAML's own construction."""
    safe_yaml._check_events(text)
    return list(yaml.load_all(text, Loader=safe_yaml._LineLoader))


@pytest.mark.parametrize("text", YAML_SHAPES)
def test_documents_are_built_as_pyyaml_builds_them(text: str) -> None:
    assert _outcome(load_all, text) == _outcome(_pyyaml_load, text)


def test_an_aliased_collection_is_one_object_as_pyyaml_makes_it() -> None:
    document = load_all("base: &b {x: 1}\nuse: *b\nl: &l [1]\nm: [*l]\n")[0]
    assert document["use"] is document["base"] and document["m"][0] is document["l"]
    assert document["base"].line == 1


def test_random_documents_are_built_as_pyyaml_builds_them() -> None:
    rng = random.Random(8)
    scalars = ["1", "x", "'y'", "yes", "~", "2.0", "0o7", "2024-01-01", "*a", "!!str 5", "!T v", "<<"]

    def value(depth: int) -> str:
        choice = rng.random()
        if depth < 3 and choice < 0.25:
            return (
                "{"
                + ", ".join(f"{rng.choice(scalars)}: {value(depth + 1)}" for _ in range(rng.randint(0, 3)))
                + "}"
            )
        if depth < 3 and choice < 0.45:
            return "[" + ", ".join(value(depth + 1) for _ in range(rng.randint(0, 3))) + "]"
        return rng.choice(scalars)

    outcomes = []
    for _ in range(1_500):
        text = f"anchor: &a {value(1)}\n" + "".join(f"k{n}: {value(1)}\n" for n in range(rng.randint(1, 4)))
        expected = _outcome(_pyyaml_load, text)
        assert _outcome(load_all, text) == expected, text
        outcomes.append(expected if isinstance(expected, str) else "built")
    assert outcomes.count("built") > 500 and len(set(outcomes)) > 2


# Streams libyaml parses that a later stage refuses or fails on: `surely_loads` must never vouch for them.
LATER_FAILURES = [
    "x: *undefined\n",  # an alias without its anchor (the composer)
    "a: &x 1\nb: &x 2\n",  # a duplicate anchor
    "x: &a [*a]\n",  # a recursive alias
    "d: 2023-02-30\n",  # read as a timestamp: no such day
    "n: 0x_\n",  # read as an integer without digits
    "b: 0b_\n",
    "big: " + "9" * 5_000 + "\n",  # more digits than int() reads
    "i: !!int abc\n",  # an explicit tag its constructor refuses
    "x: 1\n<<: 5\n",  # a merge key that is no mapping
    "? [a, b]\n: 1\n",  # a collection as a key
    "[a, b]: 1\n",
    "{a: 1}: 2\n",
    "[" * 150 + "]" * 150,  # deeper than MAX_DEPTH in flow style
    "".join(" " * n + "- \n" for n in range(0, 220, 2)),  # ... in block style, one level a line
    "x: " + "- " * 120 + "a\n",  # ... in compact sequences on one line (invalid after a key: refused anyway)
    "- " * 120 + "a\n",
    "a: b: c\n",  # invalid
]


@pytest.mark.parametrize("text", LATER_FAILURES + YAML_SHAPES)
def test_surely_loads_vouches_only_for_streams_that_load(text: str) -> None:
    if safe_yaml.surely_loads(text):
        load_all(text)
    elif text in LATER_FAILURES:
        with pytest.raises(YamlRefused):
            load_all(text)


def test_surely_loads_vouches_for_plain_configs_and_never_for_a_random_failure() -> None:
    workflow = "name: t\non: [push]\njobs:\n  test:\n    steps:\n      - uses: actions/checkout@v4\n      - run: pytest\n"
    config = (
        "model:\n  lr: 0.001\n  layers: [64, 32]\ntrainer: {max_epochs: 3, devices: 1}\nurl: http://x/?a=1\n"
    )
    nested = "".join(" " * n + "a:\n" for n in range(0, 40, 2)) + " " * 40 + "b: 1\n"  # 21 levels
    assert (
        safe_yaml.surely_loads(workflow) and safe_yaml.surely_loads(config) and safe_yaml.surely_loads(nested)
    )
    assert safe_yaml.surely_loads("") and not safe_yaml.surely_loads("a: [b\n")  # near miss: unclosed
    rng = random.Random(17)
    pieces = ["a", "1", "[", "]", "{", "}", ":", " ", "\n", "- ", "  ", "'", '"', "#", "2024-01-01", ",", "?"]
    vouched = 0
    for _ in range(3_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        if safe_yaml.surely_loads(text):
            vouched += 1
            load_all(text)  # never raises
    assert vouched > 300


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="the composed check runs with libyaml only")
@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("s: !!set {a, b}\nr: &r [1, *r]\n", "recursive alias"),  # left to PyYAML, then a recursive alias
        ("m: {<<: {a: 1}}\nd: " + "[" * 101 + "]" * 101 + "\n", "nesting deeper"),  # a merge key, then depth
        ("k: {[a]: 1}\nr: &r {x: *r}\n", "recursive alias"),  # a collection as a key, then recursion
    ],
)
def test_a_document_left_to_pyyaml_is_checked_to_its_end_before_it_is_built(text: str, reason: str) -> None:
    """Building stops at the first node PyYAML must build, the check does not: the whole document is
    refused as the event check refuses it, and PyYAML never builds a recursive or too deep document."""
    with pytest.raises(YamlRefused, match=reason):
        load_all(text)
    with pytest.raises(YamlRefused, match=reason):
        safe_yaml._check_events(text)


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="the composed check runs with libyaml only")
def test_a_document_built_in_the_checking_walk_is_the_one_pyyaml_builds() -> None:
    """The near miss of the above: the same shapes without the refused part load as PyYAML loads them."""
    for text in ("s: !!set {a, b}\nr: &r [1, 2]\nt: *r\n", "m: {<<: {a: 1}, b: 2}\n", "k: {[a]: 1}\n"):
        assert _outcome(load_all, text) == _outcome(_pyyaml_load, text)  # the last: invalid for both


RESOLVED_SCALARS = [
    "",
    "~",
    "null",
    "Null",
    "NULL",
    "nulls",
    "true",
    "True",
    "yes",
    "No",
    "off",
    "On",
    "y",
    "n",
    "truthy",
    "1",
    "-1",
    "+7",
    "0x1F",
    "0b101",
    "0o17",
    "017",
    "1_000",
    "1:30",
    "190:20:30",
    "1.5",
    ".5",
    "-.inf",
    ".NaN",
    "1e3",
    "6.8523015e+5",
    "2024-01-02",
    "2001-12-14t21:59:43.10-05:00",
    "2024-1-2",
    "=",
    "<<",
    "'true'",
    '"1"',
    "x",
    "[1, true]",
    "{a: ~}",
    "!!str 5",
    "!Ref x",
]


def _tags(loader: type, text: str) -> list[tuple[str, str, Any]]:
    """(kind, tag, value) of every node of every document, in document order, as `loader` composes them."""
    found: list[tuple[str, str, Any]] = []
    for root in yaml.compose_all(text, Loader=loader):
        stack = [root]
        while stack:
            node = stack.pop()
            found.append(
                (type(node).__name__, node.tag, node.value if isinstance(node, yaml.ScalarNode) else None)
            )
            if isinstance(node, yaml.SequenceNode):
                stack.extend(reversed(node.value))
            elif isinstance(node, yaml.MappingNode):
                stack.extend(reversed([n for pair in node.value for n in pair]))
    return found


def test_tags_are_resolved_as_pyyaml_resolves_them() -> None:
    texts = [f"k: {scalar}\n" for scalar in RESOLVED_SCALARS] + [
        "- " + "\n- ".join(RESOLVED_SCALARS) + "\n",
        *(shape for shape in YAML_SHAPES if "? [a, b]" not in shape),
    ]
    for text in texts:
        assert _tags(safe_yaml._LineLoader, text) == _tags(yaml.SafeLoader, text), text
    tags = {tag for text in texts for _, tag, _ in _tags(safe_yaml._LineLoader, text)}
    for kind in ("null", "bool", "int", "float", "timestamp", "str", "merge", "value", "seq", "map"):
        assert f"tag:yaml.org,2002:{kind}" in tags
    quoted = _tags(safe_yaml._LineLoader, "a: 'true'\nb: \"1\"\nc: ''\n")
    assert [tag for kind, tag, _ in quoted if kind == "ScalarNode"] == ["tag:yaml.org,2002:str"] * 6


def _alias_free_stream(rng: random.Random) -> str:
    """Small YAML streams without an alias (no `*`): nesting, tags, merge and collection keys, several
    documents, scalars of every kind and syntax errors."""
    pieces = ["a: ", "- ", "&x ", "[", "]", "{", "}", ", ", "1", "b", "\n", "  ", "---\n", ": ", "? "]
    pieces += ["!!binary xx", "2024-01-01", "<<: {m: 1}\n", "!!set {a, b}\n", "!Ref c", "~", "0x1F", "yes"]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25)))


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="the composed check runs with libyaml only")
def test_alias_free_streams_load_and_refuse_as_the_event_check_does() -> None:
    """A stream without an alias is checked and built by `_build_alias_free`, which keeps no node's count
    or identity: it loads and refuses as the event check followed by PyYAML's load, and builds what the
    full node check builds."""
    rng = random.Random(5)
    outcomes = set()
    for _ in range(3_000):
        text = _alias_free_stream(rng)
        assert "*" not in text
        expected = _event_checked_load(text)
        assert _load(text) == expected, repr(text)
        outcomes.add(
            "refused" if isinstance(expected, str) and expected.startswith("refused") else str(type(expected))
        )
        if isinstance(expected, list):
            loader = safe_yaml._LineLoader(text)
            check = safe_yaml._NodeCheck()
            full = []
            while loader.check_node():
                full.append(check.document(loader.get_node(), loader))
            assert [_shape(document) for document in _load(text)] == [_shape(document) for document in full]
    assert len(outcomes) == 2, "documents and invalid streams were both compared"


def test_an_alias_free_stream_skips_the_full_node_check(monkeypatch: pytest.MonkeyPatch) -> None:
    full_checks = []
    document = safe_yaml._NodeCheck.document

    def recorded(check: Any, root: Any, loader: Any = None) -> Any:
        full_checks.append(root)
        return document(check, root, loader)

    monkeypatch.setattr(safe_yaml._NodeCheck, "document", recorded)
    assert load_all("a: [1, {b: c}]\n---\n- x\n") == [{"a": [1, {"b": "c"}]}, ["x"]]
    assert not full_checks
    assert load_all("'*': 1\n") == [{"*": 1}]  # a `*` that is no alias still takes the full check
    assert len(full_checks) == 1


def test_the_alias_free_walk_refuses_depth_and_events_at_the_same_bounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for depth, refused in [(98, False), (99, False), (100, True), (101, True)]:  # as `_check_events`
        text = "[" * depth + "]" * depth
        loader = safe_yaml._LineLoader(text)
        if refused:
            with pytest.raises(YamlRefused, match="nesting deeper"):
                safe_yaml._build_alias_free(safe_yaml._NodeCheck(), loader.get_single_node(), loader)
        else:
            safe_yaml._build_alias_free(safe_yaml._NodeCheck(), loader.get_single_node(), loader)
    text = "a: [1, 2, 3]\n---\nb: 2\n"  # 18 events
    for limit in (17, 18):
        monkeypatch.setattr(safe_yaml, "MAX_EVENTS", limit)
        loader = safe_yaml._LineLoader(text)
        check = safe_yaml._NodeCheck()
        if limit == 17:
            with pytest.raises(YamlRefused, match="more than 17 YAML events"):
                while loader.check_node():
                    safe_yaml._build_alias_free(check, loader.get_node(), loader)
                check.count()
        else:
            while loader.check_node():
                safe_yaml._build_alias_free(check, loader.get_node(), loader)
            check.count()
