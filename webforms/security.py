"""CSRF protection on every form and the security headers of every response."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect

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


def init_app(app: Flask) -> None:
    """Turn on CSRF checks and add the headers to every response."""
    csrf.init_app(app)
    app.after_request(_add_headers)


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        # Pages hold personal data and single-use links: no shared or back-button copies.
        response.headers.setdefault("Cache-Control", "no-store")
    return response
