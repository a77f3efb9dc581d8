"""The ``touchpoint`` command (docs/architecture.md, Commands)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from models.as_of import parse_as_of
from orchestration.dagster_home import prepare_process_environment
from orchestration.database import (
    EMBEDDED_DATABASE,
    datamart_available,
    embedded_server,
    ensure_database,
    recreate_database,
)
from orchestration.embedded_postgres import EmbeddedPostgres
from orchestration.settings import Settings, load_settings, path_environment


def _instant(text: str) -> datetime:
    try:
        return parse_as_of(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"got {text!r}; expected a whole number, 1 or more")
    return int(text)


def cmd_generate(args: argparse.Namespace) -> int:
    from synthetic.landing import generate_landing

    summary = generate_landing(
        Path(args.out), args.customers, args.seed, args.as_of, visits=args.visits
    )
    print("\n".join(summary.lines()))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from assets.campaign_report import REPORT_FILE
    from models.contact_masking import mask_contacts
    from orchestration.pipeline import failure_lines, run_once
    from orchestration.summary import run_summary, server_now

    settings = load_settings()
    with datamart_available(settings) as url:
        started = server_now(url)
        results = run_once(url, args.as_of, full_refresh=args.full_refresh)
        summary = run_summary(url, since=started, show_contacts=args.show_contacts)
        print(summary.text)
    print("\n".join(where_messages_went(settings)))
    print(f"The campaign report, with charts: {settings.reports_dir / REPORT_FILE}")
    runs = " and ".join(result.run_id for result in results)
    failures = [line for result in results for line in failure_lines(result)]
    if not args.show_contacts:  # a database error quotes the value it refused
        failures = [mask_contacts(line) for line in failures]
    if summary.send_failure:
        failures.append(summary.send_failure)
    if failures or not all(result.success for result in results):
        print("\n".join(["", "touchpoint run FAILED", *failures]), file=sys.stderr)
        print(f"See run {runs} in the Dagster UI (make ui).", file=sys.stderr)
        return 1
    print(f"\ntouchpoint run succeeded (run {runs}; make ui to explore it).")
    return 0


def where_messages_went(settings: Settings) -> list[str]:
    """Where to look at what was sent, for the providers that keep it on this machine."""
    lines = [""]
    if settings.email_sender == "smtp" and not settings.smtp_url:
        count = len(list(settings.mailbox_dir.glob("*.eml")))
        lines.append(f"Email: the local mailbox holds {count} .eml files: {settings.mailbox_dir}")
    elif settings.email_sender == "smtp":
        lines.append("Email: sent over SMTP (TOUCHPOINT_SMTP_URL)")
    else:
        lines.append(f"Email: sent through {settings.email_sender}")
    if settings.sms_sender == "file":
        count = len(list(settings.file_outbox_dir.glob("*.json")))
        lines.append(f"SMS: the file outbox holds {count} .json files: {settings.file_outbox_dir}")
    else:
        lines.append(f"SMS: sent through {settings.sms_sender}")
    return lines


def cmd_preview(args: argparse.Namespace) -> int:
    from orchestration.campaign_catalog import load_catalog, load_journey_catalog
    from orchestration.dbt_manifest import prepare_manifest
    from orchestration.preview import preview

    settings = load_settings()
    with datamart_available(settings) as url:
        prepare_manifest(url)
        specs = {spec.name: spec for spec in load_catalog(settings.campaigns).specs}
        if args.campaign not in specs:
            steps = {
                journey.campaign_of(step): (journey.name, step.id)
                for journey in load_journey_catalog(settings.journeys, list(specs.values()))
                for step in journey.message_steps
            }
            print(_not_a_campaign(args.campaign, specs, steps), file=sys.stderr)
            return 2
        as_of = args.as_of or datetime.now(UTC).replace(microsecond=0)
        print(
            preview(
                url,
                specs[args.campaign],
                settings.campaigns,
                args.customer,
                as_of,
                settings.max_per_week,
                settings.sms_max_segments,
            )
        )
    return 0


def _not_a_campaign(name: str, campaigns: dict, steps: dict[str, tuple[str, str]]) -> str:
    """What `preview` says of a name that is no campaign: a journey step's campaign is shown
    by `journey show`, as a step's message depends on where the customer is in the journey."""
    if name in steps:
        journey, step = steps[name]
        return (
            f"{name!r} is the step {step!r} of the journey {journey!r}: see "
            f"`touchpoint journey show {journey} --customer ID`"
        )
    return f"no campaign {name!r}; known: {', '.join(sorted(campaigns))}"


def cmd_journey_show(args: argparse.Namespace) -> int:
    import psycopg

    from orchestration.journey_explain import explain
    from orchestration.journey_history import NeverEnrolled, UnknownJourney, read_history

    as_of = args.as_of or datetime.now(UTC).replace(microsecond=0)
    with datamart_available(load_settings()) as url, psycopg.connect(url) as conn:
        conn.read_only = True
        try:
            history = read_history(conn, args.name, args.customer, as_of)
        except UnknownJourney as unknown:
            known = ", ".join(unknown.known) or "none has run yet"
            print(f"no journey {args.name!r} in the datamart; known: {known}", file=sys.stderr)
            return 2
        except NeverEnrolled:
            print(f"customer {args.customer} was never enrolled in {args.name}", file=sys.stderr)
            return 1
    print(explain(history, as_of))
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.action == "migrate":
        return _migrate(settings)
    if settings.database_url:
        print("TOUCHPOINT_DATABASE_URL is set: the datamart is an external server.")
        return 0 if args.action in ("status", "url") else 1
    server = embedded_server(settings)
    if args.action == "reset":
        started = server.keep_running()
        recreate_database(server.url("postgres"), EMBEDDED_DATABASE)
        if started:  # leave the server as it was found
            server.stop()
        print(f"emptied: {server.url()}")
    elif args.action == "start":
        started = server.keep_running()
        ensure_database(server.url("postgres"), EMBEDDED_DATABASE)
        print(
            ("started" if started else "running") + f" until `touchpoint db stop`: {server.url()}"
        )
    elif args.action == "stop":
        return _stop_embedded(server, args.force)
    elif args.action == "status":
        print(f"{'running' if server.is_running() else 'stopped'}: {server.url()}")
    else:
        print(server.url())
    return 0


def _migrate(settings: Settings) -> int:
    """Bring the datamart's messaging schema to the newest revision (run, serve and ui do too)."""
    from warehouse.messaging_schema import migrate_messaging

    with datamart_available(settings) as url:
        migration = migrate_messaging(url)
    if migration.before == migration.after:
        print(f"messaging schema already at revision {migration.after}")
    else:
        print(
            f"messaging schema migrated: {migration.before or 'unversioned'} -> {migration.after}"
        )
    return 0


def _stop_embedded(server: EmbeddedPostgres, force: bool) -> int:
    """Stop the server unless a touchpoint process (run, ui, serve, preview) is using it."""
    holders = server.holders()
    if holders and not force:
        lines = [f"  pid {holder.pid}: {holder.command}" for holder in holders]
        print(
            "\n".join(
                [
                    "not stopped: the embedded PostgreSQL is in use by",
                    *lines,
                    "Stop those first, or `touchpoint db stop --force` to pull it from under them.",
                ]
            ),
            file=sys.stderr,
        )
        return 1
    server.stop()
    print("stopped")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from orchestration.dagster_dev import run_dagster_dev
    from orchestration.dbt_manifest import prepare_manifest

    settings = load_settings()
    with datamart_available(settings) as url:
        prepare_manifest(url)
        # dagster dev runs from the project root: give it our paths, not relative ones.
        environment = {**os.environ, **path_environment(settings)}
        return run_dagster_dev(args.host, args.port, environment)


def cmd_simulate_reactions(args: argparse.Namespace) -> int:
    from orchestration.reaction_simulation import simulate_reactions

    settings = load_settings()
    tracking_url = args.tracking_url or settings.tracking_url
    landing = args.out or settings.landing
    problem = None
    if not tracking_url:
        problem = "no tracking service to react through: --tracking-url or TOUCHPOINT_TRACKING_URL"
    elif landing.startswith("s3://"):
        problem = f"orders are written to a folder: --out DIR (the landing zone is {landing})"
    elif args.as_of <= datetime.now(UTC):
        problem = "--as-of must be later than now: the service records reactions as they happen"
    if problem:
        print(f"touchpoint simulate-reactions: {problem}", file=sys.stderr)
        return 2
    try:
        simulation = simulate_reactions(
            settings, args.as_of, tracking_url, args.seed, Path(landing)
        )
    except TimeoutError as error:  # `touchpoint serve` never came up
        print(f"touchpoint simulate-reactions: {error}", file=sys.stderr)
        return 1
    print("\n".join(simulation.lines))
    if simulation.refused:
        print("\n".join(["The tracking service refused:", *simulation.refused]), file=sys.stderr)
        return 1
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """The tracking service until interrupted; the embedded datamart is kept up meanwhile."""
    from orchestration.secret import tracking_secret
    from tracking.service import ServiceConfig, serve

    settings = load_settings()
    with datamart_available(settings) as url:
        config = ServiceConfig(
            database_url=url,
            secret=tracking_secret(settings),
            from_email=settings.from_email,
            sns_topics=frozenset(settings.sns_topic_arns),
        )
        serve(config, args.host, args.port, args.workers)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="touchpoint", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a synthetic landing zone")
    generate.add_argument("--out", default="data/landing")
    generate.add_argument("--customers", type=int, default=2000)
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument(
        "--visits",
        type=float,
        default=1.0,
        help="scales each customer's web sessions (default 1.0: about 9 events a customer)",
    )
    generate.add_argument(
        "--as-of",
        type=_instant,
        default=None,
        help="the data set's 'now' (default: now, to the minute)",
    )
    generate.set_defaults(handler=cmd_generate)

    run = commands.add_parser("run", help="one full pass of the pipeline")
    run.add_argument("--as-of", type=_instant, default=None, help="the run's as-of instant")
    run.add_argument(
        "--show-contacts",
        action="store_true",
        help="print customers' e-mail addresses and phone numbers in full (default: masked)",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild dbt's incremental models from all of raw (after fixing or deleting raw "
        "rows in place, which an incremental build does not see)",
    )
    run.set_defaults(handler=cmd_run)

    preview = commands.add_parser(
        "preview", help="a campaign's message as one customer would get it, or why not"
    )
    preview.add_argument("campaign")
    preview.add_argument("--customer", required=True, help="the CRM customer id")
    preview.add_argument("--as-of", type=_instant, default=None, help="default: now")
    preview.set_defaults(handler=cmd_preview)

    journey = commands.add_parser("journey", help="journeys: where a customer is in one, and why")
    journey_commands = journey.add_subparsers(dest="journey_command", required=True)
    show = journey_commands.add_parser(
        "show",
        help="a customer's enrolments in a journey: where they are, what they got, what comes "
        "next and when, and why",
    )
    show.add_argument("name", help="the journey")
    show.add_argument("--customer", required=True, help="the CRM customer id")
    show.add_argument(
        "--as-of",
        type=_instant,
        default=None,
        help="'now' for what comes next (default: now); nothing is written",
    )
    show.set_defaults(handler=cmd_journey_show)

    db = commands.add_parser("db", help="the embedded PostgreSQL; the datamart's schema")
    db.add_argument(
        "action",
        choices=["start", "stop", "status", "url", "reset", "migrate"],
        help="reset: drop the embedded datamart and start it empty (the demo does this); "
        "migrate: bring the messaging schema to the newest revision (any datamart)",
    )
    db.add_argument(
        "--force",
        action="store_true",
        help="stop: even while a touchpoint run, ui or serve is using the server",
    )
    db.set_defaults(handler=cmd_db)

    ui = commands.add_parser("ui", help="the Dagster UI (keeps the embedded server up meanwhile)")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(handler=cmd_ui)

    simulate = commands.add_parser(
        "simulate-reactions",
        help="recipients of what was sent react: opens, clicks, survey answers, STOP, orders",
    )
    simulate.add_argument(
        "--as-of",
        type=_instant,
        required=True,
        help="the instant the reactions lead up to (the later run's as-of); after now",
    )
    simulate.add_argument(
        "--tracking-url",
        default=None,
        help="where `touchpoint serve` listens (default: TOUCHPOINT_TRACKING_URL)",
    )
    simulate.add_argument(
        "--out", default=None, help="landing folder (default: TOUCHPOINT_LANDING)"
    )
    simulate.add_argument(
        "--seed", type=int, default=42, help="who reacts, and how (default 42, as generate)"
    )
    simulate.set_defaults(handler=cmd_simulate_reactions)

    serve = commands.add_parser(
        "serve", help="the tracking service: opens, clicks, unsubscribes, inbound SMS, webhooks"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="processes answering on the port (default 1; about one per core)",
    )
    serve.set_defaults(handler=cmd_serve)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    prepare_process_environment(load_settings())
    if args.command == "generate" and args.as_of is None:
        args.as_of = datetime.now(UTC).replace(second=0, microsecond=0)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
