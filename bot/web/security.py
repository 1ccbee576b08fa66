"""Security plumbing for the console: response headers, signed cookies, CSRF tokens."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any

from itsdangerous import BadSignature, TimestampSigner
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "ims_console"
FORM_COOKIE = "ims_console_form"  # the CSRF token of the sign-in forms (no session yet)
CSRF_FIELD = "csrf_token"
# No script at all; styles only from our own stylesheet; nothing may frame the console.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    # Set-password links carry a token in the path: never send it on as a referrer.
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
    # Pages hold health information: no browser or proxy may keep a copy.
    "cache-control": "no-store",
}


class SecurityHeaders:
    """ASGI middleware adding the console's headers to every response."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = dict(HEADERS)
        if https:
            self.headers["strict-transport-security"] = "max-age=31536000"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in self.headers.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CookieSigner:
    """Signs cookie values with the console's secret key and checks their age."""

    def __init__(self, secret_key: str, max_age_seconds: int) -> None:
        self._signer = TimestampSigner(secret_key, salt="ims-console-cookie")
        self._max_age = max_age_seconds

    def sign(self, value: str) -> str:
        """The cookie text for `value`."""
        return self._signer.sign(value).decode("ascii")

    def unsign(self, cookie: str | None) -> str | None:
        """The value of a cookie we signed and that has not expired; None otherwise."""
        if not cookie:
            return None
        try:
            return self._signer.unsign(cookie, max_age=self._max_age).decode("ascii")
        except (BadSignature, UnicodeDecodeError):
            return None


def new_form_token() -> str:
    """A fresh CSRF token for the sign-in forms."""
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: Any) -> bool:
    """Constant-time comparison of a CSRF token with the submitted field."""
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(expected or "", given)


def cookie_options(https: bool, max_age: int) -> MutableMapping[str, Any]:
    """HttpOnly, SameSite=Strict, Secure behind HTTPS, expiring."""
    return {
        "httponly": True,
        "samesite": "strict",
        "secure": https,
        "max_age": max_age,
        "path": "/",
    }
