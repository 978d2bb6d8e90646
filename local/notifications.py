"""The notifications pipeline in the local cloud: moto's SQS, a poller, a timer, an outbox.

- The queue (and its dead-letter queue) is created in moto, as the stack creates it,
  and ``NOTIFICATIONS_QUEUE_URL`` points producers at it: they run the same code as in
  AWS.
- A poller thread receives up to 10 messages at a time and invokes the notifications
  handler with the event Lambda's SQS event source mapping builds, deleting what the
  handler did not report in ``batchItemFailures``; failed messages come back after the
  visibility timeout and land in the dead-letter queue after ``MAX_RECEIVES``.
- A timer thread sends the scheduled tasks (``notifications/schedules.py``) to the
  queue when they fall due, as EventBridge Scheduler does in AWS.
- Email goes to ``EMAIL_OUTBOX_DIR`` (default ``LOCAL_STATE_DIR/outbox/``): one ``.eml``
  file per message, by configuration (``EMAIL_TRANSPORT=outbox``), not by code path.

Settings the developer did not set are filled in for the session and restored on stop.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agentplatform.aws import client
from agentplatform.config import get_settings
from local.lambdas import invoke

logger = logging.getLogger("local.notifications")

HANDLER = "functions.notifications.consumer"
QUEUE_NAME = "agentplatform-notifications"
VISIBILITY_TIMEOUT_SECONDS = 5  # a failed message is retried this soon (AWS: minutes)
MAX_RECEIVES = 3
_WAIT_SECONDS = 1
_SECRET_FILE = "unsubscribe.key"


def _unsubscribe_secret(state_dir: Path | None) -> str:
    if state_dir is None:
        return secrets.token_urlsafe(48)
    path = state_dir / _SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    state_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


def provision_queue() -> str:
    """The queue and its dead-letter queue in moto; returns the queue URL."""
    import json

    sqs = client("sqs")
    dlq_url = sqs.create_queue(QueueName=f"{QUEUE_NAME}-dlq")["QueueUrl"]
    dlq_arn = _queue_arn(dlq_url)
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES})
    attributes = {"VisibilityTimeout": str(VISIBILITY_TIMEOUT_SECONDS), "RedrivePolicy": redrive}
    return str(sqs.create_queue(QueueName=QUEUE_NAME, Attributes=attributes)["QueueUrl"])


def _queue_arn(url: str) -> str:
    attributes = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """Received messages as Lambda's SQS event source delivers them."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


class LocalNotifications:
    def __init__(self, state_dir: Path | None = None, *, background: bool = True):
        self.state_dir = state_dir
        self.background = background
        self.queue_url = ""
        self.queue_arn = ""
        self._saved_env: dict[str, str | None] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> LocalNotifications:
        self.queue_url = provision_queue()
        self.queue_arn = _queue_arn(self.queue_url)
        self._set_env("NOTIFICATIONS_QUEUE_URL", self.queue_url, force=True)
        self._set_env("EMAIL_TRANSPORT", "outbox")
        if not os.environ.get("EMAIL_OUTBOX_DIR"):
            outbox = self.state_dir / "outbox" if self.state_dir else Path(tempfile.mkdtemp(prefix="outbox-"))
            self._set_env("EMAIL_OUTBOX_DIR", str(outbox))
        if not os.environ.get("UNSUBSCRIBE_SECRET_KEY"):
            self._set_env("UNSUBSCRIBE_SECRET_KEY", _unsubscribe_secret(self.state_dir))
        get_settings.cache_clear()
        if self.background:
            self._spawn(self._poll, "notifications-poller")
            self._spawn(self._tick, "notifications-timer")
        return self

    @property
    def outbox(self) -> Path:
        return Path(get_settings().email_outbox_dir)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()
        get_settings.cache_clear()

    def _set_env(self, name: str, value: str, *, force: bool = False) -> None:
        if not force and os.environ.get(name):
            return
        self._saved_env.setdefault(name, os.environ.get(name))
        os.environ[name] = value

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    # ------------------------------------------------------------ the poller

    def deliver_once(self, wait_seconds: int = 0) -> int:
        """Receive one batch and run the handler on it; returns how many it held."""
        sqs = client("sqs")
        received = sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return 0
        from functions.notifications.consumer import handler

        response = invoke(handler, sqs_event(received, self.queue_arn), function_name="NotificationsFunction")
        failed = {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}
        done = [m for m in received if m["MessageId"] not in failed]
        if done:
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)]
            sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        return len(received)

    def drain(self, limit: int = 100) -> int:
        """Deliver until the queue is empty (tests); returns how many messages ran."""
        total = 0
        for _ in range(limit):
            count = self.deliver_once()
            if not count:
                return total
            total += count
        return total

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliver_once(wait_seconds=_WAIT_SECONDS)
            except Exception:  # the emulator must outlive any one bad batch
                logger.exception("notifications poller error")
                self._stop.wait(_WAIT_SECONDS)

    # ------------------------------------------------------------- the timer

    def _tick(self) -> None:
        """Send each scheduled task to the queue when it falls due."""
        from agentplatform.notifications.queue import send
        from agentplatform.notifications.schedules import SCHEDULES

        now = datetime.now(UTC)
        due = {schedule.name: schedule.next_after(now) for schedule in SCHEDULES}
        while not self._stop.is_set():
            name = min(due, key=lambda n: due[n])
            if self._stop.wait(max((due[name] - datetime.now(UTC)).total_seconds(), 0)):
                return
            schedule = next(s for s in SCHEDULES if s.name == name)
            try:
                send(schedule.message)
            except Exception:
                logger.exception("scheduled notification task %s not sent", name)
            due[name] = schedule.next_after(due[name])


def start_local_notifications(state_dir: Path | None) -> LocalNotifications:
    """The local cloud's hook (``local/server.py``): started with the server, stopped with it."""
    return LocalNotifications(state_dir).start()
