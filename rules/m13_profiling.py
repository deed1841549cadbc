"""M13 Profiling (the report tags the item M12, the course module is M13)."""

from verifier.rule import Rule


class Profiling(Rule):
    """cProfile, pstats, torch.profiler, line_profiler, pyinstrument or snakeviz used in code,
    scripts, tasks or CI, or committed profile outputs. A mention in docs only is weak."""

    id = "m13.profiling"
    modules = ("M12", "M13")
    title = "Profiling to optimize the code"
    texts = (
        "Use profiling to optimize your code",
        "When you have something that works somewhat, remember at some point to to some profiling and see if "
        "you can optimize your code",
    )
