"""Facts of a Python file the running interpreter cannot parse, read from its tokens instead of its AST.

A group may write Python that is valid only in a newer interpreter (a Python 3.12 f-string with a newline
or the same quote inside its braces, read by Python 3.10 or 3.11), or an old file with Python 2 `print`
statements. Such a file must not drop out of every rule, so it is read as text: the tokenizer where it
works (a line it cannot tokenize is skipped and tokenizing starts again after it), giving the same facts
the AST gives (imports, calls by dotted name with literal keywords, decorators, class bases, functions,
strings, assignments, string-keyed dicts) as far as tokens allow. Facts read this way carry
`read_as_text=True`; the repository view marks locations in such files "read as text".
"""

from __future__ import annotations

import ast
import tokenize
import warnings
from dataclasses import dataclass, replace
from itertools import islice

from .pyfacts import MAX_LITERAL, Call, ClassDef, Function, PythonFacts

MAX_RESTARTS = 200  # lines the tokenizer may give up on before the rest of the file is left unread
MAX_SCAN_CHARS = 200_000  # the pure-Python tokenizer takes most of a second for this much; the rest is unread
MAX_VALUE_DEPTH = 3
_SKIPPED_TYPES = frozenset(
    {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT}
)
# Statements that never continue a bracket of an earlier line: a bracket still open there was garbled.
_FRESH_STATEMENT = frozenset({"def", "class", "import", "from", "@"})
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = frozenset(_OPEN.values())


@dataclass(frozen=True)
class _Token:
    kind: int
    text: str
    line: int
    column: int
    first_on_line: bool


def scan_python_text(source: str, error: str) -> PythonFacts:
    """Facts of `source` read from its tokens; `error` says why the AST could not be built."""
    scanner = _Scanner(_tolerant_tokens(source[:MAX_SCAN_CHARS]))
    scanner.run()
    facts = scanner.facts
    facts.error = error
    facts.read_as_text = True
    return facts


def _tolerant_tokens(source: str) -> list[_Token]:
    """The significant tokens of `source`; a line the tokenizer fails on is skipped and tokenizing goes on
    after it."""
    lines = source.splitlines(keepends=True)
    tokens: list[_Token] = []
    start, restarts = 0, 0
    while start < len(lines) and restarts <= MAX_RESTARTS:
        failed_at = _tokenize_from(lines, start, tokens)
        if failed_at is None:
            break
        restarts += 1
        start = max(failed_at, start + 1)
        tokens.append(_Token(tokenize.NEWLINE, "\n", start, 0, False))  # what was open ends at the bad line
    return tokens


def _tokenize_from(lines: list[str], start: int, tokens: list[_Token]) -> int | None:
    """Tokenize `lines[start:]` (dedented by the indentation of its first line) into `tokens`; None when
    done, else the 0-based line to go on from."""
    indent = len(lines[start]) - len(lines[start].lstrip(" \t"))
    chunk = (line[indent:] if not line[:indent].strip() else line for line in islice(lines, start, None))
    last_line = start
    try:
        for token in tokenize.generate_tokens(lambda: next(chunk, "")):
            if token.type in _SKIPPED_TYPES or (
                token.type == tokenize.ERRORTOKEN and not token.string.strip()
            ):
                continue
            line = token.start[0] + start
            first = line != last_line
            tokens.append(_Token(token.type, token.string, line, token.start[1] + indent, first))
            last_line = token.end[0] + start
    except (tokenize.TokenError, SyntaxError) as failure:  # IndentationError is a SyntaxError
        where = failure.args[1] if isinstance(failure, tokenize.TokenError) else (failure.lineno or 0,)
        failed = where[0] if isinstance(where, tuple) and where and isinstance(where[0], int) else 0
        return max(start + failed, last_line)
    return None


@dataclass
class _Block:
    kind: str  # "def" or "class"
    column: int  # column of the def/class statement: the block ends at a statement no deeper than it
    record: int  # index into facts.functions or facts.classes


class _Scanner:
    """One pass over the tokens: statements (import, from, def, class, @, name = ...) where a line starts
    outside brackets, calls anywhere, and the ends of functions and classes by indentation."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.facts = PythonFacts()
        self.aliases: dict[str, str] = {}
        self.matches, self.inside = _matching_brackets(tokens)
        self.blocks: list[_Block] = []
        self.pending_decorators: list[str] = []

    def run(self) -> None:
        for index, token in enumerate(self.tokens):
            if token.kind == tokenize.NEWLINE:
                continue
            if token.kind == tokenize.STRING:
                self.string(token)
            elif token.text == "{" and index in self.matches:
                mapping = self.container(index, self.matches[index], 0)
                if isinstance(mapping, dict) and mapping:
                    self.facts.mappings.append((mapping, token.line))
            if self.starts_statement(index):
                self.close_blocks(index, token.column)
                self.statement(index)
            if token.kind == tokenize.NAME and token.text not in _KEYWORDS and not self.is_attribute(index):
                self.maybe_call(index)
        self.close_blocks(len(self.tokens), -1)

    # ------------------------------------------------------------ structure

    def starts_statement(self, index: int) -> bool:
        token = self.tokens[index]
        if index in self.inside:
            return False
        return token.first_on_line or self.text(index - 1) == ";" or self.kind(index - 1) == tokenize.NEWLINE

    def close_blocks(self, index: int, column: int) -> None:
        """End the blocks a statement at `column` is no longer inside (all of them at the end, column -1)."""
        end_line = self.last_line_before(index)
        while self.blocks and self.blocks[-1].column >= column:
            block = self.blocks.pop()
            if block.kind == "def":
                old = self.facts.functions[block.record]
                self.facts.functions[block.record] = replace(old, end_line=max(end_line, old.line))
            else:
                cls = self.facts.classes[block.record]
                self.facts.classes[block.record] = replace(cls, end_line=max(end_line, cls.line))

    def last_line_before(self, index: int) -> int:
        """The line of the last token before `index` that is not a statement end (NEWLINE tokens of a
        restart after a bad line carry the line of the restart)."""
        while index > 0 and self.tokens[index - 1].kind == tokenize.NEWLINE:
            index -= 1
        return self.tokens[index - 1].line if index > 0 else 1

    # ------------------------------------------------------------ statements

    def statement(self, index: int) -> None:
        token = self.tokens[index]
        if token.text == "import":
            self.import_statement(index + 1, token.line)
        elif token.text == "from":
            self.from_statement(index + 1, token.line)
        elif token.text == "@":
            name, _ = self.dotted(index + 1)
            if name:
                resolved = self.resolve(name)
                self.facts.decorators.append((resolved, token.line))
                self.pending_decorators.append(resolved)
        elif token.text == "def" or (token.text == "async" and self.text(index + 1) == "def"):
            self.function(index + (2 if token.text == "async" else 1), token)
        elif token.text == "class":
            self.class_definition(index + 1, token)
        elif token.kind == tokenize.NAME and token.text not in _KEYWORDS:
            self.assignment(index)

    def import_statement(self, index: int, line: int) -> None:
        while True:
            name, index = self.dotted(index)
            if not name:
                return
            self.facts.imports.append((name, line))
            if self.text(index) == "as" and self.kind(index + 1) == tokenize.NAME:
                self.aliases[self.text(index + 1)] = name
                index += 2
            else:
                self.aliases[name.split(".")[0]] = name.split(".")[0]
            if self.text(index) != ",":
                return
            index += 1

    def from_statement(self, index: int, line: int) -> None:
        dots = ""
        while self.text(index) in (".", "..."):
            dots += self.text(index)
            index += 1
        name, index = self.dotted(index)
        module = dots + name
        if self.text(index) != "import" or not module:
            return
        self.facts.imports.append((module, line))
        index += 1
        end = self.statement_end(index)
        while index < end:
            if self.kind(index) == tokenize.NAME:
                imported = self.text(index)
                full = f"{module}.{imported}"
                local = imported
                if self.text(index + 1) == "as" and self.kind(index + 2) == tokenize.NAME:
                    local = self.text(index + 2)
                    index += 2
                self.facts.imports.append((full, line))
                self.aliases[local] = full
            index += 1

    def function(self, index: int, statement: _Token) -> None:
        if self.kind(index) != tokenize.NAME or self.text(index + 1) != "(":
            return
        name = self.text(index)
        close = self.matches.get(index + 1)
        in_class = bool(self.blocks) and self.blocks[-1].kind == "class"
        annotated = False
        if close is not None:
            parameters = self.split_arguments(index + 2, close)
            if in_class and parameters and self.text(parameters[0][0]) in ("self", "cls"):
                parameters = parameters[1:]
            annotated = any(
                ":" in (self.text(i) for i in range(start, end)) for start, end in parameters
            ) or (self.text(close + 1) == "->")
        body = self.body_start(close if close is not None else index)
        self.facts.functions.append(
            Function(
                name=name,
                line=statement.line,
                annotated=annotated,
                documented=body is not None and self.kind(body) == tokenize.STRING,
                is_method=in_class,
                is_test=name.startswith("test"),
                decorators=tuple(self.pending_decorators),
                end_line=statement.line,
            )
        )
        self.pending_decorators = []
        self.blocks.append(_Block("def", statement.column, len(self.facts.functions) - 1))

    def class_definition(self, index: int, statement: _Token) -> None:
        if self.kind(index) != tokenize.NAME:
            return
        name, bases = self.text(index), []
        close = self.matches.get(index + 1) if self.text(index + 1) == "(" else None
        if close is not None:
            for start, end in self.split_arguments(index + 2, close):
                dotted, after = self.dotted(start)
                if dotted and after == end:
                    bases.append(self.resolve(dotted))
        body = self.body_start(close if close is not None else index)
        self.facts.classes.append(
            ClassDef(
                name,
                statement.line,
                tuple(bases),
                body is not None and self.kind(body) == tokenize.STRING,
                statement.line,
            )
        )
        self.pending_decorators = []
        self.blocks.append(_Block("class", statement.column, len(self.facts.classes) - 1))

    def body_start(self, index: int) -> int | None:
        """The first token of the body after a header's `:`."""
        end = self.statement_end(index)
        position = index
        while position < end and self.text(position) != ":":
            position += 1
        position += 1
        while position < len(self.tokens) and self.kind(position) == tokenize.NEWLINE:
            position += 1
        return position if position < len(self.tokens) else None

    def assignment(self, index: int) -> None:
        """`name = value` and `name: type = value` (also `a = b = value`) at the start of a statement."""
        targets = []
        position = index
        while self.kind(position) == tokenize.NAME and self.text(position + 1) in ("=", ":"):
            targets.append(self.tokens[position])
            if self.text(position + 1) == ":":
                position = self.find_top_level(position + 2, "=")
                if position is None:
                    return
                position += 1
                break
            position += 2
        if not targets:
            return
        end = self.statement_end(position)
        if position >= end:
            return
        value = self.value(position, end)
        for target in targets:
            self.facts.assignments.append((target.text, value, target.line))

    # ------------------------------------------------------------ calls and values

    def maybe_call(self, index: int) -> None:
        name, after = self.dotted(index)
        if not name or self.text(after) != "(" or (index > 0 and self.text(index - 1) in ("def", "class")):
            return
        resolved = self.resolve(name)
        self.record_call(resolved, self.tokens[index].line, after)

    def record_call(self, name: str, line: int, open_index: int) -> None:
        close = self.matches.get(open_index)
        keywords: dict[str, object] = {}
        args: list[object] = []
        if close is not None:
            for start, end in self.split_arguments(open_index + 1, close):
                if self.text(start) == "**":
                    keywords["**"] = self.value(start + 1, end)
                elif self.kind(start) == tokenize.NAME and self.text(start + 1) == "=" and start + 2 < end:
                    keywords[self.text(start)] = self.value(start + 2, end)
                elif self.text(start) != "*" and len(args) < 4:
                    args.append(self.value(start, end))
        self.facts.calls.append(Call(name, line, keywords, tuple(args)))
        # a chained call: `YOLO("m.pt").train(data=...)` is the call `ultralytics.YOLO.train`
        if close is not None and self.text(close + 1) == "." and self.kind(close + 2) == tokenize.NAME:
            chained, after = self.dotted(close + 2)
            if self.text(after) == "(":
                self.record_call(f"{name}.{chained}", self.tokens[close + 2].line, after)

    def value(self, start: int, end: int, depth: int = 0) -> object:
        """A literal where the tokens hold one, `<name x>`, `<call f>` or `<expr>` (as PythonFacts says)."""
        if start < end and self.text(start) == "await":
            start += 1
        if start >= end:
            return "<expr>"
        first = self.tokens[start]
        if first.kind == tokenize.STRING and all(self.kind(i) == tokenize.STRING for i in range(start, end)):
            literal = _literal(" ".join(self.text(i) for i in range(start, end)))
            return literal if literal is not None else "<expr>"
        if end - start == 1 and (first.kind == tokenize.NUMBER or first.text in ("True", "False", "None")):
            literal = _literal(first.text)
            return literal if literal is not None or first.text == "None" else "<expr>"
        if end - start == 2 and first.text in ("-", "+") and self.kind(start + 1) == tokenize.NUMBER:
            number = _literal(self.text(start + 1))
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                return -number if first.text == "-" else number
        if first.kind == tokenize.NAME and first.text not in _KEYWORDS:
            name, after = self.dotted(start)
            if after == end:
                return f"<name {self.resolve(name)}>"
            called = False
            while self.text(after) == "(" and self.matches.get(after, end) < end:
                called, after = True, self.matches[after] + 1
                if self.text(after) == "." and self.kind(after + 1) == tokenize.NAME:
                    chained, after = self.dotted(after + 1)
                    name, called = f"{name}.{chained}", False
            if after == end:
                return f"<{'call' if called else 'name'} {self.resolve(name)}>"
        if end - start == 1 and first.text == "...":
            return ...
        if (
            first.text in _OPEN
            and self.matches.get(start) == end - 1
            and depth <= MAX_VALUE_DEPTH
            and self.find_top_level(start + 1, "for", end - 1) is None  # a comprehension
        ):
            return self.container(start, end - 1, depth)
        return "<expr>"

    def container(self, open_index: int, close: int, depth: int) -> object:
        parts = self.split_arguments(open_index + 1, close)
        if self.text(open_index) == "(" and len(parts) == 1 and self.text(close - 1) != ",":
            return self.value(parts[0][0], parts[0][1], depth + 1)  # parentheses around one expression
        if self.text(open_index) != "{":
            return [self.value(s, e, depth + 1) for s, e in parts[:20]]
        mapping: dict[str, object] = {}
        for start, end in parts[:50]:
            colon = self.find_top_level(start, ":", end)
            key = _literal(self.text(start)) if colon == start + 1 else None
            if not isinstance(key, str) or colon is None:
                return "<expr>"
            mapping[key] = self.value(colon + 1, end, depth + 1)
        return mapping

    def string(self, token: _Token) -> None:
        literal = _literal(token.text, MAX_LITERAL + 1)
        if isinstance(literal, str) and 0 < len(literal) <= MAX_LITERAL:
            self.facts.strings.append((literal, token.line))

    # ------------------------------------------------------------ token helpers

    def text(self, index: int) -> str:
        return self.tokens[index].text if 0 <= index < len(self.tokens) else ""

    def kind(self, index: int) -> int:
        return self.tokens[index].kind if 0 <= index < len(self.tokens) else tokenize.ENDMARKER

    def is_attribute(self, index: int) -> bool:
        return index > 0 and self.text(index - 1) == "."

    def dotted(self, index: int) -> tuple[str, int]:
        """The dotted name starting at `index` (`torch.nn.Module`) and the index after it."""
        parts = []
        while self.kind(index) == tokenize.NAME and self.text(index) not in _KEYWORDS:
            parts.append(self.text(index))
            if self.text(index + 1) != "." or self.kind(index + 2) != tokenize.NAME:
                return ".".join(parts), index + 1
            index += 2
        return ".".join(parts), index

    def resolve(self, name: str) -> str:
        head, dot, rest = name.partition(".")
        return self.aliases.get(head, head) + dot + rest

    def statement_end(self, index: int) -> int:
        """The index of the NEWLINE ending the statement at `index` (brackets may span lines)."""
        while index < len(self.tokens) and self.kind(index) != tokenize.NEWLINE:
            index = self.matches.get(index, index) + 1
        return index

    def find_top_level(self, index: int, text: str, end: int | None = None) -> int | None:
        """The first `text` token from `index` outside brackets, before `end` or the statement's end."""
        stop = self.statement_end(index) if end is None else end
        while index < stop:
            if self.text(index) == text:
                return index
            index = self.matches.get(index, index) + 1
        return None

    def split_arguments(self, start: int, close: int) -> list[tuple[int, int]]:
        """(start, end) of each comma-separated part between `start` and the closing bracket."""
        parts, part_start, index = [], start, start
        while index < close:
            if self.text(index) == ",":
                if index > part_start:
                    parts.append((part_start, index))
                part_start = index + 1
            index = self.matches.get(index, index) + 1
        if close > part_start:
            parts.append((part_start, close))
        return parts


def _matching_brackets(tokens: list[_Token]) -> tuple[dict[int, int], set[int]]:
    """(open-bracket index -> its closing index, indices of tokens inside brackets). Brackets still open at
    a statement's end, or where a line starts a def/class/import, are dropped (a garbled f-string)."""
    matches: dict[int, int] = {}
    inside: set[int] = set()
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind == tokenize.NEWLINE or (token.first_on_line and token.text in _FRESH_STATEMENT):
            stack.clear()
        if stack:
            inside.add(index)
        if token.kind != tokenize.OP:
            continue
        if token.text in _OPEN:
            stack.append(index)
        elif token.text in _CLOSE:
            while stack and _OPEN[tokens[stack[-1]].text] != token.text:
                stack.pop()  # an unbalanced bracket (a garbled f-string): forget it
            if stack:
                matches[stack.pop()] = index

    return matches, inside


def _literal(text: str, limit: int = MAX_LITERAL) -> object:
    """A literal of a token's text (a string cut to `limit` characters, a number, a bool, `...`), or None
    when it is no literal."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an invalid escape such as "\E" in the group's string
            value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if isinstance(value, str) and len(value) > limit:
        return value[:limit]
    return value if isinstance(value, (str, int, float, bool, bytes)) or value is Ellipsis else None


_KEYWORDS = frozenset(
    {
        "False",
        "None",
        "True",
        "and",
        "as",
        "assert",
        "async",
        "await",
        "break",
        "class",
        "continue",
        "def",
        "del",
        "elif",
        "else",
        "except",
        "finally",
        "for",
        "from",
        "global",
        "if",
        "import",
        "in",
        "is",
        "lambda",
        "nonlocal",
        "not",
        "or",
        "pass",
        "raise",
        "return",
        "try",
        "while",
        "with",
        "yield",
    }
)
