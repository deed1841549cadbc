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


def test_page_returned_by_a_fastapi_route_is_found(make_repo) -> None:
    api = (
        "from fastapi import FastAPI\n"
        "from fastapi.responses import HTMLResponse\n\n"
        "app = FastAPI()\n"
        "PAGE = '''<html><body><script>\n"
        "async function go() {\n"
        "  const r = await fetch('/predict', {method: 'POST'});\n"
        "}\n"
        "</script></body></html>'''\n\n\n"
        "@app.get('/', response_class=HTMLResponse)\n"
        "def index():\n"
        "    return PAGE\n"
    )
    ev = check("m26.frontend", make_repo({"api/main.py": api}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("api/main.py", 7)


def test_api_module_with_fetch_but_no_page_is_no_frontend(make_repo) -> None:
    api = "from fastapi import FastAPI\n\napp = FastAPI()\nrows = cursor.fetch(10)\n"
    assert check("m26.frontend", make_repo({"api/main.py": api})).status is Status.ABSENT


def test_template_form_posting_to_the_api_is_found(make_repo) -> None:
    page = (
        "<html><body>\n"
        '<form action="/predict"\n      method="post" enctype="multipart/form-data">\n'
        '  <input type="file" name="file">\n</form>\n</body></html>\n'
    )
    ev = check("m26.frontend", make_repo({"api/templates/index.html": page}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("api/templates/index.html", 2)


def test_form_that_submits_nowhere_is_no_frontend(make_repo) -> None:
    page = '<html><body><form class="search"><input name="q"></form></body></html>\n'
    assert check("m26.frontend", make_repo({"web/index.html": page})).status is Status.ABSENT


def test_vue_and_svelte_components_calling_the_api_are_found(make_repo) -> None:
    vue = "<template><button @click='go'>Go</button></template>\n<script>\nconst r = await fetch('/api/predict')\n</script>\n"
    svelte = (
        "<script>\n  import axios from 'axios'\n  const r = axios.post('/api/predict', data)\n</script>\n"
    )
    for path, text, line in (("frontend/src/App.vue", vue, 3), ("web/src/routes/+page.svelte", svelte, 3)):
        ev = check("m26.frontend", make_repo({path: text}))
        assert ev.status is Status.FOUND
        assert (ev.locations[0].path, ev.locations[0].line) == (path, line)


def test_commented_out_call_in_a_vue_component_is_no_frontend(make_repo) -> None:
    vue = "<template><p>hi</p></template>\n<script>\n// const r = await fetch('/api/predict')\n</script>\n"
    assert check("m26.frontend", make_repo({"frontend/src/App.vue": vue})).status is Status.ABSENT


def test_jquery_ajax_in_an_mjs_module_is_found(make_repo) -> None:
    js = "export function go() {\n  $.ajax({url: '/predict', type: 'POST'})\n}\n"
    ev = check("m26.frontend", make_repo({"web/app.mjs": js}))
    assert ev.status is Status.FOUND
    assert (ev.locations[0].path, ev.locations[0].line) == ("web/app.mjs", 2)
