"""Dispatch figures: the outbox drained through the real dispatch loop (a group claimed straight
into ``sending`` by the statement that records the group before, one commit; the provider calls)
to loopback providers.

Email: messages/s to postfix's smtp-sink, beside a bare loop of the same composed mails over one
reused ``smtplib`` connection to the same sink. The ratio is the figure (aim ≥ 0.8). The bare
loop and dispatch take turns for ``--email-rounds`` rounds on fresh rows, so a neighbour's load
on a shared machine falls on both, and the rounds' spread and the load average are printed with
it, and what a mail costs in CPU: the bare loop's, the dispatcher's and its PostgreSQL backend's
(read from /proc), with the WAL it writes. Dispatch runs in this process (the loop alone, one
dispatcher), then as the Dagster job ``dispatch_outbox`` with each number of partition steps
(``--dispatch-partitions``, default 1 and 2) side by side under the multiprocess executor: its
rate over the partition steps, from the first one's start to the last one's end, and over the
whole run, start-up included (the forkserver importing the code location, each step's process).
Dispatch pipelines its SMTP commands (the sink offers PIPELINING); ``smtplib.sendmail`` in the
bare loop cannot. Read the ratio with the load average: on a virtual machine the bare loop's
four round trips a mail each wait for the sink's process to be scheduled, and on an otherwise
idle machine that means waking an idle core, so the loop runs 4–5 times slower (about 1,500
mails/s here) than while other work keeps the cores awake (about 7,000); dispatch, one round
trip a mail and busy composing, much less so.
Mails are composed ahead, as rendering composes them (all but the ``Date``, stored with the
row); ``--composed-at-send`` leaves them out, as rows rendered before that have none, so
dispatch composes each mail on the send path.
Memory: the process's RSS, sampled 20 times while 50 k messages go to the sink. The issue
asks for 200 k; ``--memory-messages 200000`` when wanted.
SMS: messages/s through ``SnsSender`` to moto's SNS, which runs in this process and is slow:
the figure is moto's as much as ours.
"""

from __future__ import annotations

import logging
import os
import smtplib
import statistics
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import patch

import psycopg
from dagster import DagsterInstance, instance_for_test
from psycopg.rows import dict_row

from assets.dispatch import dispatch_channel
from assets.outbox_queue import Claim
from models.messages import OutboundMessage, SendResult
from models.tracking import TrackingLinks
from orchestration.embedded_postgres import EmbeddedPostgres
from senders.email_composition import ComposedEmail, EmailComposer
from senders.protocol import Sender
from senders.retry_policy import RetryPolicy
from senders.smtp import SmtpSender
from tests.bench.database import fresh_database
from tests.bench.smtp_sink import SmtpSink, SmtpSinkMissing, smtp_sink_binary
from tests.orchestration.dispatch_steps import dispatched
from tests.senders.outbox_rows import FROM, SECRET, TRACKING_URL
from tests.senders.smtp_server import free_port
from warehouse.messaging_schema import migrate_messaging

# One name, so the URL the job's steps read stays the same from round to round.
EMAIL_DATABASE = "bench_dispatch_email"
SUBJECT = "Happy birthday, {name}: 20 % off everything until Sunday"
BODY_TEXT = (
    "Hello {name},\n\nHappy birthday from all of us at the shop! To celebrate, here is 20 % off "
    "everything until Sunday with the code BDAY-20.\n\nSee what is new this week, or pick up "
    "where you left off: your basket is waiting.\n\nThe shop team\n"
)
BODY_HTML = (
    "<!DOCTYPE html><html lang='en'><body><h1>Happy birthday, {name}!</h1>"
    "<p>To celebrate, here is <strong>20 % off everything</strong> until Sunday with the code "
    "<code>BDAY-20</code>.</p>"
    "<p><a href='https://shop.example/new?utm_campaign=birthday'>See what is new this week</a>"
    " or <a href='https://shop.example/basket'>pick up where you left off</a>.</p>"
    "<p><a href='https://shop.example/stores'>Find a store</a> · "
    "<a href='https://shop.example/help'>Help</a></p>"
    "<p style='color:#888'>The shop team · 1 Market Street · Brussels</p></body></html>"
)
SMS_TEXT = "Happy birthday {name}! 20% off everything until Sunday: BDAY-20. STOP to opt out"

# One set-based insert: every row an occurrence and its rendered message, due now.
_ADD_OUTBOX_ROWS = """
with numbered as (
    select i, 'k' || i as occurrence_key, 'c-' || i as customer_id, 'Customer ' || i as name
    from generate_series(1, %(count)s) as i
),
occurrences as (
    insert into messaging.occurrences (campaign, occurrence_key, customer_id, occurred_at,
        expires_at, as_of, outcome, channel, send_after)
    select 'birthday', occurrence_key, customer_id, now(), now() + interval '1 day', now(),
        'queued', %(channel)s, now() - interval '1 minute'
    from numbered
)
insert into messaging.outbox (message_id, campaign, occurrence_key, customer_id, channel,
    recipient, locale, subject, body_text, body_html, sms_text, send_after, expires_at)
select gen_random_uuid(), 'birthday', occurrence_key, customer_id, %(channel)s,
    case when %(channel)s = 'email' then 'u' || i || '@example.com'
        else '+3247' || lpad(i::text, 7, '0') end,
    'en', replace(%(subject)s, '{name}', name), replace(%(body_text)s, '{name}', name),
    replace(%(body_html)s, '{name}', name), replace(%(sms_text)s, '{name}', name),
    now() - interval '1 minute', now() + interval '1 day'
from numbered
"""


_STORE_MAIL = """
update messaging.outbox set composed_mail = %(mail)s, composed_by = %(composition)s
where message_id = %(message_id)s
"""


def outbox_database(
    server: EmbeddedPostgres,
    count: int,
    channel: str,
    name: str | None = None,
    composer: EmailComposer | None = None,
) -> str:
    """A fresh database (``name``) whose outbox holds ``count`` due messages of ``channel``,
    their mails composed ahead by ``composer`` when given, as rendering does."""
    url = fresh_database(server, name or f"bench_dispatch_{channel}")
    migrate_messaging(url)
    with psycopg.connect(url, autocommit=True) as conn:
        params = {"count": count, "channel": channel, "subject": SUBJECT}
        params |= {"body_text": BODY_TEXT, "body_html": BODY_HTML, "sms_text": SMS_TEXT}
        conn.execute(_ADD_OUTBOX_ROWS, params)
        if composer is not None:
            _compose_ahead(conn, composer)
        conn.execute("vacuum analyze messaging.outbox, messaging.occurrences")
    return url


def _compose_ahead(conn: psycopg.Connection, composer: EmailComposer) -> None:
    """A thousand rows at a time, so the bench's own memory stays that of dispatch."""
    with (
        conn.transaction(),
        conn.cursor(name="outbox", row_factory=dict_row) as rows,
        conn.cursor() as store,
    ):
        rows.execute("select * from messaging.outbox")
        while chunk := rows.fetchmany(1000):
            store.executemany(_STORE_MAIL, [_stored_mail(row, composer) for row in chunk])


def _stored_mail(row: dict, composer: EmailComposer) -> dict:
    return {
        "message_id": row["message_id"],
        "mail": composer.compose_ahead(OutboundMessage.model_validate(row)),
        "composition": composer.composition,
    }


def composed_mails(url: str, composer: EmailComposer) -> list[ComposedEmail]:
    """The mails the dispatcher is about to send, composed the same way beforehand."""
    with psycopg.connect(url) as conn, conn.cursor(row_factory=dict_row) as cursor:
        rows = cursor.execute("select * from messaging.outbox order by message_id").fetchall()
    return [composer.compose(OutboundMessage.model_validate(row)) for row in rows]


@dataclass(frozen=True)
class Spent:
    """What a run took: wall seconds, this process's CPU seconds, and its PostgreSQL backend's
    CPU seconds and WAL bytes (0 for a run without one)."""

    seconds: float
    cpu: float
    backend_cpu: float = 0.0
    wal: float = 0.0


def bare_smtp_seconds(sink: SmtpSink, mails: list[ComposedEmail]) -> Spent:
    smtp = smtplib.SMTP("127.0.0.1", sink.port)
    smtp.ehlo()
    started, cpu = time.perf_counter(), time.process_time()
    for mail in mails:
        smtp.sendmail(mail.mail_from, [mail.recipient], mail.data)
    spent = Spent(time.perf_counter() - started, time.process_time() - cpu)
    smtp.quit()
    return spent


def dispatch_seconds(url: str, sender: Sender, channel: str) -> tuple[Spent, Counter]:
    """One dispatcher in this process; its backend is a process of the embedded server on this
    machine, so its CPU is read from /proc."""
    with psycopg.connect(url, autocommit=True) as conn:
        backend = conn.info.backend_pid
        wal = conn.execute("select pg_current_wal_lsn()").fetchone()[0]
        started, cpu, backend_cpu = time.perf_counter(), time.process_time(), _cpu(backend)
        counts = dispatch_channel(
            conn, sender, Claim(worker="bench", channel=channel), RetryPolicy()
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        backend_cpu = _cpu(backend) - backend_cpu
        wal = conn.execute("select pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [wal]).fetchone()[0]
    return Spent(seconds, cpu, backend_cpu, float(wal)), counts


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process of this machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class JobRun:
    """One run of the dispatch job: its wall time, the partition steps' span, what it did."""

    seconds: float
    steps_seconds: float
    counts: Counter


def dispatch_job_run(instance: DagsterInstance, partitions: int) -> JobRun:
    """The dispatch job on the email outbox, ``partitions`` steps side by side. The settings
    (``bench_environment``) name the outbox's database and the sink."""
    started = time.perf_counter()
    with dispatched(instance, partitions, ["email"]) as result:
        seconds = time.perf_counter() - started
        if not result.success:
            raise RuntimeError(f"the dispatch job failed: run {result.run_id}")
        [materialization] = result.get_asset_materialization_events()
        metadata = materialization.materialization.metadata
        counts = Counter({name: entry.value for name, entry in metadata.items() if entry.value})
        steps = [
            record
            for record in instance.all_logs(result.run_id)
            if record.step_key
            and "_partition[" in record.step_key
            and record.dagster_event
            and (record.dagster_event.is_step_start or record.dagster_event.is_step_success)
        ]
    span = max(r.timestamp for r in steps) - min(r.timestamp for r in steps)
    return JobRun(seconds, span, counts)


@contextmanager
def bench_environment(url: str, smtp_url: str, home: Path) -> Iterator[None]:
    """The settings the job's steps read. Set once for every run of the bench: the executor's
    forkserver keeps the environment it started with."""
    settings = {
        "DATABASE_URL": url,
        "EMAIL_SENDER": "smtp",
        "SMTP_URL": smtp_url,
        "FROM_EMAIL": FROM,
        "TRACKING_URL": TRACKING_URL,
        "SECRET": SECRET,
        "HOME": str(home),
    }
    with patch.dict(os.environ, {f"TOUCHPOINT_{name}": v for name, v in settings.items()}):
        yield


def composer() -> EmailComposer:
    return EmailComposer(FROM, TrackingLinks(TRACKING_URL, SECRET))


@dataclass(frozen=True)
class EmailRound:
    """One round on fresh rows: the bare loop, dispatch in this process, then the dispatch job
    with each number of partition steps."""

    bare: Spent
    dispatch: Spent
    jobs: dict[int, JobRun]
    outcomes: Counter
    mail_bytes: float  # the mean size of a mail


def bench_dispatch_email(
    server: EmbeddedPostgres,
    sink: SmtpSink,
    count: int,
    rounds: int,
    partitions: Sequence[int],
    ahead: EmailComposer | None,
) -> None:
    """The bare loop and dispatch take turns, ``rounds`` times, so a neighbour's load on a
    shared machine falls on both; the rounds' ratios show the spread. ``ahead`` composes the
    mails ahead, as rendering does."""
    load_before = os.getloadavg()[0]
    url = server.url(EMAIL_DATABASE)
    with bench_environment(url, sink.url, server.root.parent), instance_for_test() as instance:
        results = [
            _email_round(server, sink, instance, count, partitions, ahead) for _ in range(rounds)
        ]
    load_after = os.getloadavg()[0]
    size = results[0].mail_bytes / 1e3
    composed = "composed ahead" if ahead else "composed at send"
    print(
        f"email dispatch of {count:,} messages ({size:.1f} kB each, {composed}) to smtp-sink, "
        f"{rounds} rounds (load average {load_before:.2f} before, {load_after:.2f} after)"
    )
    for number, result in enumerate(results, 1):
        jobs = "  ".join(
            f"{_steps(n)} {count / job.steps_seconds:,.0f}/s ({count / job.seconds:,.0f}/s run)"
            for n, job in result.jobs.items()
        )
        print(
            f"  round {number}: bare loop {count / result.bare.seconds:,.0f}/s; in process "
            f"{count / result.dispatch.seconds:,.0f}/s; job, {jobs}"
        )
    print(f"  bare smtplib loop       : {_spread([count / r.bare.seconds for r in results])}")
    print(f"  dispatch, in process    : {_spread([count / r.dispatch.seconds for r in results])}")
    ratios = sorted(r.bare.seconds / r.dispatch.seconds for r in results)
    print(f"  ratio, in process       : {_median_range(ratios)}")
    print(f"  per mail, CPU           : {_per_mail(results, count)}")
    for n in partitions:
        jobs = [r.jobs[n] for r in results]
        print(f"  job, {_steps(n):<19}: {_spread([count / j.steps_seconds for j in jobs])}")
        print(f"    over the whole run    : {_spread([count / j.seconds for j in jobs])}")
        ratios = sorted(r.bare.seconds / r.jobs[n].steps_seconds for r in results)
        print(f"    ratio over the steps  : {_median_range(ratios)}")
    print(f"  ({_outcomes(sum((r.outcomes for r in results), Counter()))})")


def _email_round(
    server: EmbeddedPostgres,
    sink: SmtpSink,
    instance: DagsterInstance,
    count: int,
    partitions: Sequence[int],
    ahead: EmailComposer | None,
) -> EmailRound:
    url = outbox_database(server, count, "email", EMAIL_DATABASE, composer=ahead)
    mails = composed_mails(url, composer())
    received = sink.received()
    bare = bare_smtp_seconds(sink, mails)
    _check_received(sink, received, count)
    url = outbox_database(server, count, "email", EMAIL_DATABASE, composer=ahead)
    received = sink.received()
    with SmtpSender(sink.url, composer()) as sender:
        spent, outcomes = dispatch_seconds(url, sender, "email")
    _check_received(sink, received, count)
    jobs = {}
    for n in partitions:
        outbox_database(server, count, "email", EMAIL_DATABASE, composer=ahead)
        received = sink.received()
        jobs[n] = dispatch_job_run(instance, n)
        _check_received(sink, received, count)
        outcomes += jobs[n].counts
    size = sum(len(mail.data) for mail in mails) / len(mails)
    return EmailRound(bare, spent, jobs, outcomes, size)


def _per_mail(results: list[EmailRound], count: int) -> str:
    """Medians of the rounds: the bare loop's CPU, the dispatcher's, its backend's, the WAL."""

    def median(values) -> float:
        return statistics.median(values) / count

    return (
        f"bare loop {median(r.bare.cpu for r in results) * 1e6:.0f} µs; dispatcher "
        f"{median(r.dispatch.cpu for r in results) * 1e6:.0f} µs, its PostgreSQL backend "
        f"{median(r.dispatch.backend_cpu for r in results) * 1e6:.0f} µs; "
        f"WAL {median(r.dispatch.wal for r in results) / 1e3:.2f} kB"
    )


def _steps(n: int) -> str:
    return f"{n} partition step{'s' if n > 1 else ''}"


def _median_range(ratios: list[float]) -> str:
    return f"median {statistics.median(ratios):.2f}, range {ratios[0]:.2f}–{ratios[-1]:.2f}"


def _spread(rates: list[float]) -> str:
    """The median messages/s and the range of the rounds."""
    low, high = min(rates), max(rates)
    return f"{statistics.median(rates):>6,.0f} messages/s (range {low:,.0f}–{high:,.0f})"


def bench_dispatch_memory(
    server: EmbeddedPostgres, sink: SmtpSink, count: int, ahead: EmailComposer | None
) -> None:
    """Dispatch ``count`` messages, RSS sampled every twentieth: flat means nothing piles up."""
    url = outbox_database(server, count, "email", composer=ahead)
    received = sink.received()
    with RssSampling(SmtpSender(sink.url, composer()), every=max(count // 20, 1)) as sender:
        spent, counts = dispatch_seconds(url, sender, "email")
    _check_received(sink, received, count)
    samples = sender.samples
    first, middle = min(samples), min(samples, key=lambda sent: abs(sent - count // 2))
    shown = "  ".join(
        f"{sent:,}: {samples[sent] / 2**20:.1f} MiB"
        for sent in sorted({first, middle, max(samples)})
    )
    growth = samples[max(samples)] - samples[first]
    print(f"memory over {count:,} messages dispatched to smtp-sink ({spent.seconds:.0f} s)")
    print(f"  RSS after n messages    : {shown}")
    print(f"  growth, first to last   : {growth / 2**20:+.1f} MiB ({_outcomes(counts)})")


def bench_dispatch_sms(server: EmbeddedPostgres, count: int) -> None:
    from senders.sns import SnsSender

    url = outbox_database(server, count, "sms")
    with moto_server(), SnsSender() as sender:
        spent, counts = dispatch_seconds(url, sender, "sms")
    print(f"sms dispatch of {count:,} messages to SNS on moto (in this process; moto-bound)")
    seconds = spent.seconds
    print(f"  touchpoint dispatch     : {count / seconds:>10,.0f} messages/s  ({seconds:.1f} s)")
    print(f"                            ({_outcomes(counts)}; moto opts out numbers ending 99)")


def bench_dispatch(
    server: EmbeddedPostgres,
    tools: Path,
    emails: int,
    rounds: int,
    partitions: Sequence[int],
    memory_messages: int,
    sms: int,
    composed_at_send: bool = False,
) -> None:
    ahead = None if composed_at_send else composer()
    try:
        binary = smtp_sink_binary(tools)
        with SmtpSink(binary, tools / "smtp-sink.log") as sink:
            bench_dispatch_email(server, sink, emails, rounds, partitions, ahead)
            bench_dispatch_memory(server, sink, memory_messages, ahead)
    except SmtpSinkMissing as missing:
        print(f"email dispatch: no figure, postfix's smtp-sink is not available: {missing}")
    bench_dispatch_sms(server, sms)


class RssSampling(Sender):
    """A sender that notes this process's resident memory every ``every`` messages."""

    def __init__(self, inner: Sender, every: int) -> None:
        self.inner = inner
        self.every = every
        self.sent = 0
        self.samples: dict[int, int] = {}

    def send(self, message: OutboundMessage) -> SendResult:
        return self.send_many([message])[0]

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        results = self.inner.send_many(messages)
        for _ in results:
            self.sent += 1
            if self.sent % self.every == 0:
                self.samples[self.sent] = _rss_bytes()
        return results

    def close(self) -> None:
        self.inner.close()


def _rss_bytes() -> int:
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def moto_server() -> Iterator[None]:
    """moto's server on loopback; boto3 reaches it through AWS_ENDPOINT_URL, as in production."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    settings = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    try:
        with patch.dict(os.environ, settings):
            yield
    finally:
        server.stop()


def _check_received(sink: SmtpSink, before: int, expected: int) -> None:
    if sink.received() - before != expected:
        raise RuntimeError(
            f"smtp-sink received {sink.received() - before:,} messages, expected {expected:,}"
        )


def _outcomes(counts: Counter) -> str:
    return ", ".join(f"{key} {value:,}" for key, value in sorted(counts.items()))
