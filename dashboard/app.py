"""Tunescope's script, run for every browser session. Serve it with `streamlit run dashboard/server.py` (or
`make run`): that puts the owner-cookie layer in front, which a shared server needs (docs/shared-server.md)."""

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

from dashboard import account  # noqa: E402  (needs the path above)
from dashboard.background import exit_promptly  # noqa: E402

exit_promptly()  # a stopping server exits within seconds, background work included

PAGES = [
    st.Page(ROOT / "pages" / "home.py", title="Home", icon=":material/home:", url_path="", default=True),
    st.Page(ROOT / "pages" / "coverage.py", title="Library coverage", icon=":material/fact_check:", url_path="coverage"),
    st.Page(ROOT / "pages" / "clusters.py", title="Clusters", icon=":material/bubble_chart:", url_path="clusters"),
    st.Page(ROOT / "pages" / "map.py", title="Map", icon=":material/scatter_plot:", url_path="map"),
    st.Page(ROOT / "pages" / "recommendations.py", title="Recommendations", icon=":material/recommend:",
            url_path="recommendations"),
    st.Page(ROOT / "pages" / "predictor.py", title="Predictor", icon=":material/tune:", url_path="predictor"),
    st.Page(ROOT / "pages" / "listening.py", title="Listening", icon=":material/headphones:", url_path="listening"),
    st.Page(ROOT / "pages" / "models.py", title="Models", icon=":material/model_training:", url_path="models"),
]

st.set_page_config(page_title="Tunescope", page_icon=":material/graphic_eq:", layout="wide")
account.enter()  # on a shared server: this browser's account; a link with someone else's asks first
if account.read_only():
    st.sidebar.info("You are viewing someone else's account read-only: nothing can be imported, synced or "
                    "changed in it.", icon=":material/visibility:")
    st.sidebar.button("Back to my own account", key="account_back", on_click=account.back_to_own,
                      icon=":material/person:")
elif account.session_only():
    st.sidebar.caption("This browser sent no Tunescope cookie (cookies are off, or the server was started "
                       "without dashboard/server.py): what you import here is yours until this tab closes.")
st.navigation(PAGES).run()
