"""The one thing every channel provider does: send one rendered message, say what happened.

A sender is opened once for a batch and reused (an SMTP connection, a boto3 client and its
HTTP pool), and closed when the batch is done; use it as a context manager. ``send`` returns a
``models.messages.SendResult`` for every provider outcome (see that module for why results are
returned, not raised) and raises only on a wiring mistake, such as a message of the wrong
channel. ``send_many`` hands over several messages at once, one result each: one ``send``
after another unless the provider can overlap them (SMTP's PIPELINING). A sender is not
thread-safe: give each worker its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from types import TracebackType

from models.messages import OutboundMessage, SendResult


class Sender(ABC):
    @abstractmethod
    def send(self, message: OutboundMessage) -> SendResult:
        """Hand one message to the provider, never more than once (retries are the caller's)."""

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        """``send`` for each message, in order; the results in the same order."""
        return [self.send(message) for message in messages]

    def close(self) -> None:  # noqa: B027 - most senders hold nothing to release
        """Release connections; the sender may not be used afterwards."""

    def __enter__(self) -> Sender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def require_channel(message: OutboundMessage, channel: str, sender: str) -> None:
    if message.channel != channel:
        raise ValueError(
            f"{sender} sends {channel} only; message {message.message_id} is {message.channel}"
        )
