"""`make bench`: throughput figures, printed. Not part of the test suite.

Ingest: 1 M web events (JSON lines from the synthetic generator) loaded by our ingest path —
the lines sent as they are, split into lines, parsed and judged by the server a chunk at a time
on three staging connections while another splits the chunk before them into raw and rejects,
Great Expectations on the split's counts, the registry — beside a plain ``COPY`` of the same
lines into a one-column table of the same server. The ratio is the figure (aim ≥ 0.5); beside
each wall time, the CPU time of the server's backends (``tests.bench.server_cpu``), which the
machine's other work moves far less.

Datamart: the wall time of the full ``dbt build`` at 100 k customers, after ingesting them;
then the campaign step on it.

Dispatch: see ``tests.bench.dispatch`` (email to postfix's smtp-sink beside a bare smtplib loop,
in rounds, in process and as the dispatch job with 1 and 2 partition steps; memory over 50 k
messages; SMS to moto's SNS).

Journeys: see ``tests.bench.journeys`` (one journeys step moving 1 M enrolments from a wait
that is over through a split to the next wait, and the cost of a run with nothing due).

Tracking: see ``tests.bench.tracking`` (requests/s and latency of the open pixel and the click
redirect of ``touchpoint serve`` under wrk, with 1 and 2 workers, and the events counted after).

Scale: see ``tests.bench.scale`` (the daily pass, ``touchpoint run``, at 1 M customers: each
stage's wall time and each process's peak memory). Long: not in the default sections.

Latency: see ``tests.bench.latency`` (product views posted to the collector until the
product-interest SMS is sent, with the UI's daemon running the sensors). Long: not in the default
sections.

``--only SECTION`` (repeatable) runs some sections; the default runs them all.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from orchestration.embedded_postgres import EmbeddedPostgres
from tests.bench.database import fresh_database
from tests.bench.dispatch import bench_dispatch
from tests.bench.journeys import bench_journeys
from tests.bench.latency import bench_latency
from tests.bench.scale import bench_scale
from tests.bench.server_cpu import server_cpu
from tests.bench.tracking import bench_tracking

BENCH_HOME = Path(".touchpoint/bench").resolve()
TOOLS = BENCH_HOME.parent / "tools"
AS_OF = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# The campaign step runs on the datamart built, so it is part of that section.
SECTIONS = ("ingest", "datamart", "dispatch", "tracking", "journeys")
LONG_SECTIONS = ("scale", "latency")  # run only when asked for with --only


def landing_for(customers: int, seed: int = 7) -> Path:
    """A synthetic landing zone, generated once per size and kept for later benches."""
    from synthetic.landing import generate_landing

    root = BENCH_HOME / f"landing-{customers}"
    if not (root / ".complete").exists():
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        generate_landing(root, customers, seed, AS_OF)
        (root / ".complete").write_text("")
        print(f"  generated {customers} customers in {time.perf_counter() - started:.1f} s")
    return root


def million_events_file(events: int) -> Path:
    """The first ``events`` lines of the generator's web events, as one landing file."""
    target = BENCH_HOME / f"events-{events}" / "web" / "events" / "events.jsonl"
    if target.exists():
        return target
    source = landing_for(int(events / 8.5))
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with target.open("w", encoding="utf-8") as out:
        for path in sorted((source / "web" / "events").glob("*.jsonl")):
            for line in path.open(encoding="utf-8"):
                out.write(line)
                written += 1
                if written == events:
                    return target
    raise RuntimeError(f"the generator wrote only {written} events; raise the customer count")


def plain_copy_seconds(server: EmbeddedPostgres, file: Path) -> tuple[float, float]:
    """COPY of the file's lines, one per row, into a one-column text table: its wall time and
    the server's CPU time. (A jsonb column cannot serve: the generator's malformed lines would
    abort the whole COPY.)"""
    url = fresh_database(server, "bench_plain")
    copy_sql = "copy plain_lines from stdin (format csv, delimiter e'\\x1f', quote e'\\x1e')"
    with server_cpu(server, "bench_plain") as cpu, psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create table plain_lines (line text)")
        started = time.perf_counter()
        with conn.cursor().copy(copy_sql) as copy, file.open("rb") as stream:
            while block := stream.read(1 << 20):
                copy.write(block)
        elapsed = time.perf_counter() - started
    return elapsed, cpu[0]


def ingest_seconds(server: EmbeddedPostgres, landing: Path) -> tuple[float, float, int]:
    """Our ingest of the landing zone: its wall time, the server's CPU time and the rows read."""
    from assets.ingest import ingest
    from assets.resources import CrmDatabase, LandingZoneResource, Warehouse
    from models.landing import WEB_EVENTS

    url = fresh_database(server, "bench_ingest")
    import great_expectations  # noqa: F401  imported once per process; not part of the figure

    zone = LandingZoneResource(location=str(landing))
    with server_cpu(server, "bench_ingest") as cpu:
        started = time.perf_counter()
        result = ingest(Warehouse(url=url), zone, CrmDatabase(), WEB_EVENTS)
        elapsed = time.perf_counter() - started
    assert result.counts.reconciles
    return elapsed, cpu[0], result.counts.rows_read


def bench_ingest(server: EmbeddedPostgres, events: int) -> None:
    file = million_events_file(events)
    landing = file.parents[2]
    ours, ours_cpu, rows = ingest_seconds(server, landing)
    plain, plain_cpu = plain_copy_seconds(server, file)
    print(f"ingest of {rows:,} web events ({file.stat().st_size / 1e6:.0f} MB JSON lines)")
    print(
        f"  plain COPY of the lines : {rows / plain:>10,.0f} rows/s  ({plain:.1f} s, "
        f"server CPU {plain_cpu:.1f} s)"
    )
    print(
        f"  touchpoint ingest       : {rows / ours:>10,.0f} rows/s  ({ours:.1f} s, "
        f"server CPU {ours_cpu:.1f} s)"
    )
    print(f"  ratio                   : {plain / ours:.2f}  (load average {_load()})")


def _load() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def dbt_build_seconds(url: str, as_of: datetime, *extra: str) -> float:
    """One `dbt build` as a run makes it (no unit tests), at ``as_of``."""
    import subprocess

    from assets.dbt_project import AS_OF_VARIABLE, DBT_BUILD_ARGS, DBT_PROJECT, dbt_executable
    from assets.resources import dbt_env_for

    started = time.perf_counter()
    subprocess.run(
        [
            dbt_executable(),
            *DBT_BUILD_ARGS,
            *extra,
            "--quiet",
            "--project-dir",
            str(DBT_PROJECT.project_dir),
            "--profiles-dir",
            str(DBT_PROJECT.profiles_dir),
        ],
        env={**os.environ, **dbt_env_for(url), AS_OF_VARIABLE: as_of.isoformat()},
        check=True,
    )
    return time.perf_counter() - started


def slowest_models(count: int = 10) -> str:
    """The models the last `dbt build` spent longest on, from its run_results.json."""
    import json

    from assets.dbt_project import DBT_PROJECT

    results = json.loads((DBT_PROJECT.project_dir / "target" / "run_results.json").read_text())
    models = sorted(
        (r for r in results["results"] if r["unique_id"].startswith("model.")),
        key=lambda r: r["execution_time"],
        reverse=True,
    )
    return ", ".join(
        f"{r['unique_id'].rsplit('.', 1)[1]} {r['execution_time']:.1f}" for r in models[:count]
    )


def bench_dbt_build(server: EmbeddedPostgres, customers: int) -> str:
    from assets.ingest import ingest
    from assets.resources import CrmDatabase, LandingZoneResource, Warehouse
    from models.landing import LANDING_SOURCES
    from tests.bench.next_day import land_next_day
    from warehouse.messaging_schema import migrate_messaging

    landing = landing_for(customers)
    url = fresh_database(server, "bench_datamart")
    started = time.perf_counter()
    for source in LANDING_SOURCES:
        ingest(
            Warehouse(url=url), LandingZoneResource(location=str(landing)), CrmDatabase(), source
        )
    loaded = time.perf_counter() - started
    migrate_messaging(url)
    built = dbt_build_seconds(url, AS_OF)
    events, lines, next_day = land_next_day(url, AS_OF)
    incremental = dbt_build_seconds(url, next_day)
    incremental_models = slowest_models()
    full = dbt_build_seconds(url, next_day, "--full-refresh")
    full_models = slowest_models()
    print(f"datamart at {customers:,} customers")
    print(f"  ingest of every source  : {loaded:.1f} s")
    print(f"  first dbt build         : {built:.1f} s")
    print(f"  the next day's build    : {incremental:.1f} s  ({events:,} web events, {lines:,} ")
    print(f"                            till lines new; the same with --full-refresh {full:.1f} s)")
    print(f"  slowest models (s), next day : {incremental_models}")
    print(f"  slowest models (s), full     : {full_models}")
    return url


def bench_campaigns(url: str) -> None:
    """The trigger → outbox step for every built-in campaign on the datamart just built, then
    the rendering alone, again, on one core."""
    from assets.campaign_step import run_campaigns
    from assets.dbt_project import DBT_PROJECT
    from assets.outbox_rendering import template_variables
    from assets.rendering import TemplateRenderer
    from assets.vouchers import issue_voucher, voucher_terms
    from orchestration.campaign_catalog import load_catalog

    campaigns_dir = Path("campaigns").resolve()
    specs = load_catalog(campaigns_dir, DBT_PROJECT.project_dir / "target" / "manifest.json").specs
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        results = run_campaigns(conn, specs, campaigns_dir, AS_OF)
        step = time.perf_counter() - started
        judged = sum(sum(r.judged.values()) for r in results.values())
        rendered = sum(r.rendered for r in results.values())
        rows = conn.execute(RENDERED_AGAIN).fetchall()
    renderer = TemplateRenderer(campaigns_dir, {spec.name: spec for spec in specs})
    terms = {spec.name: voucher_terms(spec.voucher) for spec in specs}
    started = time.perf_counter()
    for campaign, channel, locale, occurrence in rows:
        voucher = issue_voucher(terms[campaign], AS_OF) if terms[campaign] else None
        renderer.render(campaign, channel, locale, template_variables(occurrence, voucher))
    alone = time.perf_counter() - started
    print(f"campaigns at the same size, as of {AS_OF.isoformat()}")
    print(f"  judge + render step     : {judged:,} occurrences judged, {rendered:,} rendered")
    print(
        f"                            in {step:.1f} s = {judged / step:,.0f} occurrences/s, "
        f"{rendered / step:,.0f} messages/s"
    )
    print(f"  rendering alone, 1 core : {len(rows) / alone:,.0f} messages/s ({len(rows):,})")


# What the renderer needs for every message just rendered.
RENDERED_AGAIN = """
select m.campaign, m.channel, coalesce(c.locale, c.language, 'en'),
    jsonb_build_object(
        'campaign', m.campaign, 'customer_id', c.customer_id, 'first_name', c.first_name,
        'last_name', c.last_name, 'locale', c.locale, 'language', c.language,
        'country', c.country, 'age', c.age, 'context', o.context, 'timezone', c.timezone
    )
from messaging.outbox m
join messaging.occurrences o using (campaign, occurrence_key)
join marts.dim_customers c on c.customer_id = m.customer_id
"""


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--emails", type=int, default=20_000)
    parser.add_argument("--email-rounds", type=int, default=3)
    parser.add_argument(
        "--dispatch-partitions",
        type=int,
        nargs="+",
        default=[1, 2],
        help="partition steps of the dispatch job draining the outbox together, one figure each "
        "(default: 1 and 2)",
    )
    parser.add_argument(
        "--composed-at-send",
        action="store_true",
        help="dispatch mails not composed ahead, as rows rendered before that have none",
    )
    parser.add_argument("--memory-messages", type=int, default=50_000)
    parser.add_argument("--sms", type=int, default=2_000)
    parser.add_argument("--tracking-messages", type=int, default=1_000)
    parser.add_argument("--tracking-connections", type=int, default=16)
    parser.add_argument("--tracking-seconds", type=int, default=10)
    parser.add_argument("--enrolments", type=int, default=1_000_000)
    parser.add_argument(
        "--scale-customers",
        type=int,
        nargs="+",
        default=[1_000_000],
        help="customers of each daily pass of --only scale (several: compare memory across sizes)",
    )
    parser.add_argument(
        "--scale-visits",
        type=float,
        default=1.3,
        help="web sessions a customer, relative to the generator's default (1.3: 10 M+ events "
        "at 1 M customers)",
    )
    parser.add_argument(
        "--scale-as-of",
        type=datetime.fromisoformat,
        help="instant of the first daily pass of --only scale (default: this hour; a past one "
        "reuses the landing zone generated for it)",
    )
    parser.add_argument("--latency-events", type=int, default=10)
    parser.add_argument("--latency-customers", type=int, default=2_000)
    parser.add_argument(
        "--latency-pause",
        type=float,
        default=20,
        help="most seconds of the random pause between one event's runs and the next event",
    )
    parser.add_argument(
        "--only",
        choices=SECTIONS + LONG_SECTIONS,
        action="append",
        help="run this section (repeatable)",
    )
    args = parser.parse_args()
    sections = args.only or SECTIONS
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    BENCH_HOME.mkdir(parents=True, exist_ok=True)
    with EmbeddedPostgres(BENCH_HOME).running() as server:
        if "ingest" in sections:
            bench_ingest(server, args.events)
        if "datamart" in sections:
            url = bench_dbt_build(server, args.customers)
            bench_campaigns(url)
        if "dispatch" in sections:
            bench_dispatch(
                server,
                TOOLS,
                args.emails,
                args.email_rounds,
                args.dispatch_partitions,
                args.memory_messages,
                args.sms,
                args.composed_at_send,
            )
        if "tracking" in sections:
            bench_tracking(
                server,
                TOOLS,
                BENCH_HOME,
                args.tracking_messages,
                args.tracking_connections,
                args.tracking_seconds,
            )
        if "journeys" in sections:
            bench_journeys(server, args.enrolments, AS_OF)
        if "scale" in sections:
            bench_scale(
                server,
                TOOLS,
                BENCH_HOME,
                args.scale_customers,
                args.scale_visits,
                args.scale_as_of,
            )
        if "latency" in sections:
            bench_latency(
                server, BENCH_HOME, args.latency_events, args.latency_customers, args.latency_pause
            )


if __name__ == "__main__":
    main()
