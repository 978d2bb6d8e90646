"""Rendering a notification email: subject, text and HTML from our Jinja templates, and
the MIME message around them with RFC 8058 one-click unsubscribe headers.

Templates live in ``templates/``: ``<type>.txt.j2`` and ``<type>.html.j2`` per
notification type, each extending ``base.txt.j2`` / ``base.html.j2``. A template sees
``data`` (the first event's data), ``events`` (every event of a batch, oldest first,
each with ``data`` and ``created_at``), ``frontend_url`` and the footer links.
"""

from __future__ import annotations

import email.policy
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache
from pathlib import Path
from typing import Any

from agentplatform.config import get_settings
from agentplatform.models.notifications import NotificationEvent
from agentplatform.models.user import NotificationType
from agentplatform.notifications import policy

TEMPLATES_DIR = Path(__file__).parent / "templates"
ONE_CLICK = "List-Unsubscribe=One-Click"
VALUE_TEXT_MAX = 500
# CRLF line ends, and RFC 5322's line limit rather than the 78-column fold: a header
# such as List-Unsubscribe stays one plain line, and ASCII bodies stay plain text.
_POLICY = email.policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@cache
def _environment() -> Any:
    import jinja2  # deferred: only the notifications Lambda renders

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(show=show, dollars=dollars, when=when, day=lambda value: when(value)[:10])
    return env


def show(value: Any, limit: int = VALUE_TEXT_MAX) -> str:
    """A value as short text: lists joined, structures as compact JSON, long text cut."""
    if isinstance(value, list):
        text = ", ".join(show(v, limit) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, separators=(",", ":"), default=str)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def dollars(credits: float) -> str:
    """Credits are cents: 150 -> "$1.50"."""
    return f"${credits / 100:.2f}"


def when(value: Any) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render(
    kind: NotificationType, events: list[NotificationEvent], *, unsubscribe_url: str | None
) -> Rendered:
    """``events``: one for a single notification, the whole batch for a batched type."""
    frontend = get_settings().frontend_base_url
    context = {
        "kind": kind.value,
        "data": events[0].data,
        "events": [{"data": e.data, "created_at": e.created_at} for e in events],
        "frontend_url": frontend,
        "preferences_url": f"{frontend}/profile/settings",
        "unsubscribe_url": unsubscribe_url,
    }
    env = _environment()
    stem = policy.template_name(kind)
    subject = env.from_string(policy.subject_template(kind)).render(context)
    return Rendered(
        subject=" ".join(subject.split()),  # a header: one line
        text=env.get_template(f"{stem}.txt.j2").render(context),
        html=env.get_template(f"{stem}.html.j2").render(context),
    )


def compose(rendered: Rendered, *, recipient: str, unsubscribe_url: str | None) -> EmailMessage:
    """A multipart/alternative message; with ``unsubscribe_url``, the one-click headers."""
    sender = get_settings().email_from_address
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = rendered.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(idstring=uuid.uuid4().hex, domain=_domain(sender))
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip(" >") or "localhost"
