"""Finding rules (built-in and third-party) and matching report items to them."""

from __future__ import annotations

import difflib
import importlib
import inspect
import pkgutil
import re
from collections import Counter
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
    for rule in found:
        # Prepared once with the rules (before a worker is forked per repository), not per verification.
        rule._matching_texts = (rule.texts, _prepare_texts(rule.texts))  # type: ignore[attr-defined]
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
    keys = list(ignore or ())
    return chosen - {r.id for r in rules if any(_selects(r, key) for key in keys)} if keys else chosen


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


def _positions(text: str) -> dict[str, int]:
    """For each character, the bit mask of the positions where it occurs in `text` (for `lcs_length`)."""
    masks: dict[str, int] = {}
    for position, character in enumerate(text):
        masks[character] = masks.get(character, 0) | (1 << position)
    return masks


def lcs_length(a: str, b: str, b_positions: dict[str, int] | None = None) -> int:
    """The length of the longest common subsequence of `a` and `b` (bit-parallel, Hyyro 2004): one pass
    over `a` with a few operations on integers as wide as `b`, where a table would cost len(a) * len(b)."""
    masks = _positions(b) if b_positions is None else b_positions
    width = (1 << len(b)) - 1
    row = width
    for character in a:
        shared = row & masks.get(character, 0)
        row = ((row + shared) | (row - shared)) & width
    return len(b) - row.bit_count()


@dataclass(frozen=True)
class _Prepared:
    """An item text prepared for comparison: normalized, its content words, its character counts and the
    positions of each character (for `_match`'s bounds and `lcs_length`)."""

    text: str
    words: frozenset[str]
    characters: Counter[str]
    positions: dict[str, int]


def _ratio(matches: int, length: int) -> float:
    """difflib's ratio of `matches` matching characters in two texts of `length` characters together."""
    return 2.0 * matches / length if length else 1.0


@dataclass(frozen=True)
class Match:
    rule: type[Rule] | None
    score: float


def _prepare_texts(texts: tuple[str, ...]) -> tuple[_Prepared, ...]:
    """Each item text prepared for matching (`_Prepared`)."""
    return tuple(
        _Prepared(normalized, _content_words(normalized), Counter(normalized), _positions(normalized))
        for normalized in map(normalize_text, texts)
    )


def _matching_texts(rule: type[Rule]) -> tuple[_Prepared, ...]:
    """The rule's item texts prepared for matching: kept on a built-in rule since the rules were loaded
    (while its texts are the same), prepared now for any other."""
    kept = rule.__dict__.get("_matching_texts")
    if kept is not None and kept[0] is rule.texts:
        return kept[1]  # type: ignore[no-any-return]
    return _prepare_texts(rule.texts)


@dataclass
class _RuleTexts:
    """Every rule's item texts prepared for matching: by normalized text, and in rule order."""

    exact: dict[str, type[Rule]]
    comparable: list[tuple[type[Rule], _Prepared]]


@cache
def _rule_texts(rules: tuple[type[Rule], ...]) -> _RuleTexts:
    exact: dict[str, type[Rule]] = {}
    comparable = []
    for rule in rules:
        for prepared in _matching_texts(rule):
            exact.setdefault(prepared.text, rule)
            comparable.append((rule, prepared))
    return _RuleTexts(exact, comparable)


def forget_matches() -> None:
    """Empty the caches of item matching (for rules whose texts changed since they were matched)."""
    for cached in (_rule_texts, _normalized, _candidates, _match, _reaches_threshold):
        cached.cache_clear()


@lru_cache(maxsize=4096)
def _normalized(item_text: str) -> str:
    """`normalize_text` of an item text, kept: reading the report and verifying it both ask."""
    return normalize_text(item_text)


def _exact_match(item_text: str, modules: tuple[str, ...], rules: tuple[type[Rule], ...]) -> Match | None:
    """The Match of an item whose normalized text is a rule's own, else None.
    Nearly every item of a report is a copy of the course's list: its answer is one look-up, without the
    caches keyed by the whole rule tuple, which cost more than the look-up itself."""
    rule = _rule_texts(rules).exact.get(_normalized(item_text))
    if rule is None:
        return None
    return Match(rule, 1.0 + (MODULE_BONUS if set(modules) & set(rule.modules) else 0.0))


def match_item(item: ChecklistItem, rules: Sequence[type[Rule]]) -> Match:
    """The rule this checklist item answers to, by text similarity with a bonus for a shared module tag and
    a penalty for tags that name only other modules. Kept per item text and tags: reading the report and
    verifying it both ask, and a cohort's reports share most item texts."""
    modules, rules_key = tuple(item.modules), tuple(rules)
    exact = _exact_match(item.text, modules, rules_key)
    return exact if exact is not None else _match(item.text, modules, rules_key)


def is_course_item(item: ChecklistItem, rules: Sequence[type[Rule]]) -> bool:
    """Whether `match_item` would give this item a rule (its best score reaches MATCH_THRESHOLD), found
    without looking for the best: a text whose bound cannot reach the threshold is passed over, and the
    first that reaches it ends the search. Reading a report asks this of every checklist line of every
    Markdown file that may be the report, most of them no course item, for which the best match would
    compute a difflib ratio against most rule texts."""
    modules, rules_key = tuple(item.modules), tuple(rules)
    if _exact_match(item.text, modules, rules_key) is not None:
        return True
    return _reaches_threshold(item.text, modules, rules_key)


@lru_cache(maxsize=4096)
def _reaches_threshold(item_text: str, modules: tuple[str, ...], rules: tuple[type[Rule], ...]) -> bool:
    found = _candidates(item_text, modules, rules)
    text = _normalized(item_text)
    for upper, _, word_score, _, adjust, _, candidate in found:
        if upper < MATCH_THRESHOLD:
            return False  # the texts are in order of their bounds: none left can reach it
        if word_score + adjust >= MATCH_THRESHOLD:
            return True
        length = len(text) + len(candidate.text)
        if _ratio(lcs_length(text, candidate.text, candidate.positions), length) + adjust < MATCH_THRESHOLD:
            continue
        sequence = difflib.SequenceMatcher(None, text, candidate.text, autojunk=False)
        if sequence.ratio() + adjust >= MATCH_THRESHOLD:
            return True
    return False


def _module_adjustment(modules: tuple[str, ...], rule: type[Rule]) -> float:
    """A shared module tag is a bonus; a tag naming only other modules ("Write unit tests for the API
    (M24)" against the M16 test rules) a penalty."""
    if modules and rule.modules:
        return MODULE_BONUS if set(modules) & set(rule.modules) else -MODULE_PENALTY
    return 0.0


_Candidate = tuple[float, int, float, float, float, "type[Rule]", _Prepared]


@lru_cache(maxsize=4096)
def _candidates(item_text: str, modules: tuple[str, ...], rules: tuple[type[Rule], ...]) -> list[_Candidate]:
    """Every rule text with the upper bound of its score for an item whose text is no rule's own
    (`_exact_match` answers those): (upper, rule order, word score, difflib's own bound, module adjustment,
    rule, text), highest bound first and in rule order on a tie; computed once for `_match` and
    `_reaches_threshold`."""
    text = _normalized(item_text)
    prepared = _rule_texts(rules)
    words = _content_words(text)
    characters = Counter(text)
    # The characters both texts hold (with repeats), counted in C (`map`): a generator here was most of
    # the cost of an item that is no rule's own text.
    letters, counts, absent = list(characters), list(characters.values()), [0] * len(characters)
    candidates = []
    for index, (rule, candidate) in enumerate(prepared.comparable):
        adjust = _module_adjustment(modules, rule)
        length = len(text) + len(candidate.text)
        shared = sum(map(min, counts, map(candidate.characters.get, letters, absent)))
        bound = min(_ratio(min(len(text), len(candidate.text)), length), _ratio(shared, length))
        word_score = _word_score(words, candidate.words)
        candidates.append(
            (max(word_score, bound) + adjust, index, word_score, bound, adjust, rule, candidate)
        )
    candidates.sort(key=lambda entry: (-entry[0], entry[1]))
    return candidates


@lru_cache(maxsize=4096)
def _match(item_text: str, modules: tuple[str, ...], rules: tuple[type[Rule], ...]) -> Match:
    """The rule text most like an item whose text is no rule's own (`match_item` asks `_exact_match`
    first): the highest score max(word overlap, difflib ratio) + module adjustment, the first such text in
    rule order on a tie, and None below MATCH_THRESHOLD.

    difflib's ratio is the costly part (pure Python, about a tenth of a millisecond for a line), so the
    texts are visited from the highest upper bound of their score down (`_candidates`), and a ratio is
    computed only for a text whose bound can still beat the best so far: first the bounds difflib gives
    itself (lengths, shared characters), then the longest common subsequence, which no matching blocks can
    exceed. The result is the same as comparing every text in order."""
    candidates = _candidates(item_text, modules, rules)
    text = _normalized(item_text)
    best_score, best_index, best_rule = 0.0, -1, None  # the empty match wins a tie at 0.0, as no rule
    for upper, index, word_score, bound, adjust, rule, candidate in candidates:
        if upper < best_score:
            break  # every text left is bounded below the best
        if upper == best_score and index > best_index:
            continue  # at best a tie, which the earlier text wins
        similarity = word_score
        if bound > word_score:
            length = len(text) + len(candidate.text)
            subsequence = _ratio(lcs_length(text, candidate.text, candidate.positions), length)
            if subsequence + adjust > best_score or (
                subsequence + adjust == best_score and index < best_index
            ):
                sequence = difflib.SequenceMatcher(None, text, candidate.text, autojunk=False)
                similarity = max(word_score, sequence.ratio())
        score = similarity + adjust
        if score > best_score or (score == best_score and index < best_index):
            best_score, best_index, best_rule = score, index, rule
    return Match(best_rule, best_score) if best_score >= MATCH_THRESHOLD else Match(None, best_score)
