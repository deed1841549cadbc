"""M22 Requests and APIs: a FastAPI inference app."""

from verifier.rule import Rule


class FastApiApp(Rule):
    """A FastAPI app with a route that runs the group's model, wherever it lives (api/, app/,
    src/<pkg>/). An app without model use is weak; the empty template api.py is template."""

    id = "m22.fastapi"
    modules = ("M22",)
    title = "FastAPI application doing inference"
    texts = ("Create a FastAPI application that can do inference using your model",)
