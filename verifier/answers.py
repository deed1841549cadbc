"""Check what the answers to the report's questions claim against the repository.

Each finding quotes the claim, says what the repository shows and gives a verdict: consistent,
inconsistent (the repository contradicts the answer), unverifiable, or, for the length and image checks,
incomplete (an answer left unanswered, too short or too long: a note for the group, not a contradiction). The checks read answers by their `### Question N` headings and know both
the 31-question (2025-26) and the 27-question (2023-24) numbering.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import posixpath
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pathspec

from .coverage_check import coverage_data, measure_coverage_total
from .dvcfiles import without_file_listings
from .evidence import Evidence, Location, Status
from .registry import all_rules
from .repo import GITIGNORE
from .report import Answer, Report
from .results import AnswerFinding
from .rule import checked, run_rule
from .safe_yaml import YamlRefused, load_all
from .textsearch import Clauses, fold
from .witness import (
    SENTENCE_BREAK,
    WEB_ADDRESS,
    Substitution,
    folded,
    folded_sentences,
    holds_denial,
    judge,
    lead_matches,
    leading_literals,
    literals,
    may_match,
    substitute_all,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Container, Iterator, Mapping, Sequence

    from .repo import Repo
    from .results import Verification
    from .rule import Rule

# Recommended word ranges and image counts when a question does not print them (COURSE.md 2.3).
WORDS_31 = {
    3: (0, 200),
    7: (50, 100),
    11: (200, 300),
    12: (50, 100),
    14: (200, 300),
    17: (50, 200),
    28: (0, 200),
}
WORDS_31.update({n: (100, 200) for n in (4, 5, 6, 8, 9, 10, 13, 15, 16, 18, 22, 23, 24, 25, 26, 27)})
WORDS_31.update({29: (200, 400), 30: (200, 400), 31: (50, 300)})
WORDS_27 = {
    6: (50, 100),
    7: (50, 100),
    11: (200, 300),
    12: (50, 100),
    14: (200, 300),
    17: (50, 200),
    24: (25, 100),
}
WORDS_27.update({n: (100, 200) for n in (3, 4, 5, 8, 9, 10, 13, 15, 16, 18, 22, 23)})
WORDS_27.update({25: (200, 400), 26: (200, 400), 27: (50, 200)})
IMAGES_31 = {14: (1, 3), 19: (1, 2), 20: (1, 2), 21: (1, 2), 29: (1, 1)}
IMAGES_27 = {14: (1, 3), 19: (1, 2), 20: (1, 1), 21: (1, 1), 25: (1, 1)}
# Bounds on what the claim checks read, far above any real answer (the longest of the seed reports has
# 2,000 characters, its longest sentence 312): a hostile answer costs linear time, never more.
MAX_ANSWER_CHARS = 20_000  # an answer's claims are read in its first 20,000 characters
CONTEXT_CHARS = 1_000  # a sentence or clause around a mention is looked for within this distance
MAX_MENTIONS = 50  # mentions of one tool examined per answer (the first one that is a claim counts)
MAX_CITED_PATHS = 200  # cited paths checked per answer
MAX_FIGURES = 50  # embedded figures checked per answer
FILLER = re.compile(r"fewafewubaofew", re.IGNORECASE)
# looked for in the answer's folded text first (the witness folds it too)
FILLER_LITERALS = literals(FILLER)
# (The look-ahead at the start of this and the next patterns names the first character of every alternative:
# `re` then tries the alternatives only where one of them can start, which makes a scan about a third faster;
# same matches, tests/test_reading_costs.py.)
NEGATION = re.compile(
    r"(?=[nwir])(\b(not|no|never|without|neither|nor|instead of|rather than)\b|n't\b)[^.]{0,60}$",
    re.IGNORECASE,
)
# A negation right after the mention, in the same clause: "DVC was not used", "Caching: no".
NEGATED_AFTER = re.compile(
    r"^\s*(?:[\w&/-]+\s+){0,3}?(was|were|is|are|has|have|had)\s*(not|n't|never)\b|^[^.;]{0,20}:\s*no\b"
    r"|^\s*(nothing|none)\b",
    re.IGNORECASE,
)
# A clause that names a tool as a plan or dropped work: no claim that it is used.
DISMISSED = re.compile(
    r"\b(?=[acdnorw])(considered\s+(using|adding|it\s+but|\w+\s+but)|decided\s+against|went\s+back\s+to|abandon\w*|"
    r"out\s+of\s+(our\s+)?scope|outside\s+(of\s+)?our\s+scope|never\s+got\s+around|ran\s+out\s+of\s+time|"
    r"on\s+our\s+(wish\s?)?list)\b",
    re.IGNORECASE,
)
# Right before the mention: "chose FastAPI over BentoML", "Compared to Streamlit", "alternatives like Streamlit",
# "we skipped caching", "dropped DVC".
ALTERNATIVE_BEFORE = re.compile(
    r"(?=[acdiprsvw])(\b(chose|chosen|prefer\w*|picked|selected|went\s+with)\b[^.]{0,40}\bover|\bcompared\s+(to|with)|"
    r"\balternatives?\s+(like|such\s+as|to)|\binstead\s+of|\brather\s+than|\bvs\.?|\bversus|"
    r"\b(skipped|dropped|removed))\s+(\w+\s+){0,2}$",
    re.IGNORECASE,
)
# A clause about the team's own machines or local work, not about CI.
LOCAL = re.compile(
    r"\blocal(ly)?\b|\b(our|own|personal) (machines?|laptops?|computers?|pcs?)\b|\bgroup members\b|"
    r"\bteam members\b",
    re.IGNORECASE,
)
CLAUSE_BREAK = re.compile(
    r"(?=[,;bw])(?:,\s*(?:but|while|whereas)\b|;|\bbut\b|\bwhereas\b|\bwhile\b)", re.IGNORECASE
)
SEPARATE_REPOSITORY = re.compile(
    r"\b(separate|another|other|second|different) (github )?repo(sitor(y|ies))?\b", re.I
)
PYTHON_VERSION = re.compile(
    r"\b(3\.(?:[6-9]|1[0-4]))\b(?!\s*(?:minutes?|mins?|seconds?|secs?|s\b|hours?|h\b|gb|mb|%|x\b|times?))",
    re.IGNORECASE,
)
HYPOTHETICAL = re.compile(
    r"\b(?=[cimnpsw])(could|would|might|should|plan(ned)? to|in the future|if we had|were to|next step)\b",
    re.I,
)
DISMISSED_LITERALS = literals(DISMISSED)
HYPOTHETICAL_LITERALS = literals(HYPOTHETICAL)
NOT_CI = re.compile(r"pre-?commit|\bmanual(ly)?\b|\blocal(ly)?\b|\bIDE\b|vs ?code", re.IGNORECASE)
IN_CI = re.compile(r"\bworkflows?\b|github actions?|\bCI\b|continuous integration|pipeline", re.IGNORECASE)
DONE = re.compile(
    r"\bwe\b[^.]{0,40}\b(used|implemented|deployed|set up|built|created|added|wrote|integrated|employed)\b",
    re.I,
)
NUMBER_WORDS = {
    w: n
    for n, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}
# Folders and files that tools write at run time and groups rightly do not commit: Hydra's outputs/,
# multirun/ and .hydra/, experiment trackers, checkpoints, profiler traces, coverage and test caches.
RUNTIME_OUTPUT = re.compile(
    r"(?:^|/)(?:outputs|multirun|\.hydra|logs?|wandb|mlruns|runs|checkpoints|lightning_logs|tb_logs|tensorboard|"
    r"profil\w*|htmlcov|\.pytest_cache|__pycache__)(?:/|$)|\.(?:prof|pstats|lprof|log)$|\.pt\.trace\.json$",
    re.IGNORECASE,
)
# Data and trained models, which groups keep out of git (in DVC, a bucket, or made by a run).
DATA_OR_MODEL = re.compile(
    r"^(?:\./)?(?:data|models?)(?:/|$)|\.(?:ckpt|pth?|onnx|safetensors)$", re.IGNORECASE
)
# A sentence about a path that is gone or was never part of the work: "we deleted `evaluate.py`". The
# look-ahead names the first letter of every alternative: `re` then tries the alternatives only at a word
# start with one of them, which halves the time of a scan (a search of every answer citing a path).
REMOVED = re.compile(
    r"\b(?=[dglnoru])(?:(?:remov|delet|dropp|renam|deprecat|obsolete|discard)\w*|not\s+(?:used|needed|in\s+use)\b|"
    r"unused\b|no\s+longer\b|got\s+rid\s+of\b|left\s+(?:it\s+)?out\b|replaced\b|did(?:n't|\s+not)\s+(?:use|keep|need))",
    re.I,
)
REMOVED_STARTS = leading_literals(REMOVED)
# Words saying the code writes a path when it runs: "logs are written to `logs/`", "the model is saved to
# `models/model.pt`", "`data/processed/` is generated by `data.py`".
WRITE_VERB = (
    r"(?:sav(?:e|es|ed)|writ(?:e|es|ten)|logs?|logged|dump(?:s|ed)?|export(?:s|ed)?|stor(?:e|es|ed)|"
    r"generat(?:e|es|ed)|produc(?:e|es|ed)|download(?:s|ed)?|cach(?:e|es|ed)|outputs?|outputted)"
)
WRITTEN_PARTICIPLE = (
    r"(?:generated|written|saved|created|produced|downloaded|populated|filled|cached|stored|logged)"
)
# A word each of `_said_written`'s patterns needs, standing alone: a write verb or a participle of writing.
WRITE_WORDS = re.compile(rf"\b(?:{WRITE_VERB}|{WRITTEN_PARTICIPLE})\b", re.IGNORECASE)
# Code that writes a file or folder: the missing path's name next to one of these is an output of a run.
WRITES = re.compile(
    r"open\([^)\n]{0,200}[\"'][wa]b?[\"']|\.write|save|dump|to_csv|to_json|savefig|export|mkdir|makedirs|--out\w*|"
    r"-o\s|--csv|>\s*\S|log_?dir|output_?dir|dirpath|save_?dir|filename\s*=|FileHandler|sink|\.add\(",
    re.I,
)
PATH_TOKEN = re.compile(r"`([^`\s]+)`")
# What PATH_TOKEN takes between any two backquotes that follow each other, whichever pair they belong to: the
# closing one is left to open the next.
SPAN_TOKEN = re.compile(r"`([^`\s]+)(?=`)")
# What `_prose` removes. Each scan stops where its pattern could start again (an opening quote, a bracket,
# a `<`), so a text repeating the opening thousands of times is still read once.
QUOTED_QUESTION = re.compile(r"[\"\u201c][^\"\u201c\u201d\n]{3,300}\?[\"\u201d]")
# What every QUOTED_QUESTION holds, which `literals` does not read from its character classes: most answers
# quote no question, and scanning each from every quote mark costs more than the rest of `_prose`.
QUOTED_QUESTION_NEEDS = (frozenset({"?"}), frozenset({'"', "\u201c"}))
EMBEDDED_IMAGE = re.compile(r"!\[[^\[\]]*\]\([^)\]]*\)|<img[^<>]*>")
LINK_TARGET = re.compile(r"\]\([^)\]]*\)")
RELATIVE_LINK = re.compile(r"(?<!!)\[[^\[\]]*\]\(([^)\s\]]+)\)")
LINK_TARGET_SHAPE = re.compile(r"\]\(([^)\s\]]+)\)")  # the part of a RELATIVE_LINK no sentence break can cut
# Whitespace before "endpoint"/"route", taken from its start: `metrics/` endpoint names an API route.
# Code spans joined by commas, "and" or "or" before "endpoints"/"routes": "the `root/` and `predict/` endpoints".
ROUTE_LIST = re.compile(
    r"(?:`[^`\n]{1,200}`\s{0,3}(?:,\s{0,3}(?:and\b|or\b)?|and\b|or\b)\s{0,3}){1,20}`[^`\n]{1,200}`"
    r"\s{1,3}(?:endpoints?|routes?)\b",
    re.IGNORECASE,
)
BEFORE_ROUTE = re.compile(r"(?<!\s)\s+(?:endpoint|route)", re.IGNORECASE)
PATH_SUFFIXES = (
    ".py",
    ".yaml",
    ".yml",
    ".toml",
    ".txt",
    ".md",
    ".json",
    ".dockerfile",
    ".cfg",
    ".ini",
    ".sh",
    ".ipynb",
    ".lock",
    ".dvc",
)
# Tools named in answers, and the rule whose evidence should back the mention.
LINTING_IN_CI = "m17.lint-ci"  # the rule whose evidence the CI answer's linting claim is judged by
TOOLS = {
    "Hydra": (r"\bhydra\b", "m11.hydra"),
    "Weights & Biases": (r"\bw&b\b|weights\s*(&|and)\s*biases|\bwandb\b", "m14.wandb"),
    "DVC": (r"\bdvc\b", "m08.dvc"),
    "Docker": (r"\bdocker\s*files?\b|\bdockerfiles?\b", "m10.dockerfiles"),
    "FastAPI": (r"\bfastapi\b", "m22.fastapi"),
    "Cloud Run": (r"\bcloud\s+run\b", "m23.cloud-deploy"),
    "Vertex AI": (r"\bvertex(\s+ai)?\b", "m21.cloud-training"),
    "Evidently": (r"\bevidently\b", "m27.drift-robustness"),
    "Locust": (r"\blocust\b", "m24.load-test"),
    "ONNX": (r"\bonnx\b", "m25.onnx-bentoml"),
    "BentoML": (r"\bbentoml\b", "m25.onnx-bentoml"),
    "Streamlit": (r"\bstreamlit\b", "m26.frontend"),
    "Prometheus": (r"\bprometheus\b", "m28.metrics"),
    "PyTorch Lightning": (r"\b(pytorch[- ])?lightning\b(?!-)", "m15.lightning"),
    "pre-commit": (r"\bpre-commit\b", "m18.pre-commit"),
}
# Compiled at import (each worker `verify` forks inherits them; the same holds for every module-level pattern
# here): a pattern given to `re` as text is compiled again in every verification, whose `re` cache starts empty.
TOOL_WORDS = {tool: re.compile(pattern, re.IGNORECASE) for tool, (pattern, _) in TOOLS.items()}
TOOL_LITERALS = {tool: literals(words) for tool, words in TOOL_WORDS.items()}
BEFORE_ROUTE_LITERALS = literals(BEFORE_ROUTE)
# the final dot inside the group: the literal check then looks for "e.g.", "vs." ... (see witness.ABBREVIATION)
ABBREVIATION = re.compile(r"\b(e\.g\.|i\.e\.|etc\.|vs\.)", re.IGNORECASE)
CODE_BLOCK = re.compile(r"```.*?```", re.DOTALL)
CODE_SPAN = re.compile(r"`([^`]+)`")
EXTENSION_ONLY = re.compile(r"\*?\.\w+")
NAME_PATTERN_CHARACTER = re.compile(r"[{}<>$%]")
DOTTED_NAME = re.compile(r"[\w.]+")
BROKEN_PREFIX = re.compile(r"^(?:\.{3,}|…)/?")
DOT_SLASH = re.compile(r"^(\./)+")
DOT_DOT_SLASH = re.compile(r"^(\.\./)+")
YAML_SUFFIX = re.compile(r"\.ya?ml$")
RELATIVE_PREFIX = re.compile(r"^(?:\.{3,}|…|\.\.)?/?")
SAID_TOTAL = re.compile(r"\b(in total|a total of|total of|altogether|overall)\b", re.IGNORECASE)
PERCENTAGE = re.compile(r"(\d{1,3}(?:[.,]\d+)?)\s*%")
NOT_THE_TOTAL = re.compile(
    r"\b(even|if|aim\w*|target\w*|goal|hope\w*|would|far from|to reach)\b[^.%]{0,25}$", re.I
)
NAMED_TOTAL = re.compile(r"total|overall|our (code )?coverage|in total", re.IGNORECASE)
OWN_PART_END = re.compile(r"\band\b|,(?!\s*(?:which|that)\b)")
PYTHON_3 = re.compile(r"\b3\.\d{1,2}\b")
PYTHON_3_PREFIX = re.compile(r"\b3\.\d{1,2}")
STUDY_NUMBER = re.compile(r"\bs\d{6}\b", re.IGNORECASE)
# What a CI answer may claim, and the words that claim it.
CI_PLATFORM_WORDS = {
    "Ubuntu/Linux": re.compile(r"\b(ubuntu|linux)\b", re.IGNORECASE),
    "Windows": re.compile(r"\bwindows\b", re.IGNORECASE),
    "macOS": re.compile(r"\bmac\s*os\b|\bmacos\b|\bosx\b", re.IGNORECASE),
    "caching": re.compile(r"\bcach(e|ing|ed)\b", re.IGNORECASE),
    "linting": re.compile(r"\blint(ing|er|s)?\b|\bruff\b|\bflake8\b", re.IGNORECASE),
}
# what each aspect's words need: an answer without them is not scanned for the aspect
CI_PLATFORM_LITERALS = {aspect: literals(words) for aspect, words in CI_PLATFORM_WORDS.items()}


# The patterns answers are scanned with for mentions (`_mentions`, the CI answer's Python versions), and the
# texts their matches hold near their start (`leading_literals`), read at import: a mention is tried only where
# one of those is in the answer (`_mention_matches`).
MENTION_STARTS = {
    words: starts
    for words in [*TOOL_WORDS.values(), *CI_PLATFORM_WORDS.values(), PYTHON_VERSION]
    if (starts := leading_literals(words)) is not None
}


def _mention_matches(text: str, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, the regex tried only at the places its `MENTION_STARTS` are (`lead_matches`):
    a case-insensitive regex gets no fast scan from `re`, and scanning an answer from its first literal on,
    where the words' literal is in a word they do not match ("docker compose" for the Dockerfile words) or
    the first mention is no claim ("we could use Hydra"), cost most of the tool and CI checks."""
    return lead_matches(pattern, text, MENTION_STARTS.get(pattern))


def check_answers(
    repo: Repo,
    report: Report,
    verification: Verification | None = None,
    *,
    measure_coverage: bool = False,
    rule_evidence: Mapping[str, Evidence] | None = None,
) -> list[AnswerFinding]:
    """Every answer check, in question order. A failing check becomes a warning, and the others run; only a
    `MemoryError` (a verification over its memory budget) is raised.

    `rule_evidence` is what rules already gave in `repo` (rule id -> evidence of `run_rule`, before the
    witness and the project view's fallbacks touched it): a check that needs a rule's own verdict takes it
    from there instead of running the rule again."""
    if not report.answers:
        return []
    modern = max(answer.number for answer in report.answers) > 27
    topics = {"tests": 7, "coverage": 8, "ci": 11, "group": 2}
    findings: list[AnswerFinding] = []
    claims = _claims_only(repo, report)
    checks = (
        lambda: completeness(report, modern),
        lambda: paths_and_figures(repo, claims),
        lambda: tests_claim(repo, claims.answer(topics["tests"])),
        lambda: coverage_claim(repo, claims.answer(topics["coverage"]), measure_coverage),
        lambda: ci_claim(repo, claims.answer(topics["ci"]), (rule_evidence or {}).get(LINTING_IN_CI)),
        lambda: group_claim(repo, claims.answer(topics["group"])),
        lambda: tool_claims(repo, claims, verification),
    )
    if not repo.files:
        checks = checks[:1]
        findings.append(
            AnswerFinding(
                1,
                "repository",
                "",
                "no files",
                "unverifiable",
                "the repository is empty: claims about files, tests, coverage, CI and tools cannot be checked",
            )
        )
    for run in checks:
        try:
            findings.extend(run())
        except MemoryError:  # over the memory budget: the verification fails as a whole (`rule.run_rule`)
            raise
        except Exception as error:
            repo.warn(f"an answer check failed: {type(error).__name__}: {error}")
    return sorted(findings, key=lambda f: (f.question, f.check))


def _claims_only(repo: Repo, report: Report) -> Report:
    """The report with each answer cut to its first MAX_ANSWER_CHARS characters and MAX_FIGURES figures,
    for the claim checks (the completeness check counts the whole answer)."""
    long = [answer.number for answer in report.answers if len(answer.text) > MAX_ANSWER_CHARS]
    if long:
        repo.warn(
            f"the answer(s) to Question {', '.join(map(str, long[:5]))} are longer than "
            f"{MAX_ANSWER_CHARS:,} characters; only their start was checked for claims"
        )
    answers = [
        replace(answer, text=answer.text[:MAX_ANSWER_CHARS], images=answer.images[:MAX_FIGURES])
        if len(answer.text) > MAX_ANSWER_CHARS or len(answer.images) > MAX_FIGURES
        else answer
        for answer in report.answers
    ]
    return replace(report, answers=answers)


def _where(report: Report, answer: Answer) -> Location:
    return Location("reports/README.md", answer.line, f"Question {answer.number}")


@functools.lru_cache(maxsize=256)
def _prose(text: str) -> str:
    """Answer text without images, links' targets, URLs, code and quoted course questions, with straight
    apostrophes and "e.g."/"i.e." that end no sentence, for word counts and claims (kept per text: each
    answer is read once per tool the answers may name)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return substitute_all(PROSE_SUBSTITUTIONS, text)


def _without_dots(match: re.Match[str]) -> str:
    return match.group(1).replace(".", "")


# What `_prose` does, in order.
PROSE_SUBSTITUTIONS = (
    Substitution(ABBREVIATION, _without_dots),
    Substitution(QUOTED_QUESTION, " ", QUOTED_QUESTION_NEEDS),
    Substitution(EMBEDDED_IMAGE, " "),
    Substitution(LINK_TARGET, "]"),
    Substitution(WEB_ADDRESS, " "),
    Substitution(CODE_BLOCK, " "),
)


def _quote(text: str, match: re.Match[str], width: int = 60) -> str:
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    return " ".join(text[start:end].split())


def completeness(report: Report, modern: bool) -> list[AnswerFinding]:
    words_table, images_table = (WORDS_31, IMAGES_31) if modern else (WORDS_27, IMAGES_27)
    findings = []
    for answer in report.answers:
        where = (Location("reports/README.md", answer.line, f"Question {answer.number}"),)
        words = _word_count(_prose(answer.text))
        low, high = answer.length_range or words_table.get(answer.number, (0, 10_000))
        problems = []
        if may_match(folded(answer.text), FILLER_LITERALS) and FILLER.search(answer.text):
            problems.append("the template's random filler text is still there")
        if not answer.text.strip() or _is_placeholder(answer.text):
            problems.append("not answered" + (" (placeholder left)" if answer.placeholder else ""))
        elif not low <= words <= high:
            problems.append(f"{words} words, recommended {low}-{high}")
        if answer.number in images_table:
            least, most = images_table[answer.number]
            if not least <= len(answer.images) <= most:
                problems.append(f"{len(answer.images)} image(s), asked for {least}-{most}")
        observed = f"{words} words, {len(answer.images)} image(s)"
        findings.append(
            AnswerFinding(
                question=answer.number,
                check="completeness",
                claim=_first_words(answer.text, 80),
                observed=observed,
                verdict="incomplete" if problems else "consistent",
                message="; ".join(problems) if problems else f"answered ({observed})",
                locations=where,
            )
        )
    return findings


# Each ASCII byte as `str.split` reads it: white space (a space) or a part of a word ("x").
WORD_MARKS = bytes(32 if chr(byte).isspace() else 120 for byte in range(256))


def _word_count(text: str) -> int:
    """`len(text.split())` without making the words (hundreds in an answer, and an answer's count cost
    more than the rest of its completeness check): in an ASCII text, the words that start the text or
    follow white space, counted in its bytes marked by WORD_MARKS."""
    if not text.isascii():
        return len(text.split())
    marked = text.encode("ascii").translate(WORD_MARKS)
    return marked.count(b" x") + marked.startswith(b"x")


def _first_words(text: str, width: int) -> str:
    """`" ".join(text.split())[:width]`, splitting only as much of `text` as that needs (an answer's claim is
    its first 80 characters; splitting the whole of every answer cost more than the rest of the check)."""
    size = 2 * width
    while size < len(text):
        head = text[:size]
        words = head.split()
        if words and not head[-1].isspace() and not text[size].isspace():
            words.pop()  # the last word goes on past `size`
        joined = " ".join(words)
        if len(joined) >= width:
            return joined[:width]
        size *= 2
    return " ".join(text.split())[:width]


PLACEHOLDER_WORDS = re.compile(r"todo|tbd|fill\s*in", re.IGNORECASE)
WORD_CHARACTER = re.compile(r"\w")


def _is_placeholder(text: str) -> bool:
    """The answer is only "TODO", "TBD", "fill in" or "..." between non-word characters."""
    first = WORD_CHARACTER.search(text)
    if first is None:
        return "..." in text
    # The placeholder starts at the first word character and the last one ends it. Its words start with
    # different letters, so the only match at the start is the placeholder: an answer whose first word is
    # none of them (any real answer) is not read further.
    placeholder = PLACEHOLDER_WORDS.match(text, first.start())
    return placeholder is not None and WORD_CHARACTER.search(text, placeholder.end()) is None


def _path_candidates(answer: Answer, top_folders: Container[str] = frozenset()) -> list[str]:
    """The paths `answer` cites in code spans and relative links. Without a backquote or a "](" it cites
    none, and most answers have neither: those are not read further."""
    if "`" not in answer.text and "](" not in answer.text:
        return []
    # Nor does an answer none of whose code spans and link targets, as written, reads as a path (3 of 4 past
    # the literal check: spans of commands, tool and package names; code fences). Dropping sentences below
    # only joins the rest with spaces, and a path token or link target holds none: each one found there is
    # in the answer as written, and one that is no path there is none in what is kept.
    if not any(_path_of(token, is_link, top_folders) for token, is_link in _tokens_as_written(answer.text)):
        return []
    # A path in a sentence about removing it ("we deleted `evaluate.py`") is not a claim that it exists. No
    # match of REMOVED crosses a sentence break, so one scan of the answer tells whether any sentence has one.
    if next(lead_matches(REMOVED, answer.text, REMOVED_STARTS), None):
        sentences = SENTENCE_BREAK.split(answer.text)
        kept = " ".join(sentence for sentence in sentences if not REMOVED.search(sentence))
    else:
        # Nothing to drop: the answer as written. The sentences joined again would differ from it only in the
        # white space after a sentence's end, which holds no code span's token or link target, nor the
        # non-space character before a route word's white space: the tokens, links and route ends below are
        # the same. Only ROUTE_LIST counts white space (and reads it inside code spans): it reads them joined.
        kept = answer.text
    # every link holds "](": an answer without one (most that cite paths, in code spans) is not scanned for them
    links = {m.group(1) for m in RELATIVE_LINK.finditer(kept)} if "](" in kept else set()
    tokens = [m.group(1) for m in PATH_TOKEN.finditer(kept)] + sorted(links)
    tokens = list(dict.fromkeys(tokens))[:MAX_CITED_PATHS]
    # where a token ends when it is followed by `?\s+(endpoint|route); only an answer naming endpoints or
    # routes is searched for them (a case-insensitive scan of every answer costs more than the literal check)
    route_words = _route_words(kept) if may_match(fold(kept), BEFORE_ROUTE_LITERALS) else []
    route_ends = {start - (kept[start - 1 : start] == "`") for start, _ in route_words}
    listed_routes: set[str] = set()
    # a ROUTE_LIST match ends with a code span, one to three white space characters and a route word: an
    # answer with no such route word has none (half of those naming routes)
    if any(word - start <= 3 and kept[start - 1 : start] == "`" for start, word in route_words):
        joined = SENTENCE_END.sub(_one_space_after, kept)  # " ".join(SENTENCE_BREAK.split(kept)), fast
        listed_routes = {
            name.lower() for m in ROUTE_LIST.finditer(joined) for name in CODE_SPAN.findall(m.group(0))
        }
    paths = []
    for token in tokens:
        path = _path_of(token, token in links, top_folders)
        if path is None:
            continue
        lowered = path.lower()
        if lowered in listed_routes:
            continue  # an API route of a list: "the `root/` and `predict/` endpoints"
        if any(kept[end - len(path) : end].lower() == lowered for end in route_ends if end >= len(path)):
            continue  # an API route such as `metrics/` endpoint
        paths.append(path)
    return list(dict.fromkeys(paths))


ROUTE_WORDS = ("endpoint", "route")


def _route_words(text: str) -> list[tuple[int, int]]:
    """Where each match of BEFORE_ROUTE in `text` starts, with where its route word starts: the white space
    before "endpoint" or "route" in any letter case, from the non-space character it follows. In an ASCII
    text the words are found by `str.find` in its lower case: `re` tries a case-insensitive pattern at every
    position of the text, at about a hundred times the cost. Any other text (its lower case need not keep
    the positions) is scanned by the pattern."""
    if not text.isascii():
        return [(m.start(), m.end() - len(m.group().lstrip())) for m in BEFORE_ROUTE.finditer(text)]
    lowered = text.lower()
    found = []
    for word in ROUTE_WORDS:
        at = lowered.find(word)
        while at != -1:
            start = at
            while start > 0 and text[start - 1].isspace():
                start -= 1
            if start < at:  # white space before the word, after a non-space character or the text's start
                found.append((start, at))
            at = lowered.find(word, at + 1)
    return sorted(found)


# A sentence's end and the white space after it: SENTENCE_BREAK with the end read, not looked behind at, so that
# `re` tries it only where an end is (a look-behind is tried at every position, at several times the cost).
SENTENCE_END = re.compile(r"([.!?])\s+")


def _one_space_after(match: re.Match[str]) -> str:
    return match.group(1) + " "


def _tokens_as_written(text: str) -> Iterator[tuple[str, bool]]:
    """What PATH_TOKEN takes between any two backquotes that follow each other, and every link target, in
    `text`, each with whether it may be a link target: every token `_path_candidates` reads in a part of
    `text` is one of them, whatever the backquotes before it pair with there."""
    targets = {m.group(1) for m in LINK_TARGET_SHAPE.finditer(text)} if "](" in text else set()
    for match in SPAN_TOKEN.finditer(text):
        yield match.group(1), match.group(1) in targets
    for target in targets:
        yield target, True


def _path_of(token: str, is_link: bool, top_folders: Container[str]) -> str | None:
    """The repository path a code span's or link target's `token` names, or None when it names none by its
    own shape: a URL, a command line option, an extension or a name pattern, an API route, a setting, an
    action or a user at a host, a dotted name, or words joined by slashes that start at no top folder
    (`top_folders`) and that neither a link nor a file suffix makes a path."""
    token = token.strip("'\"()").rstrip(".,;:").replace("\\", "/").split("#")[0].split("::")[0]
    if "/" not in token and not token.lower().endswith(PATH_SUFFIXES):
        return None  # a word, a command, a package: what most code spans hold
    if not token or token.startswith(("http:", "https:", "-", "$", "@", "<", "gs:", "s3:")) or " " in token:
        return None
    if EXTENSION_ONLY.fullmatch(token):
        return None  # only an extension (`.yaml`, `*.toml`): a kind of file, no path
    if NAME_PATTERN_CHARACTER.search(token):
        return None  # a name pattern (`config_seed{X}.yaml`, `logs/<timestamp>/`), no committed file
    if token.startswith("/") and not token.lower().endswith(PATH_SUFFIXES):
        return None  # an API route such as /predict, not a file
    if "=" in token or token.count(":") > 0:
        return None
    if "@" in token:
        return None  # actions/checkout@v4, user@host
    if DOTTED_NAME.fullmatch(token) and not token.lower().endswith(PATH_SUFFIXES):
        return None
    segments = [s for s in token.strip("/").split("/") if s not in (".", "", "..", "...")]
    if (
        not is_link
        and not token.lower().endswith(PATH_SUFFIXES)
        and not (len(segments) == 1 and token.endswith("/"))
        and not (segments and segments[0] in top_folders)
        and not token.startswith(("../", ".../", "…/"))
    ):
        return None  # a branch, a model or dataset id, an image name, entity/project: no repository path
    return token


def _spellings(token: str, report_folder: str) -> list[str]:
    """The repository paths an answer may mean by `token`: read from the report's folder (`../src/pkg/`)
    and from the root, without a broken prefix (`.../configs`), and with the other YAML suffix."""
    path = BROKEN_PREFIX.sub("", token.replace("\\", "/"))
    path = DOT_SLASH.sub("", path).rstrip("/")
    found = []
    if path.startswith("../"):
        from_report = posixpath.normpath(posixpath.join(report_folder, path))
        if not from_report.startswith(".."):
            found.append(from_report)
        path = DOT_DOT_SLASH.sub("", path)
    found.append(path)
    found += [YAML_SUFFIX.sub(lambda m: ".yml" if m.group(0) == ".yaml" else ".yaml", f) for f in found]
    return [f for f in dict.fromkeys(found) if f not in ("", ".")]


def _exists(repo: Repo, token: str, report_folder: str = "reports") -> bool:
    """True when one spelling of `token` names a file or folder of the repository, in any letter case (a
    Dockerfile named `api.dockerfile` cited as `api.Dockerfile`), also below a folder (`scripts/` for
    src/proj/scripts/) or under the repository's own name as a prefix."""
    for path in _spellings(token, report_folder):
        if "*" in path:
            if repo.glob(path):
                return True
            continue
        lower = path.lower()
        containing = repo.paths_containing(lower, ignore_case=True)
        if any(f.lower() == lower or f.lower().startswith(lower + "/") for f in containing):
            return True
        parts = lower.split("/")
        if len(parts) > 1 and any(
            repo.paths_containing("/".join(parts[i:]), ignore_case=True) and _under(repo, "/".join(parts[i:]))
            for i in range(1, len(parts))
        ):
            return True  # the answer prefixed the repository's own name
        if any(f.lower().endswith("/" + lower) or f"/{lower}/" in "/" + f.lower() for f in containing):
            return True
    return False


def _under(repo: Repo, lower: str) -> bool:
    return any(
        f.lower() == lower or f.lower().startswith(lower + "/")
        for f in repo.paths_containing(lower, ignore_case=True)
    )


def gitignored(repo: Repo, path: str, specs: dict[str, IgnoreFile] | None = None) -> bool:
    """True when any .gitignore in the tree excludes `path` or a folder above it, read as git reads them
    (patterns of a nested .gitignore relative to its folder, the deepest decision winning). pathspec over
    the committed .gitignore files, no git call: nothing of the group's git configuration is read.
    `specs` keeps each .gitignore's lines, by path, for the next call on the same repository."""
    path = DOT_SLASH.sub("", path).strip("/")
    if not path:
        return False
    candidates = [path] if "." in path.rpartition("/")[2] else [path, path + "/"]
    decision = None
    for ignore_file in sorted(repo.glob(".gitignore"), key=lambda f: f.count("/")):
        folder = ignore_file.rpartition("/")[0]
        if folder and not path.startswith(folder + "/"):
            continue
        if specs is None:
            rules = _gitignore_spec(repo, ignore_file)
        elif ignore_file in specs:
            rules = specs[ignore_file]
        else:
            rules = specs[ignore_file] = _gitignore_spec(repo, ignore_file)
        for candidate in candidates:
            result = rules.check(candidate[len(folder) + 1 :] if folder else candidate)
            if result is not None:
                decision = result
    return bool(decision)


# What splits a .gitignore pattern into the literal parts every path it matches holds: wildcards, bracket
# expressions (their content is a choice, no literal), escapes, negation, separators and whitespace.
GLOB_SYNTAX = re.compile(r"\[.*|[*?!/\\\s]")


@dataclass(frozen=True)
class IgnoreFile:
    """The pattern lines of one .gitignore, each with the literal parts that any path it matches contains
    (git's patterns are case-sensitive, and so is pathspec). A cited path is checked against the lines whose
    literals it holds, a few at most: compiling every line of a 150-line Python template .gitignore for one
    path cost more than the rest of the check, and a line whose literal text is not in the path cannot
    match it, so the decision (the last matching line's) is the same."""

    lines: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, text: str) -> IgnoreFile:
        lines = []
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue  # blank lines and comments are no patterns (pathspec skips them too)
            parts = tuple(part for part in GLOB_SYNTAX.split(line) if part)
            lines.append((line, parts))
        return cls(tuple(lines))

    def check(self, path: str) -> bool | None:
        """True when the last pattern matching `path` excludes it, False when it re-includes it (`!`),
        None when no pattern matches."""
        kept = [line for line, parts in self.lines if all(part in path for part in parts)]
        if not kept:
            return None
        return pathspec.PathSpec.from_lines(GITIGNORE, kept).check_file(path).include


def _gitignore_spec(repo: Repo, path: str) -> IgnoreFile:
    return IgnoreFile.of(repo.read(path) or "")


def _pointer_file(repo: Repo, path: str) -> Any:
    """The first YAML document of the DVC pointer file `path` without its per-file listings
    (`verifier.dvcfiles`: 200-400 kB of them in a cloud-versioned folder's pointer, read here only for its
    `outs` paths); the whole file's, with its warning, when the cut text cannot be read."""
    text = repo.read(path)
    cut = without_file_listings(text) if text is not None else None
    if cut is None or cut is text:
        return repo.yaml(path)
    try:
        documents = load_all(cut)
    except YamlRefused:
        return repo.yaml(path)
    return documents[0] if documents else None


def _dvc_tracked(repo: Repo) -> list[str]:
    """The paths DVC tracks: the `outs` of every *.dvc file and dvc.yaml stage, relative to the root. The
    glob `*.dvc` also matches DVC's own `.dvc/` folder, whose config is INI, not YAML: its files are left out."""
    tracked = []
    pointers = [
        path for path in repo.glob("*.dvc") if path.endswith(".dvc") and path.rsplit("/", 1)[-1] != ".dvc"
    ]
    for path in pointers + repo.glob("dvc.yaml", "dvc.lock"):
        folder = path.rpartition("/")[0]
        data = _pointer_file(repo, path) if path in pointers else repo.yaml(path)
        outs: list[Any] = []
        if isinstance(data, dict):
            outs += data.get("outs") or []
            for stage in (data.get("stages") or {}).values() if isinstance(data.get("stages"), dict) else ():
                outs += (stage.get("outs") or []) if isinstance(stage, dict) else []
        for out in outs:
            name = out.get("path") if isinstance(out, dict) else out if isinstance(out, str) else None
            if isinstance(name, str) and name:
                tracked.append(posixpath.normpath(posixpath.join(folder, name)))
    return tracked


def _under_dvc(path: str, tracked: list[str]) -> bool:
    """`path` lies in data DVC tracks, also when the answer starts it below the tracked folder's parent
    (`enriched/train.csv` for data/enriched tracked by data/enriched.dvc)."""
    path = DOT_SLASH.sub("", path).strip("/")
    for out in filter(None, tracked):
        if path == out or path.startswith(out + "/"):
            return True
        name = out.rpartition("/")[2]
        if path == name or path.startswith(name + "/"):
            return True
    return False


def _said_written(sentence: str, token: str) -> bool:
    """The sentence says the code writes `token` when it runs: "saved to `models/best.pt`", "`metrics.json`
    is generated by evaluate.py"."""
    if not WRITE_WORDS.search(sentence):
        return False  # neither pattern below can match: spares compiling them (most sentences say no write)
    quoted = r"[`\[]?" + re.escape(token)
    before = rf"\b{WRITE_VERB}\b[^.;]{{0,40}}?\b(?:to|into|in|at|as|under|inside)\s+(?:the\s+|a\s+)?{quoted}"
    after = (
        rf"{re.escape(token)}[`\]]?(?:\([^)\n]{{0,200}}\))?\s+(?:\w+\s+){{0,3}}?"
        rf"(?:is|are|was|were|gets?|will\s+be)\s+(?:\w+\s+)?{WRITTEN_PARTICIPLE}\b"
    )
    return bool(re.search(before, sentence, re.I) or re.search(after, sentence, re.I))


def _written_at_run_time(repo: Repo, path: str, sentence: str, token: str = "") -> bool:
    """The answer says the code writes the cited `token` ("saved to", "is generated"), or the group's code or
    automation names the folder or file of `path` next to a write (`mkdir reports/locust_results`,
    `open("metrics.json", "w")`)."""
    if token and _said_written(sentence, token):
        return True
    path = RELATIVE_PREFIX.sub("", path).strip("/")
    parts = [part for part in path.split("/") if part not in ("", ".", "..")]
    if not parts:
        return False
    names = {parts[-1]} | ({parts[-2]} if len(parts) > 1 else set())
    for name in names:
        if len(name) < 4:
            continue
        for location in repo.search(re.escape(name), *_automation_globs(repo), limit=5):
            if WRITES.search(location.snippet):
                return True
    return False


AUTOMATION_FILES = (
    "*.py",
    "*.sh",
    "Makefile",
    "*.yaml",
    "*.yml",
    "*.toml",
    "*.cfg",
)
# A character a gitignore-style glob reads as syntax, escaped to name one path exactly.
GLOB_SPECIAL = re.compile(r"[\\\[\]*?!# ]")


def _automation_globs(repo: Repo) -> tuple[str, ...]:
    """AUTOMATION_FILES and each Dockerfile the rules read (`Repo.dockerfiles`: `serve.Dockerfile`,
    `dockerfile`, `Dockerfile.api`, `Containerfile` in any letter case), named by its exact path."""
    return AUTOMATION_FILES + tuple(
        "/" + GLOB_SPECIAL.sub(r"\\\g<0>", dockerfile.path) for dockerfile in repo.dockerfiles
    )


def _why_not_committed(
    repo: Repo,
    path: str,
    sentence: str,
    tracked: list[str],
    token: str,
    specs: dict[str, IgnoreFile] | None = None,
) -> str | None:
    """Why a missing `path` cannot be in the repository by nature, or None when it should be there."""
    if RUNTIME_OUTPUT.search(path):
        return "a folder or file tools write at run time"
    if gitignored(repo, path, specs):
        return "git-ignored, so never committed"
    if _under_dvc(path, tracked):
        return "data tracked by DVC, not by git"
    if DATA_OR_MODEL.search(path):
        return "data or a trained model, kept out of git"
    if _written_at_run_time(repo, path, sentence, token):
        return "written when the code runs"
    return None


@dataclass(frozen=True)
class CitedPath:
    """A path an answer cites and what the repository says about it."""

    path: str
    state: str  # "exists", "missing" or "unverifiable"
    reason: str = ""


def cited_paths(
    repo: Repo,
    answer: Answer,
    top_folders: Container[str],
    specs: dict[str, IgnoreFile] | None = None,
) -> list[CitedPath]:
    """Every path `answer` cites, judged: it exists; it cannot be in the repository by nature (a run-time
    output, git-ignored, tracked by DVC, written by the code); or it is missing. `specs` keeps the
    .gitignore patterns read for one answer for the next (see `gitignored`)."""
    folder = (repo.report_path or "reports/README.md").rpartition("/")[0]
    tracked: list[str] = []
    judged = []
    for token in _path_candidates(answer, top_folders):
        if token in answer.images:
            continue
        if _exists(repo, token, folder):
            judged.append(CitedPath(token, "exists"))
            continue
        spellings = _spellings(token, folder) or [token]
        sentence = next((s for s in SENTENCE_BREAK.split(answer.text) if token in s), "")
        if not tracked:
            tracked = _dvc_tracked(repo) or [""]
        reason = next(
            filter(None, (_why_not_committed(repo, p, sentence, tracked, token, specs) for p in spellings)),
            None,
        )
        judged.append(CitedPath(token, "unverifiable", reason) if reason else CitedPath(token, "missing"))
    return judged


def paths_and_figures(repo: Repo, report: Report) -> list[AnswerFinding]:
    findings = []
    top_folders = repo.top_folders
    specs: dict[str, IgnoreFile] = {}
    for answer in report.answers:
        judged = cited_paths(repo, answer, top_folders, specs)
        if not judged and not answer.images:
            continue  # most answers: no finding, so no location made for one
        where = (Location("reports/README.md", answer.line, f"Question {answer.number}"),)
        if judged:
            claim = ", ".join(c.path for c in judged[:8])
            exist = sum(c.state == "exists" for c in judged)
            missing = [c.path for c in judged if c.state == "missing"]
            unknown = [c for c in judged if c.state == "unverifiable"]
            reasons = "; ".join(f"{c.path}: {c.reason}" for c in unknown)
            if missing:
                verdict, message = "inconsistent", f"not in the repository: {', '.join(missing)}"
                message += f" (cannot be in it: {reasons})" if unknown else ""
            elif unknown:
                verdict, message = "unverifiable", f"cannot be in the repository: {reasons}"
            else:
                verdict, message = "consistent", "every cited path exists"
            findings.append(
                AnswerFinding(
                    answer.number, "paths", claim, f"{exist} of {len(judged)} exist", verdict, message, where
                )
            )
        for image in answer.images:
            findings.append(_figure(repo, answer, image, where))
    return findings


def _figure(repo: Repo, answer: Answer, image: str, where: tuple[Location, ...]) -> AnswerFinding:
    def finding(verdict: str, message: str, observed: str = "") -> AnswerFinding:
        return AnswerFinding(answer.number, "figure", image, observed or message, verdict, message, where)

    if image.startswith(("http://", "https://")):
        return finding("unverifiable", "the figure is hosted outside the repository")
    path = repo.link_target(image, (repo.report_path or "reports/README.md").rpartition("/")[0])
    if not repo.has(path):
        return finding("inconsistent", f"{path} is not in the repository")
    if not path.lower().endswith((".png", ".jpg", ".jpeg")):
        return finding(
            "incomplete", f"{path} exists but is not a .png/.jpg/.jpeg file as the template asks", path
        )
    template = repo.template_match(path)
    if template is not None:
        return finding("inconsistent", f"{path} is the course's example figure ({template.template})", path)
    return finding("consistent", f"{path} exists", path)


def _count_pattern(noun: str) -> str:
    """A count of `noun`: a number of at most six digits (a longer one is no count of anything a group
    has, and int() refuses 4,300 digits and more) or a number word, up to three words before the noun."""
    return rf"\b(\d{{1,6}}|{'|'.join(NUMBER_WORDS)})\s+(?:\w+\s+){{0,3}}?{noun}"


TEST_COUNT = re.compile(_count_pattern(r"tests?\b"), re.IGNORECASE)


def _count_value(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdecimal() else NUMBER_WORDS[word]


def _claimed_number(text: str, count: re.Pattern[str]) -> tuple[int, re.Match[str]] | None:
    """The first number `count` (a `_count_pattern`) finds in `text`, with its match."""
    for match in count.finditer(text):
        return _count_value(match.group(1)), match
    return None


def _claimed_parts(text: str, count: re.Pattern[str]) -> list[int]:
    """Every number `count` finds ("2 tests for the model and 4 tests for the data")."""
    matches = itertools.islice(count.finditer(text), MAX_MENTIONS)
    return [_count_value(match.group(1)) for match in matches]


def count_tests(repo: Repo) -> tuple[int, int]:
    """(test functions, test cases with literal @pytest.mark.parametrize lists expanded)."""
    functions = cases = 0
    for path in repo.test_files:
        facts = repo.python(path)
        tests = sorted((f.line, f) for f in facts.functions if f.is_test)
        expanded = {line: 1 for line, _ in tests}
        for call in facts.calls_to("pytest.mark.parametrize", "mark.parametrize", "parametrize"):
            values = call.args[1] if len(call.args) > 1 else call.keywords.get("argvalues")
            following = next((line for line, _ in tests if line >= call.line), None)
            if following is not None and isinstance(values, list):
                expanded[following] *= max(1, len(values))
        functions += len(tests)
        cases += sum(expanded.values())
    return functions, cases


def _computed_parametrize(repo: Repo) -> int:
    """How many @pytest.mark.parametrize calls take values that are not a literal list (a comprehension,
    a name), and fixtures with params=: their case count is unknown, so the static count is a lower bound."""
    parametrized = sum(
        1
        for path in repo.test_files
        for call in repo.python(path).calls_to("pytest.mark.parametrize", "mark.parametrize", "parametrize")
        if not isinstance(call.args[1] if len(call.args) > 1 else call.keywords.get("argvalues"), list)
    )
    # a fixture with params= runs every test that uses it once per value
    fixtures = sum(
        1
        for path in repo.test_files
        for call in repo.python(path).calls_to("pytest.fixture", "fixture")
        if "params" in call.keywords
    )
    return parametrized + fixtures


def tests_claim(repo: Repo, answer: Answer | None) -> list[AnswerFinding]:
    if answer is None:
        return []
    claimed = _claimed_number(_prose(answer.text), TEST_COUNT)
    if claimed is None:
        return []
    number, match = claimed
    functions, cases = count_tests(repo)
    observed = f"{functions} test functions ({cases} cases with literal parametrize lists expanded), counted statically in {len(repo.test_files)} test files"
    parts = _claimed_parts(_prose(answer.text), TEST_COUNT)
    # the first number may be one part of a breakdown, or a total followed by its parts; a number the answer
    # calls the total ("in total we have 40 tests") is compared as it is
    said_total = SAID_TOTAL.search(_sentence(_prose(answer.text), match.start()))
    totals = {number} if said_total else {number, sum(parts), sum(parts[1:]) or number}
    close = any(abs(total - found) <= max(3, 0.2 * found) for total in totals for found in (functions, cases))
    where = (Location("reports/README.md", answer.line, f"Question {answer.number}"),)
    verdict = "consistent" if close else "inconsistent"
    message = f"claims {number} tests; the repository has {functions} test functions ({cases} cases)"
    computed = _computed_parametrize(repo)
    if not close and number < functions:
        verdict = "unverifiable"
        message += ", more than claimed: the answer may count a part of them, or predate the newer ones"
    elif not close and number > cases and computed:
        verdict = "unverifiable"
        observed += f"; {computed} parametrize list(s) built at run time are counted as one case"
        message += f", a lower bound: {computed} parametrize list(s) or parametrized fixture(s) are expanded at run time"
    return [
        AnswerFinding(answer.number, "tests", _quote(answer.text, match), observed, verdict, message, where)
    ]


def coverage_claim(repo: Repo, answer: Answer | None, measure: bool) -> list[AnswerFinding]:
    if answer is None:
        return []
    prose = _prose(answer.text)
    if "%" not in prose:
        return []  # an answer naming no percentage claims no coverage figure
    # Q8 asks about 100 % coverage: percentages in "even with 100 %", "aimed for 80 %" or per-module figures
    # are no claim of the total. Every remaining percentage is a candidate; the one named as the total
    # ("total", "overall", "our coverage") comes first.
    candidates = [
        m
        for m in itertools.islice(PERCENTAGE.finditer(prose), MAX_MENTIONS)
        if not NOT_THE_TOTAL.search(prose[max(0, m.start() - 40) : m.start()])
        and not HYPOTHETICAL.search(_left_context(prose, m.start()))
    ]
    if not candidates:
        return []
    named = [m for m in candidates if NAMED_TOTAL.search(_clause(prose, m.start()))]
    match = (named or candidates)[0]
    claimed = float(match.group(1).replace(",", "."))
    others = [float(m.group(1).replace(",", ".")) for m in candidates]
    where = [Location("reports/README.md", answer.line, f"Question {answer.number}")]
    data = coverage_data(repo)
    if data is None and measure:
        total = measure_coverage_total(repo)
        data = (
            (total, Location(".", None, "measured by running the tests under coverage"))
            if total is not None
            else None
        )
    if data is None:
        return [
            AnswerFinding(
                answer.number,
                "coverage",
                match.group(0),
                "no coverage data in the repository",
                "unverifiable",
                "the group's tests could not be run here to measure coverage (see the warnings)"
                if measure
                else "no coverage data to compare with (commit coverage.xml, or use --measure-coverage)",
                tuple(where),
            )
        ]
    total, location = data
    verdict = "consistent" if abs(total - claimed) <= 5 else "inconsistent"
    message = f"claims {claimed:g}%; the coverage data says {total:.0f}%"
    if verdict == "inconsistent" and any(abs(total - other) <= 5 for other in others):
        verdict = "consistent"  # the answer gives several figures, and one of them is the total
        message = f"names {', '.join(f'{o:g}%' for o in others)}; the coverage data says {total:.0f}%"
    return [
        AnswerFinding(
            answer.number, "coverage", match.group(0), f"{total:.0f}%", verdict, message, (*where, location)
        )
    ]


def _sentence_bounds(text: str, position: int) -> tuple[int, int]:
    """Start and end of the sentence around `position` (between ". " or line breaks), looked for at most
    CONTEXT_CHARS away: a sentence without a break is cut there."""
    low, high = max(0, position - CONTEXT_CHARS), min(len(text), position + CONTEXT_CHARS)
    start = max(text.rfind(". ", low, position), text.rfind("\n", low, position))
    start = start + 1 if start != -1 else low
    ends = [i for i in (text.find(". ", position, high), text.find("\n", position, high)) if i != -1]
    return start, min(ends) if ends else high


def _sentence(text: str, position: int) -> str:
    start, end = _sentence_bounds(text, position)
    return text[start:end]


def _mentions(
    text: str, pattern: re.Pattern[str], elsewhere: re.Pattern[str] | None = None
) -> re.Match[str] | None:
    """The first mention of `pattern` that is a claim: not negated, not hypothetical ("we could use X").

    `elsewhere` marks sentences that place the mention outside the thing asked about (linting done
    in pre-commit hooks or by hand is not a claim about CI)."""
    for count, match in enumerate(_mention_matches(text, pattern)):
        if count == MAX_MENTIONS:
            break
        sentence = _sentence(text, match.start())
        if elsewhere is not None:
            # the clause is cut only where a neighbouring practice is looked for in it (the CI answer's)
            clause = _clause(text, match.start())
            if (elsewhere.search(clause) and not IN_CI.search(clause)) or elsewhere.search(
                _left_context(text, match.start())
            ):
                continue
        before = text[max(0, match.start() - 60) : match.start()]
        if NEGATION.search(before) or NEGATED_AFTER.search(text[match.end() : match.end() + 60]):
            continue
        # the sentence's literals first: a case-insensitive pattern is tried at each position of the sentence
        folded_sentence = fold(sentence)
        if may_match(folded_sentence, DISMISSED_LITERALS) and DISMISSED.search(sentence):
            continue
        if ALTERNATIVE_BEFORE.search(before):
            continue
        if (
            may_match(folded_sentence, HYPOTHETICAL_LITERALS)
            and HYPOTHETICAL.search(sentence)
            and not DONE.search(sentence)
        ):
            continue
        if _failed(text, match):
            continue
        return match
    return None


# Inside the part of a sentence around a mention (bounded by brackets, dashes, colons and "but"), words that
# say the mentioned thing failed or was left out: "(linux and Mac - Windows was difficult to get up and
# running)", "tests on MacOS which we decided to leave out", "we tried macOS but it kept failing".
FAILED_AFTER = re.compile(
    r"\b(?:difficult\w*|hard\s+to|fail\w*|couldn't|could\s+not|unable|did(?:n't|\s+not)\s+work|"
    r"does(?:n't|\s+not)\s+work|gave\s+up|(?:leave|left)\s+(?:it\s+|them\s+)?out|decided\s+(?:to\s+)?(?:leave|drop|"
    r"remove|skip|not)|dropped|removed|broke\w*|not\s+supported)\b",
    re.IGNORECASE,
)
TRIED = re.compile(r"\b(?:tried|attempted)\b", re.IGNORECASE)
TRIED_LITERALS = literals(TRIED)
PART_BREAK = re.compile(r"[()\[\];:–—]|\s-\s|,?\s{0,5}\bbut\b|\bhowever\b|(?<=[.!?])\s|\n")
# Where the next PART_BREAK match starts, found faster: every match starts with one of the characters of the
# leading class, which `re` looks for by a quick scan (the alternatives of PART_BREAK, an optional comma
# among them, make it try the whole pattern at every position of the text); PART_BREAK is tried (the
# look-behind over the one character read) only there. Same starts; the match itself is that character.
PART_BREAK_START = re.compile(r"[()\[\];:–—\s,bh](?<=(?=" + PART_BREAK.pattern + r")[\s\S])")


SUCCEEDED = re.compile(r"\b(?:succe\w*|managed|worked|works|got\s+it|in\s+the\s+end)\b", re.IGNORECASE)


def _failed(text: str, match: re.Match[str]) -> bool:
    """The mention sits in a failed or abandoned part of its sentence: failure words follow it before the
    next "and" or comma ("Windows was difficult to get up", "MacOS which we decided to leave out"), or
    "tried" comes before it in the same part and no success follows ("Tried to set up DVC (twice)")."""
    after = PART_BREAK_START.search(text, match.end())
    end = after.start() if after else len(text)
    own = OWN_PART_END.split(text[match.end() : end], maxsplit=1)[0]
    if FAILED_AFTER.search(own):
        return True
    if not may_match(folded(text), TRIED_LITERALS):
        return False  # no "tried" anywhere (most answers): the part before the mention need not be found
    if TRIED.search(text, 0, match.start()) is None:
        # Nor anywhere before the mention, so not in its part either, and the parts need not be found (a scan
        # of every break up to the mention). Exact: a part starts at the text's start or where a break ends,
        # next to a non-word character, so `\b` reads the same at a part's start as in the whole text.
        return False
    starts = [m.end() for m in PART_BREAK.finditer(text, 0, match.start())]
    start = starts[-1] if starts else 0
    sentence_end = text.find(". ", match.end())
    rest = text[match.end() : sentence_end if sentence_end != -1 else len(text)]
    return bool(TRIED.search(text[start : match.start()])) and not SUCCEEDED.search(rest)


def _left_context(text: str, position: int) -> str:
    """The words before `position` back to the last comma or clause break: "we develop locally with" of
    "Although we develop locally with Python 3.12, CI runs 3.11"."""
    low = max(0, position - CONTEXT_CHARS)
    start = max(
        text.rfind(",", low, position),
        text.rfind(";", low, position),
        text.rfind(". ", low, position),
        text.rfind("\n", low, position),
    )
    context = text[start + 1 if start != -1 else low : position]
    breaks = list(CLAUSE_BREAK.finditer(context))
    return context[breaks[-1].end() :] if breaks else context


def _clause(text: str, position: int) -> str:
    """The part of the sentence around `position` between clause breaks (", but", ";", "while")."""
    sentence_start, sentence_end = _sentence_bounds(text, position)
    sentence = text[sentence_start:sentence_end]
    offset = position - sentence_start
    start, end = 0, len(sentence)
    for br in CLAUSE_BREAK.finditer(sentence):
        if br.end() <= offset:
            start = br.end()
        elif br.start() >= offset:
            end = br.start()
            break
    return sentence[start:end]


def ci_claim(repo: Repo, answer: Answer | None, lint_evidence: Evidence | None = None) -> list[AnswerFinding]:
    """The CI answer's claims (platforms, caching, linting, Python versions) against the workflows.
    Linting is judged by the m17.lint-ci rule: `lint_evidence` is that rule's evidence in `repo` when the
    verification already has it; evidence of a rule that failed (unverifiable) is not taken, so the rule
    runs here, once the answer claims linting, and its error fails this check as before. What the
    workflows show of an aspect is looked at only when the answer claims it."""
    if answer is None:
        return []

    text = _prose(answer.text)
    where = Location("reports/README.md", answer.line, f"Question {answer.number}")
    platforms = " ".join(
        str(value) for w in repo.workflows for job in w.jobs for value in [job.runs_on, *job.matrix.values()]
    ).lower()
    observed: dict[str, Callable[[], bool]] = {
        "Ubuntu/Linux": lambda: "ubuntu" in platforms,
        "Windows": lambda: "windows" in platforms,
        "macOS": lambda: "macos" in platforms or "mac-" in platforms,
        "caching": lambda: any(w.caching_steps() for w in repo.workflows),
        "linting": lambda: _linting_in_ci(repo, lint_evidence).status is not Status.ABSENT,
    }
    findings = []
    folded_text = folded(text)
    for aspect, shown in observed.items():
        if not may_match(folded_text, CI_PLATFORM_LITERALS[aspect]):
            continue  # the answer does not name the aspect
        match = _mentions(text, CI_PLATFORM_WORDS[aspect], NOT_CI if aspect == "linting" else LOCAL)
        if match and aspect == "linting" and "pre-commit.ci" in _sentence(text, match.start()).lower():
            match = None  # a hosted service: no workflow file shows it
        if match:
            present = shown()
            verdict = "consistent" if present else "inconsistent"
            message = f"claims {aspect} in CI; {'a' if present else 'no'} workflow shows it"
            inert = _inert_cache_inputs(repo) if aspect == "caching" and not present else []
            if inert:
                verdict = "unverifiable"
                message = (
                    f"claims caching in CI; the workflow asks for it ({inert[0]}), but that action does not read "
                    "this input, so whether anything is cached cannot be told from the files"
                )
            findings.append(
                AnswerFinding(
                    answer.number,
                    f"ci-{aspect.split('/')[0].lower()}",
                    _quote(text, match),
                    f"{'a' if present else 'no'} workflow shows {aspect}",
                    verdict,
                    message,
                    (where,),
                )
            )
    claimed = sorted(
        {
            match.group(1)
            for match in itertools.islice(_mention_matches(text, PYTHON_VERSION), MAX_MENTIONS)
            if not LOCAL.search(_left_context(text, match.start()))
            and not NEGATION.search(text[max(0, match.start() - 60) : match.start()])
        }
    )
    # the workflows' versions are read only for an answer that names one (most name none)
    versions = _workflow_python_versions(repo) if claimed else set()
    for version in claimed:
        present = any(v.strip("'\"") == version for v in versions) or version in platforms
        message = f"claims Python {version} in CI; workflows test {', '.join(sorted(versions)) or 'no explicit version'}"
        verdict = "consistent" if present else "inconsistent"
        if not versions:
            verdict = "unverifiable"
            message += " (the version may come from setup-uv, python-version-file or a container image)"
        findings.append(
            AnswerFinding(
                answer.number,
                f"ci-python-{version}",
                version,
                ", ".join(sorted(versions)),
                verdict,
                message,
                (where,),
            )
        )
    return findings


def _workflow_python_versions(repo: Repo) -> set[str]:
    """The Python versions the workflows name: matrix values, setup-python's `python-version` and any 3.x on
    a line about Python as written (YAML reads an unquoted 3.10 as the number 3.1); else .python-version's."""
    versions = {
        str(v) for w in repo.workflows for values in w.matrix_values("python").values() for v in values
    }
    versions |= {
        str(s.with_.get("python-version"))
        for w in repo.workflows
        for s in w.steps
        if s.with_.get("python-version")
    }
    versions = {v for v in versions if "${{" not in v}
    # YAML reads an unquoted 3.10 as the number 3.1: take the versions as written in the workflow files.
    for w in repo.workflows:
        for line in (repo.read(w.path) or "").splitlines():
            if "python" in line.lower() and not line.lstrip().startswith("#"):
                versions |= set(PYTHON_3.findall(line))
    versions = {v for v in versions if v != "3.1" or "3.1" in " ".join(v for v in versions if v != "3.1")}
    if not versions and repo.has(".python-version"):
        versions = set(PYTHON_3_PREFIX.findall(repo.read(".python-version") or ""))
    return versions


def _linting_in_ci(repo: Repo, known: Evidence | None) -> Evidence:
    """The m17.lint-ci rule's evidence: `known` when given and not the mark of a failed rule."""
    if known is not None and known.status is not Status.UNVERIFIABLE:
        return known
    from .rules.m17_ci import LintingInCi  # the linting rule's own notion of a lint step

    return checked(LintingInCi, repo)


def _inert_cache_inputs(repo: Repo) -> list[str]:
    """Cache settings given to steps that do not cache: `enable-cache: true` on actions/setup-python."""
    found = []
    for workflow in repo.workflows:
        caching = workflow.caching_steps()
        for step in workflow.steps:
            if step in caching or not step.uses:
                continue
            for key, value in step.with_.items():
                if "cache" in str(key).lower() and str(value).lower() not in ("false", "", "none"):
                    found.append(f"`{key}: {value}` on {step.uses} in {workflow.path}")
    return found


def group_claim(repo: Repo, answer: Answer | None) -> list[AnswerFinding]:
    if answer is None:
        return []
    numbers = sorted(set(STUDY_NUMBER.findall(answer.text)))
    if not numbers:
        return []
    history = repo.history
    where = (Location("reports/README.md", answer.line, f"Question {answer.number}"),)
    if not history.available or not history.commits:
        return [
            AnswerFinding(
                answer.number,
                "group",
                f"{len(numbers)} study numbers",
                "no git history",
                "unverifiable",
                "no history to count authors in",
                where,
            )
        ]
    authors = len(history.authors())
    verdict = "consistent" if authors >= len(numbers) else "unverifiable"
    message = f"{len(numbers)} study numbers, {authors} human commit authors (a weak signal: people share machines and accounts)"
    return [
        AnswerFinding(
            answer.number,
            "group",
            f"{len(numbers)} study numbers",
            f"{authors} authors",
            verdict,
            message,
            where,
        )
    ]


def tool_claims(repo: Repo, report: Report, verification: Verification | None) -> list[AnswerFinding]:
    rules: dict[str, type[Rule]] = {}  # every rule by id, listed once a rule must run here (seldom)
    evidence_by_rule: dict[str, Evidence] = {}
    findings = []
    proses = [_prose(answer.text) for answer in report.answers]
    # most answers name none of the tools: a literal a tool's words need, missing, spares its regex
    folded_prose = [folded(prose) for prose in proses]
    # and a tool is looked for answer by answer only from the first answer that may hold its literals, found in
    # all the answers at once (most tools are named in no answer, or first in the answer that asks about them)
    everything = "\n".join(folded_prose)
    ends = list(
        itertools.accumulate(len(text) + 1 for text in folded_prose)
    )  # each answer's, line break included
    for tool, (_, rule_id) in TOOLS.items():
        first = _first_holding(everything, ends, TOOL_LITERALS[tool])
        if first is None:
            continue
        words = TOOL_WORDS[tool]
        for answer, prose, answer_folded in itertools.islice(
            zip(report.answers, proses, folded_prose, strict=True), first, None
        ):
            if not may_match(answer_folded, TOOL_LITERALS[tool]):
                continue
            match = _mentions(prose, words)
            if not match:
                continue
            if any(
                judge(sentence, words) == "denies"
                for sentence, folded_sentence in folded_sentences(answer.text)
                if may_match(folded_sentence, TOOL_LITERALS[tool]) and holds_denial(folded_sentence)
            ):
                continue  # "We did not use DVC ... DVC stores metadata in git": the rest explains, claims nothing
            if rule_id not in evidence_by_rule:
                item = verification.item(rule_id) if verification is not None else None
                if item is not None and item.evidence is not None:
                    evidence_by_rule[rule_id] = item.evidence
                else:
                    rules = rules or {rule.id: rule for rule in all_rules()}
                    if rule_id in rules:
                        evidence_by_rule[rule_id] = run_rule(rules[rule_id](), repo)
            evidence = evidence_by_rule.get(rule_id)
            findings.append(_tool_finding(tool, rule_id, answer, _quote(prose, match), evidence))
            break
    return findings


def _first_holding(joined: str, ends: Sequence[int], clauses: Clauses) -> int | None:
    """The index of the first of the texts `joined` holds (each ending, with the line break after it, at its
    offset in `ends`) that may match `clauses`, or a text before it; None when no text may. A text that holds a
    literal of every clause ends after the first place in `joined` of each clause's literals, so none of the
    texts before the last of those places holds them all."""
    last = 0
    for clause in clauses:
        first = min((at for literal in clause if (at := joined.find(literal)) != -1), default=-1)
        if first == -1:
            return None
        last = max(last, first)
    return bisect.bisect_right(ends, last)


def _tool_finding(
    tool: str, rule_id: str, answer: Answer, claim: str, evidence: Evidence | None
) -> AnswerFinding:
    where = Location("reports/README.md", answer.line, f"Question {answer.number}")
    if evidence is None or evidence.status is Status.UNVERIFIABLE:
        verdict, observed, message = "unverifiable", "cannot be checked", "the repository cannot show it"
    elif evidence.details.get("source") == "report":
        verdict, observed, message = (
            "unverifiable",
            evidence.message,
            "only the report itself shows it, the repository cannot",
        )
    elif evidence.status is Status.TEMPLATE:
        verdict, observed, message = (
            "unverifiable",
            evidence.message,
            "only the course template's untouched files show it",
        )
    elif evidence.status is Status.ABSENT and SEPARATE_REPOSITORY.search(answer.text):
        verdict, observed, message = (
            "unverifiable",
            evidence.message,
            "the answer places it in another repository",
        )
    elif evidence.status is Status.ABSENT:
        verdict, observed, message = "inconsistent", evidence.message, f"found nothing: {evidence.message}"
    else:
        verdict, observed = "consistent", f"{evidence.status.value}: {evidence.message}"
        message = f"found it ({evidence.status.value})"
    cited = evidence.locations[:2] if evidence is not None and verdict != "inconsistent" else ()
    return AnswerFinding(
        answer.number,
        f"tool-{rule_id}",
        claim,
        observed,
        verdict,
        f"the answer names {tool}; {rule_id}: {message}",
        (where, *cited),
    )
