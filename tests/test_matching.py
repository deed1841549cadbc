"""Matching report items to rules across course years, student edits and unknown lines."""

from __future__ import annotations

import difflib
import random

import pytest

from verifier import registry
from verifier.registry import (
    MATCH_THRESHOLD,
    MODULE_BONUS,
    MODULE_PENALTY,
    Match,
    _content_words,
    _word_score,
    all_rules,
    lcs_length,
    match_item,
    normalize_text,
    select_rules,
)
from verifier.report import ChecklistItem
from verifier.rule import Rule


def item(text: str, modules: tuple[str, ...] = ()) -> ChecklistItem:
    return ChecklistItem(line=1, section="Week 1", text=text, mark="x", ticked=True, modules=modules)


def rule_for(text: str, modules: tuple[str, ...] = ()) -> str | None:
    match = match_item(item(text, modules), all_rules())
    return match.rule.id if match.rule else None


def test_every_rule_text_matches_its_own_rule() -> None:
    rules = all_rules()
    for rule in rules:
        for text in rule.texts:
            assert rule_for(text, rule.modules) == rule.id, text


def test_rule_ids_are_unique_and_every_rule_is_declared() -> None:
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert rule.title and rule.texts and rule.docs(), rule.id


@pytest.mark.parametrize(
    ("text", "modules", "expected"),
    [
        # 2026 wording of item 7, wrapped and with the compound tag
        (
            "Remember to either fill out the `requirements.txt`/`requirements_dev.txt` files or keeping your "
            "`pyproject.toml`/`uv.lock` up-to-date with whatever dependencies that you are using (M2+M6)",
            ("M2", "M6"),
            "m02.requirements",
        ),
        # 2023-24 wording, no tags
        (
            "Remember to fill out the `requirements.txt` file with whatever dependencies that you are using",
            (),
            "m02.requirements",
        ),
        (
            "Fill out the `make_dataset.py` file such that it downloads whatever data you need and",
            (),
            "m06.data",
        ),
        ("Calculate the coverage.", (), "m16.coverage"),
        ("If applicable, play around with distributed data loading", (), "m29.data-loading"),
        (
            "Use Weights & Biases to log training progress and other important metrics/artifacts in your code. "
            "Additionally, consider running a hyperparameter optimization sweep.",
            (),
            "m14.wandb-sweep",
        ),
        (
            "Use Weights & Biases to log training progress and other important metrics/artifacts in your code",
            ("M14",),
            "m14.wandb",
        ),
        # 2022 wording
        (
            "Create a dedicated environment for you project to keep track of your packages (using conda)",
            (),
            "m02.conda-environment",
        ),
        (
            "Create a dedicated environment for you project to keep track of your packages",
            ("M2",),
            "m02.environment",
        ),
        ("(extra) Implemented pre-commit hooks for your project repository", (), "m18.pre-commit"),
        ("Deployed your model locally using TorchServe", (), "m23.torchserve"),
        # the report's profiling tag is M12 although the module is M13
        ("Use profiling to optimize your code (M12)", ("M12",), "m13.profiling"),
        # student edits: paraphrase, typos, a trailing name
        ("Fill out the data.py file to download and preprocess the data", ("M6",), "m06.data"),
        ("Used Hydra to load the configuratons and manage our hyperparameters", ("M11",), "m11.hydra"),
        ("Construct one or multiple docker files for your code - Bob", ("M10",), "m10.dockerfiles"),
        ("Uploaded all your code to Github", (), "extra.code-on-github"),
    ],
)
def test_wordings_of_every_year_match(text: str, modules: tuple[str, ...], expected: str) -> None:
    assert rule_for(text, modules) == expected


@pytest.mark.parametrize("text", ["Bake a cake for the TAs", "Write a haiku about Kubernetes", "Misc"])
def test_unrelated_lines_match_no_rule(text: str) -> None:
    assert rule_for(text) is None


def test_normalize_text_drops_tags_and_markup() -> None:
    assert normalize_text("Fill out the `data.py` file (M6)") == "fill out the data py file"


def test_select_and_ignore_by_id_prefix_and_module() -> None:
    rules = all_rules()
    assert select_rules(rules, ["m11.hydra"], None) == {"m11.hydra"}
    assert select_rules(rules, ["m17"], None) == {"m17.ci", "m17.ci-matrix-cache", "m17.lint-ci"}
    kept = select_rules(rules, None, ["M21"])
    assert "m21.bucket-dvc" not in kept and "m11.hydra" in kept
    assert "m13.profiling" in select_rules(rules, ["M12"], None)


def test_a_tag_naming_only_other_modules_steers_away_from_a_rule() -> None:
    # no M16 test rule for an item tagged M24 (unknown, or the M24 rule, is read; a wrong pairing is not)
    assert rule_for("Write unit tests for the API", ("M24",)) in (None, "m24.api-tests")
    assert rule_for("Write unit tests related to the data part of your code", ("M16",)) == "m16.data-tests"


def test_a_match_is_kept_per_text_and_tags_and_the_tags_still_count() -> None:
    from verifier import registry

    registry.forget_matches()
    text = "Write some unit tests related to the data part of the code"  # no rule's own text
    first = match_item(item(text, ("M16",)), all_rules())
    again = match_item(item(text, ("M16",)), all_rules())
    assert again == first and registry._match.cache_info().hits == 1  # the report's reading, then the engine
    other_tag = match_item(item(text, ("M24",)), all_rules())
    assert other_tag.score < first.score  # another tag is another question, not the kept answer


def lcs_by_table(a: str, b: str) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        diagonal = 0
        for j, y in enumerate(b, 1):
            diagonal, row[j] = row[j], diagonal + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def test_lcs_length_is_the_longest_common_subsequence() -> None:
    generator = random.Random(17)
    pairs = [("", ""), ("abc", ""), ("", "abc"), ("abc", "abc"), ("abc", "xyz"), ("abcbdab", "bdcaba")]
    pairs += [
        (
            "".join(generator.choices("abcd ", k=generator.randint(0, 40))),
            "".join(generator.choices("abcd ", k=n)),
        )
        for n in range(0, 90, 3)
    ]
    for a, b in pairs:
        assert lcs_length(a, b) == lcs_by_table(a, b) == lcs_length(b, a), (a, b)


def match_every_text(text: str, modules: tuple[str, ...], rules: tuple[type[Rule], ...]) -> Match:
    """The definition `_match` must keep: every rule text compared in order, the first best score wins."""
    normalized = normalize_text(text)
    words = _content_words(normalized)
    best: Match = Match(None, 0.0)
    for rule in rules:
        for candidate in map(normalize_text, rule.texts):
            if normalized == candidate:
                bonus = MODULE_BONUS if set(modules) & set(rule.modules) else 0.0
                return Match(rule, 1.0 + bonus)
    for rule in rules:
        for candidate in map(normalize_text, rule.texts):
            adjust = 0.0
            if modules and rule.modules:
                adjust = MODULE_BONUS if set(modules) & set(rule.modules) else -MODULE_PENALTY
            ratio = difflib.SequenceMatcher(None, normalized, candidate, autojunk=False).ratio()
            score = max(_word_score(words, _content_words(candidate)), ratio) + adjust
            if score > best.score:
                best = Match(rule, score)
    return best if best.score >= MATCH_THRESHOLD else Match(None, best.score)


def test_the_pruned_search_finds_what_comparing_every_text_finds() -> None:
    """Items worded like no known text (names added, words dropped or swapped, other lines) get the same
    rule and the same score as a comparison with every text would give them."""
    rules = tuple(all_rules())
    generator = random.Random(2476)
    texts = [text for rule in rules for text in rule.texts]
    variants = [
        "Calculate the coverage. Easy command, all of us",
        "Get some continuous integration running on the GitHub repository (Henning, cloud, meet other day)",
        "Write unit tests related to model construction - Michael",
        "We made a cake for the exam",
        "Deployed the model to the moon",
        "",
    ]
    for text in generator.sample(texts, 12):
        words = text.split()
        cut = generator.randint(1, max(1, len(words) - 1))
        variants.append(" ".join(words[:cut]) + " (" + generator.choice(["Alex", "done twice", "M99"]) + ")")
        generator.shuffle(words)
        variants.append(" ".join(words))
        variants.append(" ".join(generator.sample(texts, 2)))
    for text in variants:
        for modules in ((), ("M16",), ("M99",)):
            registry.forget_matches()
            assert registry._match(text, modules, rules) == match_every_text(text, modules, rules), text


def test_is_course_item_says_whether_the_best_match_reaches_the_threshold() -> None:
    """Reading a report asks only whether a line is a course item: the early-stopping search must agree
    with the full comparison, for items above, near and below the threshold, with and without module tags."""
    rules = tuple(all_rules())
    generator = random.Random(62)
    texts = [text for rule in rules for text in rule.texts]
    variants = ["We made a cake for the exam", "Deployed the model to the moon", "", "- [ ] todo"]
    # typos: above the threshold by its character ratio alone, below it once tagged with another module
    variants.append("Crqateqthq iqitqal fqqe strqqturequsing coqkqecutter")
    for text in generator.sample(texts, 15):
        words = text.split()
        for keep in (0.9, 0.6, 0.4, 0.25):
            kept = [word for word in words if generator.random() < keep]
            variants.append(" ".join(kept))
        variants.append(" ".join(words[: len(words) // 2]) + " " + " ".join(generator.sample(texts, 1)))
        for rate in (0.15, 0.3, 0.45):  # typos: a high character ratio with few words in common
            variants.append("".join("q" if generator.random() < rate else char for char in text))
    reached = set()
    for text in variants:
        for modules in ((), ("M16",), ("M99",)):
            expected = match_every_text(text, modules, rules).rule is not None
            registry.forget_matches()
            assert registry.is_course_item(item(text, modules), rules) is expected, (text, modules)
            reached.add(expected)
    assert reached == {True, False}


def test_a_rule_text_is_matched_by_one_look_up_as_by_the_full_search() -> None:
    """An item whose text is a rule's own (the course's list, copied) is answered without the searches and
    their caches, with the rule and score of the full comparison, module bonus included."""
    rules = tuple(all_rules())
    for rule in rules:
        for text in rule.texts:
            for modules in ((), rule.modules, ("M99",)):
                registry.forget_matches()
                expected = match_every_text(text, modules, rules)
                assert match_item(item(text, modules), rules) == expected, (text, modules)
                assert registry.is_course_item(item(text, modules), rules) is True
                assert registry._match.cache_info().currsize == 0  # the look-up answered
                assert registry._reaches_threshold.cache_info().currsize == 0


def test_a_tie_goes_to_the_earlier_text() -> None:
    class First(Rule):
        id = "t.first"
        texts = ("Write unit tests for the data loading part",)

    class Second(Rule):
        id = "t.second"
        texts = ("Write unit tests for the data loading part",)

    class Near(Rule):
        id = "t.near"
        texts = ("Write unit tests for the model part",)

    text = "Write unit tests for the data loading parts, all of us"
    for rules in ((First, Second, Near), (Near, Second, First)):
        expected = match_every_text(text, (), rules)
        assert expected.rule is not Near
        assert registry._match(text, (), rules) == expected


def test_a_rule_whose_texts_change_is_matched_by_its_new_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Built-in rules' texts are prepared once, when the rules are loaded; a changed text is not missed."""
    rules = all_rules()
    rule = next(r for r in rules if r.id == "m16.coverage")
    assert rule_for("Zebra item about flying kites") is None
    try:
        monkeypatch.setattr(rule, "texts", ("Zebra item about flying kites",))
        registry.forget_matches()
        assert rule_for("Zebra item about flying kites") == "m16.coverage"
        assert rule_for("Calculate the coverage.") != "m16.coverage"
    finally:
        monkeypatch.undo()
        registry.forget_matches()
    assert rule_for("Calculate the coverage.") == "m16.coverage"
