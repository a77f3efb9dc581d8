"""``touchpoint simulate-reactions``: the recipients of what a run sent react through the real
paths, so that a later run measures them. Who reacts and how is synthetic
(``synthetic.reactions``); here it happens: open pixels and signed links in the mails are
requested from the tracking service, survey scores and STOPs are posted to its inbound-SMS
webhook signed as a gateway signs them, and the orders land as files the next run ingests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from orchestration.database import datamart_available
from orchestration.secret import tracking_secret
from orchestration.settings import Settings
from orchestration.tracking_client import TrackingClient
from synthetic.reaction_orders import write_orders
from synthetic.reactions import SURVEY_CAMPAIGN, ReactionPlan, plan_reactions
from synthetic.sent_messages import WhatWasSent, read_what_was_sent

# The number the customers text: the gateway's, which the service only records.
OUR_NUMBER = "+15550000000"
# `touchpoint serve` may still be starting (its database, its migrations).
SERVICE_START_SECONDS = 60


@dataclass(frozen=True)
class Simulation:
    lines: list[str]  # what happened, for the terminal
    refused: list[str]  # reactions the service did not take, one line each


def simulate_reactions(
    settings: Settings, as_of: datetime, tracking_url: str, seed: int, landing: Path
) -> Simulation:
    client = TrackingClient(tracking_url, tracking_secret(settings))
    client.wait_until_up(SERVICE_START_SECONDS)
    with datamart_available(settings) as url:
        what = read_what_was_sent(url, [settings.mailbox_dir, settings.file_outbox_dir])
    plan = plan_reactions(what.sent, what.held_out, what.products, as_of, seed)
    refused = _react(client, plan)
    files = write_orders(landing, plan.orders, as_of)
    return Simulation(_lines(what, plan, files, tracking_url, as_of, seed), refused)


def _react(client: TrackingClient, plan: ReactionPlan) -> list[str]:
    """Every reaction, in the order people make them; what the service refused."""
    refused = []
    for kind, links, expected in (("open", plan.opens, 200), ("click", plan.clicks, 302)):
        for link in links:
            status = client.follow(link)
            if status != expected:
                # The path names the message; the query holds the signature: never shown.
                refused.append(f"{kind} {urlsplit(link).path}: HTTP {status}")
    for sms in (*plan.survey_answers, *plan.stops):
        status = client.text_in(sms.number, sms.text, sms.inbound_id, OUR_NUMBER)
        if not 200 <= status < 300:
            refused.append(f"inbound SMS {sms.inbound_id} ({sms.text!r}): HTTP {status}")
    return refused


def _lines(
    what: WhatWasSent,
    plan: ReactionPlan,
    files: list[Path],
    tracking_url: str,
    as_of: datetime,
    seed: int,
) -> list[str]:
    mails = sum(m.mail is not None for m in what.sent)
    surveys = sum(m.campaign == SURVEY_CAMPAIGN for m in what.sent)
    numbers = len({m.recipient for m in what.sent if m.channel == "sms"})
    treated = [o for o in plan.orders if not o.held_out]
    vouchers = sum(bool(o.voucher_code) for o in treated)
    lines = [
        f"Reactions by {as_of.isoformat()} (seed {seed}), through {tracking_url}:",
        f"  mails: {len(plan.opens)} of {mails} opened, {len(plan.clicks)} clicked",
        f"  SMS: {len(plan.survey_answers)} of {surveys} surveys answered, "
        f"{len(plan.stops)} STOP from {numbers} numbers texted",
        f"  orders: {len(treated)} by customers written to ({vouchers} with their voucher), "
        f"{len(plan.orders) - len(treated)} by customers held out of {len(what.held_out)}",
    ]
    if not what.sent:
        lines.append("  nothing was sent yet: `touchpoint run` first")
    lines += [f"  landed: {path}" for path in files]
    if what.mails_missing:
        lines.append(f"  {what.mails_missing} mails sent are not on this machine: not opened")
    return lines
