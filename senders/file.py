"""A folder as the provider, for dry runs and the demo: ``<message_id>.eml`` per email (the exact
bytes an SMTP server would get) and ``<message_id>.json`` per SMS. Files appear whole (written
aside, then renamed), so whoever watches the folder never reads half a message; sending the
same message again rewrites the same file, so a folder never holds a message twice."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from models.messages import Accepted, OutboundMessage, SendFailure, SendResult
from senders.email_composition import CompositionError, EmailComposer
from senders.protocol import Sender
from senders.sms_composition import SmsShape, sms_shape


class FileSender(Sender):
    """Writes both channels; ``composer`` is needed only for email."""

    def __init__(self, folder: Path | str, composer: EmailComposer | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.composer = composer

    def send(self, message: OutboundMessage) -> SendResult:
        if message.channel == "sms":
            name = f"{message.message_id}.json"
            shape = sms_shape(message.sms_text or "")
            _write_whole(self.folder / name, _sms_record(message, shape))
            return Accepted(name, {"encoding": shape.encoding, "segments": shape.segments})
        if self.composer is None:
            raise ValueError("FileSender needs an EmailComposer to write email")
        try:
            mail = self.composer.compose(message)
        except CompositionError as error:
            return SendFailure.permanent(str(error))
        name = f"{message.message_id}.eml"
        _write_whole(self.folder / name, mail.data)
        return Accepted(name, {"message_id_header": mail.message_id})


def _sms_record(message: OutboundMessage, shape: SmsShape) -> bytes:
    record = {
        "X-Touchpoint-Campaign": message.campaign,
        "X-Touchpoint-Message-Id": str(message.message_id),
        "to": message.recipient,
        "text": message.sms_text or "",
        "locale": message.locale,
        "customer_id": message.customer_id,
        "occurrence_key": message.occurrence_key,
        "encoding": shape.encoding,
        "segments": shape.segments,
    }
    return json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def _write_whole(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
