"""Finding rules (built-in and third-party) and matching report items to them."""

from __future__ import annotations

import difflib
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType

from .report import ChecklistItem, item_text_without_tag
from .rule import Rule

ENTRY_POINT_GROUP = "verifier.rules"
MATCH_THRESHOLD = 0.62
MODULE_BONUS = 0.08
MODULE_PENALTY = 0.15
# Item texts are compared by their first 1,000 characters: checklist items are under 300, and difflib's
# similarity grows with the product of the lengths (a 5 MB item took minutes).
MAX_MATCHED_CHARS = 1_000


class RegistryError(RuntimeError):
    """Two rules claim the same id, or a plugin does not provide rules."""


def _rules_in(module: ModuleType) -> list[type[Rule]]:
    return [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, Rule) and obj is not Rule and obj.id and obj.__module__ == module.__name__
    ]


@cache
def builtin_rules() -> tuple[type[Rule], ...]:
    """Every rule class in the `verifier.rules` package (the repository's rules/ folder)."""
    package = importlib.import_module("verifier.rules")
    found: list[type[Rule]] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            found += _rules_in(importlib.import_module(f"{package.__name__}.{info.name}"))
    return tuple(found)


@cache
def _rule_entry_points() -> tuple[EntryPoint, ...]:
    """The installed `verifier.rules` entry points, found once per process (a scan of every installed
    distribution's metadata, about 4 ms, that grading 200 repositories need not repeat)."""
    return tuple(entry_points(group=ENTRY_POINT_GROUP))


def plugin_rules(warnings: list[str] | None = None) -> list[type[Rule]]:
    """Rules from the entry-point group `verifier.rules`: a Rule class, a module of them, or a list."""
    found: list[type[Rule]] = []
    for point in _rule_entry_points():
        try:
            loaded = point.load()
        except Exception as error:
            if warnings is not None:
                warnings.append(f"rule plugin {point.name!r} failed to load: {error}")
            continue
        if inspect.ismodule(loaded):
            found += _rules_in(loaded)
        elif inspect.isclass(loaded) and issubclass(loaded, Rule):
            found.append(loaded)
        elif isinstance(loaded, Iterable):
            found += [r for r in loaded if inspect.isclass(r) and issubclass(r, Rule)]
        elif warnings is not None:
            warnings.append(f"rule plugin {point.name!r} provides no Rule classes")
    return found


def all_rules(warnings: list[str] | None = None) -> list[type[Rule]]:
    rules: dict[str, type[Rule]] = {}
    for rule in [*builtin_rules(), *plugin_rules(warnings)]:
        if rule.id in rules and rules[rule.id] is not rule:
            raise RegistryError(
                f"rule id {rule.id!r} is defined twice ({rules[rule.id].__module__}, {rule.__module__})"
            )
        rules[rule.id] = rule
    return list(rules.values())


def select_rules(
    rules: Sequence[type[Rule]], select: Iterable[str] | None, ignore: Iterable[str] | None
) -> set[str]:
    """Ids of the rules kept by `--select` / `--ignore` (rule ids, id prefixes like `m17`, or modules like `M21`)."""
    chosen = {r.id for r in rules if not select or any(_selects(r, key) for key in select)}
    return {
        rid
        for rid in chosen
        if not any(_selects(r, key) for r in rules if r.id == rid for key in ignore or ())
    }


def unknown_keys(rules: Sequence[type[Rule]], keys: Iterable[str] | None) -> list[str]:
    """The --select/--ignore keys that name no rule id, id prefix or module (a typo selects nothing)."""
    return [key for key in keys or () if not any(_selects(rule, key) for rule in rules)]


def _selects(rule: type[Rule], key: str) -> bool:
    key = key.strip()
    return rule.id == key or rule.id.startswith(key.rstrip(".") + ".") or key.upper() in rule.modules


_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "and",
        "or",
        "of",
        "for",
        "your",
        "you",
        "in",
        "on",
        "with",
        "that",
        "it",
        "its",
        "is",
        "are",
        "be",
        "using",
        "use",
    ]
)


def normalize_text(text: str) -> str:
    """Lower-case words of an item text (its first MAX_MATCHED_CHARS characters) without module tag,
    markup or punctuation."""
    return " ".join(_WORD.findall(item_text_without_tag(text[:MAX_MATCHED_CHARS]).lower().replace("`", "")))


def _content_words(text: str) -> frozenset[str]:
    return frozenset(word for word in text.split() if word not in _STOP)


def _word_score(words_a: frozenset[str], words_b: frozenset[str]) -> float:
    """Overlap of content words; containment lets a trailing remark or a truncated line still match."""
    shared = len(words_a & words_b)
    overlap = shared / max(1, len(words_a | words_b))
    containment = shared / max(1, min(len(words_a), len(words_b)))
    return 0.5 * overlap + 0.5 * containment * min(1.0, shared / 4)


def _similarity(a: str, b: str, words_a: frozenset[str], words_b: frozenset[str], floor: float) -> float:
    words = _word_score(words_a, words_b)
    sequence = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if max(words, floor) >= sequence.real_quick_ratio() or max(words, floor) >= sequence.quick_ratio():
        return words
    return max(words, sequence.ratio())


@dataclass(frozen=True)
class Match:
    rule: type[Rule] | None
    score: float


@cache
def _rule_texts(
    rules: tuple[type[Rule], ...],
) -> tuple[dict[str, type[Rule]], list[tuple[type[Rule], str, frozenset[str]]]]:
    exact: dict[str, type[Rule]] = {}
    texts = []
    for rule in rules:
        for text in rule.texts:
            normalized = normalize_text(text)
            exact.setdefault(normalized, rule)
            texts.append((rule, normalized, _content_words(normalized)))
    return exact, texts


def match_item(item: ChecklistItem, rules: Sequence[type[Rule]]) -> Match:
    """The rule this checklist item answers to, by text similarity with a bonus for a shared module tag and
    a penalty for tags that name only other modules. Kept per item text and tags: reading the report and
    verifying it both ask, and a cohort's reports share most item texts."""
    return _match(item.text, tuple(item.modules), tuple(rules))


@lru_cache(maxsize=4096)
def _match(item_text: str, modules: tuple[str, ...], rules: tuple[type[Rule], ...]) -> Match:
    text = normalize_text(item_text)
    exact, texts = _rule_texts(rules)
    if text in exact:
        return Match(exact[text], 1.0 + (MODULE_BONUS if set(modules) & set(exact[text].modules) else 0.0))
    words = _content_words(text)
    best: Match = Match(None, 0.0)
    for rule, candidate, candidate_words in texts:
        # A shared module tag is a bonus; a tag naming only other modules ("Write unit tests for the API
        # (M24)" against the M16 test rules) a penalty.
        if modules and rule.modules:
            adjust = MODULE_BONUS if set(modules) & set(rule.modules) else -MODULE_PENALTY
        else:
            adjust = 0.0
        score = _similarity(text, candidate, words, candidate_words, best.score - adjust) + adjust
        if score > best.score:
            best = Match(rule, score)
    return best if best.score >= MATCH_THRESHOLD else Match(None, best.score)
