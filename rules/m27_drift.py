"""M27 Data drifting."""

from verifier.rule import Rule


class DriftRobustness(Rule):
    """Drift analysis over the group's data: evidently, nannyml, whylogs, alibi-detect, or the
    group's own statistical tests. The dependency alone is weak."""

    id = "m27.drift-robustness"
    modules = ("M27",)
    title = "Robustness of the model towards data drift"
    texts = (
        "Check how robust your model is towards data drifting",
        "Checked how robust your model is towards data drifting",
    )


class InputOutputCollection(Rule):
    """The deployed API stores its inputs and predictions (a background task writing to CSV, a
    database or a GCS bucket, or structured prediction logs)."""

    id = "m27.io-collection"
    modules = ("M27",)
    title = "Collection of input-output data from the deployed app"
    texts = ("Setup collection of input-output data from your deployed application",)


class DriftApi(Rule):
    """A service exposing drift reports together with its cloud deploy configuration; a service
    without a deploy trace is weak."""

    id = "m27.drift-api"
    modules = ("M27",)
    title = "Drift detection API deployed to the cloud"
    texts = ("Deploy to the cloud a drift detection API",)
