"""What the simulated recipients have in hand, read from the datamart and the mail files: every
message sent (the occurrence that caused it, the voucher it handed out, the links in the mail
as it landed), every occurrence held out, and the catalogue's prices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg

from models.sms_replies import REPLY_CAMPAIGN
from synthetic.mail_links import find_mail
from synthetic.reactions import Exposure, Product, SentMessage, Voucher

_SENT = """
select m.message_id::text, m.campaign, m.occurrence_key, m.customer_id, m.channel, m.recipient,
    m.sent_at, o.context, v.code, v.kind, v.value
from messaging.outbox as m
inner join messaging.occurrences as o using (campaign, occurrence_key)
left join messaging.vouchers as v using (campaign, occurrence_key)
where m.status = 'sent' and m.campaign <> %s
order by m.campaign, m.occurrence_key
"""
_HELD_OUT = """
select campaign, occurrence_key, customer_id, as_of, context
from messaging.occurrences
where outcome = 'held_out'
order by campaign, occurrence_key
"""
_TABLES = ("messaging.outbox", "messaging.vouchers", "marts.dim_products")
_PRODUCTS = """
select product_id, price, currency from marts.dim_products
where price > 0 and currency is not null
order by product_id
"""


@dataclass(frozen=True)
class WhatWasSent:
    sent: list[SentMessage]
    held_out: list[Exposure]
    products: list[Product]
    mails_missing: int  # emails sent whose file is not on this machine (SES, a real SMTP server)


def read_what_was_sent(database_url: str, mail_folders: Sequence[Path]) -> WhatWasSent:
    """The campaign messages sent (keyword replies are not), with the links of each mail found
    as ``<message id>.eml`` in one of ``mail_folders``. Nothing before a first run."""
    with psycopg.connect(database_url) as conn:
        if not _tables_exist(conn):
            return WhatWasSent([], [], [], 0)
        sent = [_sent(row, mail_folders) for row in conn.execute(_SENT, (REPLY_CAMPAIGN,))]
        held_out = [
            Exposure(
                campaign=campaign,
                occurrence_key=key,
                customer_id=customer_id,
                exposed_at=judged_at,
                context=context or {},
            )
            for campaign, key, customer_id, judged_at, context in conn.execute(_HELD_OUT)
        ]
        products = [Product(*row) for row in conn.execute(_PRODUCTS)]
    missing = sum(m.channel == "email" and m.mail is None for m in sent)
    return WhatWasSent(sent, held_out, products, missing)


def _tables_exist(conn: psycopg.Connection) -> bool:
    return conn.execute(
        "select bool_and(to_regclass(name) is not null) from unnest(%s::text[]) as name",
        (list(_TABLES),),
    ).fetchone()[0]


def _sent(row: tuple, mail_folders: Sequence[Path]) -> SentMessage:
    message_id, campaign, key, customer_id, channel, recipient, sent_at, context, *voucher = row
    code, kind, value = voucher
    return SentMessage(
        campaign=campaign,
        occurrence_key=key,
        customer_id=customer_id,
        exposed_at=sent_at,
        context=context or {},
        channel=channel,
        recipient=recipient,
        voucher=Voucher(code, kind, value) if code else None,
        mail=find_mail(mail_folders, message_id) if channel == "email" else None,
    )
