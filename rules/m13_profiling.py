"""M13 Profiling (the report tags the item M12, the course module is M13)."""

from verifier.checks import AUTOMATION_GLOBS, is_exercise_copy, may_name
from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule, Trace
from verifier.textsearch import prepared

PROFILERS = (
    "cProfile",
    "pstats",
    "torch.profiler",
    "line_profiler",
    "pyinstrument",
    "memory_profiler",
    "scalene",
    "snakeviz",
    "yappi",
)

# Profilers installed on their own (cProfile and torch.profiler come with Python and PyTorch).
PROFILER_DISTRIBUTIONS = (
    "snakeviz",
    "torch-tb-profiler",
    "line-profiler",
    "pyinstrument",
    "py-spy",
    "scalene",
    "memory-profiler",
    "yappi",
)
PROFILER_COMMAND = prepared(
    r"-m\s+(cProfile|pyinstrument|line_profiler|memory_profiler)\b|\b(kernprof|snakeviz|py-spy|scalene)\b"
)
PROFILER_WORDS = prepared(r"cProfile|snakeviz|torch\.profiler|pyinstrument|line_profiler")


class Profiling(Rule):
    """cProfile, pstats, torch.profiler, line_profiler, pyinstrument, snakeviz or a Lightning profiler
    used in code, scripts, tasks or CI, or committed profile outputs. A mention in docs only, or a profiler
    only declared as a dependency, is weak; no trace is unverifiable, because `python -m cProfile` run by
    hand leaves none (the report's answer to the profiling question then decides)."""

    id = "m13.profiling"
    trace = Trace.CODE
    modules = ("M12", "M13")
    title = "Profiling to optimize the code"
    texts = (
        "Use profiling to optimize your code",
        "When you have something that works somewhat, remember at some point to to some profiling and see if "
        "you can optimize your code",
    )

    def check(self, repo: Repo) -> Evidence:
        profiler_arguments = [
            repo.location(path, call.line)
            for path in repo.python_files
            if may_name(repo, path, "profiler")
            for call in repo.python(path).calls
            if call.keywords.get("profiler") not in (None, False)
        ]
        profiler_calls = repo.call_locations(
            "torch.profiler.profile",
            "torch.autograd.profiler.profile",
            "profiler.profile",
            "cProfile.run",
            "cProfile.Profile",
            "PyTorchProfiler",
            "SimpleProfiler",
            "AdvancedProfiler",
        )
        code = repo.imports(*PROFILERS) + profiler_calls + profiler_arguments
        commands = repo.search(
            PROFILER_COMMAND,
            *AUTOMATION_GLOBS,
            "*.py",
            limit=5,
        )
        outputs = repo.glob("*.prof", "*.pstats", "*.lprof", "*.pt.trace.json", "profil*/*")
        traces = [loc for loc in code + commands if not repo.is_excluded(loc.path)]
        copies = [loc for loc in traces if is_exercise_copy(repo, loc.path)]
        found = [loc for loc in traces if loc not in copies] + [Location(p, None, p) for p in outputs[:3]]
        if found:
            return Evidence.found("Profiling code, commands or outputs were found.", found)
        if copies:
            sources = sorted({repo.template_match(loc.path).file for loc in copies})  # type: ignore[union-attr]
            return Evidence.weak(
                f"Profiling appears only in unchanged copies of course exercise files ({', '.join(sources[:3])}).",
                copies,
            )
        docs = repo.search(PROFILER_WORDS, "*.md", limit=4)
        if docs:
            return Evidence.weak("Profiling is only mentioned in documentation.", docs)
        declared = repo.dependency_locations(*PROFILER_DISTRIBUTIONS)
        if declared:
            return Evidence.weak(
                "A profiler is a declared dependency, but no code or script uses it.", declared
            )
        return Evidence.unverifiable(
            "No profiling trace was found; a profiler run from the command line leaves none, so this cannot be judged.",
            (
                "cProfile/pstats/torch.profiler/pyinstrument/line_profiler or a Lightning profiler in code or scripts",
                "*.prof outputs",
            ),
        )
