"""Adversarial inputs for regular expressions, and a time-bounded check that a pattern stays linear on them.

A backtracking pattern is super-linear when some input makes it retry a long stretch of text once per
starting position (`<coverage[^>]*x` on `<coverage<coverage...`) or split one stretch between two
overlapping quantifiers (`\\s*-?\\s*id:` on a line of spaces). Both show on text built from the pattern's
own pieces: its literal runs, one sample character per character class, consecutive pairs of them and
the texts that lead to each unbounded repeat, repeated to 32 kB and ended by a character
nothing expects. `assert_linear` runs the pattern (search semantics, every match: the most any caller can
ask) on each such text, under a time bound and a bound on how fast the time grows with the text.
"""

from __future__ import annotations

import itertools
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

try:  # Python 3.11+
    from re import _compiler as sre_compile  # type: ignore[attr-defined]
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_compile  # type: ignore[no-redef]
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

ALPHABET = [chr(code) for code in range(32, 127)] + ["\t", "\n", "é", "\u2019", "\u201c"]
LARGE = 32_000
# A text that takes measurable time is run again 4x as long: a linear pattern takes about 4x as long,
# a quadratic one 16x. Below the floor a ratio is timer noise, and a quadratic pattern that fast on
# 32 kB would retry from fewer than a hundred places.
GROWTH_LIMIT = 9
GROWTH_FLOOR = 0.02  # seconds
ABSOLUTE_BOUND = 0.5  # seconds on LARGE characters, whatever the growth
REPEAT_OPS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT} | (
    {sre_constants.POSSESSIVE_REPEAT} if hasattr(sre_constants, "POSSESSIVE_REPEAT") else set()
)


class PatternTimeout(Exception):
    """The pattern ran longer than the hard limit on one input."""


def _class_samples(state: Any, items: Any, flags: int) -> list[str]:
    """Up to three characters the character class accepts: a word character, a space, a symbol."""
    try:
        compiled = sre_compile.compile(sre_parse.SubPattern(state, [(sre_constants.IN, items)]), flags)
    except Exception:
        return []
    accepted = [char for char in ALPHABET if compiled.match(char)]
    samples = []
    for kind in (str.isalnum, str.isspace, lambda c: not c.isalnum() and not c.isspace()):
        samples += [char for char in accepted if kind(char)][:1]
    return samples


def pieces(pattern: str, flags: int = 0) -> list[str]:
    """The pattern's literal runs and class samples, in pattern order, without repeats."""
    parsed = sre_parse.parse(pattern, flags)
    found: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            found.append("".join(run))
            run.clear()

    def walk(sequence: Any) -> None:
        for op, argument in sequence:
            if op is sre_constants.LITERAL:
                run.append(chr(argument))
                continue
            flush()
            if op is sre_constants.NOT_LITERAL:
                found.append("b" if chr(argument) == "a" else "a")
            elif op is sre_constants.ANY:
                found.append("a")
            elif op is sre_constants.IN:
                found.extend(_class_samples(parsed.state, argument, flags))
            elif op is sre_constants.BRANCH:
                for branch in argument[1]:
                    walk(branch)
                    flush()
            elif op is sre_constants.SUBPATTERN:
                walk(argument[-1])
            elif op in REPEAT_OPS:
                walk(argument[2])
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                walk(argument[1])
            elif op is sre_constants.GROUPREF_EXISTS:
                walk(argument[1])
                if argument[2]:
                    walk(argument[2])
            elif getattr(sre_constants, "ATOMIC_GROUP", None) is op:
                walk(argument)
            flush()

    walk(parsed)
    flush()
    return list(dict.fromkeys(piece for piece in found if piece))


def _samples(sequence: Any, state: Any, flags: int) -> list[str]:
    """A few short texts that match `sequence` (each repeat at its minimum count)."""
    texts = [""]
    for op, argument in sequence:
        texts = [text + tail for text in texts for tail in _node_samples(op, argument, state, flags)][:4]
    return texts


def _node_samples(op: Any, argument: Any, state: Any, flags: int) -> list[str]:
    if op is sre_constants.LITERAL:
        return [chr(argument)]
    if op is sre_constants.NOT_LITERAL:
        return ["b" if chr(argument) == "a" else "a"]
    if op is sre_constants.ANY:
        return ["a"]
    if op is sre_constants.IN:
        return _class_samples(state, argument, flags)[:2] or ["a"]
    if op is sre_constants.BRANCH:
        return [text for branch in argument[1] for text in _samples(branch, state, flags)[:1]]
    if op is sre_constants.SUBPATTERN:
        return _samples(argument[-1], state, flags)
    if op in REPEAT_OPS:
        return [text * argument[0] for text in _samples(argument[2], state, flags)]
    return [""]


def pump_prefixes(pattern: str, flags: int = 0) -> list[str]:
    """Texts that lead from the pattern's start to each unbounded repeat, alone and followed by one pass
    of the repeat's body: `docker compose a` for `docker[- ]compose\\b.*build`. Repeated, they make every
    start position run the repeat to the end of the text."""
    parsed = sre_parse.parse(pattern, flags)
    found: list[str] = []

    def walk(sequence: Any, prefixes: list[str]) -> list[str]:
        for op, argument in sequence:
            if op in REPEAT_OPS and argument[1] == sre_constants.MAXREPEAT:
                body = _samples(argument[2], parsed.state, flags)
                found.extend(prefix + text for prefix in prefixes for text in ["", *body])
            if op is sre_constants.SUBPATTERN:
                walk(argument[-1], prefixes)
            elif op is sre_constants.BRANCH:
                for branch in argument[1]:
                    walk(branch, prefixes)
            elif op in REPEAT_OPS:
                walk(argument[2], prefixes)
            tails = _node_samples(op, argument, parsed.state, flags)
            prefixes = [prefix + tail for prefix in prefixes for tail in tails][:4]
        return prefixes

    walk(parsed, [""])
    return list(dict.fromkeys(text for text in found if text.strip(" ")))


def adversarial_texts(pattern: str, flags: int = 0, size: int = LARGE) -> Iterator[str]:
    """Texts of about `size` characters repeating the pattern's pieces (alone and in consecutive pairs),
    a space, a line break, and the texts that lead to its unbounded repeats. An anchored pattern's texts
    also come after its first piece (`make` and then 30 kB of spaces)."""
    parts = pieces(pattern, flags)
    units = dict.fromkeys([*parts, " ", "\n", "a"])
    units.update(dict.fromkeys(first + second for first, second in itertools.pairwise(parts)))
    for prefix in pump_prefixes(pattern, flags):
        units.update(dict.fromkeys((prefix, prefix + " ")))
    parsed = sre_parse.parse(pattern, flags)
    anchored = bool(parsed.data) and parsed.data[0][0] is sre_constants.AT and bool(parts)
    for unit in units:
        body = (unit * (size // len(unit) + 1))[:size] + "\x00"
        yield body
        if anchored and parts[0] != unit:
            yield parts[0] + body


@contextmanager
def _hard_limit(seconds: float) -> Iterator[None]:
    """Interrupt a runaway match after `seconds` of CPU time (the regex engine checks for signals while it
    backtracks)."""

    def interrupt(signum: int, frame: Any) -> None:
        raise PatternTimeout

    previous = signal.signal(signal.SIGVTALRM, interrupt)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def superlinear(pattern: str, flags: int = 0) -> str | None:
    """Why the pattern is super-linear, or None: on some adversarial text it takes longer than the
    absolute bound, or, where it takes measurable time, 4x the text takes it over 9x as long (a linear
    pattern takes about 4x, a quadratic one 16x)."""
    compiled = re.compile(pattern, flags)
    for text in adversarial_texts(pattern, flags, LARGE):
        large = _timed(compiled, text)
        if large < GROWTH_FLOOR:
            continue
        # the best of three runs: a busy machine only ever adds time
        large = min(large, _timed(compiled, text), _timed(compiled, text))
        if large < GROWTH_FLOOR:
            continue
        grown = float("inf")
        if large < ABSOLUTE_BOUND:
            grown = min(_timed(compiled, text[:-1] * 4 + "\x00") for _ in range(3))
        if large > ABSOLUTE_BOUND or grown / large > GROWTH_LIMIT:
            return (
                f"{large:.3f} s on {LARGE // 1000} kB and {grown:.3f} s on {4 * LARGE // 1000} kB of text "
                f"starting {text[:40]!r}"
            )
    return None


def _timed(compiled: re.Pattern[str], text: str) -> float:
    """CPU seconds to find every match: other processes on a busy machine do not count."""
    start = time.process_time()
    try:
        with _hard_limit(2 * ABSOLUTE_BOUND):
            for _ in compiled.finditer(text):
                pass
    except PatternTimeout:
        pass
    return time.process_time() - start


def assert_linear(pattern: str, flags: int = 0, where: str = "") -> None:
    finding = superlinear(pattern, flags)
    assert finding is None, f"{where}: {pattern!r} took {finding}"
