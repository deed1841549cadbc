"""M8 Data version control."""

from verifier.rule import Rule


class DataVersionControl(Rule):
    """Data under DVC: *.dvc files or dvc.yaml/dvc.lock, plus .dvc/config. A .dvc/ folder alone
    (dvc init only) is weak; the substring ".dvc" in a path is not evidence."""

    id = "m08.dvc"
    modules = ("M8",)
    title = "Version control for data"
    texts = ("Setup version control for your data or part of your data",)
