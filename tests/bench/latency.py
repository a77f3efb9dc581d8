"""Event to message (`make bench BENCH_ARGS="--only latency"`): how long from product views
posted to the collector until the product-interest SMS is sent, through the real parts.

A fresh database of the bench's PostgreSQL gets a small synthetic landing zone
(`touchpoint generate`, as of now) and one `touchpoint run`, which builds the datamart. Then,
each in a process of its own and on a home of its own: `touchpoint serve` (the collector) and
`touchpoint ui` (Dagster's webserver and daemon: the sensors run as they are shipped, on).
Once the daemon has acted on the landed behaviour and everything is quiet, one event at a time:
a customer the campaign may text (SMS consent, a valid number, inside the 10:00–19:00 window,
not held out, never messaged), four views of a product they never looked at, posted signed to
`/v1/batch` in one batch — `trg_product_interest` wants four views of one product within 72 h.
The latency is `messaging.outbox.sent_at` of that customer's SMS minus the moment the POST was
made. The next event waits for every run to finish, then for a random pause, so posts fall
anywhere in the sensor's cycle.

Where the time goes comes from Dagster's own records of the run the sensor launched: the tick
of the sensor that created it, its creation (which writes one "planned" event per asset and per
asset check, i.e. dbt test, of the run), its launch (at once, or from a run queue where the
Dagster home has one), its start (a new process that loads the code location) and each step's
start, up to the send. What the run rebuilds comes from its materializations and dbt's
`run_results.json`.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path

import psycopg
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter
from dagster._core.instance.ref import InstanceRef

from assets.dbt_project import DBT_PROJECT
from models.webhook_signature import HEADER, body_signature
from orchestration.embedded_postgres import EmbeddedPostgres
from tests.bench.dagster_ui import DagsterUi
from tests.bench.database import fresh_database
from tests.bench.tracking import TrackingService

TOUCHPOINT = Path(sys.executable).with_name("touchpoint")
CAMPAIGN = "product_interest"
HOLDOUT = 0.1  # campaigns/product_interest.yml
BEHAVIOUR_JOB = "act_on_new_behaviour"
BEHAVIOUR_SENSOR = "new_behaviour_sensor"
VIEWS_BEFORE_POST = (180, 120, 60, 1)  # seconds: four views of one product within 72 h
SEED = 7
IN_PROGRESS = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


@contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM ends the bench as Ctrl-C does, through the ``with`` blocks that stop the
    processes it started (Python's default for SIGTERM is to exit at once, leaving them)."""
    previous = signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@stopped_by_sigterm()
def bench_latency(
    server: EmbeddedPostgres,
    work_dir: Path,
    events: int,
    customers: int,
    pause: float,
    timeout: float = 300,
) -> None:
    url = fresh_database(server, "bench_latency")
    home = work_dir / "latency-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    secret = secrets.token_urlsafe(32)
    settings = {
        "TOUCHPOINT_HOME": str(home),
        "TOUCHPOINT_DATABASE_URL": url,
        "TOUCHPOINT_LANDING": str(work_dir / "latency-landing"),
        "TOUCHPOINT_EMAIL_SENDER": "file",
        "TOUCHPOINT_SMS_SENDER": "file",
        "TOUCHPOINT_SECRET": secret,
    }
    build_datamart(settings, customers, home.parent)
    load_before = os.getloadavg()
    with TrackingService(url, secret, work_dir / "latency-serve.log") as service:
        env = os.environ | settings | {"TOUCHPOINT_TRACKING_URL": service.base_url}
        with DagsterUi(env, work_dir / "latency-ui.log"):
            instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(home / "dagster")))
            try:
                measure = EventMeasure(instance, url, service.base_url, secret, timeout)
                samples = measure.spaced(events, pause)
                rebuilt = Rebuild.of(instance, samples)
            finally:
                instance.dispose()
    report(samples, rebuilt, customers, pause, load_before, os.getloadavg())


# ---------------------------------------------------------------- the datamart beforehand


def build_datamart(settings: dict[str, str], customers: int, logs: Path) -> None:
    """`touchpoint generate` as of now, then one `touchpoint run` (their output in logs)."""
    landing = Path(settings["TOUCHPOINT_LANDING"])
    shutil.rmtree(landing, ignore_errors=True)
    generate = ["generate", "--out", str(landing), "--customers", str(customers)]
    for argv in (generate + ["--seed", str(SEED)], ["run"]):
        log = logs / f"latency-{argv[0]}.log"
        started = time.monotonic()
        with log.open("wb") as out:
            done = subprocess.run(
                [str(TOUCHPOINT), *argv],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=os.environ | settings,
            )
        if done.returncode != 0:
            raise RuntimeError(f"touchpoint {argv[0]} failed ({done.returncode}): see {log}")
        print(f"  touchpoint {argv[0]} ({customers:,} customers): {_since(started)}")


# ---------------------------------------------------------------- who gets the SMS

# Customers the campaign may text now and who have no message at all yet (so neither the
# cooldown nor the weekly cap can hold theirs back); the send window is shortened by half an
# hour, the most a measurement takes.
SMS_CUSTOMERS = """
select c.customer_id
from marts.dim_customers as c
where c.can_sms
    and (now() at time zone c.timezone)::time >= time '10:00'
    and (now() at time zone c.timezone)::time < time '18:30'
    and not exists (select from messaging.occurrences as o where o.customer_id = c.customer_id)
    and not exists (
        select from intermediate.int_contact_suppressions as s
        where s.customer_id = c.customer_id and s.channel = 'sms'
    )
order by c.customer_id
"""

# A product the customer never viewed nor bought: no earlier completion, no purchase since. The
# shortest name, so that no customer's SMS runs past TOUCHPOINT_SMS_MAX_SEGMENTS (a long name in
# a language that needs UCS-2 did: a correct failure, but not a latency).
UNSEEN_PRODUCT = """
select p.product_id
from marts.dim_products as p
where not exists (
        select from marts.fct_web_events as e
        where e.customer_id = %(customer)s and e.product_id = p.product_id
    )
    and not exists (
        select from marts.fct_order_lines as o
        where o.customer_id = %(customer)s and o.product_id = p.product_id
    )
order by length(p.product_name), p.product_id
limit 1
"""


def sms_recipients(url: str, count: int) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        customers = [row[0] for row in conn.execute(SMS_CUSTOMERS)]
        chosen = [c for c in customers if not held_out(c)][:count]
        return [
            (customer, conn.execute(UNSEEN_PRODUCT, {"customer": customer}).fetchone()[0])
            for customer in chosen
        ]


def held_out(customer_id: str) -> bool:
    """The campaign's holdout rule (docs/architecture.md, Campaigns)."""
    digest = sha256(f"{CAMPAIGN}:{customer_id}".encode()).hexdigest()
    return int(digest[:8], 16) / 2**32 < HOLDOUT


# ---------------------------------------------------------------- one event


@dataclass
class Sample:
    customer_id: str
    posted: float  # epoch seconds, when the POST was made
    sent: float | None  # outbox.sent_at, epoch seconds
    outcome: str  # "sent", or why not
    run_id: str | None = None
    # (segment, when it began), in order; each lasts until the next begins, the last until sent
    marks: list[tuple[str, float]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.sent - self.posted

    def segments(self) -> list[tuple[str, float]]:
        ends = [when for _, when in self.marks[1:]] + [self.sent]
        return [(name, end - begin) for (name, begin), end in zip(self.marks, ends, strict=True)]


class EventMeasure:
    def __init__(
        self, instance: DagsterInstance, url: str, base_url: str, secret: str, timeout: float
    ) -> None:
        self.instance = instance
        self.url = url
        self.base_url = base_url
        self.secret = secret
        self.timeout = timeout

    def spaced(self, events: int, pause: float) -> list[Sample]:
        """Once the daemon has acted on the landed behaviour, one event at a time, each once
        every run has finished, after a random pause of up to ``pause`` seconds."""
        started = time.monotonic()
        wait_until_quiet(self.instance, self.timeout, behaviour_runs=1)
        print(f"  the daemon acted on the landed behaviour in {_since(started)}")
        recipients = sms_recipients(self.url, events)
        if len(recipients) < events:
            print(f"  only {len(recipients)} customers may get the SMS at this hour")
        rng = random.Random(SEED)
        samples = []
        for customer_id, product_id in recipients:
            time.sleep(rng.uniform(0, pause))
            samples.append(self.one(customer_id, product_id))
        return samples

    def one(self, customer_id: str, product_id: str) -> Sample:
        posted = self.post_views(customer_id, product_id)
        sent = self.wait_until_sent(customer_id, posted)
        wait_until_quiet(self.instance, self.timeout)
        if sent is None:
            return Sample(customer_id, posted, None, self.why_not(customer_id))
        run = self.behaviour_run_after(posted)
        marks = run_marks(self.instance, run, posted, sent) if run else []
        sample = Sample(customer_id, posted, sent, "sent", run.run_id if run else None)
        sample.marks = marks or [("unattributed", posted)]
        print(f"  {customer_id}: SMS sent {sample.seconds:.1f} s after the POST")
        return sample

    def post_views(self, customer_id: str, product_id: str) -> float:
        now = datetime.now(UTC)
        calls = [
            {
                "type": "track",
                "messageId": f"latency-{uuid.uuid4()}",
                "timestamp": (now - timedelta(seconds=before)).isoformat(),
                "userId": customer_id,
                "event": "Product Viewed",
                "properties": {"product_id": product_id},
            }
            for before in VIEWS_BEFORE_POST
        ]
        body = json.dumps({"batch": calls}).encode()
        request = urllib.request.Request(
            f"{self.base_url}/v1/batch",
            data=body,
            headers={"Content-Type": "application/json", HEADER: body_signature(self.secret, body)},
        )
        posted = time.time()
        with urllib.request.urlopen(request, timeout=10) as answer:
            loaded = json.load(answer)["loaded"]
        if loaded != len(calls):
            raise RuntimeError(f"the collector loaded {loaded} of {len(calls)} views")
        return posted

    def wait_until_sent(self, customer_id: str, posted: float) -> float | None:
        deadline = posted + self.timeout
        with psycopg.connect(self.url, autocommit=True) as conn:
            while time.time() < deadline:
                row = conn.execute(SENT_AT, (CAMPAIGN, customer_id)).fetchone()
                if row:
                    return float(row[0])
                time.sleep(0.2)
        return None

    def why_not(self, customer_id: str) -> str:
        with psycopg.connect(self.url) as conn:
            row = conn.execute(OUTCOME, (CAMPAIGN, customer_id)).fetchone()
        return f"{row[0]} ({row[1]})" if row else "no occurrence: the trigger did not fire"

    def behaviour_run_after(self, posted: float):
        records = self.instance.get_run_records(
            RunsFilter(
                # the storage keeps whole seconds
                job_name=BEHAVIOUR_JOB,
                created_after=datetime.fromtimestamp(posted - 1, tz=UTC),
            ),
            order_by="create_timestamp",
            ascending=True,
            limit=1,
        )
        return records[0].dagster_run if records else None


SENT_AT = """
select extract(epoch from sent_at)
from messaging.outbox
where campaign = %s and customer_id = %s and status = 'sent'
"""
OUTCOME = """
select outcome, coalesce(reason, '')
from messaging.occurrences
where campaign = %s and customer_id = %s
"""


# The run's life before its first step, each event naming the segment it begins.
RUN_MARKS = {
    DagsterEventType.RUN_ENQUEUED: "run queue: queued → launched",
    DagsterEventType.RUN_STARTING: "run worker: launched → started",
    DagsterEventType.RUN_START: "run start → first step",
}


def run_marks(instance: DagsterInstance, run, posted: float, sent: float) -> list:
    """The moments that cut the time from the POST to the send, from the run's own records."""
    logs = instance.all_logs(run.run_id, of_type=set(RUN_MARKS))
    when = {entry.dagster_event.event_type: entry.timestamp for entry in logs}
    created = instance.get_run_record_by_id(run.run_id).create_timestamp.timestamp()
    marks = [
        ("sensor: posted → its tick", posted),
        ("sensor tick: look, create the run", sensor_tick_of(instance, run.run_id, posted)),
        # one "planned" event per asset and per asset check (dbt test) of the run
        # to its launch, or to the queue where the Dagster home has one
        ("run created → launched/queued", created),
    ]
    marks += [(name, when.get(event)) for event, name in RUN_MARKS.items()]
    steps = sorted(
        (s for s in instance.get_run_step_stats(run.run_id) if s.start_time),
        key=lambda s: s.start_time,
    )
    marks += [(f"step {s.step_key}", s.start_time) for s in steps]
    kept, latest = [], posted
    for name, moment in marks:
        if moment is not None and latest <= moment <= sent:
            kept.append((name, moment))
            latest = moment
    return kept


def sensor_tick_of(instance: DagsterInstance, run_id: str, posted: float) -> float | None:
    """When the tick of the new-behaviour sensor that created the run began."""
    for state in instance.all_instigator_state():
        if state.instigator_name == BEHAVIOUR_SENSOR:
            ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id, after=posted)
            return next((tick.timestamp for tick in ticks if run_id in tick.run_ids), None)
    return None


def wait_until_quiet(instance: DagsterInstance, timeout: float, behaviour_runs: int = 0) -> None:
    """Until no run is queued or going (seen twice, a second apart) and at least
    ``behaviour_runs`` runs of the behaviour job have been created."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 2:
        if time.monotonic() > deadline:
            raise RuntimeError(f"runs still going after {timeout:.0f} s")
        going = instance.get_runs_count(RunsFilter(statuses=IN_PROGRESS))
        behaviour = instance.get_runs_count(RunsFilter(job_name=BEHAVIOUR_JOB))
        quiet = quiet + 1 if going == 0 and behaviour >= behaviour_runs else 0
        time.sleep(1)


# ---------------------------------------------------------------- what the run rebuilds


@dataclass
class Rebuild:
    """What one behaviour run built: the assets it materialized, the dbt tests it ran, and dbt's
    own time beside the datamart step's."""

    run_id: str
    materialized: dict[str, list[str]]  # group (key prefix) → asset names
    checks: int
    step_seconds: float | None
    dbt_seconds: float | None
    slowest: list[tuple[str, float]]

    @classmethod
    def of(cls, instance: DagsterInstance, samples: list[Sample]) -> Rebuild | None:
        run_id = next((s.run_id for s in reversed(samples) if s.run_id), None)
        if run_id is None:
            return None
        materialized: dict[str, list[str]] = defaultdict(list)
        for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
            path = entry.dagster_event.asset_key.path
            materialized[path[0]].append("/".join(path[1:]))
        checks = len(instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION))
        step = next(
            (s for s in instance.get_run_step_stats(run_id) if s.step_key == "datamart"), None
        )
        step_seconds = step.end_time - step.start_time if step and step.end_time else None
        dbt_seconds, slowest = dbt_timings(run_id)
        return cls(run_id, dict(materialized), checks, step_seconds, dbt_seconds, slowest)


def dbt_timings(run_id: str) -> tuple[float | None, list[tuple[str, float]]]:
    """dbt's elapsed time and its five slowest nodes, from the run's target folder."""
    target = DBT_PROJECT.project_dir / DBT_PROJECT.target_path
    found = list(target.glob(f"datamart-{run_id[:7]}-*/run_results.json"))
    if not found:
        return None, []
    results = json.loads(found[0].read_text())
    nodes = [(r["unique_id"].split(".")[-1], r["execution_time"]) for r in results["results"]]
    return results["elapsed_time"], sorted(nodes, key=lambda node: -node[1])[:5]


# ---------------------------------------------------------------- the report


def report(
    samples: list[Sample],
    rebuilt: Rebuild | None,
    customers: int,
    pause: float,
    load_before: tuple[float, ...],
    load_after: tuple[float, ...],
) -> None:
    sent = [s for s in samples if s.sent is not None]
    print(
        f"event → SMS ({CAMPAIGN}): {len(samples)} events one at a time (each posted once every"
        f" run had finished, after a random 0–{pause:.0f} s pause), {customers:,} customers; "
        f"load {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    if len(sent) < len(samples):
        for sample in samples:
            if sample.sent is None:
                print(f"  NOT SENT to {sample.customer_id}: {sample.outcome}")
    if not sent:
        return
    seconds = sorted(s.seconds for s in sent)
    print(
        f"  latency : p50 {_percentile(seconds, 50):.1f} s  p95 {_percentile(seconds, 95):.1f} s"
        f"  max {seconds[-1]:.1f} s  ({len(sent)} of {len(samples)} sent)"
    )
    print("  each    : " + " ".join(f"{s.seconds:.1f}" for s in sent))
    print("  where the time goes (p50 / max over the events, seconds):")
    for name, durations in _by_segment(sent).items():
        print(
            f"    {name:<42} {_percentile(durations, 50):6.1f} / {max(durations):5.1f}"
            f"  (in {len(durations)} of {len(sent)})"
        )
    if rebuilt:
        _print_rebuild(rebuilt)


def _print_rebuild(rebuilt: Rebuild) -> None:
    print(f"  what the behaviour run rebuilds (run {rebuilt.run_id[:8]}):")
    for group, names in sorted(rebuilt.materialized.items()):
        print(f"    {group:<13}: {len(names):3}  {', '.join(sorted(names))}")
    print(f"    dbt tests    : {rebuilt.checks:3}")
    if rebuilt.dbt_seconds is not None and rebuilt.step_seconds is not None:
        print(
            f"    datamart step {rebuilt.step_seconds:.1f} s, of which dbt's own build "
            f"{rebuilt.dbt_seconds:.1f} s; slowest nodes: "
            + ", ".join(f"{name} {sec:.1f} s" for name, sec in rebuilt.slowest)
        )


def _by_segment(samples: list[Sample]) -> dict[str, list[float]]:
    durations: dict[str, list[float]] = {}
    for sample in samples:
        for name, seconds in sample.segments():
            durations.setdefault(name, []).append(seconds)
    return durations


def _percentile(values: list[float], percent: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _since(started: float) -> str:
    return f"{time.monotonic() - started:.1f} s"
