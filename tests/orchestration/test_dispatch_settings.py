"""Dispatch settings (docs/architecture.md, Settings): which provider each channel goes to, the send
rate, the tracking secret kept in $TOUCHPOINT_HOME, and the demo's local mailbox over real SMTP."""

from __future__ import annotations

import json
import os
import socket
import stat

import boto3
import pytest
from dagster import EnvVar

from models.messages import Accepted
from orchestration.resources import senders_resource
from orchestration.secret import tracking_secret
from orchestration.settings import DEFAULT_FROM_EMAIL, load_settings
from tests.orchestration.configured_senders import configured_senders
from tests.senders.mail_reading import parse_mail
from tests.senders.moto_reading import moto_models
from tests.senders.outbox_rows import email_message, sms_message

SENDER_VARIABLES = (
    "TOUCHPOINT_EMAIL_SENDER",
    "TOUCHPOINT_SMS_SENDER",
    "TOUCHPOINT_SMTP_URL",
    "TOUCHPOINT_FROM_EMAIL",
    "TOUCHPOINT_TRACKING_URL",
    "TOUCHPOINT_SECRET",
    "TOUCHPOINT_SEND_RATE",
    "TOUCHPOINT_SES_CONFIGURATION_SET",
    "TOUCHPOINT_SMS_MAX_SEGMENTS",
)


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment with a home of this test's own."""
    for name in SENDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOUCHPOINT_HOME", str(tmp_path / "home"))
    return monkeypatch


def test_by_default_email_goes_to_the_local_mailbox_and_sms_to_files(env):
    settings = load_settings()

    assert (settings.email_sender, settings.sms_sender) == ("smtp", "file")
    assert settings.smtp_url is None and settings.tracking_url is None
    assert settings.send_rate is None


def test_sender_settings_are_read_and_secrets_stay_out_of_the_repr(env):
    env.setenv("TOUCHPOINT_EMAIL_SENDER", "SES")
    env.setenv("TOUCHPOINT_SMS_SENDER", "sns")
    env.setenv("TOUCHPOINT_SMTP_URL", "smtp://mailer:hunter2@relay.example:587?starttls=1")
    env.setenv("TOUCHPOINT_SECRET", "s3cr3t-value")
    env.setenv("TOUCHPOINT_SEND_RATE", "12.5")

    settings = load_settings()

    assert (settings.email_sender, settings.sms_sender, settings.send_rate) == ("ses", "sns", 12.5)
    assert "hunter2" not in repr(settings) and "s3cr3t-value" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TOUCHPOINT_EMAIL_SENDER", "postfix", "TOUCHPOINT_EMAIL_SENDER must be one of smtp, ses"),
        ("TOUCHPOINT_SMS_SENDER", "smtp", "TOUCHPOINT_SMS_SENDER must be one of sns, file"),
        ("TOUCHPOINT_SEND_RATE", "fast", "TOUCHPOINT_SEND_RATE must be a number"),
        ("TOUCHPOINT_SEND_RATE", "0", "TOUCHPOINT_SEND_RATE must be a number"),
        ("TOUCHPOINT_SEND_RATE", "-3", "TOUCHPOINT_SEND_RATE must be a number"),
        ("TOUCHPOINT_SEND_RATE", "nan", "TOUCHPOINT_SEND_RATE must be a number"),
    ],
)
def test_a_bad_setting_is_refused_by_name(env, name, value, message):
    env.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        load_settings()


def test_the_senders_are_configured_by_variable_and_read_by_the_settings_rules(env):
    env.setenv("TOUCHPOINT_EMAIL_SENDER", " File ")
    env.setenv("TOUCHPOINT_SMTP_URL", "smtp://mailer:hunter2@relay.example:587")
    settings = load_settings()

    configured = senders_resource(settings)
    with configured_senders(settings) as senders, senders.open("email") as sender:
        sender.send(email_message())

    assert configured.email_sender == EnvVar("TOUCHPOINT_EMAIL_SENDER")
    assert configured.smtp_url == EnvVar("TOUCHPOINT_SMTP_URL")
    assert configured.home == EnvVar("TOUCHPOINT_HOME")
    assert (configured.sms_sender, configured.from_email) == ("file", DEFAULT_FROM_EMAIL)
    assert configured.secret is None  # made and kept under the home when a sender needs it
    assert [p.suffix for p in settings.file_outbox_dir.iterdir()] == [".eml"]


def test_mails_composed_ahead_are_composed_as_the_email_sender_composes_them(env):
    env.setenv("TOUCHPOINT_EMAIL_SENDER", "file")
    env.setenv("TOUCHPOINT_TRACKING_URL", "https://t.shop.example")
    settings = load_settings()
    message = email_message()

    with configured_senders(settings) as senders:
        composer = senders.email_composer()
        stored = message.model_copy(
            update={
                "composed_mail": composer.compose_ahead(message),
                "composed_by": composer.composition,
            }
        )
        with senders.open("email") as sender:
            sender.send(stored)

    assert sender.composer.composition == composer.composition  # the stored bytes were used
    assert composer.tracking is not None and composer.tracking.secret == tracking_secret(settings)
    written = parse_mail((settings.file_outbox_dir / f"{message.message_id}.eml").read_bytes())
    assert written["List-Unsubscribe"].startswith("<https://t.shop.example/u/")


def test_settings_given_in_code_are_configured_as_they_are_but_never_a_secret(env):
    settings = load_settings().model_copy(update=dict(email_sender="file"))
    with_password = settings.model_copy(update=dict(smtp_url="smtp://u:pw@relay.example"))
    with_secret = settings.model_copy(update=dict(secret="from-code"))

    assert senders_resource(settings).email_sender == "file"
    with pytest.raises(ValueError, match="TOUCHPOINT_SMTP_URL holds a secret"):
        senders_resource(with_password)
    with pytest.raises(ValueError, match="TOUCHPOINT_SECRET holds a secret"):
        senders_resource(with_secret)


def test_the_secret_is_made_once_kept_private_and_reused(env):
    settings = load_settings()

    first = tracking_secret(settings)
    again = tracking_secret(load_settings())

    path = settings.home / "secret"
    assert first == again and len(first) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in settings.home.iterdir()] == ["secret"]  # nothing left aside


def test_a_secret_in_the_environment_wins_and_no_file_is_made(env):
    env.setenv("TOUCHPOINT_SECRET", "from-the-vault")
    settings = load_settings()

    assert tracking_secret(settings) == "from-the-vault"
    assert not (settings.home / "secret").exists()


def test_the_local_mailbox_keeps_each_mail_as_its_eml_over_real_smtp(env):
    env.setenv("TOUCHPOINT_TRACKING_URL", "https://t.shop.example")
    settings = load_settings()
    message = email_message()

    with configured_senders(settings) as senders, senders.open("email") as sender:
        result = sender.send(message)
        port = int(sender.endpoint.port)

    assert isinstance(result, Accepted)
    [kept] = list(settings.mailbox_dir.iterdir())
    assert kept.name == f"{message.message_id}.eml"
    mail = parse_mail(kept.read_bytes())
    assert mail["X-Touchpoint-Message-Id"] == str(message.message_id)
    assert mail["From"] == "touchpoint <hello@touchpoint.example>"
    assert "https://t.shop.example/u/" in mail["List-Unsubscribe"]
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass  # the server lived as long as the sender


def test_the_file_senders_write_under_home_outbox(env):
    env.setenv("TOUCHPOINT_EMAIL_SENDER", "file")
    settings = load_settings()
    email, sms = email_message(), sms_message()
    with (
        configured_senders(settings) as senders,
        senders.open("email") as email_sender,
        senders.open("sms") as sms_sender,
    ):
        email_sender.send(email)
        sms_sender.send(sms)

    names = sorted(p.name for p in settings.file_outbox_dir.iterdir())
    assert names == sorted([f"{email.message_id}.eml", f"{sms.message_id}.json"])
    record = json.loads((settings.file_outbox_dir / f"{sms.message_id}.json").read_text())
    assert record["X-Touchpoint-Campaign"] == "product_interest"


def test_ses_and_sns_are_reached_through_boto3_s_own_endpoint_settings(env, moto_endpoint):
    import urllib.request

    urllib.request.urlopen(
        urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"), timeout=5
    ).close()
    env.setenv("TOUCHPOINT_EMAIL_SENDER", "ses")
    env.setenv("TOUCHPOINT_SMS_SENDER", "sns")
    env.setenv("TOUCHPOINT_FROM_EMAIL", "Shop <hello@shop.example>")
    boto3.client("sesv2").create_email_identity(EmailIdentity="shop.example")
    with (
        configured_senders(load_settings()) as senders,
        senders.open("email") as ses,
        senders.open("sms") as sns,
    ):
        mail = ses.send(email_message())
        text = sns.send(sms_message())

    assert isinstance(mail, Accepted) and isinstance(text, Accepted)
    stored = moto_models(moto_endpoint, "ses", "RawMessage")
    assert [m["id"] for m in stored] == [mail.provider_message_id]
    assert os.environ["AWS_ENDPOINT_URL"] == moto_endpoint  # nothing special-cased in our code


def test_there_is_no_sender_for_an_unknown_channel(env):
    with (
        configured_senders(load_settings()) as senders,
        pytest.raises(ValueError, match="no sender for channel 'fax'"),
    ):
        senders.open("fax")
