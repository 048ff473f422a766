"""Turning an event into the words an officer reads, in their language and time zone.

Templates never receive the reporter's identity: events do not carry it in the first place,
and the context handed to a template is built here from named fields only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from jinja2 import (
    BaseLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

from services.notify.policy import zone_of
from services.notify.sms_text import fit_sms
from shared.categories import category_label, priority_label
from shared.contracts import (
    CaseAssigned,
    CaseDeadlineMoved,
    CaseEscalated,
    CaseInformationReceived,
    CaseReassigned,
    Event,
    SignInLinkIssued,
)
from shared.ladder_steps import describe, headline, is_reminder, resend_count, stage_label

_ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

TEMPLATED_EVENTS = {
    CaseAssigned.TYPE: "case_assigned",
    CaseEscalated.TYPE: "case_escalated",
    CaseReassigned.TYPE: "case_reassigned",
    CaseInformationReceived.TYPE: "information_received",
    CaseDeadlineMoved.TYPE: "deadline_moved",
}
LANGUAGES = ("id", "en")
PARTS = ("subject", "txt", "html", "sms")
# Templates that are not an officer's alert: the digest of held alerts, the operator's test
# and the receipt of a tracking code a citizen asked for.
OTHER_TEMPLATES = ("digest", "test", "receipt")
# Sign-in links go by e-mail only (a link must never sit in an SMS or a chat history), so
# their templates have no SMS part.
LINK_TEMPLATES = {"invitation": "sign_in_invitation", "reset": "sign_in_reset"}
MAIL_PARTS = ("subject", "txt", "html")
# The lines the last alert a rate window admits carries about the digest that follows; they
# join that alert's own parts (no subject of their own).
NOTICE_TEMPLATE = "digest_notice"
NOTICE_PARTS = ("txt", "html", "sms")
DIGEST_LIST_LIMIT = 100  # a digest of 300 alerts lists the first 100 and counts the rest


class RenderError(Exception):
    """A template could not be rendered (a missing field, a syntax error): retrying cannot
    help, so the alert is parked with this reason and a test should have caught it."""


class Reader(Protocol):
    """Who reads the message: enough to address them in their language and time zone."""

    @property
    def name(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def timezone(self) -> str: ...


@dataclass(frozen=True)
class Rendered:
    """A message ready for any channel: a mail's subject and parts, and a one-part SMS."""

    subject: str
    text: str
    html: str
    sms: str


@dataclass(frozen=True)
class DigestItem:
    """One held alert as the digest lists it (stored with the held alert)."""

    case_id: str
    case_code: str
    title: str
    category: str
    priority: str
    due_at: datetime | None
    case_url: str
    event_type: str
    step: str = ""  # an escalation's ladder step (items held before it was kept have none)
    resend: int = 0  # which resend an assignment is (0: the first; or held before it was kept)


@dataclass(frozen=True)
class DigestNotice:
    """What the last alert of a rate window says about the ones after it: that they wait
    for one digest sent when the window (``window_s`` seconds long) ends at ``until``."""

    window_s: int
    until: datetime


def language_of(reader: Reader) -> str:
    return reader.language if reader.language in LANGUAGES else "id"


def local_time(moment: datetime | None, zone: str, language: str) -> str:
    """A deadline as the recipient reads it, e.g. '27-11-2024 23:59 WITA'."""
    if moment is None:
        return "belum ditetapkan" if language == "id" else "not set"
    local = moment.astimezone(zone_of(zone))
    return f"{local:%d-%m-%Y %H:%M} {_ZONE_LABELS.get(zone_of(zone).key, zone)}"


def short_time(moment: datetime | None, zone: str, language: str) -> str:
    """The same for an SMS, e.g. '27/11 23:59 WITA'."""
    if moment is None:
        return "-"
    local = moment.astimezone(zone_of(zone))
    return f"{local:%d/%m %H:%M} {_ZONE_LABELS.get(zone_of(zone).key, zone)}"


def step_text(event: CaseEscalated, language: str) -> str:
    """Why the case is escalated, in the reader's language. The event's reason is a fixed
    sentence in Bahasa Indonesia, so the step is worded from its key; a key this release does
    not know (sent by a newer triage) keeps the reason as it came."""
    return describe(event.step, language) or event.reason


# A reminder is sent as an escalation event, but an officer told "ESKALASI" a day before the
# deadline learns to ignore the word; it is kept for what has gone wrong.
_ALERT_WORDS = {"id": ("PENGINGAT", "ESKALASI"), "en": ("REMINDER", "ESCALATION")}


def alert_word(step: str, language: str) -> str:
    """The headline word of an escalation alert for ladder step ``step``: a reminder says
    so, the rest escalate."""
    reminder, escalation = _ALERT_WORDS.get(language, _ALERT_WORDS["id"])
    return reminder if is_reminder(step) else escalation


def resend_of(event: Event) -> int:
    """Which resend of an unconfirmed assignment ``event`` is; 0 for anything else."""
    if not isinstance(event, CaseAssigned):
        return 0
    return resend_count(event.reason) or 0


def digest_flag(item: DigestItem, language: str) -> str:
    """The word beside a held alert in a digest: an escalation's (a reminder says so), and
    REMINDER beside an assignment sent again; nothing beside a new case."""
    if item.event_type == CaseEscalated.TYPE:
        return alert_word(item.step, language)
    if item.resend:
        return _ALERT_WORDS.get(language, _ALERT_WORDS["id"])[0]
    return ""


def case_code(event: Event) -> str:
    """How an officer finds the case: its tracking code, else its id."""
    code = getattr(event, "tracking_code", None)
    return str(code or getattr(event, "case_id", ""))


class Renderer:
    """Renders from a template loader; the default reads the shipped templates."""

    def __init__(self, loader: BaseLoader | None = None) -> None:
        # StrictUndefined: a template naming a missing field fails loudly, never as blank text.
        self.env = Environment(
            loader=loader or PackageLoader("services.notify", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            # Templates ship with the code: compile each once per process, without looking at
            # its file again for every alert.
            auto_reload=False,
        )

    def _parts(
        self,
        base: str,
        language: str,
        context: Mapping[str, Any],
        keep: Sequence[str],
        *,
        sms: bool = True,
        sms_prefix: str = "",
    ) -> Rendered:
        try:
            subject = self.env.get_template(f"{base}.{language}.subject.j2").render(context)
            text = self.env.get_template(f"{base}.{language}.txt.j2").render(context)
            html = self.env.get_template(f"{base}.{language}.html.j2").render(context)
            short = (
                self.env.get_template(f"{base}.{language}.sms.j2").render(context) if sms else ""
            )
        except TemplateError as exc:
            raise RenderError(f"template {base}.{language}: {exc}") from exc
        return Rendered(
            subject=" ".join(subject.split()),
            text=text,
            html=html,
            sms=fit_sms(f"{sms_prefix} {short}", keep) if sms else "",
        )

    def render(
        self,
        event: Event,
        reader: Reader,
        *,
        case_url: str,
        short_url: str | None = None,
        notice: DigestNotice | None = None,
    ) -> Rendered:
        """Render ``event`` for ``reader``; an event type without templates is a RenderError.

        ``case_url`` is the case's page in the console (e-mail and chat); ``short_url`` its
        short form for an SMS, where every character counts (``case_url`` when not given).
        ``notice``: this alert is the last its rate window admits, and says so.
        """
        base = TEMPLATED_EVENTS.get(event.TYPE)
        if base is None:
            raise RenderError(f"no templates for {event.TYPE}")
        language = language_of(reader)
        code = case_code(event)
        context = {
            "event": event,
            "recipient": reader,
            "case_code": code,
            "category": category_label(getattr(event, "category", ""), language),
            "priority": priority_label(getattr(event, "priority", ""), language),
            "due": local_time(getattr(event, "due_at", None), reader.timezone, language),
            "due_short": short_time(getattr(event, "due_at", None), reader.timezone, language),
            "case_url": case_url,
            "short_url": short_url or case_url,
            "previous_due": local_time(
                getattr(event, "previous_due_at", None), reader.timezone, language
            ),
        }
        if isinstance(event, CaseEscalated):
            context["step_text"] = step_text(event, language)
            # What an SMS leads with: the case's id says nothing to a person and its link
            # carries it, so the room goes to why the case is escalated.
            context["step_headline"] = headline(event.step, language) or event.reason
            context["alert_word"] = alert_word(event.step, language)
            # A reminder goes to the officer who holds the case; escalations to those above.
            context["reminder"] = is_reminder(event.step)
        if isinstance(event, CaseAssigned):
            # An assignment sent again to an officer who has not confirmed it: it must not
            # read as a new case (the officer would look for a second one), but as a reminder
            # of the one they already have. None for a first assignment.
            context["resend"] = resend_of(event) or None
        if isinstance(event, CaseDeadlineMoved):
            # Which stage the new date is for, in words ("finish this stage" said nothing).
            context["stage"] = stage_label(event.stage, language) if event.stage else ""
        keep = [code, short_url or case_url]
        if notice is None:
            return self._parts(base, language, context, keep=keep)
        lines = self._notice(notice, reader)
        # The notice leads the SMS: the title at its end is what gives way.
        alert = self._parts(base, language, context, keep=keep, sms_prefix=lines["sms"])
        return Rendered(
            subject=alert.subject,
            text=f"{alert.text.rstrip()}\n\n{lines['txt']}\n",
            html=f"{alert.html.rstrip()}\n{lines['html']}\n",
            sms=alert.sms,
        )

    def _notice(self, notice: DigestNotice, reader: Reader) -> dict[str, str]:
        language = language_of(reader)
        context = {
            "minutes": max(1, round(notice.window_s / 60)),
            # "10:40 WITA": the window ends within the hour, so the time says enough.
            "until": local_time(notice.until, reader.timezone, language).split(" ", 1)[1],
        }
        try:
            return {
                part: self.env.get_template(f"{NOTICE_TEMPLATE}.{language}.{part}.j2")
                .render(context)
                .strip()
                for part in NOTICE_PARTS
            }
        except TemplateError as exc:
            raise RenderError(f"template {NOTICE_TEMPLATE}.{language}: {exc}") from exc

    def render_digest(self, items: Sequence[DigestItem], reader: Reader, reason: str) -> Rendered:
        """One message listing held alerts (``reason``: 'quiet hours' or 'rate limit')."""
        language = language_of(reader)
        shown = [
            {
                "case_code": item.case_code,
                "title": item.title,
                "category_code": item.category,
                "category": category_label(item.category, language),
                "priority": priority_label(item.priority, language),
                "due": local_time(item.due_at, reader.timezone, language),
                "case_url": item.case_url,
                "flag": digest_flag(item, language),
            }
            for item in items[:DIGEST_LIST_LIMIT]
        ]
        urgent = sum(1 for item in items if item.priority in ("urgent", "high"))
        context = {
            "recipient": reader,
            "items": shown,
            "count": len(items),
            "more": max(0, len(items) - DIGEST_LIST_LIMIT),
            "important": urgent,
            "quiet": reason == "quiet hours",
            "codes": [item.case_code for item in items],
        }
        return self._parts("digest", language, context, keep=[])

    def render_test(self, reader: Reader, channel: str, now: datetime) -> Rendered:
        """The operator's test message."""
        language = language_of(reader)
        context = {
            "recipient": reader,
            "channel": channel,
            "sent_at": local_time(now, reader.timezone, language),
        }
        return self._parts("test", language, context, keep=[])

    def render_link(self, event: SignInLinkIssued, reader: Reader) -> Rendered:
        """The mail carrying a one-time sign-in link (no SMS part: links go by e-mail only)."""
        language = language_of(reader)
        context = {
            "recipient": reader,
            "link_url": event.url,
            "invited_by": event.invited_by,
            "expires": local_time(event.expires_at, reader.timezone, language),
        }
        return self._parts(LINK_TEMPLATES[event.purpose], language, context, keep=[], sms=False)

    def render_receipt(self, code: str, language: str, track_url: str) -> Rendered:
        """The receipt of a tracking code, in the language the citizen filed in. It names
        the code and where to follow it, nothing of the report or the reporter."""
        language = language if language in LANGUAGES else "id"
        context = {"code": code, "track_url": track_url}
        return self._parts("receipt", language, context, keep=[code, track_url])


_default = Renderer()


def render(
    event: Event,
    reader: Reader,
    *,
    case_url: str,
    short_url: str | None = None,
    notice: DigestNotice | None = None,
) -> Rendered:
    """Render with the shipped templates."""
    return _default.render(event, reader, case_url=case_url, short_url=short_url, notice=notice)


def default_renderer() -> Renderer:
    return _default
