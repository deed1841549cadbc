"""Facts about a Python file read from its AST, never by importing it.

Names are resolved through the file's own imports, so `import wandb as wb; wb.init()` is recorded
as a call to `wandb.init`, and `from hydra import main` + `@main(...)` as the decorator `hydra.main`.
"""

from __future__ import annotations

import ast
import bisect
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

MAX_LITERAL = 300
# A notebook's code is read up to the same cap as a Python file, in whole code cells. json.loads builds
# one object per JSON string (4.3 million one-line strings took 360 MB), so a notebook with more strings
# than MAX_NOTEBOOK_STRINGS is decoded one cell at a time, and reading stops at a cell with more than
# MAX_CELL_STRINGS.
MAX_NOTEBOOK_CODE_BYTES = 1_000_000
MAX_NOTEBOOK_STRINGS = 1_000_000
MAX_CELL_STRINGS = 100_000
STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


@dataclass(frozen=True)
class Call:
    name: str
    line: int
    keywords: dict[str, object] = field(default_factory=dict, hash=False, compare=False)
    args: tuple[object, ...] = ()

    @classmethod
    def of(cls, name: str, line: int, keywords: dict[str, object], args: tuple[object, ...]) -> Call:
        """The same Call as `Call(name, line, keywords, args)`, at a third of the cost: the fact walk makes
        one per call in the code, and a frozen dataclass's `__init__` sets each field through
        `object.__setattr__`. The fields are written into the new object's `__dict__` directly; the
        object stays frozen (assignment still raises) and compares and hashes as any other Call."""
        call = object.__new__(cls)
        fields = call.__dict__
        fields["name"] = name
        fields["line"] = line
        fields["keywords"] = keywords
        fields["args"] = args
        return call


@dataclass(frozen=True)
class Function:
    name: str
    line: int
    annotated: bool
    documented: bool
    is_method: bool
    is_test: bool
    decorators: tuple[str, ...] = ()
    end_line: int = 0


@dataclass(frozen=True)
class ClassDef:
    name: str
    line: int
    bases: tuple[str, ...]
    documented: bool
    end_line: int = 0


@dataclass
class PythonFacts:
    """What a Python file (or a notebook's code cells) imports, calls, defines and says.

    Values (call arguments and keywords, assigned values) are literals where the code has literals
    (numbers, strings, lists, dicts with string keys, `-1`), `<name x>` for a variable, `<call f>` for the
    result of a call (awaited or not), and `<expr>` otherwise. A `**kwargs` splat is the keyword `**`.
    `assignments` are `name = value` statements; `mappings` are dict literals with string keys.
    `read_as_text` says the facts come from the file's tokens, not its AST (see `parse_python`).
    """

    imports: list[tuple[str, int]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    decorators: list[tuple[str, int]] = field(default_factory=list)
    functions: list[Function] = field(default_factory=list)
    classes: list[ClassDef] = field(default_factory=list)
    strings: list[tuple[str, int]] = field(default_factory=list)
    assignments: list[tuple[str, object, int]] = field(default_factory=list)
    mappings: list[tuple[dict[str, object], int]] = field(default_factory=list)
    error: str | None = None
    read_as_text: bool = False

    def imports_module(self, *modules: str) -> list[int]:
        """Lines importing any of `modules` or a submodule of one (`torch` matches `torch.nn`)."""
        return [line for name, line in self.imports if imports_any(name, modules)]

    def calls_to(self, *names: str) -> list[Call]:
        """Calls whose resolved name is one of `names`, or ends with `.name` for a bare method name."""
        index = self.__dict__.get("_calls_by_last")
        if index is None or self.__dict__.get("_calls_indexed") != len(self.calls):
            index = {}
            for position, call in enumerate(self.calls):
                index.setdefault(call.name.rpartition(".")[2], []).append(position)
            self.__dict__["_calls_by_last"] = index
            self.__dict__["_calls_indexed"] = len(self.calls)
        calls = self.calls
        groups = [(index[last], targets) for last, targets in by_last_part(names).items() if last in index]
        if len(groups) == 1:  # one group is in order already
            positions, targets = groups[0]
            if targets is None:
                return [calls[p] for p in positions]
            return [calls[p] for p in positions if name_matches(calls[p].name, targets)]
        kept = [
            p
            for positions, targets in groups
            for p in positions
            if targets is None or name_matches(calls[p].name, targets)
        ]
        return [calls[p] for p in sorted(kept)]

    def decorated_with(self, *names: str) -> list[tuple[str, int]]:
        return [(name, line) for name, line in self.decorators if name_matches(name, names)]

    def subclasses_of(self, *bases: str) -> list[ClassDef]:
        return [cls for cls in self.classes if any(name_matches(base, bases) for base in cls.bases)]


def imports_any(name: str, modules: tuple[str, ...]) -> bool:
    """`name` is one of `modules` or a submodule of one."""
    return any(name == module or name.startswith(module + ".") for module in modules)


def name_matches(name: str, wanted: tuple[str, ...]) -> bool:
    """`torch.onnx.export` matches the wanted names `torch.onnx.export`, `onnx.export` and `export`."""
    return any(name == target or name.endswith("." + target) for target in wanted)


@functools.lru_cache(maxsize=1024)
def by_last_part(names: tuple[str, ...]) -> dict[str, tuple[str, ...] | None]:
    """`names` grouped by their last part, for looking them up in an index of calls by last part: a call
    can match a name (`name_matches`) only when its last part is that name's, so a call of one group needs
    testing against that group's names only, and against none (None) when one of them is the bare last
    part, which every call of the group matches. Cached: the same names are looked up in file after file.
    The caller must not change the dict."""
    grouped: dict[str, list[str]] = {}
    for name in names:
        grouped.setdefault(name.rpartition(".")[2], []).append(name)
    return {last: None if last in group else tuple(group) for last, group in grouped.items()}


@functools.lru_cache(maxsize=1024)
def by_top_module(modules: tuple[str, ...]) -> dict[str, tuple[str, ...] | None]:
    """`modules` grouped by their top-level module, for an index of imports by top-level module: an import
    can be one of `modules` or a submodule (`imports_any`) only of a module of its own group, and is one of
    the group's for certain (None) when the group holds the top-level module itself. Cached as
    `by_last_part` is."""
    grouped: dict[str, list[str]] = {}
    for module in modules:
        grouped.setdefault(module.split(".")[0], []).append(module)
    return {top: None if top in group else tuple(group) for top, group in grouped.items()}


def parse_python(source: str) -> PythonFacts:
    """Facts of a Python source, never an exception. Source this interpreter cannot parse (Python 3.12
    f-strings read by 3.10, Python 2 prints, a nesting too deep for the parser) is read from its tokens
    instead: the facts then have `error` set and `read_as_text` true."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        from .pyscan import scan_python_text  # pyscan builds on this module's data classes

        reason = f"{type(error).__name__}: {getattr(error, 'msg', error)}"
        return scan_python_text(source.replace("\0", ""), reason)
    collector = _Collector()
    try:
        collector.visit(tree)
    except RecursionError:
        collector.facts.error = "RecursionError: nesting too deep"
    return collector.facts


@dataclass(frozen=True)
class NotebookCode:
    """The code cells of a notebook as one Python source, and why some (or all) of it was left out.

    `source` is for the parser (shell and magic lines blanked); `text` holds the same lines as written,
    for searching and for snippets. Cells are joined with one blank line between them; `cells` gives each
    kept cell's number in the notebook (1-based, counting every cell, as a notebook shows them) and the line
    of `source` it starts at, so `cell_line` turns a line of `source` into (cell, line in that cell).
    """

    source: str
    note: str | None = None
    text: str | None = None
    cells: tuple[tuple[int, int], ...] = ()

    @property
    def lines(self) -> list[str]:
        """The lines of `text` (of `source` when no text was kept)."""
        found = self.__dict__.get("_lines")
        if found is None:
            found = (self.source if self.text is None else self.text).splitlines()
            object.__setattr__(self, "_lines", found)
        return found

    def cell_line(self, line: int) -> tuple[int, int] | None:
        """(cell number, line within that cell) of `line` of `source`; None when no kept cell holds it."""
        index = bisect.bisect_right([first for _, first in self.cells], line) - 1
        if index < 0:
            return None
        number, first = self.cells[index]
        return number, line - first + 1


def notebook_code(text: str, max_bytes: int = MAX_NOTEBOOK_CODE_BYTES) -> NotebookCode:
    """The code cells of a Jupyter notebook as one Python source (shell and magic lines blanked): whole
    cells while their sources stay within `max_bytes`; a note says when a cell and those after it were
    left out, or when the notebook holds too many JSON strings to be parsed."""
    if text.count('"') > 2 * MAX_NOTEBOOK_STRINGS:
        cells: Iterable[Any] = _cells_one_by_one(text)
    else:
        try:
            notebook = json.loads(text)
        except (ValueError, RecursionError):
            return NotebookCode("")
        cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    chunks: list[str] = []
    written: list[str] = []
    starts: list[tuple[int, int]] = []
    start = 1
    room = max_bytes
    kept = 0
    for number, cell in enumerate(cells, start=1):
        if cell is _TOO_MANY_STRINGS:
            return _code(
                chunks,
                written,
                starts,
                f"a cell holds more than {MAX_CELL_STRINGS:,} JSON strings; only the {kept} code cell(s) "
                "before it were read",
            )
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        parts = (
            [part for part in source if isinstance(part, str)] if isinstance(source, list) else [str(source)]
        )
        # characters first: no UTF-8 character is shorter than one byte, so a cell with more characters
        # than there is room is over the cap without being joined or encoded
        fits = sum(len(part) for part in parts) + 2 <= room
        joined = "".join(parts) if fits else ""
        size = len(joined.encode("utf-8", errors="replace")) + 2
        if not fits or size > room:
            return _code(
                chunks,
                written,
                starts,
                f"code cells over {max_bytes // 1000} kB; only the first {kept} were read",
            )
        lines = joined.splitlines()
        chunks.append("\n".join("" if line.lstrip().startswith(("!", "%")) else line for line in lines))
        written.append("\n".join(lines))
        starts.append((number, start))
        start += max(len(lines), 1) + 1
        room -= size
        kept += 1
    return _code(chunks, written, starts, None)


def _code(
    chunks: list[str], written: list[str], starts: list[tuple[int, int]], note: str | None
) -> NotebookCode:
    return NotebookCode("\n\n".join(chunks), note, "\n\n".join(written), tuple(starts))


_TOO_MANY_STRINGS = object()


def _cells_one_by_one(text: str) -> Iterator[Any]:
    """The cells of a notebook's top-level "cells" list, each decoded on its own; `_TOO_MANY_STRINGS`, and
    the end, for a cell with more than MAX_CELL_STRINGS strings (it is never decoded)."""
    depth, previous, start, strings, in_cells = 0, "", 0, 0, False
    for token in STRING_OR_BRACKET.finditer(text):
        value = token.group()
        if value in ("[", "{"):
            depth += 1
            if depth == 2 and value == "[" and previous == '"cells"':
                in_cells = True
            elif depth == 3 and in_cells:
                start, strings = token.start(), 0
        elif value in ("]", "}"):
            depth -= 1
            if depth == 2 and in_cells:
                try:
                    yield json.loads(text[start : token.end()])
                except (ValueError, RecursionError):
                    yield None
            elif depth == 1 and in_cells:
                return
        elif depth >= 3 and in_cells:
            strings += 1
            if strings > MAX_CELL_STRINGS:
                yield _TOO_MANY_STRINGS
                return
        previous = value if depth == 1 else ""


_UNRESOLVED = object()  # a call whose name `_Collector.call_names` does not hold yet
_Attribute = ast.Attribute
# Node types whose only field that can hold a node is `value`, which always holds one: a chain of them
# (`a.b.c`, a keyword argument, an expression statement, `await x`, `*args`) is followed to its end without a
# call per node.
_VALUE_WRAPPERS = frozenset({ast.Attribute, ast.keyword, ast.Expr, ast.Await, ast.Starred, ast.YieldFrom})
_Call = ast.Call
_Constant = ast.Constant
_Name = ast.Name


class _Collector:
    """One recursive pass in source order, dispatching on the node type.

    Faster than `ast.NodeVisitor` (about 4x here): no per-node method lookup by name; a node type is handed
    to its handler (imports, calls, definitions, assignments, dicts), or its children are visited, or it is
    passed over without a call when no field of its type can hold a node (a name, a context, an operator);
    fields that never hold a node (`ctx`, operators, identifiers) are not read; a string constant is taken
    where it is met and a chain of attributes is followed to its start without a call per dot. What to do
    with each node type is decided once, for the module (`_PLAN`): the table holds plain functions, so a
    collector refers to nothing that refers back to it, and reference counting frees it.
    """

    def __init__(self) -> None:
        self.facts = PythonFacts()
        self.aliases: dict[str, str] = {}
        self.class_depth = 0
        # The names of calls described as a value (`x = f()`, `g(f())`) before they are visited: each call's
        # name is resolved once.
        self.call_names: dict[ast.AST, str | None] = {}

    def visit(self, node: ast.AST) -> None:
        visit = _PLAN.get(type(node), _Collector.visit_children)
        if visit is not None:
            visit(self, node)

    def visit_children(
        self, node: ast.AST, fields: tuple[tuple[str, bool | None], ...] | None = None
    ) -> None:
        """Visit the children of `node` that can hold a fact (in `fields` of `_CHILD_FIELDS`, all of them
        when None), in source order: a node type with a handler is handed to it, a node type without fields
        that can hold nodes (a name, a context, an operator) is passed over, and a chain of attributes
        (`a.b.c`, whose only child is the part before the dot) is followed to its start without a call per
        dot, as are the other nodes whose only child is their `value` (`_VALUE_WRAPPERS`)."""
        plan = _PLAN
        strings = self.facts.strings
        for name, many in fields or _CHILD_FIELDS.get(type(node), ()):
            value = getattr(node, name, None)
            if not many:  # one node or None; or (None) a field the grammar signature does not describe
                if value is None:
                    continue
                if many is None and type(value) is list:
                    many = True
                else:
                    value = (value,)
            for item in value:
                kind = type(item)
                while kind in _VALUE_WRAPPERS:
                    item = item.value
                    kind = type(item)
                if kind is _Constant:
                    text = item.value
                    if type(text) is str and 0 < len(text) <= MAX_LITERAL:
                        strings.append((text, item.lineno))
                    continue
                visit = plan.get(kind)
                if visit is not None:
                    visit(self, item)

    def resolve(self, node: ast.AST) -> str | None:
        """The dotted name of a name, a chain of attributes or of a call's result (`a.b().c` is `a.b.c`)
        through the file's imports; None for anything else (a subscript, a literal)."""
        kind = type(node)
        if kind is _Name:  # the common cases first, without building a list
            return self.aliases.get(node.id, node.id)  # type: ignore[attr-defined]
        if kind is _Attribute and type(node.value) is _Name:  # type: ignore[attr-defined]
            base = node.value.id  # type: ignore[attr-defined]
            return f"{self.aliases.get(base, base)}.{node.attr}"  # type: ignore[attr-defined]
        parts: list[str] = []
        while kind is _Attribute:
            parts.append(node.attr)  # type: ignore[attr-defined]
            node = node.value  # type: ignore[attr-defined]
            kind = type(node)
        if kind is _Call:
            inner = self.resolve(node.func)  # type: ignore[attr-defined]
            if inner is None:
                return None
            parts.append(inner)
        elif kind is _Name:
            parts.append(self.aliases.get(node.id, node.id))  # type: ignore[attr-defined]
        else:
            return None
        return ".".join(reversed(parts))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.facts.imports.append((alias.name, node.lineno))
            local = alias.asname or alias.name.split(".")[0]
            self.aliases[local] = alias.name if alias.asname else alias.name.split(".")[0]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        self.facts.imports.append((module, node.lineno))
        for alias in node.names:
            if alias.name == "*":
                continue
            full = f"{module}.{alias.name}" if module else alias.name
            self.facts.imports.append((full, node.lineno))
            self.aliases[alias.asname or alias.name] = full

    def visit_Call(self, node: ast.Call) -> None:
        name: Any = self.call_names.pop(node, _UNRESOLVED)
        if name is _UNRESOLVED:
            name = self.resolve(node.func)
        if name:
            value = self.value
            # Plain loops: before Python 3.12 a comprehension is a function call of its own, and `map` calls
            # `value` from C, which costs more than a call from Python.
            keywords: dict[str, object] = {}
            for keyword in node.keywords:
                keywords[keyword.arg or "**"] = value(keyword.value)
            args: tuple[object, ...] = ()
            for arg in node.args[:4]:
                args += (value(arg),)
            self.facts.calls.append(Call.of(name, node.lineno, keywords, args))
        # The called expression holds a fact only where a chain of attributes starts with something other
        # than a name (`make().fit()`, `handlers[0]()`): the common `f()` and `a.b.f()` visit the arguments only.
        func = node.func
        while type(func) is _Attribute:
            func = func.value  # type: ignore[attr-defined]
        if type(func) is not _Name:
            self.visit(func)
        self.visit_children(node, _CALL_ARGUMENT_FIELDS)

    def visit_Assign(self, node: ast.Assign | ast.AnnAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if node.value is not None:
            for target in targets:
                if isinstance(target, ast.Name):
                    self.facts.assignments.append((target.id, self.value(node.value), node.lineno))
        self.visit_children(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        mapping = self.value(node)  # a dict only when every key is a string literal
        if node.keys and isinstance(mapping, dict):
            self.facts.mappings.append((mapping, node.lineno))
        self.visit_children(node)

    def value(self, node: ast.AST, depth: int = 0) -> object:
        """A literal value where the code has one, else a short description (see PythonFacts)."""
        kind = type(node)
        if depth <= 3:  # the common cases first, as the checks below decide them
            if kind is _Constant:
                literal = node.value  # type: ignore[attr-defined]
                return (
                    literal
                    if type(literal) is not str or len(literal) <= MAX_LITERAL
                    else literal[:MAX_LITERAL]
                )
            if kind is _Name:
                return f"<name {self.aliases.get(node.id, node.id)}>"  # type: ignore[attr-defined]
        if kind is ast.Await:
            node = node.value  # type: ignore[attr-defined]
            kind = type(node)
        if kind is _Call:
            name = self.call_names[node] = self.resolve(node.func)  # type: ignore[attr-defined]
            return f"<call {name or '?'}>"
        if depth > 3 or kind in _OPAQUE_VALUES:
            return "<expr>"
        if kind is _Attribute:
            name = self.resolve(node)
            return f"<name {name}>" if name else "<expr>"
        # Loops rather than comprehensions, as in `visit_Call`.
        if isinstance(node, ast.Dict):
            mapping: dict[str, object] = {}
            for key in node.keys:
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    return "<expr>"
            for key, element in zip(node.keys[:50], node.values[:50], strict=True):
                mapping[key.value] = self.value(element, depth + 1)  # type: ignore[union-attr]
            return mapping
        if isinstance(node, (ast.List, ast.Tuple)):
            elements = []
            for element in node.elts[:20]:
                elements.append(self.value(element, depth + 1))
            return elements
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, (ast.USub, ast.UAdd))
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, (int, float))
            and not isinstance(node.operand.value, bool)
        ):
            return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = self.resolve(node)
            return f"<name {name}>" if name else "<expr>"
        return _literal(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and 0 < len(node.value) <= MAX_LITERAL:
            self.facts.strings.append((node.value, node.lineno))

    def visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        decorators = []
        for decorator in node.decorator_list:
            name = self.resolve(decorator)
            if name:
                decorators.append(name)
                self.facts.decorators.append((name, decorator.lineno))
        arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        if self.class_depth and arguments and arguments[0].arg in {"self", "cls"}:
            arguments = arguments[1:]
        annotated = node.returns is not None
        for argument in arguments:  # a loop, not any() over a generator (see `visit_Call`)
            if argument.annotation is not None:
                annotated = True
                break
        self.facts.functions.append(
            _frozen(
                Function,
                {
                    "name": node.name,
                    "line": node.lineno,
                    "annotated": annotated,
                    "documented": _documented(node),
                    "is_method": self.class_depth > 0,
                    "is_test": node.name.startswith("test"),
                    "decorators": tuple(decorators),
                    "end_line": node.end_lineno or node.lineno,
                },
            )
        )
        outer = self.class_depth
        self.class_depth = 0
        self.visit_children(node)
        self.class_depth = outer

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = tuple(name for base in node.bases if (name := self.resolve(base)))
        for decorator in node.decorator_list:
            name = self.resolve(decorator)
            if name:
                self.facts.decorators.append((name, decorator.lineno))
        self.facts.classes.append(
            _frozen(
                ClassDef,
                {
                    "name": node.name,
                    "line": node.lineno,
                    "bases": bases,
                    "documented": _documented(node),
                    "end_line": node.end_lineno or node.lineno,
                },
            )
        )
        self.class_depth += 1
        self.visit_children(node)
        self.class_depth -= 1


# Fields that hold no node in any Python version's grammar: contexts, operators, identifiers and flags.
_NOT_NODES = frozenset(
    {"ctx", "op", "ops", "id", "attr", "arg", "name", "asname", "names", "module", "level", "kind"}
    | {"type_comment", "conversion", "is_async", "simple", "kwd_attrs", "rest"}
)


def _node_types() -> list[type]:
    """Every node class of this interpreter's `ast` module."""
    found, stack = [], [ast.AST]
    while stack:
        node_type = stack.pop()
        found.append(node_type)
        stack.extend(node_type.__subclasses__())
    return found


# The fields of each node type that may hold nodes (none for a type that is not a node: str, None); a
# plain dict filled once, so each lookup is the fastest the interpreter has.
_NODE_FIELDS: dict[type, tuple[str, ...]] = {
    node_type: tuple(name for name in getattr(node_type, "_fields", ()) if name not in _NOT_NODES)
    for node_type in _node_types()
}


def _field_kinds(node_type: type) -> dict[str, bool]:
    """Which fields of `node_type` hold a list (True) and which one node or None (False), read from the
    grammar signature every node class of Python 3.10 to 3.13 has as its docstring's first line:
    `Call(expr func, expr* args, keyword* keywords)` (the classes are made in C, so `-OO` keeps it). Empty
    for a class without one (the deprecated `Num`, `Str`: the parser makes none)."""
    signature = (node_type.__doc__ or "").partition("\n")[0]
    name, _, fields = signature.partition("(")
    if name != node_type.__name__ or not fields.endswith(")"):
        return {}
    kinds = {}
    for declared in fields[:-1].split(","):
        kind_and_name = declared.split()
        if len(kind_and_name) == 2:
            kinds[kind_and_name[1]] = kind_and_name[0].endswith("*")
    return kinds


# The fields of each node type that may hold nodes, in order, each with whether it holds a list (None when the
# signature does not say): the walk reads a list field as a list and another as one node, without testing
# the type of each field's value.
_CHILD_FIELDS: dict[type, tuple[tuple[str, bool | None], ...]] = {
    node_type: tuple((name, kinds.get(name)) for name in fields)
    for node_type, fields in _NODE_FIELDS.items()
    for kinds in (_field_kinds(node_type),)
}


# The fields of a call after the called expression (`_Collector.visit_Call` visits that one itself).
_CALL_ARGUMENT_FIELDS = tuple(field for field in _CHILD_FIELDS[ast.Call] if field[0] != "func")


# Node types whose value is "<expr>" at any depth (a subscript, an operation, a comprehension, a lambda):
# `_Collector.value` answers them before trying the types that can hold a literal or a name.
_OPAQUE_VALUES = frozenset(_NODE_FIELDS) - {
    ast.Constant,
    ast.Name,
    ast.Attribute,
    ast.Await,
    ast.Call,
    ast.Dict,
    ast.List,
    ast.Tuple,
    ast.UnaryOp,
}


def _plan() -> dict[type, Callable[[_Collector, Any], None] | None]:
    """What to do with a node of each type: its handler, a visit of its children, or nothing (None) for a
    type whose fields hold no node (a name, a context, an operator)."""
    plan: dict[type, Callable[[_Collector, Any], None] | None] = {
        node_type: _Collector.visit_children if fields else None for node_type, fields in _NODE_FIELDS.items()
    }
    plan.update(
        {
            ast.Import: _Collector.visit_Import,
            ast.ImportFrom: _Collector.visit_ImportFrom,
            ast.Call: _Collector.visit_Call,
            ast.Constant: _Collector.visit_Constant,
            ast.FunctionDef: _Collector.visit_function,
            ast.AsyncFunctionDef: _Collector.visit_function,
            ast.ClassDef: _Collector.visit_ClassDef,
            ast.Assign: _Collector.visit_Assign,
            ast.AnnAssign: _Collector.visit_Assign,
            ast.Dict: _Collector.visit_Dict,
        }
    )
    for value_type in (str, bytes, int, float, complex, bool, type(None), type(...)):
        plan[value_type] = None
    return plan


_PLAN = _plan()


Made = TypeVar("Made")


def _frozen(data_class: type[Made], fields: dict[str, object]) -> Made:
    """The same instance as `data_class(**fields)` for a frozen data class and all of its fields, at a third
    of the cost (as `Call.of`): its `__init__` sets each field through `object.__setattr__`, and the walk
    makes one per function and class of the code. The instance stays frozen, and compares and hashes as any
    other."""
    made = object.__new__(data_class)
    made.__dict__.update(fields)
    return made


def _documented(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> bool:
    """What `ast.get_docstring(node, clean=False) is not None` says (the first statement is a string), without
    its checks of the node's own type: it costs as much as the rest of a function's facts."""
    first = node.body[0] if node.body else None
    return type(first) is ast.Expr and type(first.value) is _Constant and type(first.value.value) is str


def _literal(node: ast.AST) -> object:
    if isinstance(node, ast.Constant):
        value = node.value
        return value if not isinstance(value, str) or len(value) <= MAX_LITERAL else value[:MAX_LITERAL]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(element) for element in node.elts[:20]]
    if isinstance(node, ast.Name):
        return f"<name {node.id}>"
    return "<expr>"
