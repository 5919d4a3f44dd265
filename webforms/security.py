"""CSRF protection on every form, the signed session cookie, and the security headers of
every response."""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect, generate_csrf
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup

csrf = CSRFProtect()

# No inline script or style anywhere, and nothing from another host: the pages work
# without JavaScript, so none is allowed at all.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": Flask-WTF checks that an HTTPS form post comes from our own pages
    # by its Referer. "same-origin" still keeps sign-in links from leaking to other sites.
    "Referrer-Policy": "same-origin",
}


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, with the signing serializer built once per set of keys.

    Flask builds it anew for every request, which cost nearly as much as checking the signature.
    """

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer


def init_app(app: Flask) -> None:
    """Turn on CSRF checks, sign the session cookie, and add the headers to every response."""
    csrf.init_app(app)
    app.session_interface = SessionInterface()
    app.add_template_global(csrf_field)
    app.after_request(_add_headers)


def csrf_field() -> Markup:
    """Return the hidden field that carries a form's CSRF token."""
    # A function rather than a Jinja macro: every page has two forms (sign out, language), and
    # the macro with its import cost the layout about 40 µs, the function 10 (bench/bench_web.py).
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % generate_csrf()


def _add_headers(response: Response) -> Response:
    headers = response.headers
    # A view may have set its own.
    for name, value in SECURITY_HEADERS.items():
        if name not in headers:
            headers.add(name, value)
    if request.endpoint != "static" and "Cache-Control" not in headers:
        # Pages hold personal data and single-use links: no shared or back-button copies.
        headers.add("Cache-Control", "no-store")
    return response
