"""Amazon SES events (delivery, bounce, complaint, open, click, …): read, then recorded in
``messaging.message_events``.

They arrive two ways, and both go through here: POSTed by SNS to the tracking service
(``/ses/events``, ``tracking/provider_webhook.py``, asynchronous), or queued in SQS
(``TOUCHPOINT_EVENTS_QUEUE_URL``, drained by ``assets/response_assets.py``, synchronous). Either
way the body is an SNS envelope (``Type``, ``MessageId``, ``Message`` holding the SES event as
JSON text) or, with raw message delivery, the SES event itself. SES configuration-set events
name their kind in ``eventType``; identity notifications in ``notificationType``; both are
understood.

Which message an event is about: our id in the ``touchpoint-message-id`` message tag (set by
``senders/ses.py``), else the ``X-Touchpoint-Message-Id`` header when SES includes headers;
the provider's ``mail.messageId`` (``messaging.outbox.provider_message_id``) is kept as well.

Recording is one statement per event, the same both ways: the event is matched to its outbox
row (our id, else the provider's message id), takes that row's customer and channel, and is
inserted unless its ``source_event_id`` is already there. That id is a hash of the SES event
itself, not of its envelope: the same event reaching us by the webhook and by the queue, or
twice by either, is recorded once. An event about no message in our outbox (another system's
mail on the same configuration set, a datamart reset since) is not recorded: it could not be
attributed to anyone, and refusing it keeps a forged notification from suppressing a customer
it cannot name.

Strictness: the envelope and the event's top level must be exactly the documented fields
(an unknown one is a 400); inside the objects SES owns (``mail``, ``bounce``, …) fields we do
not read are ignored, since AWS adds to them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import orjson
import psycopg
from psycopg.types.json import Jsonb
from pydantic import BaseModel, ConfigDict, StrictStr, model_validator

from models.payloads import PayloadError, json_object, validated
from models.sns_envelope import SnsEnvelope, sns_envelope

MESSAGE_ID_TAG = "touchpoint-message-id"
MESSAGE_ID_HEADER = "x-touchpoint-message-id"


class _SesHeader(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: StrictStr
    value: StrictStr


class _SesMail(BaseModel):
    model_config = ConfigDict(extra="ignore")
    messageId: StrictStr
    timestamp: StrictStr | None = None
    tags: dict[StrictStr, list[StrictStr]] = {}
    headers: list[_SesHeader] = []


_Part = dict[str, Any] | None


class _SesEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    eventType: StrictStr | None = None
    notificationType: StrictStr | None = None
    mail: _SesMail
    bounce: _Part = None
    complaint: _Part = None
    delivery: _Part = None
    send: _Part = None
    reject: _Part = None
    open: _Part = None
    click: _Part = None
    failure: _Part = None
    deliveryDelay: _Part = None
    subscription: _Part = None

    @model_validator(mode="after")
    def _one_kind(self) -> _SesEvent:
        if (self.eventType is None) == (self.notificationType is None):
            raise ValueError("exactly one of eventType and notificationType names the event")
        return self

    @property
    def kind(self) -> str:
        return self.eventType or self.notificationType or ""


@dataclass(frozen=True)
class ProviderEvent:
    """One row for ``messaging.message_events`` (the customer comes from the outbox row)."""

    type: str
    provider_message_id: str
    message_id: UUID | None
    occurred_at: datetime
    source_event_id: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Skipped:
    """A well-formed event we do not record (``Send``: dispatch already recorded ``sent``)."""

    reason: str


def provider_message(document: dict[str, Any]) -> SnsEnvelope | ProviderEvent | Skipped:
    """An SNS subscription message (for the caller to confirm or ignore), or the SES event an
    envelope or a raw body carries."""
    envelope = sns_envelope(document)
    if envelope is not None and envelope.Type != "Notification":
        return envelope
    event = json_object(envelope.Message, "SNS Message") if envelope else document
    return ses_event(event)


def ses_event(document: dict[str, Any]) -> ProviderEvent | Skipped:
    event = validated(_SesEvent, document, "SES event")
    mapped = _MAPPINGS.get(event.kind)
    if mapped is None:
        return Skipped(f"SES {event.kind!r} events are not recorded")
    type_, part_name, describe = mapped
    part = getattr(event, part_name) or {}
    if not isinstance(part, dict):
        raise PayloadError(f"SES event: {part_name} must be an object")
    return ProviderEvent(
        type=type_,
        provider_message_id=event.mail.messageId,
        message_id=_our_message_id(event.mail),
        occurred_at=_instant(part.get("timestamp") or event.mail.timestamp, part_name),
        source_event_id="ses:" + _fingerprint(document),
        detail={**describe(part), "source": "ses"},
    )


def _bounce(part: dict) -> dict:
    kind = part.get("bounceType")
    recipients = part.get("bouncedRecipients") or [{}]
    first = recipients[0] if isinstance(recipients[0], dict) else {}
    return {
        # int_contact_suppressions suppresses on 'hard'; soft bounces are retried by SES.
        "bounce_type": {"Permanent": "hard", "Transient": "soft"}.get(kind, "undetermined"),
        "provider_bounce_type": kind,
        "bounce_sub_type": part.get("bounceSubType"),
        "diagnostic": first.get("diagnosticCode"),
    }


_MAPPINGS: dict[str, tuple[str, str, Any]] = {
    "Delivery": ("delivered", "delivery", lambda p: {"smtp_response": p.get("smtpResponse")}),
    "Bounce": ("bounced", "bounce", _bounce),
    "Complaint": (
        "complained",
        "complaint",
        lambda p: {"feedback_type": p.get("complaintFeedbackType")},
    ),
    "Open": ("opened", "open", lambda p: {}),
    "Click": ("clicked", "click", lambda p: {"url": p.get("link")}),
    "Reject": ("failed", "reject", lambda p: {"reason": f"SES rejected it: {p.get('reason')}"}),
    "Rendering Failure": (
        "failed",
        "failure",
        lambda p: {"reason": f"SES could not render it: {p.get('errorMessage')}"},
    ),
    "DeliveryDelay": (
        "deferred",
        "deliveryDelay",
        lambda p: {"reason": "delivery delayed", "delay_type": p.get("delayType")},
    ),
}


def _our_message_id(mail: _SesMail) -> UUID | None:
    candidates = list(mail.tags.get(MESSAGE_ID_TAG, []))
    candidates += [h.value for h in mail.headers if h.name.lower() == MESSAGE_ID_HEADER]
    for candidate in candidates:
        try:
            return UUID(candidate.strip())
        except ValueError:
            continue
    return None


def _instant(text: Any, part_name: str) -> datetime:
    if not isinstance(text, str):
        raise PayloadError(f"SES event: {part_name}.timestamp (or mail.timestamp) is missing")
    try:
        instant = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"SES event: timestamp {text!r} is not ISO 8601") from None
    if instant.tzinfo is None:
        raise PayloadError(f"SES event: timestamp {text!r} has no UTC offset")
    return instant


def _fingerprint(document: dict[str, Any]) -> str:
    canonical = orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


Recorded = Literal["recorded", "duplicate", "not_ours"]

_RECORD = """
with target as (
    select message_id, customer_id, channel
    from messaging.outbox
    where message_id = %(message_id)s or provider_message_id = %(provider_message_id)s
    order by message_id = %(message_id)s desc nulls last
    limit 1
),
inserted as (
    insert into messaging.message_events (
        message_id, customer_id, channel, type, occurred_at, detail, source_event_id
    )
    select message_id, customer_id, channel, %(type)s, %(occurred_at)s, %(detail)s,
        %(source_event_id)s
    from target
    on conflict (source_event_id) do nothing
    returning event_id
)
select (select count(*) from target), (select count(*) from inserted)
"""


def record_provider_event(conn: psycopg.Connection, event: ProviderEvent) -> Recorded:
    """Insert one event (in the caller's transaction, if any)."""
    matched, inserted = conn.execute(_RECORD, _params(event)).fetchone()
    return _outcome(matched, inserted)


async def record_provider_event_async(
    conn: psycopg.AsyncConnection, event: ProviderEvent
) -> Recorded:
    """``record_provider_event`` for the tracking service's asynchronous connections."""
    matched, inserted = await (await conn.execute(_RECORD, _params(event))).fetchone()
    return _outcome(matched, inserted)


def _params(event: ProviderEvent) -> dict[str, Any]:
    return {
        "message_id": event.message_id,
        "provider_message_id": event.provider_message_id,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "detail": Jsonb({**event.detail, "provider_message_id": event.provider_message_id}),
        "source_event_id": event.source_event_id,
    }


def _outcome(matched: int, inserted: int) -> Recorded:
    if not matched:
        return "not_ours"
    return "recorded" if inserted else "duplicate"
