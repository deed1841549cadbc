"""YAML loading that cannot be turned against the verifier.

PyYAML's safe loader builds no objects, but a document can still be hostile: an alias bomb
("billion laughs") expands to billions of nodes when walked, a recursive alias (`x: &a [*a, *a]`)
makes a collection that contains itself, and a 10,000-deep nesting overflows the recursive composer.
We scan the event stream first (iterative, constant stack) and refuse documents with too many
aliases, a recursive alias or too deep a nesting. `mappings` and `has_key` visit a loaded document
iteratively, each collection once, so they end on any document. Mappings come back as `LineDict`, which remembers the
1-based line it started on, so rules can cite a workflow step or a config key by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

MAX_DEPTH = 100
MAX_EXPANDED_NODES = 200_000
MAX_EVENTS = 500_000


class YamlRefused(ValueError):
    """The document is refused (too deep, too many aliases, or invalid); the message says which."""


class LineDict(dict):
    """A mapping that knows the 1-based line where it starts in its file."""

    line: int = 0


# libyaml's C parser when PyYAML was built with it (about 5x faster); the pure-Python one otherwise.
_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader, with mappings read as `LineDict`s and the tags of untagged nodes resolved faster.

    libyaml's composer calls back into Python for every node: `resolve` for its tag, `descend_resolver`
    and `ascend_resolver` for path resolvers, which are registered on no loader here. Those two do nothing
    then, and `resolve` looks up the implicit resolvers (`!!null`, `!!bool`, `!!int`, ...) of a plain
    scalar's first character in a table made once, instead of joining two lists for every scalar: the tag
    is PyYAML's own, a fifth of a document's load less."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if self.yaml_path_resolvers:  # pragma: no cover - none is ever registered here
            return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in _IMPLICIT_RESOLVERS.get(value[:1], _WILDCARD_RESOLVERS):
                    if pattern.match(value):
                        return tag  # type: ignore[no-any-return]
            return _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        if self.yaml_path_resolvers:  # pragma: no cover - none is ever registered here
            super().descend_resolver(current_node, current_index)

    def ascend_resolver(self) -> None:
        if self.yaml_path_resolvers:  # pragma: no cover - none is ever registered here
            super().ascend_resolver()


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    yield mapping
    mapping.update(loader.construct_mapping(node, deep=False))


def _construct_undefined(loader: _LineLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_STR_TAG, _SEQ_TAG, _MAP_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
# For each first character of a plain scalar (and "" for an empty one), its implicit resolvers and then the
# ones for any first character, in PyYAML's order (`BaseResolver.resolve`).
_WILDCARD_RESOLVERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    _LineLoader.yaml_implicit_resolvers.get(None, [])
)
_IMPLICIT_RESOLVERS: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(resolvers) + _WILDCARD_RESOLVERS
    for first, resolvers in _LineLoader.yaml_implicit_resolvers.items()
    if first is not None
}

_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
# Unknown tags (Cloud Build `!!binary`, CloudFormation `!Ref`, ...) are read as plain data.
_LineLoader.add_constructor(None, _construct_undefined)


def _check_events(text: str) -> None:
    """Refuse deep nesting and documents whose aliases expand to too many nodes (walked iteratively)."""
    open_nodes: list[list[Any]] = [[0, None]]  # [expanded node count, anchor] per open collection
    weights: dict[str, int] = {}
    events = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        events += 1
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            open_nodes.append([1, event.anchor])
            if len(open_nodes) > MAX_DEPTH:
                raise YamlRefused(f"nesting deeper than {MAX_DEPTH} levels")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            count, anchor = open_nodes.pop()
            if anchor:
                weights[anchor] = count
            open_nodes[-1][0] += count
        elif isinstance(event, yaml.ScalarEvent):
            open_nodes[-1][0] += 1
            if event.anchor:
                weights[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for _, anchor in open_nodes):
                raise YamlRefused(
                    f"a recursive alias (*{event.anchor} inside the collection &{event.anchor})"
                )
            open_nodes[-1][0] += weights.get(event.anchor, 1)
            if sum(count for count, _ in open_nodes) > MAX_EXPANDED_NODES:
                raise YamlRefused(f"aliases expand to more than {MAX_EXPANDED_NODES} nodes (an alias bomb)")
        if events > MAX_EVENTS:
            raise YamlRefused(f"more than {MAX_EVENTS} YAML events")


_SPECIAL_KEYS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})


class _LeftToPyYAML(Exception):
    """A node `_NodeCheck.document` leaves to PyYAML's constructor: a merge or `=` key, a collection as a
    key, a collection with another tag (`!!set`, `!!omap`, `!Ref`)."""


class _NodeCheck:
    """The checks of `_check_events` made on the composed node graph of each document instead, so that the
    stream is parsed once (libyaml composes in C; an alias bomb is no larger composed than written, as an
    alias is one more reference to its anchor's node). Walked iteratively in document order, a node met
    again is an alias: the same counts, in the same order, as the events give."""

    def __init__(self) -> None:
        self.events = 1  # the stream's start
        self.open_nodes: list[list[Any]] = [[0, None]]  # [expanded node count, node id] per open collection

    def count(self, events: int = 1) -> None:
        self.events += events
        if self.events > MAX_EVENTS:
            raise YamlRefused(f"more than {MAX_EVENTS} YAML events")

    def document(self, root: yaml.Node, loader: Any = None) -> Any:
        """Refuse the document under `root` as `_check_events` refuses its events (raises YamlRefused); given
        the `loader` that composed it, also the document as `loader.construct_document` builds it, built in
        the same walk (one pass, no generator per collection): LineDicts with their lines, lists, and each
        scalar by its tag's constructor. A node outside that shape (`_LeftToPyYAML`) leaves the building to
        `construct_document`, once the walk has checked the whole document (so no recursive alias is built)."""
        self.count()  # the document's start
        open_nodes = self.open_nodes
        weights: dict[int, int] = {}  # expanded node count of each node met and closed, by id
        open_ids: set[int] = set()
        built: dict[int, Any] | None = {} if loader is not None else None  # None: not built by this walk
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, closing = stack.pop()
            key = id(node)
            if closing:
                count, _ = open_nodes.pop()
                open_ids.discard(key)
                weights[key] = count
                open_nodes[-1][0] += count
                if built is not None:
                    try:
                        _fill(built, node)
                    except (_LeftToPyYAML, TypeError):
                        built = None
            elif key in open_ids:
                raise YamlRefused("a recursive alias")
            elif key in weights:
                open_nodes[-1][0] += weights[key]
                if sum(count for count, _ in open_nodes) > MAX_EXPANDED_NODES:
                    raise YamlRefused(
                        f"aliases expand to more than {MAX_EXPANDED_NODES} nodes (an alias bomb)"
                    )
            elif isinstance(node, yaml.ScalarNode):
                weights[key] = 1
                open_nodes[-1][0] += 1
                if built is not None:
                    try:
                        built[key] = _scalar(node, loader)
                    except (_LeftToPyYAML, TypeError):
                        built = None
            else:
                open_nodes.append([1, key])
                open_ids.add(key)
                if len(open_nodes) > MAX_DEPTH:
                    raise YamlRefused(f"nesting deeper than {MAX_DEPTH} levels")
                if built is not None:
                    container = _container(node)
                    if container is None:
                        built = None
                    else:
                        built[key] = container
                children = _children(node)
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children))
            self.events += 1  # counted here, not by `count`: one call less per node
            if self.events > MAX_EVENTS:
                raise YamlRefused(f"more than {MAX_EVENTS} YAML events")
        self.count()  # the document's end
        if loader is None:
            return None
        if built is None:
            return _constructed(root, loader)
        loader.constructed_objects = {}
        return built[id(root)]


def _build_alias_free(check: _NodeCheck, root: yaml.Node, loader: Any) -> Any:
    """The document under `root`, from a stream with no alias in it (no `*` in its text), checked and built
    as `_NodeCheck.document` does, with less to do per node: without an alias no node is met twice, so no
    node's expanded count or identity needs keeping (no alias bomb, no recursive alias can be there), and
    only the depth and the count of events are checked, with the same bounds (a stream refused is refused
    in the words of `_check_events`, see `_load_composed`). Each collection is filled as its children are
    met, in document order, the scalars among them built on the spot. A node outside the shape
    `_NodeCheck.document` builds (`_LeftToPyYAML`) leaves the document to `loader.construct_document`, once
    the walk has checked all of it."""
    check.count()  # the document's start
    if isinstance(root, yaml.ScalarNode):
        check.count(2)  # the scalar and the document's end
        try:
            return _scalar(root, loader)
        except (_LeftToPyYAML, TypeError):
            return _constructed(root, loader)
    top = container = _container(root)
    buildable = top is not None
    is_mapping = type(root) is yaml.MappingNode
    children = iter(_children(root))
    key: Any = _NO_KEY  # in a mapping, the built key waiting for its value
    # the state of each collection left for an inner one: (container, children, is_mapping, key)
    outer: list[tuple[Any, Iterator[yaml.Node], bool, Any]] = []
    events = 1  # the root's start
    while True:
        for child in children:
            events += 1
            inner = None
            if isinstance(child, yaml.ScalarNode):
                if not buildable:
                    continue
                try:
                    value = _scalar(child, loader)
                except (_LeftToPyYAML, TypeError):
                    buildable = False
                    continue
            else:
                inner = value = _container(child) if buildable else None
                buildable = buildable and inner is not None
            if buildable:
                if not is_mapping:
                    container.append(value)
                elif key is _NO_KEY:
                    if child.tag in _SPECIAL_KEYS or type(child) is not yaml.ScalarNode:
                        buildable = False
                    else:
                        try:
                            hash(value)
                            key = value
                        except TypeError:
                            buildable = False
                else:
                    container[key] = value
                    key = _NO_KEY
            if not isinstance(child, yaml.ScalarNode):
                outer.append((container, children, is_mapping, key))
                # the open collections (`outer`, this one) and the stream's own entry, as `_check_events` counts
                if len(outer) + 2 > MAX_DEPTH:
                    raise YamlRefused(f"nesting deeper than {MAX_DEPTH} levels")
                container, is_mapping, key = inner, type(child) is yaml.MappingNode, _NO_KEY
                children = iter(_children(child))
                break
        else:
            events += 1  # the collection's end
            if not outer:
                break
            container, children, is_mapping, key = outer.pop()
    check.count(events)
    check.count()  # the document's end
    return top if buildable else _constructed(root, loader)


_NO_KEY = object()


def _children(node: yaml.Node) -> list[yaml.Node]:
    """A collection node's children in document order (a mapping's keys and values in turn)."""
    return node.value if isinstance(node, yaml.SequenceNode) else [n for kv in node.value for n in kv]


def _container(node: yaml.Node) -> Any:
    """The empty list or LineDict `_NodeCheck.document` builds for a collection node; None for one it leaves
    to PyYAML (another tag, or a node class of PyYAML's own)."""
    if node.tag == _SEQ_TAG and type(node) is yaml.SequenceNode:
        return []
    if node.tag == _MAP_TAG and type(node) is yaml.MappingNode:
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        return mapping
    return None


def _scalar(node: yaml.Node, loader: Any) -> Any:
    """A scalar node built as `_NodeCheck.document` builds it (`_LeftToPyYAML` for a node class of its own)."""
    if type(node) is not yaml.ScalarNode:
        raise _LeftToPyYAML
    return node.value if node.tag == _STR_TAG else loader.construct_object(node)


def _constructed(root: yaml.Node, loader: Any) -> Any:
    loader.constructed_objects = {}
    return loader.construct_document(root)


def _fill(built: dict[int, Any], node: yaml.Node) -> None:
    """Put the built children of the collection `node` into its built container (`_LeftToPyYAML` for a
    mapping key PyYAML treats apart or that is a collection; TypeError for a key that cannot be hashed)."""
    container = built[id(node)]
    if type(container) is list:
        container.extend([built[id(child)] for child in node.value])
        return
    for key_node, value_node in node.value:
        if key_node.tag in _SPECIAL_KEYS or type(key_node) is not yaml.ScalarNode:
            raise _LeftToPyYAML
        item = built[id(key_node)]
        hash(item)
        container[item] = built[id(value_node)]


def _load_composed(text: str) -> list[Any]:
    """Every document, each composed, then checked and built in one walk (`_NodeCheck.document`). On any
    problem the event check runs after all, so that a stream is refused for the first problem in stream
    order and in the same words as without libyaml (a problem is rare: the second parse costs nothing in
    the main)."""
    loader = _LineLoader(text)
    check = _NodeCheck()
    alias_free = "*" not in text  # an alias is written with a `*`
    try:
        documents = []
        while loader.check_node():
            root = loader.get_node()
            documents.append(
                _build_alias_free(check, root, loader) if alias_free else check.document(root, loader)
            )
        check.count()  # the stream's end
        return documents
    except Exception:
        _check_events(text)
        raise
    finally:
        loader.dispose()


def load_all(text: str) -> list[Any]:
    """Every document of a YAML stream, or `YamlRefused` with a one-line reason.

    With libyaml, each document is composed once and checked before it is built (`_NodeCheck`); the pure
    Python composer recurses, so without libyaml the event stream is checked first (`_check_events`)."""
    try:
        if _SafeLoader is not yaml.SafeLoader:
            return _load_composed(text)
        _check_events(text)
        return list(yaml.load_all(text, Loader=_LineLoader))
    except YamlRefused:
        raise
    except yaml.YAMLError as error:
        if "maximum nesting depth" in str(error):  # libyaml's own limit (1,000), above ours
            raise YamlRefused(f"nesting deeper than {MAX_DEPTH} levels") from None
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or type(error).__name__
        raise YamlRefused(f"invalid YAML{where}: {problem}") from None
    except (RecursionError, MemoryError, ValueError, TypeError) as error:
        raise YamlRefused(f"unreadable YAML: {type(error).__name__}") from None


# What may make a stream that libyaml parses fail later, in composing, checking or constructing it: an
# anchor or alias (undefined, duplicated, recursive, an alias bomb), a tag (`!!int x`, `!!binary`, `!Ref`),
# a merge key, an explicit (`? `) or collection key (`[a]: b`, unhashable), a scalar read as a timestamp
# (`2023-02-30` is no date), a `0x`/`0b` integer (`0x_` has no digits), a digit run too long for `int()`.
_DOUBTFUL = re.compile(r"[&*!]|<<|\?(?:[ \t\r\n]|$)|[\]}][ \t]*:|\d{4}-\d|0[xXbB]|[0-9_]{1000}")
_LEADING = re.compile(r"^(?:[ \t]|[-?](?=[ \t]))*", re.MULTILINE)  # indentation and block indicators


def surely_loads(text: str) -> bool:
    """True when `load_all(text)` is sure to succeed, told without composing or building a node: libyaml
    parses the stream without an error (in C, building no object: about a tenth of a load), and nothing
    that only a later stage refuses can be there (`_DOUBTFUL`; no alias, so no alias bomb), nor more than
    half of MAX_EVENTS events, nor a nesting as deep as MAX_DEPTH. The nesting bound: a block collection
    inside another starts at a greater column, or (a sequence under a key) at the same column once in a
    row, and starts within a line's indentation and block indicators (`_LEADING`); a flow collection needs
    a bracket, and holds at most one single-pair mapping per level. False means only "not sure"."""
    if _SafeLoader is yaml.SafeLoader or _DOUBTFUL.search(text):
        return False
    widest = max(map(len, _LEADING.findall(text)), default=0)
    brackets = text.count("[") + text.count("{")
    if 2 * (widest + 1) + 2 * brackets + 1 >= MAX_DEPTH:
        return False
    try:
        events = _SafeLoader(text).raw_parse()
    except (yaml.YAMLError, ValueError, TypeError, MemoryError):
        return False
    return bool(events <= MAX_EVENTS // 2)


def load(text: str) -> Any:
    """The first document of a YAML stream (None for an empty one)."""
    documents = load_all(text)
    return documents[0] if documents else None


def mappings(document: Any) -> Iterator[tuple[str, dict[Any, Any]]]:
    """(key it sits under, mapping) for every mapping of a loaded document, in document order, each once;
    a mapping in a list sits under the list's key, the top-level one under ""."""
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        parent, node = stack.pop()
        if not isinstance(node, (dict, list)) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            yield parent, node
            stack.extend((str(key), value) for key, value in reversed(list(node.items())))
        else:
            stack.extend((parent, value) for value in reversed(node))


def has_key(document: Any, key: str) -> bool:
    """True if `key` is a mapping key anywhere in a loaded document."""
    return any(key in mapping for _, mapping in mappings(document))
