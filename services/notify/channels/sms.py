"""SMS through an HTTP gateway whose address, credentials and request shape are configuration.

Indonesian gateways differ in everything: JSON or form fields, the number as +628… or 08…,
a bearer token or a user key in the body, and how the answer says "sent". The request is
built from ``PANTAU_SMS_GATEWAY_FIELDS`` (a JSON object with placeholders) and the answer is
read with ``PANTAU_SMS_GATEWAY_SUCCESS_FIELD``/``_VALUES``. The notification key travels as
``{key}`` so a gateway that de-duplicates by client reference drops a resend after a crash.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

import requests

from services.notify.channels.base import Outgoing, PermanentDeliveryError, TransientDeliveryError
from services.notify.recipients import Profile
from shared.formats import FormatError, normalise_phone
from shared.settings import Settings

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
ANSWER_LIMIT = 300
# A URL's query in an error's text: with a gateway that takes its fields in the query, it
# holds the number, the message and the credentials.
_QUERY = re.compile(r"\?[^\s'\"()]*")
HIDDEN = "[…]"

Verdict = Literal["sent", "retry", "rejected"]


@dataclass(frozen=True)
class GatewayAnswer:
    """How an answer of the gateway is judged, with the words to record in the ledger."""

    verdict: Verdict
    detail: str


def fill(template: Any, values: Mapping[str, str]) -> Any:
    """``template`` with ``{name}`` placeholders in its strings replaced by ``values``.

    Substitution happens on parsed values, never on JSON text, so a quote or brace in an SMS
    cannot break the request. Unknown placeholders are left as written.
    """
    if isinstance(template, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), template)
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    return template


def _lookup(document: Any, path: str) -> Any:
    """The value at a dotted path ('messages.0.status'); KeyError when it is not there."""
    current = document
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdecimal() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise KeyError(path)
    return current


def redact(text: str, hidden: Iterable[str]) -> str:
    """``text`` without any of ``hidden`` (as written or URL-encoded) nor any URL query.

    What the ledger keeps of a send (the gateway's answer, an error) is shown to supervisors
    and auditors: it must not carry the credentials, nor the number, which for a citizen's
    receipt is kept nowhere. Gateways echo the number in their answers, and an error of the
    HTTP client quotes the request's URL, query included.
    """
    for value in sorted({v for v in hidden if v}, key=len, reverse=True):
        for form in {value, quote(value, safe=""), quote(value, safe="").replace("%20", "+")}:
            text = text.replace(form, HIDDEN)
    return _QUERY.sub("?" + HIDDEN, text)


def _values(raw: str) -> set[str]:
    return {v.strip().lower() for v in raw.split(",") if v.strip()}


def judge(
    status: int,
    body: str,
    *,
    success_field: str = "",
    success_values: str = "",
    retry_values: str = "",
) -> GatewayAnswer:
    """Classify a gateway answer.

    2xx is sent, unless a success field is configured and the answer does not say so: an
    answer that cannot be read (garbage) is retried, a readable "retry" value is retried, any
    other value is a rejection. 408, 425, 429 and 5xx are retried; other 4xx are rejections
    (a bad number, a refused sender) that retrying cannot fix.
    """
    detail = f"{status} {' '.join(body.split())[:ANSWER_LIMIT]}".strip()
    if 200 <= status < 300:
        if not success_field:
            return GatewayAnswer("sent", detail)
        try:
            value = _lookup(json.loads(body), success_field)
        except (ValueError, KeyError):
            return GatewayAnswer("retry", f"unreadable answer: {detail}")
        text = str(value).lower()
        wanted = _values(success_values)
        if (text in wanted) if wanted else bool(value):
            return GatewayAnswer("sent", detail)
        if text in _values(retry_values):
            return GatewayAnswer("retry", detail)
        return GatewayAnswer("rejected", detail)
    if status in (408, 425, 429) or status >= 500:
        return GatewayAnswer("retry", detail)
    if 400 <= status < 500:
        return GatewayAnswer("rejected", detail)
    return GatewayAnswer("retry", f"unexpected answer: {detail}")


class SmsGatewayChannel:
    """Sends one SMS per request to the configured gateway."""

    name = "sms"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # One session (connection pool) per thread: the consumer, the digest loop and the
        # HTTP app's threads may all send, and requests does not promise a shared session.
        self._local = threading.local()
        try:
            fields = json.loads(settings.sms_gateway_fields)
        except ValueError as exc:
            raise ValueError(f"PANTAU_SMS_GATEWAY_FIELDS is not JSON: {exc}") from exc
        if not isinstance(fields, dict):
            raise ValueError("PANTAU_SMS_GATEWAY_FIELDS must be a JSON object")
        if settings.sms_gateway_format not in ("json", "form", "query"):
            raise ValueError("PANTAU_SMS_GATEWAY_FORMAT must be json, form or query")
        self.fields: dict[str, Any] = fields

    @property
    def session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def address_of(self, recipient: Profile) -> str | None:
        return recipient.phone or None

    def request_for(self, outgoing: Outgoing) -> requests.PreparedRequest:
        """The HTTP request that carries ``outgoing`` (built, not sent)."""
        return self._prepare(self._placeholders(outgoing))

    def _placeholders(self, outgoing: Outgoing) -> dict[str, str]:
        """The values a request's fields are filled with; a number that is no Indonesian
        mobile is refused for good."""
        try:
            to = normalise_phone(outgoing.recipient.phone or "")
        except FormatError as exc:
            raise PermanentDeliveryError(f"invalid phone number: {exc.message}") from exc
        s = self.settings
        return {
            "to": to,
            "to_digits": to.lstrip("+"),
            "to_local": "0" + to[3:],
            "text": outgoing.message.sms,
            "key": outgoing.key,
            "sender": s.sms_sender,
            "user": s.sms_gateway_user,
            "password": s.sms_gateway_password.get_secret_value(),
        }

    def _prepare(self, values: Mapping[str, str]) -> requests.PreparedRequest:
        s = self.settings
        payload = fill(self.fields, values)
        method = s.sms_gateway_method.upper()
        headers = {"Accept": "application/json"}
        secret = s.sms_gateway_auth_value.get_secret_value()
        if secret and s.sms_gateway_auth_header:
            headers[s.sms_gateway_auth_header] = secret
        request = requests.Request(method, s.sms_gateway_url, headers=headers)
        if method == "GET" or s.sms_gateway_format == "query":
            request.params = payload
        elif s.sms_gateway_format == "form":
            request.data = payload
        else:
            request.json = payload
        return self.session.prepare_request(request)

    def send(self, outgoing: Outgoing) -> str:
        values = self._placeholders(outgoing)
        prepared = self._prepare(values)
        # What no recorded text of this send may show: the number in each form a gateway may
        # write it, and the gateway's secrets.
        hidden = [values[name] for name in ("to", "to_digits", "to_local", "password")]
        hidden.append(self.settings.sms_gateway_auth_value.get_secret_value())
        s = self.settings
        try:
            response = self.session.send(
                prepared, timeout=s.sms_gateway_timeout_s, allow_redirects=False
            )
        # The client's own error is not chained (``from None``): a traceback logged anywhere
        # above would quote the request's URL, which redact() keeps out of the message.
        except requests.Timeout as exc:
            raise TransientDeliveryError(
                f"SMS gateway timed out: {redact(repr(exc), hidden)}"
            ) from None
        except requests.RequestException as exc:
            raise TransientDeliveryError(
                f"SMS gateway unavailable: {redact(repr(exc), hidden)}"
            ) from None
        answer = judge(
            response.status_code,
            response.text,
            success_field=s.sms_gateway_success_field,
            success_values=s.sms_gateway_success_values,
            retry_values=s.sms_gateway_retry_values,
        )
        detail = redact(answer.detail, hidden)
        if answer.verdict == "retry":
            raise TransientDeliveryError(f"SMS gateway: {detail}")
        if answer.verdict == "rejected":
            raise PermanentDeliveryError(f"SMS gateway rejected: {detail}")
        return detail
