"""Which provider sends each channel: the ``senders`` resource (docs/architecture.md, Settings).

``TOUCHPOINT_EMAIL_SENDER`` is ``smtp`` (to ``TOUCHPOINT_SMTP_URL``, or to the local mailbox
server when that is unset), ``ses`` or ``file``; ``TOUCHPOINT_SMS_SENDER`` is ``sns`` or
``file``. The ``file`` senders write under ``$TOUCHPOINT_HOME/outbox``. AWS clients take their
endpoint, region and credentials from boto3's own environment variables.

Each partition step of dispatch opens one sender and closes it (and the local mailbox server,
if it started one) when the step is done.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from dagster import ConfigurableResource

from models.tracking import TrackingLinks
from orchestration.local_mailbox import local_mailbox
from orchestration.secret import tracking_secret
from orchestration.settings import Settings, settings_from
from senders.email_composition import EmailComposer
from senders.file import FileSender
from senders.protocol import Sender
from senders.ses import SesSender
from senders.sms_segment_cap import SegmentCap
from senders.smtp import SmtpSender
from senders.sns import SnsSender


class Senders(ConfigurableResource):
    """The settings that choose and configure the senders, one field each, named as in
    ``Settings`` and holding the variable's text (``orchestration.resources`` configures a value
    that came from the environment as its ``EnvVar``). Unset, a field takes the settings'
    default when a sender opens: the local mailbox, the file outbox under ``TOUCHPOINT_HOME``."""

    email_sender: str | None = None
    smtp_url: str | None = None
    from_email: str | None = None
    tracking_url: str | None = None
    secret: str | None = None
    ses_configuration_set: str | None = None
    sms_sender: str | None = None
    sms_max_segments: str | None = None
    home: str | None = None

    def open(self, channel: str) -> AbstractContextManager[Sender]:
        """The sender of ``channel`` for one partition step (a ``Sender`` is a context manager)."""
        settings = settings_from(self.model_dump(exclude_none=True))
        if channel == "email":
            return _email_sender(settings)
        if channel == "sms":
            return _sms_sender(settings)
        raise ValueError(f"no sender for channel {channel!r}")

    def email_composer(self) -> EmailComposer:
        """The composer every email sender of these settings uses: rendering composes mails
        ahead with it (``assets.outbox_rendering``)."""
        return email_composer(settings_from(self.model_dump(exclude_none=True)))


def email_composer(settings: Settings) -> EmailComposer:
    """Tracking links and the open pixel only when there is a tracking service to answer them."""
    tracking = (
        TrackingLinks(settings.tracking_url, tracking_secret(settings))
        if settings.tracking_url
        else None
    )
    return EmailComposer(settings.from_email, tracking)


@contextmanager
def _email_sender(settings: Settings) -> Iterator[Sender]:
    composer = email_composer(settings)
    if settings.email_sender == "ses":
        sender: Sender = SesSender(composer, configuration_set=settings.ses_configuration_set)
    elif settings.email_sender == "file":
        sender = FileSender(settings.file_outbox_dir, composer)
    elif settings.smtp_url:
        sender = SmtpSender(settings.smtp_url, composer)
    else:
        with local_mailbox(settings.mailbox_dir) as url, SmtpSender(url, composer) as sender:
            yield sender
        return
    with sender:
        yield sender


def _sms_sender(settings: Settings) -> Sender:
    """Whichever provider, behind the segment cap (``TOUCHPOINT_SMS_MAX_SEGMENTS``)."""
    provider = SnsSender() if settings.sms_sender == "sns" else FileSender(settings.file_outbox_dir)
    return SegmentCap(provider, settings.sms_max_segments)
