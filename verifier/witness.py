"""The answers as a second witness (DESIGN.md): what the group's own answers say about a checklist item.

The checklist is a claim; the answers to the report's questions are the group's own account of the same
work. An answer is never evidence by itself, but it settles what the repository alone cannot:

- a denial ("we did not use DVC", "no profiling was done") of the practice, in the answer to the question
  that asks about it, makes a tick `contradicted` and no tick `consistent`, whatever the repository shows
  short of `found` (found evidence keeps its verdict; the message says the answer disagrees);
- an artifact of work that leaves no file (a `*.run.app` URL, an embedded console screenshot, a quoted
  `gcloud` command) is `weak` evidence, located at the report line;
- for rules whose repository search came back empty (`Trace.CODE` and `Trace.CONSOLE`): an affirmative,
  concrete description without an artifact is `unverifiable` ("only the report's word"), and silence is
  `absent` for code/config practices and stays `unverifiable` for console work.

The map from rule to questions, the words that name each practice and its artifacts are data, below, in
one place (`QUESTIONS`, `PRACTICES`). Questions are found by their prompt text first and by their number
(31-question 2025-26 template, 27-question 2023-24 template) when a report dropped the prompts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from .evidence import Evidence, Location, Status
from .report import Answer, Report
from .rule import ELSEWHERE, Rule, Trace
from .textsearch import Clauses, Leads, fold, literal_requirement, matches_at
from .textsearch import leading_literals as textsearch_leading_literals

if TYPE_CHECKING:
    from .repo import Repo


@dataclass(frozen=True)
class Question:
    """A question of the report template: its number in the 31- and the 27-question templates (None
    where that template does not ask it) and a pattern its prompt matches in every course year."""

    modern: int | None
    legacy: int | None
    prompt: str


# COURSE.md 1.8; prompts checked against the seeds (31 questions) and 2023-24 reports (27 questions).
QUESTIONS: dict[str, Question] = {
    "framework": Question(3, 3, r"framework|packages? not covered"),
    "dependencies": Question(4, 4, r"managed dependencies"),
    "structure": Question(5, 5, r"cookiecutter|overall structure"),
    "code-quality": Question(6, 6, r"code quality"),
    "tests": Question(7, 7, r"how many tests"),
    "coverage": Question(8, 8, r"code coverage"),
    "branches": Question(9, 9, r"branches"),
    "dvc": Question(10, 10, r"\bDVC\b"),
    "ci": Question(11, 11, r"continu\w{0,10} integration"),
    "configs": Question(12, 12, r"configure experiments"),
    "reproducibility": Question(13, 13, r"reproducib"),
    "tracking": Question(14, 14, r"W&B|experiment tracking"),
    "docker": Question(15, 15, r"docker"),
    "debugging": Question(16, 16, r"debugging"),
    "gcp-services": Question(17, 17, r"GCP services"),
    "compute-engine": Question(18, 18, r"compute engine"),
    "bucket": Question(19, 19, r"\bbucket\b"),
    "registry": Question(20, 20, r"registry"),
    "build": Question(21, 21, r"cloud build"),
    "cloud-training": Question(22, None, r"train your model in the cloud"),
    "api": Question(23, None, r"write an API"),
    "deployment": Question(24, 22, r"deploy your (API|model)"),
    "api-testing": Question(25, None, r"load testing"),
    "monitoring": Question(26, 23, r"monitoring"),
    "credits": Question(27, 24, r"credits"),
    "extra": Question(28, None, r"anything extra"),
    "architecture": Question(29, 25, r"architecture"),
    "struggles": Question(30, 26, r"struggles"),
    "contributions": Question(31, 27, r"contributions"),
}


@dataclass(frozen=True)
class Practice:
    """What the answers must say to speak about one checklist item.

    `topics` are the questions (keys of QUESTIONS) whose answers speak about it, the first being the one
    that asks. `words` names the practice: a clause speaks about it when it matches (None: the answers
    never settle this item). `elsewhere` marks clauses about a neighbouring practice that does not count
    ("deployed it locally" for a cloud deployment). `urls` and `quoted` are artifacts of the work: service
    URLs (looked for in every answer) and quoted commands, configs or outputs (`gcloud ai custom-jobs
    create`, `workerPoolSpecs`, a coverage table; looked for in the topics' answers); an image in the topics'
    answers is a screenshot of the work when its alt text, file name or line matches `shots`, or when it
    answers a question listed in `shot_topics`, which asks for exactly such screenshots. `asked` names the
    practice in the answer to the first topic only, where the question gives the words their sense
    ("Compute Engine" in the answer to "did you train your model in the cloud?"). `broader` names a
    practice that includes this one: its denial denies this one too ("we did not implement monitoring"
    denies the alerts), its description does not describe it.
    """

    topics: tuple[str, ...]
    words: str | None = None
    elsewhere: str = ""
    urls: str = ""
    quoted: str = ""
    shots: str = ""
    shot_topics: tuple[str, ...] = ()
    asked: str = ""
    broader: str = ""


LOCAL = r"\blocal(ly|host)?\b|\bon (our|my|their) (own )?(machines?|laptops?|computers?)"
_TRAIN = (
    r"\btrain(?:ed|ing|s)?\b(?!\s+(?:data|set|dataset|images?|split|samples?|script|loop|procedure|file))"
)
_CLOUD = r"\b(?:cloud|gcp|google cloud|vertex(?: ai)?|compute engine|engine|vms?|virtual machines?|custom[- ]jobs?)\b"
_DEPLOY_URLS = r"https?://[\w.-]+\.(?:run\.app|cloudfunctions\.net)\b"
_MONITORING_URLS = r"https?://console\.cloud\.google\.com/monitoring\S*"
_GCLOUD_MONITORING = r"\bgcloud\s+(?:alpha\s+|beta\s+)?monitoring\s+\w+"

PRACTICES: dict[str, Practice] = {
    "m02.environment": Practice(
        ("dependencies",), r"\bvirtual env\w*|\benvironments?\b|\bvenv\b|\bconda\b|\buv\b|\bpoetry\b"
    ),
    "m02.conda-environment": Practice(("dependencies",), r"\bconda\b|environment\.ya?ml"),
    "m02.requirements": Practice(
        ("dependencies",), r"requirements[\w-]{0,40}\.txt|pyproject|uv\.lock|\bdependenc\w*"
    ),
    "m05.git-repository": Practice(()),
    "m05.write-access": Practice(("branches",)),
    "m06.cookiecutter": Practice(("structure",), r"cookie-?cutter"),
    "m06.data": Practice(("structure",), r"\bdata\.py\b|make_dataset\.py"),
    "m06.model-training": Practice(("structure",), r"\bmodel\.py\b|\btrain\.py\b"),
    "m07.pep8": Practice(("code-quality",), r"\bpep ?8\b|\blint\w*|\bruff\b|\bflake8\b|\bblack\b|\bpylint\b"),
    "m07.typing-docs": Practice(("code-quality",), r"\btyping\b|\btype hints?\b|\bmypy\b|\bdocstrings?\b"),
    "m08.dvc": Practice(
        ("dvc",),
        r"\bdvc\b|\bdata version control\b|\bversion control\b[^.;]{0,40}\bdata\b|\bdata\b[^.;]{0,40}\bversion(?:ed|ing)\b",
    ),
    "m09.cli": Practice(
        ("structure", "configs"), r"\bcli\b|command[- ]line interfaces?|\btyper\b|\bargparse\b|\binvoke\b"
    ),
    "m10.dockerfiles": Practice(("docker",), r"\bdocker\w*|\bcontaineri[sz]\w*"),
    "m10.docker-build": Practice(
        ("docker",),
        r"\bbuil[dt]\w*\b[^.;]{0,40}\b(?:images?|containers?|docker\w*)\b|\bdocker\s+(?:build|compose)\b"
        r"|\b(?:images?|containers?|dockerfiles?)\b[^.;]{0,40}\bbuil[dt]\w*",
        quoted=r"\bdocker(?:\s+buildx)?\s+build\b|\bdocker[- ]compose\s+(?:up|build)\b|\bgcloud\s+builds\s+submit\b",
        shots=r"docker|build|container",
    ),
    "m11.config-files": Practice(
        ("configs", "reproducibility"), r"\bconfig(?:uration)?s?\b|\bconfig files?\b"
    ),
    "m11.hydra": Practice(("configs", "reproducibility"), r"\bhydra\b"),
    "m13.profiling": Practice(
        ("debugging",),
        r"\bprofil\w*|\bcprofile\b|\bsnakeviz\b|\bpy-spy\b|\bpyinstrument\b|\bline_profiler\b|\bscalene\b",
        quoted=r"\bpython3?\s+-m\s+cProfile\b|\bsnakeviz\s+[\w./-]+\.(?:prof|pstats|out)\b|\bpy-spy\s+record\b|\bkernprof\b"
        r"|\bncalls\s+tottime\b",
        shots=r"profil|snakeviz|flame|tensorboard|trace",
    ),
    "m14.logging": Practice(("debugging", "reproducibility"), r"\blogging module\b|\bloguru\b|\bloggers?\b"),
    "m14.wandb": Practice(
        ("tracking", "reproducibility"), r"\bw&b\b|\bweights\s*(?:&|and)\s*biases\b|\bwandb\b"
    ),
    "m14.sweep": Practice(
        ("tracking", "configs"),
        r"\bsweeps?\b|\bhyper-?parameter (?:optimi[sz]ation|search|tuning)\b|\boptuna\b",
        shots=r"sweep|hyper-?param|optuna|parallel.?coord",
    ),
    "m14.wandb-sweep": Practice(("tracking",), r"\bw&b\b|\bweights\s*(?:&|and)\s*biases\b|\bwandb\b"),
    "m14.optuna": Practice(("tracking", "configs"), r"\boptuna\b"),
    "m15.lightning": Practice(("framework", "structure", "code-quality"), r"\blightning\b"),
    "m16.data-tests": Practice(("tests",)),
    "m16.model-tests": Practice(("tests",)),
    "m16.coverage": Practice(
        ("coverage",),
        r"\bcoverage\b|\bpytest-cov\b",
        urls=r"https?://(?:app\.)?(?:codecov|coveralls)\.io/\S+",
        quoted=r"^\s*TOTAL\s+\d+\s+\d+\s",
        shots=r"cov",
    ),
    "m17.ci": Practice(("ci",), r"\bcontinuous integration\b|\bgithub actions?\b|\bci\b"),
    "m17.ci-matrix-cache": Practice(("ci",)),
    "m17.lint-ci": Practice(("ci",), r"\blint\w*|\bruff\b|\bflake8\b|\bpylint\b"),
    "m18.pre-commit": Practice(("code-quality", "ci"), r"\bpre-?commit\b"),
    "m19.data-trigger": Practice(
        ("ci", "dvc"),
        r"\b(?:trigger\w*|workflows?)\b[^.;]{0,60}\bdata\b[^.;]{0,20}\bchang\w*"
        r"|\bdata\b[^.;]{0,20}\bchang\w*[^.;]{0,60}\b(?:trigger\w*|workflows?)\b",
    ),
    "m19.registry-trigger": Practice(("ci",), r"\bmodel registry\b|\bstaged[_ ]model\b"),
    "m20.gcp-project": Practice(("gcp-services",)),
    "m21.bucket-dvc": Practice(
        ("bucket", "gcp-services", "dvc"),
        r"\bbuckets?\b|\bcloud storage\b|\bgcs\b",
        urls=r"https?://console\.cloud\.google\.com/storage\S*|https?://storage\.googleapis\.com/\S+",
        quoted=r"\bgs://[\w.-]+|\bgsutil\s+(?:cp|ls|rsync|mb)\b|\bgcloud\s+storage\s+\w+",
        shots=r"bucket|storage|gcs",
        shot_topics=("bucket",),
    ),
    "m21.build-trigger": Practice(
        ("build", "gcp-services"),
        r"\btriggers?\b[^.;]{0,60}\b(?:buil[dt]\w*|images?|docker)\b|\b(?:buil[dt]\w*|images?)\b[^.;]{0,60}\btrigger\w*"
        r"|\bautomatic(?:ally)?\b[^.;]{0,30}\bbuil[dt]\w*|\bbuil[dt]\w*\b[^.;]{0,30}\bautomatic(?:ally)?\b",
        urls=r"https?://console\.cloud\.google\.com/cloud-build/triggers\S*",
        quoted=r"\bgcloud\s+(?:beta\s+)?builds\s+triggers\s+create\b",
        shots=r"trigger|build",
        shot_topics=("build",),
    ),
    "m21.cloud-training": Practice(
        ("cloud-training", "compute-engine", "gcp-services"),
        rf"{_TRAIN}[^.;]{{0,80}}{_CLOUD}|{_CLOUD}[^.;]{{0,80}}{_TRAIN}",
        elsewhere=LOCAL,
        asked=r"\bcompute engine\b|\bengine\b|\bvertex\b|\bvms?\b|\bvirtual machines?\b|\bcustom[- ]jobs?\b",
        urls=r"https?://console\.cloud\.google\.com/(?:vertex-ai|compute)\S*",
        quoted=r"\bgcloud\s+(?:beta\s+)?ai\s+custom-jobs\s+create\b|\bgcloud\s+compute\s+(?:instances\s+create|ssh)\b"
        r"|\bworkerPoolSpecs\b|\bmachineSpec\b",
        shots=r"vertex|train|compute|engine|\bvms?\b|custom.?job",
    ),
    "m22.fastapi": Practice(("api", "deployment"), r"\bfastapi\b"),
    "m23.cloud-deploy": Practice(
        ("deployment", "gcp-services"),
        r"\bcloud run\b|\bcloud functions?\b|\bdeploy\w*|\b(?:serv(?:e|ed|ing)|host\w*)\b[^.;]{0,60}\b(?:cloud|gcp)\b",
        elsewhere=LOCAL,
        urls=_DEPLOY_URLS,
        quoted=r"\bgcloud\s+(?:beta\s+)?(?:run\s+deploy|functions\s+deploy|run\s+services\s+\w+)\b",
        shots=r"cloud.?run|function|deploy|service",
    ),
    "m23.torchserve": Practice(
        ("deployment",),
        r"\btorch\s?serve\b|\bmodel[- ]archiver\b",
        quoted=r"\btorch-model-archiver\b|\btorchserve\s+--start\b",
        shots=r"torchserve",
    ),
    "m24.api-tests": Practice(("api-testing",)),
    "m24.load-test": Practice(("api-testing",), r"\bload[- ]test\w*|\blocust\b"),
    "m25.onnx-bentoml": Practice(("deployment", "api", "extra"), r"\bonnx\b|\bbentoml\b"),
    "m26.frontend": Practice(("extra",), r"\bfront-?ends?\b|\bstreamlit\b|\bgradio\b"),
    "m27.drift-robustness": Practice(("monitoring", "extra"), r"\bdrift\w*"),
    "m27.drift-api": Practice(("monitoring", "extra", "deployment"), r"\bdrift\w*"),
    "m27.io-collection": Practice(("monitoring", "extra")),
    "m28.metrics": Practice(
        ("monitoring",), r"\bmetrics\b|\bprometheus\b|\binstrument\w*", broader=r"\bmonitoring\b"
    ),
    "m28.cloud-monitoring": Practice(
        ("monitoring",),
        r"\bmonitor\w*|\bdashboards?\b|\bslos?\b",
        urls=_MONITORING_URLS,
        quoted=_GCLOUD_MONITORING,
        shots=r"monitor|dashboard|\bslo|metric|grafana",
    ),
    "m28.alerts": Practice(
        ("monitoring",),
        r"\balert\w*",
        broader=r"\bmonitoring\b",
        urls=_MONITORING_URLS,
        quoted=r"\bgcloud\s+(?:alpha\s+|beta\s+)?monitoring\s+(?:policies|channels)\b",
        shots=r"alert|incident|notification",
    ),
    "m28.old-telemetry": Practice(
        ("monitoring",),
        r"\bmonitor\w*|\btelemetry\b|\balert\w*",
        urls=_MONITORING_URLS,
        quoted=_GCLOUD_MONITORING,
        shots=r"monitor|alert|dashboard|metric|\bslo|telemetry",
    ),
    "m28.old-performance": Practice(
        ("monitoring",),
        r"\bdrift\w*|\bperformance\b[^.;]{0,40}\bmonitor\w*|\bmonitor\w*[^.;]{0,40}\b(?:performance|accuracy|predictions?)\b",
        broader=r"\bmonitoring\b",
        urls=_MONITORING_URLS,
        quoted=_GCLOUD_MONITORING,
        shots=r"monitor|drift|accuracy|performance|function",
    ),
    "m29.data-loading": Practice(("extra", "debugging"), r"\bdistributed data ?loading\b|\bnum_workers\b"),
    "m30.distributed-training": Practice(
        ("extra", "cloud-training", "compute-engine"),
        r"\bdistributed (?:model )?training\b|\bmulti-?gpu\b|\bddp\b",
    ),
    "m31.inference-optimization": Practice(
        ("extra",), r"\bquanti[sz]\w*|\bprun(?:e|ed|ing)\b|\btorch\.compile\b"
    ),
    "m32.documentation": Practice(("extra",), r"\bmkdocs\b|\bsphinx\b"),
    "m32.github-pages": Practice(
        ("extra",),
        r"\bgithub pages\b|\bgh-pages\b",
        urls=r"https?://[\w.-]+\.github\.io\b\S*",
        quoted=r"\bmkdocs\s+gh-deploy\b",
        shots=r"pages",
    ),
    "extra.architecture-diagram": Practice(("architecture",)),
    "extra.code-on-github": Practice(()),
    "extra.presentation": Practice(()),
    "extra.revisit-description": Practice(()),
    "extra.shared-understanding": Practice(()),
}


@dataclass(frozen=True)
class PracticePatterns:
    """A practice's patterns compiled (case-insensitive; `quoted` also multi-line): `asked` is `words`
    widened by the practice's `asked` words, used on the answer to its first topic. `*_literals` are what
    any match of `words`, `asked`, `broader`, `urls` and `quoted` contains (`literals`): a sentence or an
    answer without them is not searched."""

    words: re.Pattern[str] | None
    asked: re.Pattern[str] | None
    elsewhere: re.Pattern[str] | None
    broader: re.Pattern[str] | None
    urls: re.Pattern[str] | None
    quoted: re.Pattern[str] | None
    shots: re.Pattern[str] | None
    words_literals: Clauses = ()
    asked_literals: Clauses = ()
    broader_literals: Clauses = ()
    urls_literals: Clauses = ()
    quoted_literals: Clauses = ()


def literals(pattern: re.Pattern[str] | None) -> Clauses:
    """What any match of `pattern` contains (`textsearch.literal_requirement`): clauses of lower-case
    literals, each clause needing one of its literals in the text folded by `textsearch.fold`."""
    return literal_requirement(pattern.pattern, pattern.flags) if pattern is not None else ()


def may_match(folded: str, clauses: Clauses) -> bool:
    """False when `folded` (a text after `textsearch.fold`) lacks every literal of one of `clauses`: then
    the pattern they come from cannot match the text, and its regex need not run. Searching 15 patterns
    case-insensitively over a report's answers costs milliseconds; looking for a literal, microseconds."""
    for clause in clauses:
        for literal in clause:
            if literal in folded:
                break
        else:
            return False
    return True


def lead_matches(pattern: re.Pattern[str], text: str, leads: Leads) -> Iterator[re.Match[str]]:
    """The matches `pattern.finditer(text)` gives: in an ASCII text, for a pattern whose matches hold one of
    `leads` near their start (`leading_literals`), tried only there (`textsearch.matches_at`; a
    case-insensitive pattern gets no fast scan from `re`: it tries each position in turn, several times the
    cost of looking for a few literals). Any other text (its lower case need not keep its positions), or
    `leads` None, is scanned by `finditer`."""
    if leads is None or not text.isascii():
        return pattern.finditer(text)
    return matches_at(pattern, text, folded(text), leads)


def leading_literals(pattern: re.Pattern[str]) -> Leads:
    """What every match of `pattern` holds near its start, as `textsearch.leading_literals` reads it (the
    Docker words: ("docker", 0); the CI's linting words: "lint", "ruff" or "flake8" at 0), or None when a
    match may start otherwise (an optional or repeated part, a character outside ASCII)."""
    return textsearch_leading_literals(pattern.pattern, pattern.flags)


def compile_practice(practice: Practice) -> PracticePatterns:
    """The patterns of `practice`, compiled; None for no `words`, and for every other pattern left empty."""

    def pattern(text: str | None, flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
        return re.compile(text, flags) if text else None

    words = None if practice.words is None else re.compile(practice.words, re.IGNORECASE)
    asked = pattern(f"{practice.words}|{practice.asked}") if words and practice.asked else words
    broader = pattern(practice.broader)
    urls = pattern(practice.urls)
    quoted = pattern(practice.quoted, re.IGNORECASE | re.MULTILINE)
    return PracticePatterns(
        words=words,
        asked=asked,
        elsewhere=pattern(practice.elsewhere),
        broader=broader,
        urls=urls,
        quoted=quoted,
        shots=pattern(practice.shots),
        words_literals=literals(words),
        asked_literals=literals(asked),
        broader_literals=literals(broader),
        urls_literals=literals(urls),
        quoted_literals=literals(quoted),
    )


# Compiled at import: `verify` imports the rules before it forks a worker per repository, so every worker
# starts with these instead of compiling them again (a verification would otherwise spend several
# milliseconds compiling the same vocabulary). Keyed by the data, so a Practice or Question that is not in
# the tables (a test's own) is compiled where it is used.
_PRACTICE_PATTERNS: dict[Practice, PracticePatterns] = {p: compile_practice(p) for p in PRACTICES.values()}
_PROMPTS: dict[Question, re.Pattern[str]] = {
    q: re.compile(q.prompt, re.IGNORECASE) for q in QUESTIONS.values()
}


def practice_patterns(practice: Practice) -> PracticePatterns:
    """The compiled patterns of `practice` (those of PRACTICES compiled at import)."""
    return _PRACTICE_PATTERNS.get(practice) or compile_practice(practice)


def _prompt(question: Question) -> re.Pattern[str]:
    return _PROMPTS.get(question) or re.compile(question.prompt, re.IGNORECASE)


_PROMPT_LITERALS: dict[Question, Clauses] = {q: literals(p) for q, p in _PROMPTS.items()}


# A cue that denies what follows it in the same clause: "we did not use DVC", "no profiling", "we skip Vertex AI".
# (The look-ahead here and in HYPOTHETICAL names the first letter of every word alternative: `re` tries the
# alternatives only at a word start with one of them, which makes a scan up to twice as fast; same matches.)
NEGATION = re.compile(
    r"\b(?=[finrsuw])(?:not(?!\s+only\b)|never|no|without|neither|nor|skip(?:ped|s)?|instead\s+of|rather\s+than|"
    r"unable\s+to|failed\s+to)\b|n't\b",
    re.IGNORECASE,
)
# The only words that may stand between a negation and the practice it denies: the verbs of doing the work,
# articles and a few qualifiers ("did not manage to implement any specific monitoring", "did not see much
# use for profiling", "did not formally profile"). Any other word ("no problems with DVC", "not set up
# explicit caching in CI", "not focused on comparing ... configurations") moves the negation elsewhere.
BETWEEN = re.compile(
    r"to|any|the|an?|our|my|their|its|this|much|use[ds]?|using|for|of|get|got|getting|around|manage[ds]?|"
    r"implement(?:ed)?|do|did|done|doing|run|ran|perform(?:ed)?|appl(?:y|ied)|set|setup|up|make|made|have|had|"
    r"try|tried|add(?:ed)?|create[ds]?|deploy(?:ed)?|build|built|train(?:ed)?|need(?:ed)?|see|saw|specific|"
    r"explicit|proper|real|actual|dedicated|separate|time|enough|calculate[ds]?|compute[ds]?|measure[ds]?|"
    r"write|wrote|include[ds]?|integrate[ds]?|configure[ds]?|enable[ds]?|publish(?:ed)?|host(?:ed)?|serve[ds]?|"
    r"look|into|bother(?:ed)?|find|end|ended|utili[sz]e[ds]?|employ(?:ed)?|conduct(?:ed)?|carry|out|go|went|"
    r"really|even|also|ever|able|spen[dt]|consider|at|all|\w{1,40}ly",
    re.IGNORECASE,
)
# Words after the practice that end its noun phrase; any other word makes the practice a modifier of what is
# denied ("a custom drift detection dashboard", "DVC remote"), so the denial is of that part only.
PHRASE_END = re.compile(
    r"in|on|into|within|inside|from|of|during|via|through|throughout|across|for|with|by|at|under|about|than|"
    r"to|as|because|since|so|and|or|but|nor|was|were|is|are|has|have|had|be|been|which|that|who|this|these|"
    r"those|it|them|either|anymore|yet|all|when|while|if|until|before|after|due|instead|itself|ourselves|here|"
    r"there|now|then|our|any|the|an?|\w{1,40}ly",
    re.IGNORECASE,
)
PREPOSITION = re.compile(
    r"\b(?:in|on|into|within|inside|from|of|during|via|through|throughout|across|with|by|at|under|about|than)"
    r"\s+(?:(?:the|our|a|an|its|their|this)\s+)?$",
    re.IGNORECASE,
)
# Right after the practice, words that narrow a denial to a way or a part of doing it: "did not deploy it
# directly from GitHub", "did not train with GPUs", "did not use DVC with Google Drive".
PART = re.compile(
    r"^\W*(?:\w+\s+){0,2}?(?:directly|manually|locally|ourselves|by\s+hand|with|via|through|using)\b",
    re.IGNORECASE,
)
# A negation after the practice that denies it: "DVC was not used", "profiling was never done".
DENIED_AFTER = re.compile(
    r"^[^,.;:]{0,30}?\b(?:was|were|is|are|has\s+been|have\s+been)\s+(?:not|never)\s+(?:\w+ly\s+)?"
    r"(?:used|done|performed|implemented|set\s+up|conducted|carried\s+out|applied|run|configured|deployed|"
    r"created|added|included|completed|utili[sz]ed|needed|necessary|required|a\s+priority)\b",
    re.IGNORECASE,
)
# Folded words one of which every denial holds: each cue of NEGATION holds one, and DENIED_AFTER needs "not"
# or "never". A sentence holding none cannot deny a practice (`judge` cannot say "denies"), so a caller that
# only looks for a denial need not judge it (tests/test_reading_costs.py checks both patterns against it).
# They are looked for in this order, the commonest first: most answers, and one sentence in four, hold "no"
# (in "not", "now", "know"), and a text holding one is read no further.
DENIAL_ORDER = ("no", "n't", "never", "without", "instead", "rather", "skip", "failed", "unable", "neither")
DENIAL_LITERALS: Clauses = (frozenset(DENIAL_ORDER),)


def holds_denial(folded: str) -> bool:
    """`may_match(folded, DENIAL_LITERALS)`, the denial literals looked for in DENIAL_ORDER."""
    return any(literal in folded for literal in DENIAL_ORDER)


HYPOTHETICAL = re.compile(
    r"\b(?=[chimnpsw])(?:would|could(?!\s+not\b)|might|should|plan(?:ned|ning)?\s+to|in\s+the\s+future|were\s+to|next\s+steps?|hop(?:e|ed)\s+to|"
    r"wish(?:ed)?|ideally|intend(?:ed)?\s+to|want(?:ed)?\s+to|consider(?:ed|ing)?|if\s+(?:we|you|one|it|there))\b",
    re.IGNORECASE,
)
# Every break starts with white space or one of ",;:()": the look-ahead lets `re` try the alternatives only there.
CLAUSE_BREAK = re.compile(
    r"(?=[\s,;:()])(?:,?\s{1,5}\b(?:but|however|whereas|while|although|though|except|instead(?!\s{1,5}of))\b|;|:\s|\s[-–—]\s|\(|\)"
    r"|,\s{1,5}and\b|\s{1,5}and\s{1,5}(?=(?:we|our|it|they|the|this|i|then)\b)|,\s{1,5}(?=(?:we|our|they|it|i|only)\b)"
    r"|,?\s{1,5}so(?:\s{1,5}that)?\s{1,5}(?=(?:we|they|it|i)\b))",
    re.IGNORECASE,
)
# CLAUSE_BREAK without IGNORECASE, for an ASCII sentence lower-cased: there the two find the same breaks (the
# pattern's letters are lower case, and lower-casing ASCII keeps every position), and a case-insensitive pattern
# lower-cases each character it compares, a fifth of a scan that runs on every sentence judged.
CLAUSE_BREAK_LOWER_CASE = re.compile(CLAUSE_BREAK.pattern)
SUBJECT = re.compile(r"\b(?:we|i|they)\b", re.IGNORECASE)
AND = re.compile(r"\band\b", re.IGNORECASE)
# The final dot is inside the group, so the literals every match needs are "e.g.", "vs." ...: without it they were
# "e.g", "vs" ..., which "envs" or "vscode" hold too (58 of 568 real answers against 33 with the dot).
ABBREVIATION = re.compile(r"\b(e\.g\.|i\.e\.|etc\.|vs\.|approx\.)", re.IGNORECASE)
IMAGE_MARKUP = re.compile(r"!\[[^\]\n]{0,300}\]\([^)\n]{0,500}\)|<img[^>\n]{0,500}>")
LINK_TARGET = re.compile(r"\]\([^)\n]{0,500}\)")
WEB_ADDRESS = re.compile(r"https?://\S+")
BLOCK_BREAK = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)|\n(?=\s*#)")
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
EMPHASIS = re.compile(r"[*_`>#]")
WORD = re.compile(r"[\w'&-]+")
PUNCTUATION = re.compile(r"[,.;:()]")
IMAGE_LINK = re.compile(
    r"!?\[([^\]\n]{0,300})\]\(\s*<?([^)\s>]{1,300}\.(?:png|jpe?g|gif|webp))>?(?:\s+\"[^\"\n]{0,200}\")?\s*\)",
    re.IGNORECASE,
)
IMAGE_TAG = re.compile(
    r"<img\b[^>\n]{0,300}?\bsrc\s*=\s*[\"']([^\"'\n]{1,300})[\"'][^>\n]{0,300}>", re.IGNORECASE
)
IMAGE_LINK_LITERALS = literals(IMAGE_LINK)
IMAGE_TAG_LITERALS = literals(IMAGE_TAG)
PARAGRAPH_OR_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n")


@dataclass(frozen=True)
class Substitution:
    """`pattern.sub(replacement, text)` that runs the regex only on a text holding the literals every
    match needs (`literals`, read at import): most answers hold no abbreviation, link or URL, and a
    case-insensitive regex scans a long text far slower than a literal is looked for. `also_needed` adds
    clauses of single characters that `literals` does not read from a character class (`["\u201c]`): each
    must hold for every match (tests/test_answer_costs.py checks the ones given here). A case-insensitive
    pattern whose matches start with known literals (`leading_literals`: the abbreviations) is tried only
    where they are (`lead_matches`)."""

    pattern: re.Pattern[str]
    replacement: str | Callable[[re.Match[str]], str]
    also_needed: Clauses = ()
    needed: Clauses = field(init=False)
    leads: Leads = field(init=False)
    probes: tuple[tuple[tuple[str, str], ...], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "needed", literals(self.pattern) + self.also_needed)
        object.__setattr__(self, "probes", _probes(self.needed))
        plain = callable(self.replacement) or "\\" not in self.replacement  # no group reference to expand
        tried_everywhere = bool(self.pattern.flags & re.IGNORECASE)  # `re` scans a case-sensitive prefix fast
        leads = leading_literals(self.pattern) if plain and tried_everywhere else None
        object.__setattr__(self, "leads", leads)

    def __call__(self, text: str) -> str:
        return self.apply(text) if self.may_apply(folded(text)) else text

    def may_apply(self, folded_text: str) -> bool:
        """`may_match(folded_text, self.needed)`, each literal's rarest character (`probes`) looked for first: an
        answer holds none of most literals of the markup removed (one in four holds a "]", one in twenty a "<"),
        and `str` finds one character (with `memchr`) many times as fast as a text of several. The clauses are
        tried rarest first (a web address's "://" before its "http")."""
        for clause in self.probes:
            for probe, literal in clause:
                if probe in folded_text and literal in folded_text:
                    break
            else:
                return False
        return True

    def apply(self, text: str) -> str:
        """`pattern.sub(replacement, text)`, whatever the text holds."""
        if self.leads is None:
            return self.pattern.sub(self.replacement, text)
        pieces, end = [], 0
        for match in lead_matches(self.pattern, text, self.leads):
            replaced = self.replacement(match) if callable(self.replacement) else self.replacement
            pieces += (text[end : match.start()], replaced)
            end = match.end()
        return "".join((*pieces, text[end:])) if pieces else text


def substitute_all(substitutions: Sequence[Substitution], text: str) -> str:
    """`text` after each of `substitutions` in turn, folded for their literal checks once, and again only
    after a substitution changed it."""
    folded_text = folded(text)
    for substitution in substitutions:
        if substitution.may_apply(folded_text):
            changed = substitution.apply(text)
            if changed != text:
                text, folded_text = changed, folded(changed)
    return text


# The characters of the answers' folded text from the rarest to the most common, by how many of 568 real answers
# hold each ("?" 1 %, "<" 5 %, "!" 15 %, "]" and "`" 23 %, ":" 33 %, "x" 57 %, "v" 77 %, "e" every one); a
# character not listed is rarer still.
RARITY = "?|+;#}{@\\$*<>%\"&=796!5'84][`3_02:zq1/)(j-xvk,wymhbladcf.tnieougrps "
_RANK = {char: rank for rank, char in enumerate(RARITY)}


def _probes(clauses: Clauses) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Each literal of `clauses` with its rarest character (by RARITY), the clauses ordered by their commonest
    such character, rarest first."""

    def rarest(literal: str) -> str:
        return min(literal, key=lambda char: _RANK.get(char, -1))

    probed = [tuple((rarest(literal), literal) for literal in sorted(clause)) for clause in clauses]
    return tuple(sorted(probed, key=lambda pairs: max(_RANK.get(probe, -1) for probe, _ in pairs)))


@functools.lru_cache(maxsize=512)
def folded(text: str) -> str:
    """`textsearch.fold(text)`, kept per text within a verification: the prose and the sentences of an answer
    start from the same text, and the tool claims look for literals in the prose the answers' checks made
    (folding a text outside ASCII costs about 14 ns a character, several times what a literal check does)."""
    return fold(text)


def _without_dots(match: re.Match[str]) -> str:
    return match.group(1).replace(".", "")


JOIN_ABBREVIATIONS = Substitution(ABBREVIATION, _without_dots)
# What `sentences` removes or joins, in order: images, link targets, URLs, then abbreviations.
SENTENCE_SUBSTITUTIONS = (
    Substitution(IMAGE_MARKUP, " "),
    Substitution(LINK_TARGET, "]"),
    Substitution(WEB_ADDRESS, " "),
    JOIN_ABBREVIATIONS,
)
WINDOW = 60  # characters between a negation and the practice it denies
MAX_SENTENCE = 600

Says = Literal["denies", "describes"]


@dataclass(frozen=True)
class Statement:
    """One sentence of an answer that speaks about a practice: it denies the work or describes it."""

    question: int
    line: int
    sentence: str
    says: Says

    def quote(self, width: int = 200) -> str:
        """The sentence as one line, without its final full stop, cut to `width` characters."""
        return _quoted(self.sentence, width)


def _quoted(sentence: str, width: int) -> str:
    """`sentence` as one line, without its final full stop, cut to `width` characters."""
    text = " ".join(sentence.split()).rstrip(".")
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass(frozen=True)
class _Heard:
    """A sentence of `answer` that speaks about a practice, not yet located in the report."""

    answer: Answer
    sentence: str
    says: Says


@dataclass(frozen=True)
class Testimony:
    """The evidence after hearing the answers, and the statement denying the work when the verdict must
    say `contradicted` (ticked) or `consistent` (not ticked)."""

    evidence: Evidence
    denial: Statement | None = None


@dataclass
class Witness:
    """The report's answers, read once per verification; `testify` is asked once per rule."""

    report: Report
    repo: Repo | None = None
    report_path: str = "reports/README.md"
    _lines: list[str] = field(default_factory=list, init=False, repr=False)
    _blocks: dict[int, str] = field(default_factory=dict, init=False, repr=False)
    _answers: dict[str, Answer | None] = field(default_factory=dict, init=False, repr=False)
    _read: dict[int, tuple[str, list[tuple[str, str]]]] = field(default_factory=dict, init=False, repr=False)
    _denying: dict[int, bool] = field(default_factory=dict, init=False, repr=False)
    _topics: dict[tuple[str, ...], tuple[Answer, ...]] = field(default_factory=dict, init=False, repr=False)
    _linking: dict[Clauses, list[Answer]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        text = None
        if self.repo is not None and self.repo.has(self.report_path):
            text = self.repo.read(self.report_path)
        self._lines = (text or "").splitlines()

    def testify(self, rule: Rule | type[Rule], evidence: Evidence) -> Testimony:
        """The evidence of `rule` with the answers heard (the table in the module docstring)."""
        practice = PRACTICES.get(rule.id)
        if practice is None or practice.words is None:
            return Testimony(hosted_elsewhere(rule, evidence, self.report))
        answers = self._answers_for(practice.topics)
        if evidence.status is Status.FOUND and not self._may_deny(practice, answers):
            return Testimony(evidence)  # found evidence changes only for a denial, and none can be heard
        heard = _until_described(self._hearing(practice, answers))
        denied = _denial(heard)
        denial = self._statement(denied) if denied is not None else None
        if evidence.status is Status.FOUND:
            if denial is None:
                return Testimony(evidence)
            message = (
                f"{evidence.message} The answer to Question {denial.question} says otherwise "
                f'("{denial.quote()}"), but the repository shows it.'
            )
            return Testimony(
                replace(evidence, message=message, locations=(*evidence.locations, self._at(denial)))
            )
        if denial is not None:
            return Testimony(_contradicting(evidence, denial, self._at(denial)), denial)
        if rule.trace is Trace.REPOSITORY or evidence.status not in (Status.ABSENT, Status.UNVERIFIABLE):
            return Testimony(hosted_elsewhere(rule, evidence, self.report))
        shown = self.artifacts(practice, answers)
        if shown:
            return Testimony(
                Evidence.weak(
                    f"The report shows it, the repository does not: {shown[0].snippet}.",
                    shown,
                    source="report",
                )
            )
        describing = next((h for h in heard if h.says == "describes"), None)
        if describing is not None:
            described = self._statement(describing)
            return Testimony(
                Evidence.unverifiable(
                    f"Only the report's word: the answer to Question {described.question} describes it "
                    f'("{described.quote()}"), with no artifact and nothing in the repository.',
                    evidence.looked_for,
                    (self._at(described),),
                    source="report",
                )
            )
        hosted = hosted_elsewhere(rule, evidence, self.report)
        if hosted is not evidence:
            return Testimony(hosted)
        return Testimony(self._silence(rule, practice, evidence))

    # ------------------------------------------------------------------ the answers to a practice's questions

    def answers_for(self, topics: Iterable[str]) -> list[Answer]:
        """The answers to `topics`, found by prompt text first and by number when prompts were deleted."""
        return list(self._answers_for(tuple(topics)))

    def _answers_for(self, topics: tuple[str, ...]) -> tuple[Answer, ...]:
        """`answers_for`, kept per topics: practices share them (a dozen ask the monitoring answer only)."""
        if topics not in self._topics:
            self._topics[topics] = tuple(self._find_answers(topics))
        return self._topics[topics]

    def _find_answers(self, topics: tuple[str, ...]) -> list[Answer]:
        found: list[Answer] = []
        for topic in topics:
            answer = self.answer_to(topic)
            if answer is not None and answer not in found:
                found.append(answer)
        return found

    def answer_to(self, topic: str) -> Answer | None:
        """The answer to the question `topic` of QUESTIONS: the one whose prompt reads like it (preferring
        the number the template gives it), else the answer with that number unless its prompt is another
        known question; None when the report has no such answer."""
        if topic not in self._answers:
            self._answers[topic] = self._find(topic)
        return self._answers[topic]

    def _find(self, topic: str) -> Answer | None:
        question = QUESTIONS[topic]
        prompt, needed = _prompt(question), _PROMPT_LITERALS.get(question, ())
        number = question.modern if self.modern else question.legacy
        answer = self.report.answer(number) if number is not None else None
        if answer is not None and answer.question and prompt.search(answer.question):
            # the template's number holds the prompt (most reports): every other answer whose prompt reads
            # like it comes later or has another number, so it is the answer, and the rest are not read
            return answer
        by_prompt = [
            a
            for a, folded in zip(self.report.answers, self._folded_questions, strict=True)
            if a.question and may_match(folded, needed) and prompt.search(a.question)
        ]
        if by_prompt:
            return next((a for a in by_prompt if a.number == number), by_prompt[0])
        if answer is None or any(_prompt(other).search(answer.question) for other in QUESTIONS.values()):
            return None  # this template does not ask it, or the number holds another known question
        return answer

    @functools.cached_property
    def _folded_questions(self) -> list[str]:
        """Each answer's question, folded for `may_match`: 29 prompts are looked for in about 30 questions."""
        return [fold(answer.question) for answer in self.report.answers]

    @functools.cached_property
    def modern(self) -> bool:
        """True for the 31-question template (2025-26), False for the 27-question one (2023-24); read once
        (every question a rule's practice names is looked for by its number in this template)."""
        return max((answer.number for answer in self.report.answers), default=31) > 27

    def statements(self, practice: Practice, answers: Sequence[Answer]) -> list[Statement]:
        """Every sentence of `answers` that denies or describes the practice, in order."""
        return [self._statement(heard) for heard in self._hear(practice, answers)]

    def _statement(self, heard: _Heard) -> Statement:
        return Statement(
            heard.answer.number, self.line_of(heard.answer, heard.sentence), heard.sentence, heard.says
        )

    def _hear(self, practice: Practice, answers: Sequence[Answer]) -> list[_Heard]:
        """`statements` before they are located: `testify` locates only the one it quotes."""
        return list(self._hearing(practice, answers))

    def _hearing(self, practice: Practice, answers: Sequence[Answer]) -> Iterator[_Heard]:
        """`_hear`, sentence by sentence, so that a caller can stop once the rest cannot change its verdict."""
        patterns = practice_patterns(practice)
        if patterns.words is None or patterns.asked is None:
            return
        elsewhere, broader = patterns.elsewhere, patterns.broader
        asked_answer = self.answer_to(practice.topics[0])
        for answer in answers:
            if answer is asked_answer:
                words, needed = patterns.asked, patterns.asked_literals
            else:
                words, needed = patterns.words, patterns.words_literals
            folded_answer, read = self._sentences_of(answer)
            if not may_match(folded_answer, needed) and not (
                broader is not None and may_match(folded_answer, patterns.broader_literals)
            ):
                continue  # no sentence of the answer names the practice
            for sentence, folded in read:
                says = judge(sentence, words, elsewhere) if may_match(folded, needed) else None
                if (
                    says is None
                    and broader is not None
                    and may_match(folded, patterns.broader_literals)
                    and judge(sentence, broader, elsewhere) == "denies"
                ):
                    says = "denies"
                if says is not None:
                    yield _Heard(answer, sentence, says)

    def _may_deny(self, practice: Practice, answers: Sequence[Answer]) -> bool:
        """Whether a sentence `_hearing` would judge holds a denial literal (`DENIAL_LITERALS`). Without one, no
        statement denies the practice, and found evidence stands as it is: most ticked items with evidence are
        described in plain words, and their sentences need not be judged at all."""
        patterns = practice_patterns(practice)
        if patterns.words is None or patterns.asked is None:
            return False
        broader = patterns.broader_literals if patterns.broader is not None else None
        asked_answer = self.answer_to(practice.topics[0])
        for answer in answers:
            needed = patterns.asked_literals if answer is asked_answer else patterns.words_literals
            folded_answer, read = self._sentences_of(answer)
            if not self._may_deny_any(answer) or not (
                may_match(folded_answer, needed)
                or (broader is not None and may_match(folded_answer, broader))
            ):
                continue  # no sentence denies anything, or none names the practice (most answers a practice reads)
            for _, folded in read:
                if (
                    may_match(folded, needed) or (broader is not None and may_match(folded, broader))
                ) and holds_denial(folded):
                    return True
        return False

    def _may_deny_any(self, answer: Answer) -> bool:
        """Whether a sentence of `answer` holds a denial literal (`DENIAL_LITERALS`), looked for once per answer:
        every practice with found evidence asks it of the same few answers."""
        if answer.line not in self._denying:
            self._denying[answer.line] = holds_denial(self._sentences_of(answer)[0])
        return self._denying[answer.line]

    def _sentences_of(self, answer: Answer) -> tuple[str, list[tuple[str, str]]]:
        """The sentences of `answer`, each with its text folded for `may_match`, and all of them folded
        (a literal of one sentence is in it), read once per answer."""
        if answer.line not in self._read:
            read = list(folded_sentences(answer.text))
            self._read[answer.line] = ("\n".join(folded for _, folded in read), read)
        return self._read[answer.line]

    def artifacts(self, practice: Practice, answers: Sequence[Answer]) -> list[Location]:
        """Service URLs (in any answer), quoted commands, configs or outputs and screenshots (in the
        practice's answers), each located at its report line."""
        shown: list[Location] = []
        patterns = practice_patterns(practice)
        if patterns.urls is not None:
            for answer in self._holding(patterns.urls_literals):
                for match in patterns.urls.finditer(answer.text):
                    url = match.group(0).rstrip(".,;:)`'\"")
                    shown.append(
                        self._located(answer, url, f"the service URL {url} in Question {answer.number}")
                    )
        if patterns.quoted is not None:
            for answer in answers:
                if not may_match(self._folded_text(answer), patterns.quoted_literals):
                    continue
                for match in patterns.quoted.finditer(answer.text):
                    end = answer.text.find("\n", match.start())
                    command = answer.text[match.start() : end if end != -1 else None].split("`")[0]
                    command = " ".join(command.split())[:100]
                    shown.append(
                        self._located(
                            answer, match.group(0), f"`{command}` quoted in Question {answer.number}"
                        )
                    )
        shot_topics = {id(self.answer_to(topic)) for topic in practice.shot_topics}
        shots = patterns.shots
        for answer in answers:
            folded = self._folded_text(answer)
            if not may_match(folded, IMAGE_LINK_LITERALS) and not may_match(folded, IMAGE_TAG_LITERALS):
                continue  # no image in the answer
            for image, context in _images(answer.text):
                if not self._is_screenshot(image):
                    continue
                if id(answer) in shot_topics or (shots is not None and shots.search(context)):
                    shown.append(
                        self._located(answer, image, f"the screenshot {image} in Question {answer.number}")
                    )
        return shown

    def _holding(self, clauses: Clauses) -> list[Answer]:
        """The answers whose text may match `clauses` (`may_match`), found once per clauses: most answers link no
        service, their texts are not scanned for its URLs, and practices share URL patterns (four the
        monitoring console's)."""
        if clauses not in self._linking:
            self._linking[clauses] = [
                answer for answer in self.report.answers if may_match(self._folded_text(answer), clauses)
            ]
        return self._linking[clauses]

    def _folded_text(self, answer: Answer) -> str:
        """The answer's whole text folded (`folded`), for the literal checks of `artifacts`."""
        return folded(answer.text)

    def _is_screenshot(self, image: str) -> bool:
        """An image of the group's own: committed next to the report and not one of the course's figures."""
        if self.repo is None or image.startswith(("http://", "https://")):
            return False
        folder = self.report_path.rpartition("/")[0]
        path = self.repo.link_target(image, folder)
        return self.repo.has(path) and self.repo.template_match(path) is None

    # ------------------------------------------------------------------ locations and messages

    def line_of(self, answer: Answer, text: str) -> int:
        """The report line where `text` (a sentence, URL or image path of `answer`) starts, searched in the
        answer's own lines; the heading's line when the report text cannot be read."""
        block = self._block(answer)
        words = _normal(text).split(" ")
        for size in (6, 3, 1):
            needle = " ".join(words[:size])
            if not needle:
                break
            found = block.find(needle)  # the first line holding it: a needle holds no line break
            if found != -1:
                return answer.line + block.count("\n", 0, found) + 1
        return answer.line

    def _block(self, answer: Answer) -> str:
        """The lines of `answer` below its heading, each as `_normal` leaves it, joined by line breaks;
        made once per answer, and only for answers a location is asked in."""
        if answer.line not in self._blocks:
            later = [a.line for a in self.report.answers if a.line > answer.line]
            end = min([*later, len(self._lines) + 1]) - 1
            text = "\n".join(self._lines[answer.line : end]).replace("\u2019", "'").replace("\u2018", "'")
            # _normal line by line, in one pass: none of its steps adds, removes or crosses a line break
            normal = EMPHASIS.sub(" ", JOIN_ABBREVIATIONS(text)).lower()
            self._blocks[answer.line] = "\n".join(" ".join(line.split()) for line in normal.split("\n"))
        return self._blocks[answer.line]

    def _at(self, statement: Statement) -> Location:
        return Location(
            self.report_path, statement.line, f"Question {statement.question}: {statement.quote(120)}"
        )

    def _located(self, answer: Answer, needle: str, snippet: str) -> Location:
        return Location(self.report_path, self.line_of(answer, needle), snippet)

    def _silence(self, rule: Rule | type[Rule], practice: Practice, evidence: Evidence) -> Evidence:
        """The evidence when no answer says the practice was done or not done: absent for a code practice
        (the question asks about it), unchanged but said for console work. An answer that names the practice
        without either (a hedge, a plan, a negation whose reach is unclear: "our group didn't do profiling
        using cProfile") is quoted and cited, never said not to mention it."""
        asked = self.answer_to(practice.topics[0])
        named = self._naming(practice, asked) if asked is not None else None
        if asked is None:
            said = "the report has no answer about it"
        elif not asked.text.strip():
            said = f"the report leaves Question {asked.number}, which asks about it, unanswered"
        elif named is not None:
            said = (
                f"the report's answer to Question {asked.number}, which asks about it, names it, but no "
                f'sentence of it was read as saying it was done ("{_quoted(named, 160)}")'
            )
        else:
            said = f"the report's answer to Question {asked.number}, which asks about it, does not mention it"
        cited = (
            (self._located(asked, named, f"Question {asked.number}: {_quoted(named, 120)}"),)
            if asked is not None and named is not None
            else ()
        )
        if rule.trace is Trace.CODE:
            looked_for = (*evidence.looked_for, "a mention, screenshot or command in the report's answers")
            return Evidence(
                Status.ABSENT, f"Nothing in the repository shows it, and {said}.", cited, looked_for
            )
        return replace(
            evidence,
            message=f"{evidence.message} Nothing in the report shows it either: {said}.",
            locations=(*evidence.locations, *cited),
        )

    def _naming(self, practice: Practice, answer: Answer) -> str | None:
        """The first sentence of `answer` (the one asking about the practice) that names the practice."""
        words = practice_patterns(practice).asked
        if words is None:
            return None
        _, read = self._sentences_of(answer)
        return next((sentence for sentence, _ in read if words.search(sentence)), None)


def _until_described(hearing: Iterable[_Heard]) -> list[_Heard]:
    """The statements heard up to and including the first that describes the work. What `testify` makes of
    the statements (`_denial`, and the description it quotes) depends only on whether one describes the
    work, which one comes first, and, when none does, on the first denial: the sentences after the first
    description cannot change it, so they are not judged."""
    heard = []
    for statement in hearing:
        heard.append(statement)
        if statement.says == "describes":
            break
    return heard


def _denial(statements: Sequence[_Heard]) -> _Heard | None:
    """The first denying statement, unless another one describes the work (a denial of a part)."""
    if any(s.says == "describes" for s in statements):
        return None
    return next((s for s in statements if s.says == "denies"), None)


def _contradicting(evidence: Evidence, denial: Statement, at: Location) -> Evidence:
    """The evidence of an item the group's own answer denies: the repository's trace, if any, is kept."""
    said = f'The group\'s own answer to Question {denial.question} says it was not done: "{denial.quote()}".'
    if evidence.status is Status.TEMPLATE:
        return replace(evidence, message=f"{said} {evidence.message}", locations=(at, *evidence.locations))
    trace = (
        f" The repository holds only a trace: {evidence.message}" if evidence.status is Status.WEAK else ""
    )
    return Evidence(Status.ABSENT, f"{said}{trace}", (at, *evidence.locations), evidence.looked_for)


# ---------------------------------------------------------------------- reading sentences


def sentences(text: str) -> list[str]:
    """The answer's prose, split into sentences: paragraphs and list items joined across hard wraps, code
    blocks, images, link targets and URLs removed, "e.g." and "i.e." kept inside their sentence."""
    return list(_sentences(text))


@functools.lru_cache(maxsize=128)
def _sentences(text: str) -> tuple[str, ...]:
    """`sentences`, kept per text within a verification: the witness and the tool claims read the same
    answers."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = "\n\n".join(text.split("```")[::2])  # fenced code blocks out, in one linear pass
    text = substitute_all(SENTENCE_SUBSTITUTIONS, text)
    if BLOCK_MARK in text:
        return _sentences_block_by_block(text)
    # The blocks marked and the white space made single spaces in the whole text at once: a block's sentences
    # are those `_sentences_block_by_block` cuts from it, with white space around the mark, which every
    # sentence is stripped of (splitting each block into its words cost more than the rest of the reading).
    single_spaced = _single_spaced(BLOCK_BREAK.sub(BLOCK_MARK, text))
    return _cut(single_spaced.replace(BLOCK_MARK, "\n"))


# Where `_sentences` marks a block break, in a text that holds no such character.
BLOCK_MARK = "\x00"
# Each ASCII byte as `str.split` reads it: white space as a space, any other byte as it is.
SPACED_BYTES = bytes(32 if chr(byte).isspace() else byte for byte in range(256))


def _single_spaced(text: str) -> str:
    """`" ".join(text.split())`, without making the words (thousands in an answer): in an ASCII text, each
    white space character a space, then each run of spaces one space."""
    if not text.isascii():
        return " ".join(text.split())
    spaced = text.encode("ascii").translate(SPACED_BYTES).decode("ascii")
    while "  " in spaced:
        spaced = spaced.replace("    ", " ").replace("  ", " ")
    return spaced.strip(" ")


def _cut(blocks: str) -> tuple[str, ...]:
    """The sentences of `blocks` (blocks single-spaced, one a line): a break is the space after ".", "!" or
    "?" (`SENTENCE_BREAK` in a single-spaced text, cut with `str.replace` at a fraction of the regex's
    cost). Each sentence is stripped of list and heading marks; questions and empty lines are left out."""
    found = []
    for sentence in blocks.replace(". ", ".\n").replace("! ", "!\n").replace("? ", "?\n").split("\n"):
        sentence = sentence.strip(" -*+#>")
        if sentence and not sentence.endswith("?"):
            found.append(sentence[:MAX_SENTENCE])
    return tuple(found)


def _sentences_block_by_block(text: str) -> tuple[str, ...]:
    """`_sentences` of a text after its substitutions, block by block (for a text holding BLOCK_MARK)."""
    return _cut("\n".join(" ".join(block.split()) for block in BLOCK_BREAK.split(text)))


@functools.lru_cache(maxsize=128)
def folded_sentences(text: str) -> tuple[tuple[str, str], ...]:
    """`sentences` of `text`, each with its text folded (`textsearch.fold`) for `may_match`: the witness
    and the tool claims look for the literals of a practice's or a tool's words in the same sentences."""
    return tuple((sentence, fold(sentence)) for sentence in _sentences(text))


def judge(sentence: str, words: re.Pattern[str], elsewhere: re.Pattern[str] | None = None) -> Says | None:
    """What a sentence says about the practice `words` names: "denies" when a clause about it negates
    it and none describes it, "describes" when a clause about it says it was done, None when no clause
    speaks about it, or only hypothetically ("we would have liked to deploy"), about a neighbouring
    practice (`elsewhere`: "we deployed it locally") or with a negation whose reach is unclear ("we are not
    able to detect or view data drift": neither a denial nor a description).

    A sentence `words` does not match is not cut into clauses: a clause is a part of the sentence cut at
    punctuation or whitespace, so a clause `words` matches is matched in the sentence as well, as long as
    `words` holds no anchor (`^`, `$`, `\\A`, `\\Z`, `\\B`) or look-behind that sees the clause's edge (most
    sentences of an answer name none of a practice's words; tests/test_witness.py guards the vocabulary)."""
    if not words.search(sentence):
        return None
    return _judge_clauses(sentence, words, elsewhere)


def _judge_clauses(sentence: str, words: re.Pattern[str], elsewhere: re.Pattern[str] | None) -> Says | None:
    """`judge`, clause by clause."""
    verdicts = set()
    parts = _clauses(sentence)
    moods: list[bool | None] = [None] * len(parts)
    for index, (clause, _) in enumerate(parts):
        if not words.search(clause) or _hypothetical(parts, index, moods) or _only_a_name(clause, words):
            continue
        if elsewhere is not None and elsewhere.search(clause):
            continue
        negation = _negation(clause, words)
        if negation == "denies":
            verdicts.add("denies")
        elif negation is None:
            verdicts.add("describes")
        # else a negation near the practice that does not clearly deny it: neither denial nor description
    if "describes" in verdicts:
        return "describes"
    return "denies" if verdicts else None


def _hypothetical(parts: Sequence[tuple[str, bool]], index: int, moods: list[bool | None]) -> bool:
    """Whether clause `index` of `parts` (`clauses`) is hypothetical: HYPOTHETICAL is in it, or "and" joins it
    to a hypothetical clause before it ("we would ensure ..., and that we are alerted"). `moods` keeps what
    was found; only the clauses that name the practice, and those they are joined to, are read."""
    chain = []
    while True:
        known = moods[index]
        if known is not None:
            mood = known
            break
        clause, joined = parts[index]
        if HYPOTHETICAL.search(clause):
            mood = True
            break
        chain.append(index)
        if not joined or index == 0:
            mood = False
            break
        index -= 1
    for position in (*chain, index):
        moods[position] = mood
    return mood


def _only_a_name(clause: str, words: re.Pattern[str]) -> bool:
    """A clause that is only the practice's name, such as the "(W&B)" after "Weights & Biases"."""
    return bool(words.fullmatch(clause.strip(" *_`'\".,")))


def clauses(sentence: str) -> list[tuple[str, bool]]:
    """The sentence's clauses, cut at "but", "however", "while", semicolons, dashes and brackets, and at
    "and" or a comma before a new subject; a phrase without a subject of its own ("As for profiling,",
    "For ML-specific monitoring,") stays with the clause it leads into. Each clause comes with whether
    "and" joined it to the one before."""
    return list(_clauses(sentence))


@functools.lru_cache(maxsize=1024)
def _clauses(sentence: str) -> tuple[tuple[str, bool], ...]:
    """`clauses`, kept per sentence within a verification: a sentence naming several practices (a deployment
    with Docker and FastAPI) is judged once for each."""
    parts: list[tuple[str, bool]] = []
    start, joined = 0, False
    for cut in clause_breaks(sentence):
        before = sentence[start : cut.start()]
        if cut.group(0).strip() == "," and not SUBJECT.search(before):
            continue  # "For ML-specific monitoring, we could ...": a phrase leading into the clause after it
        parts.append((before, joined))
        start, joined = cut.end(), bool(AND.search(cut.group(0)))
    parts.append((sentence[start:], joined))
    return tuple((part.strip(), joined) for part, joined in parts if part.strip())


def clause_breaks(sentence: str) -> Iterator[re.Match[str]]:
    """`CLAUSE_BREAK.finditer(sentence)`; for an ASCII sentence, `CLAUSE_BREAK_LOWER_CASE` over it lower-cased
    (the same spans; a break's text differs only in case)."""
    if sentence.isascii():
        return CLAUSE_BREAK_LOWER_CASE.finditer(sentence.lower())
    return CLAUSE_BREAK.finditer(sentence)


def negated(clause: str, words: re.Pattern[str]) -> bool:
    """True when a negation governs a mention of the practice, or a denying "was not done" follows it
    ("DVC was not used"). A negation governs a mention when it comes before it with only the words of doing
    the work in between (`BETWEEN`: "did not run any specific profiling"), the mention is not the object of
    a preposition ("did not set up caching in CI"), no noun follows it that it only modifies ("a drift
    detection dashboard") and nothing right after narrows it to a part or a way ("deploy it directly")."""
    return _negation(clause, words) == "denies"


def _negation(clause: str, words: re.Pattern[str]) -> Literal["denies", "near"] | None:
    """ "denies" when the clause's negations deny the practice (`negated`), "near" when a negation stands
    shortly before a mention without denying it ("we are not able to detect or view data drift"), None
    when no negation is near a mention: both questions answered in one pass over the mentions."""
    near = False
    for mention in words.finditer(clause):
        before = clause[max(0, mention.start() - WINDOW) : mention.start()]
        after = clause[mention.end() : mention.end() + 90]
        cues = list(NEGATION.finditer(before))
        if cues and _governs(before[cues[-1].end() :], after):
            return "denies"
        if DENIED_AFTER.search(after):
            return "denies"
        near = near or bool(cues)
    return "near" if near else None


def _governs(between: str, after: str) -> bool:
    """The negation before a mention (with `between` in between) denies the mention followed by `after`."""
    if not all(BETWEEN.fullmatch(word) for word in WORD.findall(between)):
        return False
    if PUNCTUATION.search(between) or PREPOSITION.search(between) or PART.search(after):
        return False
    following = WORD.match(after.lstrip())  # None when punctuation or the end comes first
    return following is None or bool(PHRASE_END.fullmatch(following.group(0)))


def _normal(text: str) -> str:
    """Text as `sentences` leaves it and lower case, for finding a sentence's line in the report."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(EMPHASIS.sub(" ", JOIN_ABBREVIATIONS(text)).split()).lower()


def _line_around(text: str, position: int) -> str:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start : end if end != -1 else len(text)]


def _images(text: str) -> list[tuple[str, str]]:
    """Embedded images and links to image files in an answer, with the text that says what they show (the
    alt or link text, the path and the rest of the line)."""
    found = []
    for match in IMAGE_LINK.finditer(text):
        found.append(
            (match.group(2), f"{match.group(1)} {match.group(2)} {_line_around(text, match.start())}")
        )
    for match in IMAGE_TAG.finditer(text):
        found.append((match.group(1), f"{match.group(0)} {_line_around(text, match.start())}"))
    return found


# ---------------------------------------------------------------------- the course's own figures


# ---------------------------------------------------------------------- work that lives elsewhere

LOCAL_OR_IMAGE = re.compile(r"//(localhost|127\.0\.0\.1|0\.0\.0\.0)\b|\.(png|jpe?g|gif|svg)$", re.IGNORECASE)
URL = re.compile(r"https?://[^\s)>\]\"']+")


def hosted_elsewhere(rule: Rule | type[Rule], evidence: Evidence, report: Report) -> Evidence:
    """An absent finding for work the report's answers link outside the repository becomes unverifiable:
    a sentence naming the work (the rule's `elsewhere` pattern, read outside the URLs, so the `docs` of a
    tool's documentation URL does not count) together with a URL that is not local and not an image."""
    if evidence.status is not Status.ABSENT or not rule.elsewhere:
        return evidence
    pattern = None  # compiled once a sentence links something (most reports link nothing of the kind)
    for answer in report.answers:
        if "://" not in answer.text:
            continue  # no URL in the answer (most answers): none of its sentences links the work
        for url, words in _linking_sentences(answer.text):
            pattern = pattern or ELSEWHERE.get(rule.elsewhere) or re.compile(rule.elsewhere, re.IGNORECASE)
            if pattern.search(words):
                return Evidence.unverifiable(
                    f"{evidence.message} The report's answer to Question {answer.number} says it lives outside this "
                    f"repository ({url}), which cannot be checked here.",
                    evidence.looked_for,
                )
    return evidence


@functools.lru_cache(maxsize=128)
def _linking_sentences(text: str) -> tuple[tuple[str, str], ...]:
    """The sentences of an answer that link a URL that is not local and no image: each as its first such
    URL and its words without the URLs. Kept per text within a verification: every rule whose work may live
    elsewhere and whose evidence is absent reads the same answers."""
    found = []
    for sentence in PARAGRAPH_OR_SENTENCE.split(text):
        urls = [url for url in URL.findall(sentence) if not LOCAL_OR_IMAGE.search(url)]
        if urls:
            found.append((urls[0], URL.sub(" ", sentence)))
    return tuple(found)


__all__ = [
    "DENIAL_LITERALS",
    "PRACTICES",
    "QUESTIONS",
    "Practice",
    "Question",
    "Statement",
    "Testimony",
    "Witness",
    "folded",
    "folded_sentences",
    "hosted_elsewhere",
    "judge",
    "sentences",
]
