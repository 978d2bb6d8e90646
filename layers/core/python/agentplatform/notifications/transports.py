"""Where a composed email goes, chosen by ``EMAIL_TRANSPORT`` (never by "are we local").

- ``ses``: Amazon SES v2 ``SendEmail`` with the raw MIME message (our own headers, the
  one-click unsubscribe ones among them), through ``SES_CONFIGURATION_SET`` if set.
- ``outbox``: one readable ``.eml`` file per message under ``EMAIL_OUTBOX_DIR`` (the
  local cloud: ``LOCAL_STATE_DIR/outbox/``).
- ``none``: nothing is sent (a deployment without an SES identity); logged.
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from agentplatform.config import Settings, get_settings

logger = logging.getLogger(__name__)


class Transport(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Deliver ``message``; returns an id for the logs."""
        ...


class SesTransport:
    def __init__(self, configuration_set: str = ""):
        self.configuration_set = configuration_set

    def send(self, message: EmailMessage) -> str:
        from agentplatform.aws import client

        # No Destination: SES takes the recipients from the raw message's headers.
        request: dict[str, Any] = {
            "FromEmailAddress": str(message["From"]),
            "Content": {"Raw": {"Data": message.as_bytes()}},
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        return str(client("sesv2").send_email(**request)["MessageId"])


class OutboxTransport:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(message.as_bytes())
        os.replace(temporary, self.directory / name)  # readers never see half a message
        return name


class NoTransport:
    def send(self, message: EmailMessage) -> str:
        logger.info("EMAIL_TRANSPORT=none: %r to one recipient not sent", str(message["Subject"]))
        return ""


def transport_for(settings: Settings | None = None) -> Transport:
    settings = settings or get_settings()
    if settings.email_transport == "outbox":
        return OutboxTransport(settings.email_outbox_dir)
    if settings.email_transport == "none":
        return NoTransport()
    return SesTransport(settings.ses_configuration_set)
