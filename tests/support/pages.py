"""A person at the console without a browser: a cookie jar, the form token of the page
before, and the pages' text (the browser tests in tests/browser drive a real Chromium)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import pyotp
import requests

_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
_ACTION = re.compile(r'action="([^"]*)"')
_INPUT = re.compile(r"<input\b([^>]*)>")
_ATTR = re.compile(r'([a-zA-Z_:-]+)="([^"]*)"')
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
_TAGS = re.compile(r"<[^>]+>")


@dataclass
class PageClient:
    """One person's browser session against the console at ``base``."""

    base: str
    session: requests.Session = field(default_factory=requests.Session)
    last: requests.Response | None = None

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else self.base + path
        self.last = self.session.get(url, timeout=15, **kwargs)
        return self.last

    def token(self, path: str | None = None) -> str:
        """The form token of ``path`` (fetched), or of the last page seen."""
        page = self.get(path) if path is not None else self.last
        assert page is not None, "no page seen yet"
        found = _TOKEN.search(page.text)
        assert found, f"no form token on {page.url}"
        return found.group(1) or found.group(2)

    def post(
        self,
        path: str,
        data: dict[str, Any] | list[tuple[str, Any]],
        *,
        token_from: str | None = None,
        files: Any = None,
        follow: bool = True,
    ) -> requests.Response:
        """Send a form as the page would: with the token of ``token_from`` (default: the
        page last seen)."""
        token = self.token(token_from)
        url = path if path.startswith("http") else self.base + path
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        self.last = self.session.post(
            url,
            data=[("csrf_token", token), *pairs],
            files=files,
            timeout=30,
            allow_redirects=follow,
        )
        return self.last

    def hidden(self, action: str) -> dict[str, str]:
        """The hidden fields of the form on the last page whose action is ``action``."""
        assert self.last is not None, "no page seen yet"
        for attributes, body in _FORM.findall(self.last.text):
            found = _ACTION.search(attributes)
            if found is None or html.unescape(found.group(1)) != action:
                continue
            fields: dict[str, str] = {}
            for tag in _INPUT.findall(body):
                attrs = {k: html.unescape(v) for k, v in _ATTR.findall(tag)}
                if attrs.get("type") == "hidden" and "name" in attrs:
                    fields[attrs["name"]] = attrs.get("value", "")
            return fields
        raise AssertionError(f"no form posting to {action} on {self.last.url}")

    def submit(self, action: str, data: dict[str, Any] | None = None) -> requests.Response:
        """Send the form of the last page that posts to ``action``: its hidden fields (form
        token, version, ...) as the page filled them, and ``data`` typed by the person."""
        fields = {**self.hidden(action), **(data or {})}
        url = action if action.startswith("http") else self.base + action
        self.last = self.session.post(url, data=fields, timeout=30)
        return self.last

    def accept_invitation(self, link: str, password: str) -> requests.Response:
        """Open an invitation link and press its button with a new password."""
        self.get(link)
        return self.post(link, {"password": password, "password_again": password})

    def enrol_second_factor(self) -> pyotp.TOTP:
        """On the page that sets up the second factor: read the secret shown as text, type
        the current code, and return the authenticator it stands for."""
        assert self.last is not None
        secret = _SECRET.search(self.last.text)
        assert secret, "no secret on the page"
        totp = pyotp.TOTP(secret.group(1).replace(" ", ""))
        self.post(self.last.url, {"code": totp.now()})
        return totp


def text(page: requests.Response) -> str:
    """A page's visible words, tags removed and entities decoded, for assertions."""
    return " ".join(html.unescape(_TAGS.sub(" ", page.text)).split())
