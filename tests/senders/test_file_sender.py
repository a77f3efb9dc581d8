"""The file sink: one whole file per message, named by its id, for dry runs and the demo."""

from __future__ import annotations

import json

import pytest

from models.messages import Accepted
from senders.file import FileSender
from tests.senders.mail_reading import parse_mail
from tests.senders.outbox_rows import email_message, sms_message


def test_an_email_becomes_its_eml_file(tmp_path, composer):
    message = email_message()

    with FileSender(tmp_path / "mailbox", composer) as sender:
        result = sender.send(message)

    assert result == Accepted(f"{message.message_id}.eml", result.detail)
    mail = parse_mail((tmp_path / "mailbox" / f"{message.message_id}.eml").read_bytes())
    assert mail["X-Touchpoint-Campaign"] == "birthday"
    assert mail["X-Touchpoint-Message-Id"] == str(message.message_id)
    assert mail["Message-ID"] == result.detail["message_id_header"]


def test_an_sms_becomes_its_json_file_with_the_campaign_and_message_id(tmp_path):
    message = sms_message()

    with FileSender(tmp_path) as sender:
        result = sender.send(message)

    record = json.loads((tmp_path / f"{message.message_id}.json").read_text())
    assert record == {
        "X-Touchpoint-Campaign": "product_interest",
        "X-Touchpoint-Message-Id": str(message.message_id),
        "to": "+32470123456",
        "text": message.sms_text,
        "locale": "fr",
        "customer_id": "c-1",
        "occurrence_key": message.occurrence_key,
        "encoding": "GSM-7",
        "segments": 1,
    }
    assert result.detail == {"encoding": "GSM-7", "segments": 1}


def test_sending_the_same_message_again_leaves_one_whole_file(tmp_path, composer):
    message = email_message()

    with FileSender(tmp_path, composer) as sender:
        sender.send(message)
        sender.send(message)

    assert [path.name for path in tmp_path.iterdir()] == [f"{message.message_id}.eml"]


def test_a_row_no_mail_can_be_made_of_writes_nothing(tmp_path, composer):
    with FileSender(tmp_path, composer) as sender:
        result = sender.send(email_message(body_text=""))

    assert not result.retryable and "no text body" in result.reason
    assert list(tmp_path.iterdir()) == []


def test_email_without_a_composer_is_a_wiring_mistake(tmp_path):
    with FileSender(tmp_path) as sender, pytest.raises(ValueError, match="EmailComposer"):
        sender.send(email_message())
