"""Tunescope's server: `streamlit run dashboard/server.py` (or `make run`) serves dashboard/app.py behind
the ASGI layer that gives each browser its HttpOnly owner secret (dashboard/owner_cookie.py). Streamlit
finds `app` here and runs it with uvicorn, honouring the usual --server.* flags."""

import sys
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/server.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

from dashboard.owner_cookie import OwnerCookie  # noqa: E402  (needs the path above)

app = st.App(ROOT / "dashboard" / "app.py", middleware=[Middleware(OwnerCookie)])
