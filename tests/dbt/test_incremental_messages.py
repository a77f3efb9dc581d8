"""The incremental message events (dbt_project/README.md, Incremental facts): whatever order
builds come in, the message facts equal those of a full refresh at the same as-of instant —
after a delivery recorded again in a later build, a survey answer by SMS arriving a build after
its message, a reply recorded before dispatch set its message's sent_at, events committed late
by a transaction that was open during a build (one of them the first copy of an event another
writer recorded again and committed before it), and at an earlier instant after a later one.

One database, built by real dbt: builds at the later instant as events arrive, then one at the
earlier instant, each compared with a full refresh at that instant.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.dbt.crafted_datamart import CraftedDatamart, facts_differing

EARLY = "2026-11-14T12:00:00+00:00"
LATE = "2026-11-23T12:00:00+00:00"
FACTS = "+fct_messages +fct_survey_answers"

M1, M2, M3, M4 = (f"00000000-0000-0000-0000-00000000000{n}" for n in range(1, 5))

# m1: c1's birthday mail; m2, m3: c2's SMS (the second a survey, sent after EARLY); m4: c3's
# SMS, handed to the provider but its send not recorded yet (sent_at set in the second load).
MESSAGES = f"""
insert into messaging.outbox (message_id, campaign, occurrence_key, customer_id, channel,
    recipient, locale, send_after, expires_at, status, sent_at)
values
('{M1}', 'birthday', 'c1:2026', 'c1', 'email', 'c1@example.com', 'fr',
    '2026-11-10T10:00Z', '2026-11-17T10:00Z', 'sent', '2026-11-10T10:00Z'),
('{M2}', 'product_interest', 'c2:p1', 'c2', 'sms', '+33600000002', 'fr',
    '2026-11-05T10:00Z', '2026-11-12T10:00Z', 'sent', '2026-11-05T10:00Z'),
('{M3}', 'satisfaction_survey', 'V2', 'c2', 'sms', '+33600000002', 'fr',
    '2026-11-15T10:00Z', '2026-11-22T10:00Z', 'sent', '2026-11-15T10:00Z'),
('{M4}', 'product_interest', 'c3:p1', 'c3', 'sms', '+33600000003', 'fr',
    '2026-11-19T10:00Z', '2026-11-26T10:00Z', 'sending', null);
"""
EVENTS = """
insert into messaging.message_events (message_id, customer_id, channel, type, occurred_at,
    detail, source_event_id)
values {rows};
"""
FIRST_EVENTS = f"""
('{M1}', null, null, 'sent', '2026-11-10T10:00Z', '{{}}', null),
('{M2}', null, null, 'sent', '2026-11-05T10:00Z', '{{}}', null),
('{M3}', null, null, 'sent', '2026-11-15T10:00Z', '{{}}', null),
('{M1}', null, null, 'delivered', '2026-11-10T10:01Z', '{{"smtp": "250"}}', null),
('{M1}', null, null, 'opened', '2026-11-10T11:00Z', '{{}}', 'open-1'),
(null, 'c2', 'sms', 'replied', '2026-11-05T12:00Z', '{{"text": "merci"}}', 'in-1'),
(null, 'c3', 'sms', 'replied', '2026-11-19T10:05Z', '{{"text": "ok"}}', 'in-3')
"""
# The delivery recorded again (no source id), a click, c2's answer to the survey m3, and m4's
# send recorded at last.
LATER_EVENTS = f"""
('{M1}', null, null, 'delivered', '2026-11-10T10:01Z', '{{"smtp": "250"}}', null),
('{M1}', null, null, 'clicked', '2026-11-12T09:00Z', '{{"url": "https://shop.example/"}}', 'c-1'),
(null, 'c2', 'sms', 'survey_answered', '2026-11-15T11:00Z', '{{"score": 8}}', 'in-2'),
('{M4}', null, null, 'sent', '2026-11-19T10:00Z', '{{}}', null)
"""
M4_SENT = (
    "update messaging.outbox set status = 'sent', sent_at = '2026-11-19T10:00Z' "
    f"where message_id = '{M4}'"
)
# Recorded twice by two writers: the SMS's delivery, without a source id.
M2_DELIVERED = EVENTS.format(
    rows=f"('{M2}', null, null, 'delivered', '2026-11-05T10:02Z', '{{}}', null)"
)
LATE_CLICK = EVENTS.format(
    rows=f"('{M1}', null, null, 'clicked', '2026-11-13T09:00Z', "
    """'{"url": "https://shop.example/b"}', 'c-2')"""
)

FACT_QUERIES = {
    "int_message_events_deduplicated": (
        "select * from intermediate.int_message_events_deduplicated order by event_id"
    ),
    "fct_message_events": "select * from marts.fct_message_events order by event_id",
    "fct_messages": "select * from marts.fct_messages order by message_id",
    "fct_survey_answers": "select * from marts.fct_survey_answers order by answer_key",
}
HELD = (
    "select event_id, type, message_id::text, customer_id, source_event_id, is_duplicate, "
    "xmin::text as xmin "
    "from intermediate.int_message_events_deduplicated"
)


def held(datamart: CraftedDatamart) -> dict[int, dict[str, Any]]:
    """The incremental table's rows by event id, with each row's creating transaction."""
    return datamart.by("event_id", HELD)


def recorded_late(datamart: CraftedDatamart) -> dict[str, Any]:
    """Two writers record m2's delivery: the one that draws the lower event id commits after a
    build, the other (which started its transaction first) before it; a click is recorded and
    committed meanwhile. Returns what the incremental table held after that build."""
    with (
        psycopg.connect(datamart.url) as first,
        psycopg.connect(datamart.url) as late,
        datamart.connect() as other,
    ):
        first.execute("select now()")  # its transaction starts, and so its recorded_at
        late.execute(M2_DELIVERED)  # the lower event id, in a transaction left open
        other.execute(LATE_CLICK)
        first.execute(M2_DELIVERED)
        first.commit()
        datamart.build(LATE, FACTS, tests=False)
        during = held(datamart)
        late.commit()
    return during


@pytest.fixture(scope="module")
def builds(pg_server, tmp_path_factory) -> dict[str, Any]:
    datamart = CraftedDatamart(
        pg_server, "dbt_incremental_messages", tmp_path_factory.mktemp("dbt")
    )
    with datamart.connect() as conn:
        conn.execute(MESSAGES)
        conn.execute(EVENTS.format(rows=FIRST_EVENTS))
    datamart.build(LATE, FACTS, tests=False)
    first = {**datamart.facts(FACT_QUERIES), "held": held(datamart)}
    with datamart.connect() as conn:
        conn.execute(EVENTS.format(rows=LATER_EVENTS))
        conn.execute(M4_SENT)
    datamart.build(LATE, FACTS)
    second = {**datamart.facts(FACT_QUERIES), "held": held(datamart)}
    during = recorded_late(datamart)
    datamart.build(LATE, FACTS, tests=False)
    return {
        **datamart.incremental_and_full(FACTS, FACT_QUERIES, LATE, EARLY),
        "first": first,
        "second": second,
        "during": during,
    }


def events_of(rows: list[dict[str, Any]], message_id: str, type_: str) -> list[int]:
    return [
        r["event_id"] for r in rows if str(r["message_id"]) == message_id and r["type"] == type_
    ]


@pytest.mark.parametrize("as_of", [LATE, EARLY], ids=["after new events", "earlier after later"])
def test_incremental_builds_equal_a_full_refresh_at_the_same_instant(builds, as_of):
    assert facts_differing(builds["incremental"][as_of], builds["full"][as_of]) == {}


def test_a_delivery_recorded_again_in_a_later_build_counts_once(builds):
    first = events_of(builds["first"]["fct_message_events"], M1, "delivered")
    second = events_of(builds["second"]["fct_message_events"], M1, "delivered")
    assert first == second, "the copy recorded first stays the one kept"
    assert len(second) == 1
    duplicates = [
        event_id for event_id, row in builds["second"]["held"].items() if row["is_duplicate"]
    ]
    assert len(duplicates) == 1 and duplicates[0] > second[0]


def test_an_answer_arriving_a_build_after_its_message_is_attributed_to_it(builds):
    answers = builds["second"]["fct_survey_answers"]
    assert [(str(a["message_id"]), a["score"], a["campaign"]) for a in answers] == [
        (M3, 8, "satisfaction_survey")
    ]
    answer = next(
        r for r in builds["second"]["fct_message_events"] if r["type"] == "survey_answered"
    )
    assert answer["message_attributed_by"] == "latest_message"


def test_a_reply_recorded_before_its_message_was_sent_is_attributed_once_it_is(builds):
    def reply(facts):
        return next(
            r
            for r in facts["fct_message_events"]
            if r["customer_id"] == "c3" and r["type"] == "replied"
        )

    assert reply(builds["first"])["message_id"] is None, "m4's send not recorded yet"
    later = reply(builds["incremental"][LATE])
    assert (str(later["message_id"]), later["campaign"]) == (M4, "product_interest")


def test_events_committed_after_a_build_began_wait_for_the_next_build(builds):
    during, after = builds["during"], builds["incremental"][LATE]
    delivered = events_of(after["fct_message_events"], M2, "delivered")
    copies = sorted(
        event_id
        for event_id, row in after_held(builds).items()
        if row["message_id"] == M2 and row["type"] == "delivered"
    )
    lower, higher = copies
    # The open transaction held back its own copy and the click recorded after it started.
    assert lower not in during and higher in during and not during[higher]["is_duplicate"]
    assert "c-2" not in {row["source_event_id"] for row in during.values()}
    # Once committed, its copy (the lower event id) is the one kept, as a full build keeps it.
    assert delivered == [lower]
    assert [r["url"] for r in after["fct_message_events"] if r["type"] == "clicked"] == [
        "https://shop.example/",
        "https://shop.example/b",
    ]


def after_held(builds) -> dict[int, dict[str, Any]]:
    return {
        row["event_id"]: {**row, "message_id": str(row["message_id"])}
        for row in builds["incremental"][LATE]["int_message_events_deduplicated"]
    }


def test_a_build_rewrites_only_the_new_events_and_the_copies_they_repeat(builds):
    before, after = builds["first"]["held"], builds["second"]["held"]
    rewritten = sorted(
        (row["type"], row["message_id"])
        for key, row in before.items()
        if after[key]["xmin"] != row["xmin"]
    )
    assert rewritten == [("delivered", M1)], "only the delivery its copy repeats"
    added = sorted(
        (after[key]["type"], after[key]["customer_id"]) for key in set(after) - set(before)
    )
    assert added == [
        ("clicked", "c1"),
        ("delivered", "c1"),
        ("sent", "c3"),
        ("survey_answered", "c2"),
    ]
