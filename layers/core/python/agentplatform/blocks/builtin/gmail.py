"""Gmail blocks (upstream ``backend/blocks/google/gmail.py``), over Gmail's REST API.

Same ids, pins, defaults, scopes and test vectors as upstream. Upstream drives Google's
discovery client; these send the same requests (``users.messages.list/get/send/modify``,
``users.messages.attachments.get``, ``users.labels.list/create``) as plain HTTPS through
the SSRF-safe client. Messages are built with the standard library's ``email`` package,
plain text without the 78-column hard wrap, HTML detected as upstream does. HTML bodies
are read as text by a small standard-library converter (upstream uses html2text, which
is GPL-licensed).
"""

from __future__ import annotations

import base64
import re
from email import encoders
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import SMTP
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import Any, Literal

from pydantic import BaseModel, Field

from agentplatform.blocks import Block, BlockCategory, BlockOutput, BlockSchemaInput, BlockSchemaOutput
from agentplatform.blocks.builtin._google import (
    GMAIL_API,
    TEST_CREDENTIALS,
    TEST_CREDENTIALS_INPUT,
    GoogleApi,
    GoogleCredentials,
    GoogleCredentialsField,
    GoogleCredentialsInput,
    google_credentials,
    google_oauth_is_configured,
)
from agentplatform.blocks.media import MediaFileType, load_media
from agentplatform.blocks.schema import SchemaField

# Plain text goes out without the 78-character hard wrap (upstream's NO_WRAP_POLICY).
NO_WRAP_POLICY = SMTP.clone(max_line_length=0)
METADATA_SCOPE = "https://www.googleapis.com/auth/gmail.metadata"
ContentType = Literal["auto", "plain", "html"]


def serialize_email_recipients(recipients: list[str]) -> str:
    return ", ".join(recipients)


def _make_mime_text(body: str, content_type: ContentType | None = None) -> MIMEText:
    """HTML when asked, or (``auto``/None) when the first 500 characters hold a tag."""
    if content_type is None or content_type == "auto":
        looks_html = "<" in body[:500] and ">" in body[:500]
        content_type = "html" if looks_html else "plain"
    if content_type == "html":
        return MIMEText(body, _subtype="html", _charset="utf-8")
    return MIMEText(body, _subtype="plain", _charset="utf-8", policy=NO_WRAP_POLICY)


def _attachment_part(data: bytes, filename: str) -> MIMEBase:
    part = MIMEBase("application", "octet-stream")
    part.set_payload(data)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", f"attachment; filename={filename}")
    return part


async def _attach_files(message: MIMEMultipart, files: list[MediaFileType], graph_exec_id: Any) -> None:
    for file in files:
        content = await load_media(file, graph_exec_id)
        message.attach(_attachment_part(content.data, content.filename))


def _headers(message: MIMEMultipart, to: list[str], cc: list[str], bcc: list[str], subject: str) -> None:
    if to:
        message["To"] = serialize_email_recipients(to)
    if cc:
        message["Cc"] = serialize_email_recipients(cc)
    if bcc:
        message["Bcc"] = serialize_email_recipients(bcc)
    message["Subject"] = subject


def _raw(message: MIMEMultipart) -> str:
    return base64.urlsafe_b64encode(message.as_bytes()).decode("utf-8")


def _b64url_bytes(data: str) -> bytes:
    """Gmail's base64url, which drops the padding."""
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _addresses(header: str) -> list[str]:
    return [address.strip() for _, address in getaddresses([header]) if address.strip()]


class _HtmlText(HTMLParser):
    """HTML to readable text: block elements break lines, links keep their target."""

    BREAKS = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"})
    SKIPPED = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BREAKS:
            self.parts.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.parts.append("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BREAKS:
            self.parts.append("\n")
        elif tag == "a":
            self.parts.append(f"]({self.href})" if self.href else "]")
            self.href = None

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


class Attachment(BaseModel):
    filename: str
    content_type: str
    size: int
    attachment_id: str


class Email(BaseModel):
    threadId: str
    labelIds: list[str]
    id: str
    subject: str
    snippet: str
    from_: str
    to: list[str]
    cc: list[str] = Field(default_factory=list)
    bcc: list[str] = Field(default_factory=list)  # rarely present on received mail
    date: str
    body: str = ""
    sizeEstimate: int
    attachments: list[Attachment]


class GmailSendResult(BaseModel):
    id: str
    status: str


class GmailLabelResult(BaseModel):
    label_id: str
    status: str


class GmailBase(Block):
    """Reading messages, shared by the Gmail blocks."""

    def _build_service(self, credentials: GoogleCredentials) -> GoogleApi:
        return GoogleApi(credentials, "Gmail")

    async def _get_email_body(self, msg: dict[str, Any], service: GoogleApi) -> str:
        text = await self._walk_for_body(msg.get("payload", {}), msg["id"], service)
        return text or "This email does not contain a readable body."

    async def _walk_for_body(
        self, part: dict[str, Any], msg_id: str, service: GoogleApi, depth: int = 0
    ) -> str | None:
        if depth > 10:
            return None
        mime_type = part.get("mimeType", "")
        body = part.get("body", {})
        if mime_type == "text/plain" and body.get("data"):
            return self._decode_base64(body["data"])
        if mime_type == "text/html" and body.get("data"):
            html = self._decode_base64(body["data"])
            if html:
                return html_to_text(html)
        if body.get("attachmentId"):
            data = await self._download_attachment_body(body["attachmentId"], msg_id, service)
            if data:
                return self._decode_base64(data)
        for sub_part in part.get("parts", []):
            text = await self._walk_for_body(sub_part, msg_id, service, depth + 1)
            if text:
                return text
        return None

    def _decode_base64(self, data: str) -> str | None:
        try:
            return _b64url_bytes(data).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None

    async def _download_attachment_body(
        self, attachment_id: str, msg_id: str, service: GoogleApi
    ) -> str | None:
        try:
            attachment = await service.get(f"{GMAIL_API}/messages/{msg_id}/attachments/{attachment_id}")
        except ValueError:
            return None
        data = attachment.get("data")
        return str(data) if data else None

    async def _get_attachments(self, service: GoogleApi, message: dict[str, Any]) -> list[Attachment]:
        return [
            Attachment(
                filename=part["filename"],
                content_type=part.get("mimeType", ""),
                size=int(part.get("body", {}).get("size", 0)),
                attachment_id=part.get("body", {}).get("attachmentId", ""),
            )
            for part in message.get("payload", {}).get("parts", [])
            if part.get("filename")
        ]

    async def download_attachment(self, service: GoogleApi, message_id: str, attachment_id: str) -> bytes:
        attachment = await service.get(f"{GMAIL_API}/messages/{message_id}/attachments/{attachment_id}")
        return _b64url_bytes(str(attachment["data"]))

    async def _get_label_id(self, service: GoogleApi, label_name: str) -> str | None:
        labels = (await service.get(f"{GMAIL_API}/labels")).get("labels", [])
        return next((label["id"] for label in labels if label.get("name") == label_name), None)

    async def _parse_email(self, service: GoogleApi, msg: dict[str, Any]) -> Email:
        headers = {h["name"].lower(): h["value"] for h in msg.get("payload", {}).get("headers", [])}
        return Email(
            threadId=msg.get("threadId", ""),
            labelIds=msg.get("labelIds", []),
            id=msg["id"],
            subject=headers.get("subject", "No Subject"),
            snippet=msg.get("snippet", ""),
            from_=parseaddr(headers.get("from", ""))[1],
            to=_addresses(headers.get("to", "")),
            cc=_addresses(headers.get("cc", "")),
            bcc=_addresses(headers.get("bcc", "")),
            date=headers.get("date", ""),
            body=await self._get_email_body(msg, service),
            sizeEstimate=msg.get("sizeEstimate", 0),
            attachments=await self._get_attachments(service, msg),
        )


_TEST_EMAIL = {
    "threadId": "t1",
    "labelIds": ["INBOX"],
    "id": "1",
    "subject": "Test Email",
    "snippet": "This is a test email",
    "from_": "test@example.com",
    "to": ["recipient@example.com"],
    "cc": [],
    "bcc": [],
    "date": "2024-01-01",
    "body": "This is a test email",
    "sizeEstimate": 100,
    "attachments": [],
}


class GmailReadBlock(GmailBase):
    class Input(BlockSchemaInput):
        credentials: GoogleCredentialsInput = GoogleCredentialsField(
            ["https://www.googleapis.com/auth/gmail.readonly"]
        )
        query: str = SchemaField(description="Search query for reading emails", default="is:unread")
        max_results: int = SchemaField(description="Maximum number of emails to retrieve", default=10)

    class Output(BlockSchemaOutput):
        email: Email = SchemaField(description="Email data")
        emails: list[Email] = SchemaField(description="List of email data")
        error: str = SchemaField(description="Error message if any")

    def __init__(self) -> None:
        super().__init__(
            id="25310c70-b89b-43ba-b25c-4dfa7e2a481c",
            description=(
                "A block that retrieves and reads emails from a Gmail account based on search criteria, "
                "returning detailed message information including subject, sender, body, and attachments."
            ),
            categories={BlockCategory.COMMUNICATION},
            disabled=not google_oauth_is_configured(),
            input_schema=GmailReadBlock.Input,
            output_schema=GmailReadBlock.Output,
            test_input={"query": "is:unread", "max_results": 5, "credentials": TEST_CREDENTIALS_INPUT},
            test_credentials=TEST_CREDENTIALS,
            test_output=[("email", _TEST_EMAIL), ("emails", [_TEST_EMAIL])],
            test_mock={
                "_read_emails": lambda *args, **kwargs: [_TEST_EMAIL],
                "_send_email": lambda *args, **kwargs: {"id": "1", "status": "sent"},
            },
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        credentials = google_credentials(kwargs)
        async with self._build_service(credentials) as service:
            messages = await self._read_emails(
                service, input_data.query, input_data.max_results, credentials.scopes
            )
        for email in messages:
            yield "email", email
        yield "emails", messages

    async def _read_emails(
        self, service: GoogleApi, query: str | None, max_results: int | None, scopes: list[str] | None
    ) -> list[Email]:
        scopes = [scope.lower() for scope in scopes or []]
        metadata_only = METADATA_SCOPE in scopes  # that scope forbids search queries and bodies
        params: dict[str, Any] = {"maxResults": max_results or 10}
        if query and not metadata_only:
            params["q"] = query
        listed = await service.get(f"{GMAIL_API}/messages", params)
        format_type = "metadata" if metadata_only else "full"
        emails = []
        for message in listed.get("messages", []):
            msg = await service.get(f"{GMAIL_API}/messages/{message['id']}", {"format": format_type})
            emails.append(await self._parse_email(service, msg))
        return emails


class GmailSendBlock(GmailBase):
    class Input(BlockSchemaInput):
        credentials: GoogleCredentialsInput = GoogleCredentialsField(
            ["https://www.googleapis.com/auth/gmail.send"]
        )
        to: list[str] = SchemaField(description="Recipient email addresses")
        subject: str = SchemaField(description="Email subject")
        body: str = SchemaField(description="Email body (plain text or HTML)")
        cc: list[str] = SchemaField(description="CC recipients", default_factory=list)
        bcc: list[str] = SchemaField(description="BCC recipients", default_factory=list)
        content_type: ContentType | None = SchemaField(
            description="Content type: 'auto' (default - detects HTML), 'plain', or 'html'",
            default=None,
            advanced=True,
        )
        attachments: list[MediaFileType] = SchemaField(
            description="Files to attach", default_factory=list, advanced=True
        )

    class Output(BlockSchemaOutput):
        result: GmailSendResult = SchemaField(description="Send confirmation")
        error: str = SchemaField(description="Error message if any")

    def __init__(self) -> None:
        super().__init__(
            id="6c27abc2-e51d-499e-a85f-5a0041ba94f0",
            description=(
                "Send emails via Gmail with automatic HTML detection and proper text formatting. Plain text "
                "emails are sent without 78-character line wrapping, preserving natural paragraph flow. HTML "
                "emails are automatically detected and sent with correct MIME type."
            ),
            categories={BlockCategory.COMMUNICATION},
            input_schema=GmailSendBlock.Input,
            output_schema=GmailSendBlock.Output,
            disabled=not google_oauth_is_configured(),
            test_input={
                "to": ["recipient@example.com"],
                "subject": "Test Email",
                "body": "This is a test email sent from GmailSendBlock.",
                "credentials": TEST_CREDENTIALS_INPUT,
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=[("result", {"id": "1", "status": "sent"})],
            test_mock={"_send_email": lambda *args, **kwargs: {"id": "1", "status": "sent"}},
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        credentials = google_credentials(kwargs)
        async with self._build_service(credentials) as service:
            result = await self._send_email(service, input_data, kwargs.get("graph_exec_id"))
        yield "result", result

    async def _send_email(self, service: GoogleApi, input_data: Input, graph_exec_id: Any) -> dict[str, Any]:
        if not input_data.to or not input_data.subject or not input_data.body:
            raise ValueError("At least one recipient, subject, and body are required for sending an email")
        message = MIMEMultipart()
        _headers(message, input_data.to, input_data.cc, input_data.bcc, input_data.subject)
        message.attach(_make_mime_text(input_data.body, input_data.content_type))
        await _attach_files(message, input_data.attachments, graph_exec_id)
        sent = await service.post(f"{GMAIL_API}/messages/send", {"raw": _raw(message)})
        return {"id": sent["id"], "status": "sent"}


class GmailAddLabelBlock(GmailBase):
    class Input(BlockSchemaInput):
        credentials: GoogleCredentialsInput = GoogleCredentialsField(
            ["https://www.googleapis.com/auth/gmail.modify"]
        )
        message_id: str = SchemaField(description="Message ID to add label to")
        label_name: str = SchemaField(description="Label name to add")

    class Output(BlockSchemaOutput):
        result: GmailLabelResult = SchemaField(description="Label addition result")
        error: str = SchemaField(description="Error message if any")

    def __init__(self) -> None:
        super().__init__(
            id="f884b2fb-04f4-4265-9658-14f433926ac9",
            description=(
                "A block that adds a label to a specific email message in Gmail, creating the label if it "
                "doesn't exist."
            ),
            categories={BlockCategory.COMMUNICATION},
            input_schema=GmailAddLabelBlock.Input,
            output_schema=GmailAddLabelBlock.Output,
            disabled=not google_oauth_is_configured(),
            test_input={
                "message_id": "12345",
                "label_name": "Important",
                "credentials": TEST_CREDENTIALS_INPUT,
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=[("result", {"status": "Label added successfully", "label_id": "Label_1"})],
            test_mock={
                "_add_label": lambda *args, **kwargs: {
                    "status": "Label added successfully",
                    "label_id": "Label_1",
                }
            },
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        credentials = google_credentials(kwargs)
        async with self._build_service(credentials) as service:
            result = await self._add_label(service, input_data.message_id, input_data.label_name)
        yield "result", result

    async def _add_label(self, service: GoogleApi, message_id: str, label_name: str) -> dict[str, Any]:
        label_id = await self._get_or_create_label(service, label_name)
        result = await service.post(f"{GMAIL_API}/messages/{message_id}/modify", {"addLabelIds": [label_id]})
        if not result.get("labelIds"):
            return {"status": "Label already applied or not found", "label_id": label_id}
        return {"status": "Label added successfully", "label_id": label_id}

    async def _get_or_create_label(self, service: GoogleApi, label_name: str) -> str:
        label_id = await self._get_label_id(service, label_name)
        if label_id:
            return label_id
        created = await service.post(f"{GMAIL_API}/labels", {"name": label_name})
        return str(created["id"])


_REPLY_HEADERS = ["Subject", "References", "Message-ID", "From", "To", "Cc", "Reply-To"]


class GmailReplyBlock(GmailBase):
    class Input(BlockSchemaInput):
        credentials: GoogleCredentialsInput = GoogleCredentialsField(
            [
                "https://www.googleapis.com/auth/gmail.send",
                "https://www.googleapis.com/auth/gmail.readonly",
            ]
        )
        threadId: str = SchemaField(description="Thread ID to reply in")
        parentMessageId: str = SchemaField(description="ID of the message being replied to")
        to: list[str] = SchemaField(description="To recipients", default_factory=list)
        cc: list[str] = SchemaField(description="CC recipients", default_factory=list)
        bcc: list[str] = SchemaField(description="BCC recipients", default_factory=list)
        replyAll: bool = SchemaField(description="Reply to all original recipients", default=False)
        subject: str = SchemaField(description="Email subject", default="")
        body: str = SchemaField(description="Email body (plain text or HTML)")
        content_type: ContentType | None = SchemaField(
            description="Content type: 'auto' (default - detects HTML), 'plain', or 'html'",
            default=None,
            advanced=True,
        )
        attachments: list[MediaFileType] = SchemaField(
            description="Files to attach", default_factory=list, advanced=True
        )

    class Output(BlockSchemaOutput):
        messageId: str = SchemaField(description="Sent message ID")
        threadId: str = SchemaField(description="Thread ID")
        message: dict[str, Any] = SchemaField(description="Raw Gmail message object")
        email: Email = SchemaField(description="Parsed email object with decoded body and attachments")

    def __init__(self) -> None:
        super().__init__(
            id="12bf5a24-9b90-4f40-9090-4e86e6995e60",
            description=(
                "Reply to Gmail threads with automatic HTML detection and proper text formatting. Plain text "
                "replies maintain natural paragraph flow without 78-character line wrapping. HTML content is "
                "automatically detected and sent with correct MIME type."
            ),
            categories={BlockCategory.COMMUNICATION},
            input_schema=GmailReplyBlock.Input,
            output_schema=GmailReplyBlock.Output,
            disabled=not google_oauth_is_configured(),
            test_input={
                "threadId": "t1",
                "parentMessageId": "m1",
                "body": "Thanks",
                "replyAll": False,
                "credentials": TEST_CREDENTIALS_INPUT,
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=[
                ("messageId", "m2"),
                ("threadId", "t1"),
                ("message", {"id": "m2", "threadId": "t1"}),
                (
                    "email",
                    Email(
                        threadId="t1",
                        labelIds=[],
                        id="m2",
                        subject="",
                        snippet="",
                        from_="",
                        to=[],
                        cc=[],
                        bcc=[],
                        date="",
                        body="Thanks",
                        sizeEstimate=0,
                        attachments=[],
                    ),
                ),
            ],
            test_mock={"_reply": lambda *args, **kwargs: {"id": "m2", "threadId": "t1"}},
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        credentials = google_credentials(kwargs)
        async with self._build_service(credentials) as service:
            message = await self._reply(service, input_data, kwargs.get("graph_exec_id"))
        yield "messageId", message["id"]
        yield "threadId", message.get("threadId", input_data.threadId)
        yield "message", message
        # As upstream: the reply's own fields; sender and date are not in the send response.
        yield (
            "email",
            Email(
                threadId=message.get("threadId", input_data.threadId),
                labelIds=message.get("labelIds", []),
                id=message["id"],
                subject=input_data.subject or "",
                snippet=message.get("snippet", ""),
                from_="",
                to=input_data.to,
                cc=input_data.cc,
                bcc=input_data.bcc,
                date="",
                body=input_data.body,
                sizeEstimate=message.get("sizeEstimate", 0),
                attachments=[],
            ),
        )

    async def _reply(self, service: GoogleApi, input_data: Input, graph_exec_id: Any) -> dict[str, Any]:
        parent = await service.get(
            f"{GMAIL_API}/messages/{input_data.parentMessageId}",
            {"format": "metadata", "metadataHeaders": _REPLY_HEADERS},
        )
        headers: dict[str, str] = {}
        for header in parent.get("payload", {}).get("headers", []):
            headers.setdefault(header["name"].lower(), header["value"])  # first occurrence wins
        if not (input_data.to or input_data.cc or input_data.bcc):
            # Upstream fills the input's recipients, so the ``email`` output names them.
            input_data.to = self._reply_recipients(headers, input_data.replyAll)
        subject = input_data.subject or self._reply_subject(headers.get("subject", "").strip())
        references = headers.get("references", "").split()
        if headers.get("message-id"):
            references.append(headers["message-id"])
        message = MIMEMultipart()
        _headers(message, input_data.to, input_data.cc, input_data.bcc, subject)
        if headers.get("message-id"):
            message["In-Reply-To"] = headers["message-id"]
        if references:
            message["References"] = " ".join(references)
        message.attach(_make_mime_text(input_data.body, input_data.content_type))
        await _attach_files(message, input_data.attachments, graph_exec_id)
        return await service.post(
            f"{GMAIL_API}/messages/send", {"threadId": input_data.threadId, "raw": _raw(message)}
        )

    @staticmethod
    def _reply_recipients(headers: dict[str, str], reply_all: bool) -> list[str]:
        if reply_all:
            everyone = [parseaddr(headers.get("from", ""))[1]]
            everyone += _addresses(headers.get("to", "")) + _addresses(headers.get("cc", ""))
            return list(dict.fromkeys(filter(None, everyone)))
        sender = parseaddr(headers.get("reply-to") or headers.get("from", ""))[1]
        return [sender] if sender else []

    @staticmethod
    def _reply_subject(parent_subject: str) -> str:
        if parent_subject.lower().startswith("re:"):
            return parent_subject
        return f"Re: {parent_subject}" if parent_subject else "Re:"


class GmailForwardBlock(GmailBase):
    class Input(BlockSchemaInput):
        credentials: GoogleCredentialsInput = GoogleCredentialsField(
            [
                "https://www.googleapis.com/auth/gmail.send",
                "https://www.googleapis.com/auth/gmail.readonly",
            ]
        )
        messageId: str = SchemaField(description="ID of the message to forward")
        to: list[str] = SchemaField(description="Recipients to forward the message to")
        cc: list[str] = SchemaField(description="CC recipients", default_factory=list)
        bcc: list[str] = SchemaField(description="BCC recipients", default_factory=list)
        subject: str = SchemaField(
            description="Optional custom subject (defaults to 'Fwd: [original subject]')", default=""
        )
        forwardMessage: str = SchemaField(
            description="Optional message to include before the forwarded content", default=""
        )
        includeAttachments: bool = SchemaField(
            description="Include attachments from the original message", default=True
        )
        content_type: ContentType | None = SchemaField(
            description="Content type: 'auto' (default - detects HTML), 'plain', or 'html'",
            default=None,
            advanced=True,
        )
        additionalAttachments: list[MediaFileType] = SchemaField(
            description="Additional files to attach", default_factory=list, advanced=True
        )

    class Output(BlockSchemaOutput):
        messageId: str = SchemaField(description="Forwarded message ID")
        threadId: str = SchemaField(description="Thread ID")
        status: str = SchemaField(description="Forward status")

    def __init__(self) -> None:
        super().__init__(
            id="64d2301c-b3f5-4174-8ac0-111ca1e1a7c0",
            description=(
                "Forward Gmail messages to other recipients with automatic HTML detection and proper "
                "formatting. Preserves original message threading and attachments."
            ),
            categories={BlockCategory.COMMUNICATION},
            input_schema=GmailForwardBlock.Input,
            output_schema=GmailForwardBlock.Output,
            disabled=not google_oauth_is_configured(),
            test_input={
                "messageId": "m1",
                "to": ["recipient@example.com"],
                "forwardMessage": "FYI - forwarding this to you.",
                "credentials": TEST_CREDENTIALS_INPUT,
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=[("messageId", "m2"), ("threadId", "t1"), ("status", "forwarded")],
            test_mock={"_forward_message": lambda *args, **kwargs: {"id": "m2", "threadId": "t1"}},
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        credentials = google_credentials(kwargs)
        async with self._build_service(credentials) as service:
            result = await self._forward_message(service, input_data, kwargs.get("graph_exec_id"))
        yield "messageId", result["id"]
        yield "threadId", result.get("threadId", "")
        yield "status", "forwarded"

    async def _forward_message(
        self, service: GoogleApi, input_data: Input, graph_exec_id: Any
    ) -> dict[str, Any]:
        if not input_data.to:
            raise ValueError("At least one recipient is required for forwarding")
        original = await service.get(f"{GMAIL_API}/messages/{input_data.messageId}", {"format": "full"})
        headers = {h["name"].lower(): h["value"] for h in original.get("payload", {}).get("headers", [])}
        original_subject = headers.get("subject", "No Subject")
        if input_data.subject:
            subject = input_data.subject
        elif original_subject.lower().startswith("fwd:"):
            subject = original_subject
        else:
            subject = f"Fwd: {original_subject}"
        forward_header = (
            "\n---------- Forwarded message ---------\n"
            f"From: {headers.get('from', 'Unknown')}\n"
            f"Date: {headers.get('date', 'Unknown')}\n"
            f"Subject: {original_subject}\n"
            f"To: {headers.get('to', 'Unknown')}\n"
        )
        original_body = await self._get_email_body(original, service)
        body = f"{forward_header}\n\n{original_body}"
        if input_data.forwardMessage:
            body = f"{input_data.forwardMessage}\n\n{body}"
        message = MIMEMultipart()
        _headers(message, input_data.to, input_data.cc, input_data.bcc, subject)
        message.attach(_make_mime_text(body, input_data.content_type))
        if input_data.includeAttachments:
            for attachment in await self._get_attachments(service, original):
                data = await self.download_attachment(service, input_data.messageId, attachment.attachment_id)
                message.attach(_attachment_part(data, attachment.filename))
        await _attach_files(message, input_data.additionalAttachments, graph_exec_id)
        return await service.post(f"{GMAIL_API}/messages/send", {"raw": _raw(message)})
