"""The segment cap on outbound SMS, enforced where every SMS leaves: around the SMS sender.

Rendering already refuses an over-long campaign SMS; this guard catches what rendering did not
see: a row queued before the cap existed or was lowered, or written by another process. Such a
row fails permanently with the reason, and the provider is never called. Keyword replies (STOP,
START, HELP) are exempt: carriers require them to be answered, and they are short anyway.
"""

from __future__ import annotations

from models.messages import OutboundMessage, SendFailure, SendResult
from models.sms_replies import REPLY_CAMPAIGN
from senders.protocol import Sender
from senders.sms_composition import over_segment_limit


class SegmentCap(Sender):
    """``sender`` for the SMS of at most ``max_segments`` segments; a permanent failure else."""

    def __init__(self, sender: Sender, max_segments: int) -> None:
        self.sender = sender
        self.max_segments = max_segments

    def send(self, message: OutboundMessage) -> SendResult:
        if message.channel == "sms" and message.campaign != REPLY_CAMPAIGN:
            problem = over_segment_limit(message.sms_text or "", self.max_segments)
            if problem:
                return SendFailure.permanent(problem)
        return self.sender.send(message)

    def close(self) -> None:
        self.sender.close()
