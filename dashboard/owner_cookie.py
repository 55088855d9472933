"""A shared server's proof of ownership: a secret in an HttpOnly cookie that the server itself sets.

A Streamlit script cannot set an HttpOnly cookie (its only way is page JavaScript, which can then read it
too), so `OwnerCookie` is a small ASGI layer in front of the Streamlit server (dashboard/server.py mounts
it with st.App). It gives every browser whose page request carries no well-formed secret a new one:

    Set-Cookie: tunescope_owner=<43 random characters>; Path=/; Max-Age=…; HttpOnly; SameSite=Lax[; Secure]

The browser sends it back with the WebSocket handshake, which is where `st.context.cookies` reads it
(dashboard/account.py); no page script can read it, and it never appears in a URL. What links and the
store show is the public account id `account_of(secret)`: a one-way digest, so holding a link (the id)
gives no way to the secret. A leaf: imports nothing of the dashboard's and no Streamlit.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from http.cookies import CookieError, SimpleCookie

COOKIE = "tunescope_owner"
LEGACY_COOKIE = "tunescope_account"  # the old script-set cookie that held the link's own token: expired on sight
SECRET = re.compile(r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32): 256 random bits
MAX_AGE_S = 400 * 24 * 3600  # the longest browsers keep a cookie


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def account_of(secret: str) -> str:
    """The public account id this secret owns: what libraries record and `?account=` shows. SHA-256 of a
    256-bit random secret cannot be turned back, so no server key is needed (nothing to lose or rotate,
    and every process on one TUNESCOPE_HOME agrees); the prefix keeps the digest to this one use. 24
    URL-safe characters, the shape of the old tokens, so old links still parse (and own nothing)."""
    digest = hashlib.sha256(b"tunescope account id\0" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def secret_in(cookies: dict | None) -> str | None:
    """The well-formed owner secret among these cookies, if any (anything else is no secret)."""
    value = (cookies or {}).get(COOKIE) or ""
    return value if isinstance(value, str) and SECRET.fullmatch(value) else None


def _cookies(scope) -> dict[str, str]:
    jar = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except CookieError:  # a malformed header is no secret; the server issues a fresh one
                continue
    return {key: morsel.value for key, morsel in jar.items()}


def _https(scope) -> bool:
    """Served over HTTPS, directly or behind a reverse proxy that says so (a lying header can only make
    the liar's own cookie stricter)."""
    proto = dict(scope.get("headers", [])).get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[0]
    return scope.get("scheme") == "https" or proto.strip().lower() == "https"


def set_cookie_header(secret: str, https: bool) -> bytes:
    secure = "; Secure" if https else ""
    return f"{COOKIE}={secret}; Path=/; Max-Age={MAX_AGE_S}; HttpOnly; SameSite=Lax{secure}".encode()


class OwnerCookie:
    """ASGI middleware: a page (an HTML response) to a browser without a secret also sets one. Only pages,
    so a burst of asset requests cannot hand out several secrets; WebSockets pass untouched. It issues in
    local runs too: shared mode may be switched on in secrets.toml, which is not read before a script
    runs, and an unused cookie costs nothing."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        extra = [] if secret_in(cookies) else [set_cookie_header(new_secret(), _https(scope))]
        if LEGACY_COOKIE in cookies:
            extra.append(f"{LEGACY_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax".encode())
        if not extra:
            await self.app(scope, receive, send)
            return

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if kind.startswith(b"text/html"):
                    message = {**message, "headers": headers + [(b"set-cookie", value) for value in extra]}
            await send(message)

        await self.app(scope, receive, sending)
