"""The owner cookie's ASGI layer (dashboard/owner_cookie.py) on bare ASGI calls: which responses set a secret,
with which flags, and that the public id a link shows cannot stand in for the secret."""

from __future__ import annotations

import asyncio

from dashboard.owner_cookie import COOKIE, LEGACY_COOKIE, SECRET, OwnerCookie, account_of, new_secret, secret_in


def served(path="/", cookie: str = "", kind=b"text/html; charset=utf-8", scheme="http", headers=(), type_="http"):
    """The response headers OwnerCookie lets through for one request to an app answering `kind`."""
    sent = []

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", kind)]})
        await send({"type": "http.response.body", "body": b""})

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    scope = {"type": type_, "path": path, "scheme": scheme,
             "headers": [*([(b"cookie", cookie.encode())] if cookie else []), *headers]}
    asyncio.run(OwnerCookie(inner)(scope, receive, send))
    return [v.decode() for k, v in sent[0]["headers"] if k == b"set-cookie"] if sent else []


def test_a_page_without_a_secret_sets_an_http_only_lax_one():
    (header,) = served()
    name, value = header.split(";")[0].split("=", 1)
    assert name == COOKIE and SECRET.fullmatch(value)
    flags = {f.strip() for f in header.split(";")[1:]}
    assert {"HttpOnly", "SameSite=Lax", "Path=/"} <= flags and "Secure" not in flags
    assert "Secure" in served(scheme="https")[0] and "Secure" in served(headers=[(b"x-forwarded-proto", b"https")])[0]
    assert served()[0] != header  # a fresh secret each time


def test_only_pages_without_a_well_formed_secret_get_one():
    secret = new_secret()
    assert served(cookie=f"{COOKIE}={secret}") == []  # kept: not replaced on every page
    assert served(kind=b"application/javascript") == [] and served(kind=b"application/json") == []
    assert served(type_="websocket") == []  # the handshake passes untouched (it cannot set cookies anyway)
    # The public id a link shows is not a secret: a cookie set to it is replaced by a fresh one.
    planted = served(cookie=f"{COOKIE}={account_of(secret)}")
    assert len(planted) == 1 and account_of(secret) not in planted[0] and secret not in planted[0]


def test_the_old_script_set_cookie_is_expired():
    headers = served(cookie=f"{LEGACY_COOKIE}=abcdefghijklmnopqrstuvwx; {COOKIE}={new_secret()}")
    assert headers == [f"{LEGACY_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"]


def test_a_public_id_owns_nothing():
    secret = new_secret()
    public = account_of(secret)
    assert len(public) == 24 and public != secret and account_of(secret) == public
    assert secret_in({COOKIE: public}) is None and secret_in({COOKIE: secret}) == secret
    assert account_of(public) != public  # a link's id planted as the secret is some other account
    assert secret_in({COOKIE: secret + "x"}) is None and secret_in({}) is None and secret_in(None) is None
