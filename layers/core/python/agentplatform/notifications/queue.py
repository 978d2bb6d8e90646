"""The one way onto the notifications queue (SQS ``SendMessage``).

Producers and the scheduled tasks put messages here; the notifications Lambda reads
them. With ``NOTIFICATIONS_QUEUE_URL`` unset nothing is sent and nothing is imported.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from agentplatform.config import get_settings

_BATCH_MAX = 10  # SendMessageBatch's limit


def enabled() -> bool:
    return bool(get_settings().notifications_queue_url)


def send(message: BaseModel) -> None:
    from agentplatform.aws import client

    client("sqs").send_message(
        QueueUrl=get_settings().notifications_queue_url, MessageBody=message.model_dump_json()
    )


def send_all(messages: Sequence[BaseModel]) -> None:
    """Send in batches of ten; raises if SQS refused any of them."""
    from agentplatform.aws import client

    url = get_settings().notifications_queue_url
    for start in range(0, len(messages), _BATCH_MAX):
        chunk = messages[start : start + _BATCH_MAX]
        entries = [{"Id": str(i), "MessageBody": m.model_dump_json()} for i, m in enumerate(chunk)]
        failed = client("sqs").send_message_batch(QueueUrl=url, Entries=entries).get("Failed") or []
        if failed:
            codes = sorted({str(f.get("Code")) for f in failed})
            raise RuntimeError(f"{len(failed)} notification messages were refused: {', '.join(codes)}")
