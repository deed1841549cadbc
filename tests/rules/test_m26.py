"""M26 frontend: a Streamlit app posting to the API is found; one that never calls it is weak;
generated HTML reports are not a frontend."""

from __future__ import annotations

from verifier.evidence import Status

from conftest import check

APP = """import requests
import streamlit as st

uploaded = st.file_uploader("image")
if uploaded:
    response = requests.post("https://api.example.run.app/predict", files={"file": uploaded})
    st.write(response.json())
"""


def test_streamlit_app_calling_the_api_is_found(make_repo) -> None:
    ev = check("m26.frontend", make_repo({"frontend/app.py": APP}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("frontend/app.py", 6)


def test_streamlit_app_without_api_call_is_weak(make_repo) -> None:
    ev = check("m26.frontend", make_repo({"frontend/app.py": 'import streamlit as st\n\nst.title("hi")\n'}))
    assert ev.status is Status.WEAK
    assert ev.locations[0].path == "frontend/app.py"


def test_generated_report_page_is_not_a_frontend(make_repo) -> None:
    page = "<html><script>fetch('/data')</script></html>"
    ev = check("m26.frontend", make_repo({"reports/drift_report.html": page, "htmlcov/index.html": page}))
    assert ev.status is Status.ABSENT
    assert any("streamlit" in item for item in ev.looked_for)
