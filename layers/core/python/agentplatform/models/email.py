"""Shapes of the ``/api/email`` routes: Postmark's webhook records (upstream's models).

Only the fields the platform acts on are required; Postmark sends the rest too, and a
record that lacks one is still understood rather than refused.
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class PostmarkBounceEnum(enum.IntEnum):
    HardBounce = 1
    Transient = 2
    Unsubscribe = 16
    Subscribe = 32
    AutoResponder = 64
    AddressChange = 128
    DnsError = 256
    SpamNotification = 512
    OpenRelayTest = 1024
    Unknown = 2048
    SoftBounce = 4096
    VirusNotification = 8192
    ChallengeVerification = 16384
    BadEmailAddress = 100000
    SpamComplaint = 100001
    ManuallyDeactivated = 100002
    Unconfirmed = 100003
    Blocked = 100006
    SMTPApiError = 100007
    InboundError = 100008
    DMARCPolicy = 100009
    TemplateRenderingFailed = 100010


# Temporary failures: the address may work tomorrow (upstream keeps mailing it).
SOFT_BOUNCES = frozenset(
    {PostmarkBounceEnum.Transient, PostmarkBounceEnum.SoftBounce, PostmarkBounceEnum.DnsError}
)


class _Record(BaseModel):
    model_config = ConfigDict(extra="allow")

    MessageStream: str = ""
    MessageID: str = ""
    Tag: str = ""
    Metadata: dict[str, str] = Field(default_factory=dict)


class PostmarkDeliveryWebhook(_Record):
    RecordType: Literal["Delivery"]
    Recipient: str = ""
    DeliveredAt: str = ""
    Details: str = ""


class PostmarkBounceWebhook(_Record):
    RecordType: Literal["Bounce"]
    ID: int = 0
    Type: str = ""
    TypeCode: PostmarkBounceEnum
    Email: str
    From: str = ""
    BouncedAt: str = ""
    Inactive: bool = False
    Details: str = ""
    Description: str = ""


class PostmarkSpamComplaintWebhook(_Record):
    RecordType: Literal["SpamComplaint"]
    ID: int = 0
    Type: str = ""
    TypeCode: int = 0
    Email: str
    BouncedAt: str = ""


class PostmarkOpenWebhook(_Record):
    RecordType: Literal["Open"]
    Recipient: str = ""


class PostmarkClickWebhook(_Record):
    RecordType: Literal["Click"]
    Recipient: str = ""
    OriginalLink: str = ""


class PostmarkSubscriptionChangeWebhook(_Record):
    RecordType: Literal["SubscriptionChange"]
    Recipient: str = ""
    SuppressSending: bool = False
    SuppressionReason: str = ""


PostmarkWebhook = Annotated[
    PostmarkDeliveryWebhook
    | PostmarkBounceWebhook
    | PostmarkSpamComplaintWebhook
    | PostmarkOpenWebhook
    | PostmarkClickWebhook
    | PostmarkSubscriptionChangeWebhook,
    Field(discriminator="RecordType"),
]


class UnsubscribeResponse(BaseModel):
    status: Literal["ok"] = "ok"
