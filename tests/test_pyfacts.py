"""Python facts from the AST: imports, calls, decorators, class bases, strings; notebooks too."""

from __future__ import annotations

import ast
import dataclasses
import gc
import json
import warnings
import weakref
from collections.abc import Callable

import pytest

from verifier import pyfacts
from verifier.pyfacts import (
    _CHILD_FIELDS,
    Call,
    ClassDef,
    Function,
    _Collector,
    _documented,
    _field_kinds,
    parse_python,
)
from verifier.repo import Repo

SOURCE = '''import torch.nn as nn
from fastapi import FastAPI
import hydra

app = FastAPI()


@hydra.main(config_path="configs")
def train(cfg) -> None:
    """Train."""
    nn.functional.relu(cfg)


@app.get("/predict")
def predict():
    return "ok"


class Net(nn.Module):
    pass
'''


def test_facts_from_the_ast_with_lines() -> None:
    facts = parse_python(SOURCE)
    assert facts.error is None
    assert facts.imports_module("torch") == [1] and set(facts.imports_module("fastapi")) == {2}
    assert [name for name, _ in facts.decorated_with("hydra.main")] == ["hydra.main"]
    assert [line for _, line in facts.decorated_with("app.get")] == [14]
    assert [cls.name for cls in facts.subclasses_of("torch.nn.Module")] == ["Net"]
    assert [call.line for call in facts.calls_to("relu")] == [11]
    assert [call.line for call in facts.calls_to("torch.nn.functional.relu")] == [11]
    assert facts.calls_to("sigmoid") == []
    assert ("/predict", 14) in facts.strings


def test_syntax_errors_are_a_result_not_an_exception() -> None:
    facts = parse_python("def broken(:\n")
    assert facts.error and facts.imports == []


def test_repo_reads_notebook_code_cells(make_repo: Callable[..., Repo]) -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["import wandb"]},
            {"cell_type": "code", "source": ["import wandb\n", "wandb.init(project='p')\n"]},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    repo = make_repo({"notebooks/explore.ipynb": json.dumps(notebook), "src/p/a.py": "import os\n"})
    assert [loc.path for loc in repo.imports("wandb")] == ["notebooks/explore.ipynb"]
    assert [path for path, _ in repo.calls("wandb.init")] == ["notebooks/explore.ipynb"]


def test_a_notebook_larger_than_the_read_cap_still_gives_its_code(make_repo: Callable[..., Repo]) -> None:
    plot = {"data": {"image/png": "iVBORw0KGgo" * 150_000}, "metadata": {}, "output_type": "display_data"}
    notebook = {
        "cells": [
            {"cell_type": "code", "source": ["import matplotlib\n"], "outputs": [plot], "metadata": {}},
            {"cell_type": "code", "source": ["import wandb\n", "wandb.init(project='p')\n"], "metadata": {}},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    text = json.dumps(notebook)
    assert len(text) > 1_500_000  # over the 1 MB read cap
    repo = make_repo({"notebooks/train.ipynb": text})
    assert [path for path, _ in repo.calls("wandb.init")] == ["notebooks/train.ipynb"]
    assert "notebooks/train.ipynb" in repo.truncated  # text searches still read only the start


def test_values_splats_assignments_mappings_and_spans() -> None:
    facts = parse_python(
        "import pytorch_lightning as pl\n"
        "loader = {'num_workers': 4, 'batch_size': -1}\n"
        "trainer = pl.Trainer(devices=-1, gpus=[0, 1], **cfg.trainer)\n"
        "async def upload(file):\n"
        "    contents = await file.read()\n"
        "    return contents\n"
        "others = [{1: 'a'}, {**extra}, {}]\n"
    )
    (trainer,) = facts.calls_to("pytorch_lightning.Trainer")
    assert trainer.keywords == {"devices": -1, "gpus": [0, 1], "**": "<name cfg.trainer>"}
    assert ("contents", "<call file.read>", 5) in facts.assignments
    assert ("trainer", "<call pytorch_lightning.Trainer>", 3) in facts.assignments
    assert facts.mappings == [({"num_workers": 4, "batch_size": -1}, 2)]
    (upload,) = facts.functions
    assert (upload.line, upload.end_line) == (4, 6)


def test_a_collector_is_freed_without_the_cycle_collector() -> None:
    """The dispatch table is the module's (plain functions), so a collector holds no reference cycle: with
    the cycle collector paused, as while a repository is parsed, it is freed as soon as it is dropped."""
    source = 'import os\n\n\nclass A:\n    """Doc."""\n\n    def f(self):\n        "  odd\\n  doc"\n        os.getcwd(x={"a": 1})\n'
    enabled = gc.isenabled()
    gc.disable()
    try:
        collector = _Collector()
        collector.visit(ast.parse(source))
        facts, alive = collector.facts, weakref.ref(collector)
        del collector
        assert alive() is None
    finally:
        if enabled:
            gc.enable()
    assert [c.name for c in facts.calls] == ["os.getcwd"] and facts.mappings == [({"a": 1}, 9)]
    assert [(f.name, f.documented, f.is_method) for f in facts.functions] == [("f", True, True)]
    assert [(c.name, c.documented) for c in facts.classes] == [("A", True)]


def test_calls_without_keywords_or_arguments_get_their_own_empty_ones() -> None:
    facts = parse_python("f()\ng(1, x)\nh(a=1)\nk(*rest, 2, 3, 4, 5, **more)\nf()\n")
    shapes = [(call.name, call.keywords, call.args) for call in facts.calls]
    assert shapes == [
        ("f", {}, ()),
        ("g", {}, (1, "<name x>")),
        ("h", {"a": 1}, ()),
        ("k", {"**": "<name more>"}, ("<expr>", 2, 3, 4)),
        ("f", {}, ()),
    ]
    assert facts.calls[0].keywords is not facts.calls[-1].keywords  # no empty dict shared between calls


def test_a_call_made_by_the_fact_walk_is_the_call_its_constructor_makes() -> None:
    """`Call.of` fills the fields without the frozen `__init__`: the same fields (a field added to Call and
    not to `of` fails here), equality that ignores keywords, the same hash and repr, and still frozen."""
    made = Call.of("torch.save", 3, {"f": "<name path>"}, ("<name model>",))
    built = Call("torch.save", 3, {"f": "<name path>"}, ("<name model>",))
    assert vars(made) == vars(built) and type(made) is Call
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert made == Call("torch.save", 3, {"other": 1}, ("<name model>",))  # keywords are not compared
    assert made != Call("torch.save", 4, {"f": "<name path>"}, ("<name model>",))  # a near miss: the line
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.line = 4  # type: ignore[misc]
    (walked,) = parse_python("import torch\ntorch.save(model, f=path)\n").calls
    assert vars(walked) == vars(Call("torch.save", 2, {"f": "<name path>"}, ("<name model>",)))


# Calls whose names share last parts, bare and dotted, in two files: the look-ups by last part must give
# what testing every call against every name gives, in file order and then in source order.
LOOKUP_FILES = {
    "src/p/a.py": "import torch\nimport yaml\nmodel.train()\nyaml.load(f)\ntorch.load(p)\njson.load(f)\n"
    "trainer.fit(m)\ntorch.onnx.export(m)\nload(x)\n",
    "src/p/b.py": "import torch.nn\nfrom os import path\nexport(m)\nonnx.export(m)\ntorch.load(q)\nfit()\n",
}
LOOKUPS = [
    ("load",),
    ("torch.load",),
    ("torch.load", "json.load"),
    ("torch.load", "load"),
    ("load", "torch.load", "load"),
    ("fit", "torch.load"),
    ("export", "fit", "yaml.load"),
    ("onnx.export", "torch.onnx.export"),
    ("trainer.fit", "model.train", "missing", "x.missing"),
    ("missing",),
    (),
]


def _every_call_tested(repo: Repo, names: tuple[str, ...]) -> list[tuple[str, int]]:
    return [
        (path, call.line)
        for path in repo.python_files
        for call in repo.python(path).calls
        if any(call.name == name or call.name.endswith("." + name) for name in names)
    ]


@pytest.mark.parametrize("names", LOOKUPS)
def test_call_look_ups_by_last_part_give_what_testing_every_call_gives(
    make_repo: Callable[..., Repo], names: tuple[str, ...]
) -> None:
    repo = make_repo(LOOKUP_FILES)
    expected = _every_call_tested(repo, names)
    assert [(path, call.line) for path, call in repo.calls(*names)] == expected
    per_file = [
        (path, call.line) for path in repo.python_files for call in repo.python(path).calls_to(*names)
    ]
    assert per_file == expected
    assert [(path, call.line) for path, call in repo.calls(*names, paths=repo.python_files)] == expected


def test_call_look_ups_keep_the_order_of_the_files_and_the_lines() -> None:
    facts = parse_python("a.load()\nb.fit()\nc.load()\nfit()\nd.export()\n")
    assert [call.line for call in facts.calls_to("export", "load", "fit")] == [1, 2, 3, 4, 5]
    assert [call.line for call in facts.calls_to("c.load", "b.fit")] == [2, 3]  # a near miss: a.load


@pytest.mark.parametrize(
    ("modules", "expected"),
    [
        (("torch",), [("src/p/a.py", 1), ("src/p/b.py", 1)]),
        (("torch.nn",), [("src/p/b.py", 1)]),
        (("torch.nn", "yaml", "os.path"), [("src/p/a.py", 2), ("src/p/b.py", 1), ("src/p/b.py", 2)]),
        (("torc",), []),  # a near miss: a prefix of a module is not the module
        (("os", "torch"), [("src/p/a.py", 1), ("src/p/b.py", 1), ("src/p/b.py", 2), ("src/p/b.py", 2)]),
    ],
)
def test_import_look_ups_by_top_module_keep_file_and_line_order(
    make_repo: Callable[..., Repo], modules: tuple[str, ...], expected: list[tuple[str, int]]
) -> None:
    repo = make_repo(LOOKUP_FILES)
    assert [(loc.path, loc.line) for loc in repo.imports(*modules)] == expected


@pytest.mark.parametrize("names", LOOKUPS)
def test_call_look_ups_in_chosen_files_keep_the_order_the_files_are_given_in(
    make_repo: Callable[..., Repo], names: tuple[str, ...]
) -> None:
    """Files asked about in another order than the listing's, one file alone, and a file that is not one of
    the Python files (read on its own, as it is not in the repository's index of calls)."""
    repo = make_repo({**LOOKUP_FILES, "notes.txt": "load(x)\n"})
    order = ["src/p/b.py", "src/p/a.py"]
    expected = [
        (path, call.line)
        for path in order
        for call in repo.python(path).calls
        if any(call.name == name or call.name.endswith("." + name) for name in names)
    ]
    assert [(path, call.line) for path, call in repo.calls(*names, paths=order)] == expected
    assert [(p, c.line) for p, c in repo.calls(*names, paths=iter(order[1:]))] == expected_in(
        expected, "src/p/a.py"
    )
    outside = ["src/p/a.py", "notes.txt"]
    assert [p for p, _ in repo.calls(*names, paths=outside)] == [
        p for p, _ in expected_in(expected, "src/p/a.py")
    ] + (["notes.txt"] if "load" in names else [])


def expected_in(found: list[tuple[str, int]], path: str) -> list[tuple[str, int]]:
    return [entry for entry in found if entry[0] == path]


DECORATED_FILES = {
    "src/p/a.py": "import hydra\nfrom fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/')\ndef root(): ...\n\n"
    "@hydra.main(config_path='c')\ndef main(cfg): ...\n\n@click.command()\n@app.post('/p')\ndef post(): ...\n",
    "src/p/b.py": "import click\n\n@click.command()\ndef cli(): ...\n\n@main\ndef other(): ...\n\n@get\ndef g(): ...\n",
}


@pytest.mark.parametrize(
    "names",
    [
        ("hydra.main",),
        ("main",),
        ("command", "click.command"),
        ("get", "app.post"),
        ("app.get", "main"),
        ("x",),
        (),
    ],
)
def test_decorator_look_ups_by_last_part_give_what_testing_every_decorator_gives(
    make_repo: Callable[..., Repo], names: tuple[str, ...]
) -> None:
    repo = make_repo(DECORATED_FILES)
    expected = [
        (path, line)
        for path in repo.python_files
        for name, line in repo.python(path).decorators
        if any(name == wanted or name.endswith("." + wanted) for wanted in names)
    ]
    assert [(loc.path, loc.line) for loc in repo.decorators(*names)] == expected
    chosen = [(loc.path, loc.line) for loc in repo.decorators(*names, paths=repo.python_files)]
    assert chosen == expected


def test_field_kinds_are_read_from_the_grammar_signature() -> None:
    assert _field_kinds(ast.Call) == {"func": False, "args": True, "keywords": True}
    kinds = _field_kinds(ast.arguments)
    assert kinds["vararg"] is False and kinds["defaults"] is True and kinds["posonlyargs"] is True

    class NoSignature(ast.AST):
        """A node class without a grammar signature."""

    class Misnamed(ast.AST):
        """Call(expr func, expr* args, keyword* keywords)"""  # a near miss: another class's signature

    assert _field_kinds(NoSignature) == {} and _field_kinds(Misnamed) == {}


# Most node types of the grammar (and ones only newer parsers make, where this interpreter has them): every
# field of a node the parser makes must be walked as what it holds, a list or one node (or None).
EVERY_SHAPE = """
import a.b as c
from .d import e as f, g
@deco(1)
async def h(p: int, /, q=f"{x!r:>{w}}", *r: str, s: "t" = None, **u) -> "v":
    "doc"
    global z
    async with k() as (l, m), n:
        async for o in p: await q(o)
    try:
        del a[1:2:3], b.c
    except (E, F) as err:
        raise G() from err
    else:
        yield
    finally:
        return (yield from r)
class I(J, metaclass=K):
    x: int = 1
    def m(self): return lambda y=2: {**y, "k": [*z]} if y else {i: j for i, j in y.items() if i}
while not a < b <= c: a += 1; break
for i in {1, 2}: continue
assert (n := 1) and b or c, "message"
match command:
    case [1, *rest] | {"k": 2, **others} | Point(x=0) | None as found if found: pass
    case _: pass
"""


def test_every_field_of_every_node_the_parser_makes_has_the_kind_it_holds() -> None:
    checked = 0
    for node in ast.walk(ast.parse(EVERY_SHAPE)):
        for name, many in _CHILD_FIELDS.get(type(node), ()):
            assert many is (type(getattr(node, name)) is list), f"{type(node).__name__}.{name}"
            checked += 1
    assert checked > 100


def test_a_field_whose_kind_is_not_known_is_walked_as_what_it_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A field the signature does not describe (None) is read as a list when it holds one and as one node
    otherwise, so a node class without a signature loses no fact."""
    known = parse_python(EVERY_SHAPE)
    unknown = {
        node_type: tuple((name, None) for name, _ in fields) for node_type, fields in _CHILD_FIELDS.items()
    }
    monkeypatch.setattr(pyfacts, "_CHILD_FIELDS", unknown)
    monkeypatch.setattr(
        pyfacts, "_CALL_ARGUMENT_FIELDS", tuple((name, None) for name in ("args", "keywords"))
    )
    walked = parse_python(EVERY_SHAPE)
    assert walked.strings == known.strings and len(known.strings) > 5
    assert [(c.name, c.line, c.keywords, c.args) for c in walked.calls] == [
        (c.name, c.line, c.keywords, c.args) for c in known.calls
    ]
    assert walked.mappings == known.mappings and walked.assignments == known.assignments


def test_the_called_expression_is_walked_only_where_it_can_hold_a_fact() -> None:
    """`a.b.f()` and `f()`: nothing in the called expression; a chain that starts with a call, a subscript
    or a string is walked, in source order before the arguments."""
    facts = parse_python(
        'import numpy as np\nnp.linalg.norm("a")\nmake("b").fit("c")\nhandlers["d"]("e")\n"-".join(f("g"))\n'
    )
    assert [c.name for c in facts.calls] == ["numpy.linalg.norm", "make.fit", "make", "f"]
    assert [text for text, _ in facts.strings] == ["a", "b", "c", "d", "e", "-", "g"]


def test_a_call_described_as_a_value_is_resolved_once_and_recorded_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolved: list[ast.AST] = []
    resolve = _Collector.resolve

    def counted(collector: _Collector, node: ast.AST) -> str | None:
        resolved.append(node)
        return resolve(collector, node)

    monkeypatch.setattr(_Collector, "resolve", counted)
    source = (
        "import torch as t\n"
        "model = t.load(path)\n"
        "out = run(t.tensor(x), key=t.zeros(1))\n"
        "odd = (lambda: 0)()\n"
        "from torch import load as t\n"
        "again = t(p)\n"
    )
    facts = parse_python(source)
    assert [(c.name, c.line) for c in facts.calls] == [
        ("torch.load", 2),
        ("run", 3),
        ("torch.tensor", 3),
        ("torch.zeros", 3),
        ("torch.load", 6),
    ]
    assert facts.calls[1].args == ("<call torch.tensor>",) and facts.calls[1].keywords == {
        "key": "<call torch.zeros>"
    }
    assert facts.assignments == [
        ("model", "<call torch.load>", 2),
        ("out", "<call run>", 3),
        ("odd", "<call ?>", 4),  # a near miss: a call without a name is described, and not recorded
        ("again", "<call torch.load>", 6),
    ]
    assert len(resolved) == len({id(node) for node in resolved}) == 6  # each called expression once


def test_functions_and_classes_made_by_the_walk_are_what_their_constructors_make() -> None:
    """The walk fills the fields of `Function` and `ClassDef` without their frozen `__init__` (`_frozen`):
    every field (a field added to the class and not to the walk fails here), equal, same hash and repr,
    still frozen."""
    facts = parse_python(
        'class A(B):\n    """Doc."""\n    @staticmethod\n    def test_x(self, y: int):\n        pass\n'
    )
    (method,) = facts.functions
    (cls,) = facts.classes
    built_method = Function("test_x", 4, True, False, True, True, ("staticmethod",), 5)
    built_cls = ClassDef("A", 1, ("B",), True, 5)
    for made, built in ((method, built_method), (cls, built_cls)):
        assert vars(made) == vars(built) and type(made) is type(built)
        assert list(vars(made)) == [field.name for field in dataclasses.fields(built)]
        assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.line = 9  # type: ignore[misc]
    assert method != Function("test_x", 4, True, True, True, True, ("staticmethod",), 5)  # a near miss


@pytest.mark.parametrize(
    "body",
    ['"""Doc."""', '""', "'doc'; x = 1", "b'bytes'", "f'{x}'", "1", "x = 'doc'", "...", "pass", "'a' 'b'"],
)
def test_a_docstring_is_what_ast_get_docstring_finds(body: str) -> None:
    for source in (f"def f():\n    {body}\n", f"async def f():\n    {body}\n", f"class C:\n    {body}\n"):
        node = ast.parse(source).body[0]
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        assert _documented(node) is (ast.get_docstring(node, clean=False) is not None), source


def test_values_keep_their_caps_and_shapes() -> None:
    """Dicts with string keys only (first 50), lists and tuples (first 20), nesting to depth 3, a signed
    number, and `<expr>` for the rest."""
    many_keys = "{" + ", ".join(f"'k{i}': {i}" for i in range(60)) + "}"
    source = (
        f"a = {many_keys}\n"
        f"b = [{', '.join(str(i) for i in range(25))}]\n"
        "c = {'x': 1, **rest}\n"
        "d = {1: 'one'}\n"
        "e = [[[[[1]]]]]\n"
        "f = (-2, +3.5, -True, not x)\n"
        "g = {'k': {'n': (1, 'two')}}\n"
    )
    values = {name: value for name, value, _ in parse_python(source).assignments}
    assert isinstance(values["a"], dict) and list(values["a"]) == [f"k{i}" for i in range(50)]
    assert values["b"] == list(range(20))
    assert values["c"] == "<expr>" and values["d"] == "<expr>"  # a splat, a key that is not a string
    assert values["e"] == [[[["<expr>"]]]]
    assert values["f"] == [-2, 3.5, "<expr>", "<expr>"]
    assert values["g"] == {"k": {"n": [1, "two"]}}


def test_the_parsers_warnings_about_the_groups_code_are_not_printed(
    make_repo: Callable[..., Repo], recwarn: pytest.WarningsRecorder
) -> None:
    """An invalid escape sequence in a group's file is a SyntaxWarning on Python 3.12 (a DeprecationWarning
    before): the facts are read and nothing is warned to the grader; the caller's warning filters are
    as they were after the parse."""
    repo = make_repo({"src/a.py": 'import re\nPATTERN = re.compile("\\d+")\n', "src/b.py": 'X = "\\w"\n'})
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        filters = list(warnings.filters)
        assert repo.python("src/b.py").error is None
        assert [call.name for call in repo.python("src/a.py").calls] == ["re.compile"]
        assert warnings.filters == filters
    assert [w for w in recwarn if issubclass(w.category, (SyntaxWarning, DeprecationWarning))] == []
