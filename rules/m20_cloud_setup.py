"""M20 Cloud setup (2022 wording only)."""

from verifier.evidence import Evidence
from verifier.repo import Repo
from verifier.rule import Rule, Trace


class GcpProject(Rule):
    """2022 wording "(optional) Create a new project on gcp and invite all group members to it".
    Project membership lives in the GCP console: no repository can show it."""

    id = "m20.gcp-project"
    trace = Trace.CONSOLE
    modules = ("M20",)
    title = "GCP project shared by the group (2022 wording)"
    texts = ("(optional) Create a new project on `gcp` and invite all group members to it",)

    def check(self, repo: Repo) -> Evidence:
        return Evidence.unverifiable(
            "GCP project membership is set in the GCP console and leaves no trace in a repository.",
            looked_for=("nothing: this item cannot be checked from the repository",),
        )
