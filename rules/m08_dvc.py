"""M8 Data version control."""

from verifier.evidence import Evidence, Location
from verifier.repo import Repo
from verifier.rule import Rule


class DataVersionControl(Rule):
    """Data under DVC: *.dvc files or dvc.yaml/dvc.lock, plus .dvc/config. A .dvc/ folder alone
    (dvc init only) is weak; the substring ".dvc" in a path is not evidence."""

    id = "m08.dvc"
    modules = ("M8",)
    title = "Version control for data"
    texts = ("Setup version control for your data or part of your data",)

    def check(self, repo: Repo) -> Evidence:
        tracked = [
            p for p in repo.glob("*.dvc") if p.endswith(".dvc") and p.rsplit("/", 1)[-1] != ".dvc"
        ] + repo.glob("dvc.yaml", "dvc.lock")
        config = [p for p in (".dvc/config",) if repo.has(p)]
        if tracked:
            locations = [repo.location(p, 1) for p in tracked[:4]] + [Location(p, 1, p) for p in config]
            return Evidence.found(f"Data tracked with DVC: {', '.join(tracked[:4])}.", locations)
        weak = [Location(p, 1, p) for p in repo.glob(".dvc/*", ".dvcignore")] + repo.dependency_locations(
            "dvc", "dvc-gs", "dvc-gdrive", "dvc-s3"
        )
        if weak:
            return Evidence.weak(
                "DVC is set up (dvc init or a dependency), but no data is tracked (.dvc files).", weak
            )
        return Evidence.absent(
            "No DVC setup was found.", ("*.dvc files", "dvc.yaml / dvc.lock", ".dvc/config")
        )
