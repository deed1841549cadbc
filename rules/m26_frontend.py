"""M26 Frontend."""

from verifier.rule import Rule


class Frontend(Rule):
    """A Streamlit, Gradio or HTML/JS frontend that calls the API; one that never calls it is weak."""

    id = "m26.frontend"
    modules = ("M26",)
    title = "Frontend for the API"
    texts = ("Create a frontend for your API",)
