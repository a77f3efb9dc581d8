"""What a sender is handed (one ``messaging.outbox`` row) and what it hands back.

A send ends in one of three ways, and the dispatcher records each differently
(docs/architecture.md, Sending invariants: Exactly once):

- ``Accepted``: the provider took the message; its id goes into the outbox row.
- ``SendFailure(retryable=True)``: the provider surely did not take it (refused before the
  message was complete, throttled, unreachable); sending it again later cannot make a duplicate.
- ``SendFailure(retryable=False)``: either refused for good (``5xx``, rejected address, opted
  out) or ``in_doubt``: the request left but no answer came back, so the provider may have
  taken it. Resending could deliver it twice, so it is never retried silently.

Results are returned rather than raised: every one of them is an expected outcome the
dispatcher must record, and a return value cannot slip past a ``try`` that was too narrow or
too wide. Exceptions stay for bugs and wiring mistakes (an SMS handed to the SMTP sender).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

Channel = Literal["email", "sms"]


class OutboundMessage(BaseModel):
    """A rendered message as stored in ``messaging.outbox``; extra row columns are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    message_id: UUID
    campaign: str
    occurrence_key: str
    customer_id: str
    channel: Channel
    recipient: str
    locale: str
    subject: str | None = None
    body_text: str | None = None
    body_html: str | None = None
    sms_text: str | None = None
    headers: dict[str, str] = {}
    # False for what the customer asked for or needs (a keyword reply, a service reminder).
    marketing: bool = True
    # A mail composed when it was rendered (senders/email_composition.py: all but its Date),
    # and which composition made it; None for SMS and rows rendered without one.
    composed_mail: bytes | None = None
    composed_by: str | None = None


@dataclass(frozen=True)
class Accepted:
    """The provider took the message. ``detail`` is worth recording with the ``sent`` event
    (say an SMS's encoding and segment count)."""

    provider_message_id: str
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class SendFailure:
    """The provider did not (or may not have) taken the message; ``reason`` is for people and
    keeps the provider's own words (``550 5.1.1 no such user``)."""

    reason: str
    retryable: bool
    opted_out: bool = False  # the recipient opted out at the provider: record an opt-out
    in_doubt: bool = False  # the provider may have accepted it: never resend silently

    def __post_init__(self) -> None:
        if self.retryable and (self.opted_out or self.in_doubt):
            raise ValueError("a retryable failure can be neither opted out nor in doubt")

    @classmethod
    def transient(cls, reason: str) -> SendFailure:
        """Surely not accepted, may work later: safe to send again."""
        return cls(reason, retryable=True)

    @classmethod
    def permanent(cls, reason: str, *, opted_out: bool = False) -> SendFailure:
        """Refused for good; sending again would be refused again."""
        return cls(reason, retryable=False, opted_out=opted_out)

    @classmethod
    def unknown_outcome(cls, reason: str) -> SendFailure:
        """The request went out and no answer came back: the provider may have accepted it."""
        return cls(reason, retryable=False, in_doubt=True)


SendResult = Accepted | SendFailure
