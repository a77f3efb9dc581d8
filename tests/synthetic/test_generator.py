"""Specifications of the synthetic landing-zone generator (`touchpoint generate`).

Each test reads the files back the way ingestion and dbt would, and checks one promise: the
landing contract, determinism, the campaign scenarios anchored on the as-of instant, and the
deliberate dirt being exactly what the summary counts.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from models.landing import (
    CATALOG_PRODUCTS,
    CRM_CUSTOMERS,
    CRM_VEHICLES,
    LANDING_SOURCES,
    POS_TRANSACTIONS,
    WEB_EVENTS,
)
from synthetic.clock import ZONES, add_months, utc_offset_minutes
from synthetic.landing import GenerationSummary, generate_landing
from synthetic.scenarios import NEEDS_STORE, ScenarioPlan

AS_OF = datetime(2025, 6, 15, 10, 0, tzinfo=UTC)  # the same calendar date in every zone used
TODAY = AS_OF.date()
CUSTOMERS = 300
SEED = 7
E164 = re.compile(r"^\+[1-9]\d{6,14}$")
NATIONAL = re.compile(r"^[\d()\-]+( [\d()\-]+)+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CALLING_CODES = {"FR": "33", "BE": "32", "DE": "49", "CH": "41", "GB": "44", "US": "1",
                 "ES": "34", "IT": "39", "NL": "31", "SG": "65",
                 "AU": "61"}  # fmt: skip
LANGUAGES = {
    "FR": {"fr"}, "BE": {"fr-BE", "nl-BE"}, "DE": {"de"}, "CH": {"de-CH", "fr-CH"},
    "GB": {"en-GB"}, "US": {"en-US"}, "ES": {"es"}, "IT": {"it"}, "NL": {"nl"}, "SG": {"en-SG"},
    "AU": {"en-AU"},
}  # fmt: skip


TIME_ZONES = {
    "FR": {"Europe/Paris"}, "BE": {"Europe/Brussels"}, "DE": {"Europe/Berlin"},
    "CH": {"Europe/Zurich"}, "GB": {"Europe/London"}, "ES": {"Europe/Madrid", "Atlantic/Canary"},
    "IT": {"Europe/Rome"}, "NL": {"Europe/Amsterdam"},
    "US": {"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
           "America/Los_Angeles"},
    "SG": {"Asia/Singapore"}, "AU": {"Australia/Brisbane", "Australia/Perth"},
}  # fmt: skip


# ---------------------------------------------------------------- fixtures and readers


class Landing:
    """A generated landing zone, read back."""

    def __init__(self, root: Path, summary: GenerationSummary) -> None:
        self.root, self.summary = root, summary
        self.customers = self.csv_rows(CRM_CUSTOMERS)
        self.vehicles = self.csv_rows(CRM_VEHICLES)
        self.products = self.csv_rows(CATALOG_PRODUCTS)
        self.pos = self.csv_rows(POS_TRANSACTIONS)
        self.events: list[dict] = []
        self.broken_lines: list[str] = []
        for path in sorted((root / WEB_EVENTS.folder).glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    self.events.append(json.loads(line))
                except json.JSONDecodeError:
                    self.broken_lines.append(line)

    def csv_rows(self, source) -> list[dict[str, str]]:
        rows = []
        for path in sorted((self.root / source.folder).glob("*.csv")):
            with path.open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                if tuple(next(reader)) != source.columns:
                    continue  # the legacy export: ingestion quarantines it whole
                rows += [dict(zip(source.columns, row, strict=True)) for row in reader]
        return rows

    def good_events(self) -> list[dict]:
        return [e for e in self.events if e["event_id"]]

    def identity(self) -> dict[str, str]:
        """anonymous_id → customer_id, from any event that carries both (the identity rule)."""
        return {e["anonymous_id"]: e["customer_id"] for e in self.events if e["customer_id"]}

    def card_holders(self) -> dict[str, str]:
        return {
            r["loyalty_card_id"]: r["customer_id"]
            for r in self.customers
            if r["loyalty_card_id"] and r["customer_id"]
        }

    def events_by_customer(self) -> dict[str, list[dict]]:
        who = self.identity()
        by_customer = defaultdict(list)
        for event in self.good_events():
            customer = event["customer_id"] or who.get(event["anonymous_id"])
            if customer:
                by_customer[customer].append(event)
        for events in by_customer.values():
            events.sort(key=lambda e: (instant(e["occurred_at"]), e["event_id"]))
        return by_customer

    def purchases(self) -> dict[str, list[tuple[datetime, str]]]:
        """customer → (when, product_id) for every product bought, online or in store."""
        bought = defaultdict(list)
        for customer, events in self.events_by_customer().items():
            for e in events:
                if e["type"] == "order_completed":
                    for item in e["properties"]["items"]:
                        bought[customer].append((instant(e["occurred_at"]), item["product_id"]))
        cards = self.card_holders()
        for line in self.pos:
            customer = line["customer_id"] or cards.get(line["loyalty_card_id"])
            if customer and line["product_id"]:
                bought[customer].append((instant(line["purchased_at"]), line["product_id"]))
        return bought


def instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, text
    return value


def generate(root: Path, customers: int = CUSTOMERS, seed: int = SEED, **kw) -> Landing:
    return Landing(root, generate_landing(root, customers, seed, AS_OF, **kw))


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    return generate(tmp_path_factory.mktemp("landing"))


def file_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# ---------------------------------------------------------------- determinism and layout


def test_same_seed_gives_identical_files(landing: Landing, tmp_path: Path) -> None:
    again = generate(tmp_path)
    assert file_bytes(again.root) == file_bytes(landing.root)
    assert again.summary == landing.summary


def test_different_seed_gives_different_content(landing: Landing, tmp_path: Path) -> None:
    other = file_bytes(generate(tmp_path, seed=SEED + 1).root)
    ours = file_bytes(landing.root)
    assert other.keys() == ours.keys()
    assert all(other[name] != ours[name] for name in ours if "legacy" not in name)


def test_output_does_not_depend_on_the_hash_seed(landing: Landing, tmp_path: Path) -> None:
    script = (
        "import sys; from datetime import datetime; from pathlib import Path; "
        "from synthetic.landing import generate_landing; "
        f"generate_landing(Path(sys.argv[1]), {CUSTOMERS}, {SEED}, "
        f"datetime.fromisoformat('{AS_OF.isoformat()}'))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    cwd = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, env=env, cwd=cwd)
    assert file_bytes(tmp_path) == file_bytes(landing.root)


def test_files_follow_the_landing_layout(landing: Landing) -> None:
    on_disk = sorted(file_bytes(landing.root))
    assert on_disk == sorted(landing.summary.files)
    patterns = {s.folder: s.file_format.value for s in LANDING_SOURCES}
    for name in on_disk:
        folder, _, filename = name.rpartition("/")
        assert folder in patterns and filename.endswith("." + patterns[folder]), name


def test_every_csv_header_is_the_contract_except_the_legacy_export(landing: Landing) -> None:
    wrong = []
    for source in (CRM_CUSTOMERS, CRM_VEHICLES, CATALOG_PRODUCTS, POS_TRANSACTIONS):
        for path in sorted((landing.root / source.folder).glob("*.csv")):
            header = path.read_text(encoding="utf-8").split("\n", 1)[0]
            if tuple(header.split(",")) != source.columns:
                wrong.append((path.relative_to(landing.root).as_posix(), header))
    assert wrong == [("crm/customers/legacy_export.csv", "id;mail;name")]


def test_event_lines_carry_the_contract_keys_in_order(landing: Landing) -> None:
    assert all(tuple(event) == WEB_EVENTS.columns for event in landing.events)
    assert all(isinstance(event["properties"], dict) for event in landing.events)


def test_summary_counts_the_rows_in_the_files(landing: Landing) -> None:
    rows = landing.summary.rows
    assert rows[CRM_CUSTOMERS.name] == len(landing.customers)
    assert rows[CRM_VEHICLES.name] == len(landing.vehicles)
    assert rows[CATALOG_PRODUCTS.name] == len(landing.products)
    assert rows[POS_TRANSACTIONS.name] == len(landing.pos)
    assert rows[WEB_EVENTS.name] == len(landing.events) + len(landing.broken_lines)


def test_big_outputs_are_split_into_numbered_files(tmp_path: Path) -> None:
    split = generate(tmp_path, customers=120, max_rows_per_file=100)
    events = sorted((tmp_path / WEB_EVENTS.folder).glob("*.jsonl"))
    assert [p.name for p in events[:2]] == ["events_0001.jsonl", "events_0002.jsonl"]
    for path in events:
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 100
    customers = sorted((tmp_path / CRM_CUSTOMERS.folder).glob("customers_0*.csv"))
    assert len(customers) == 2 and len(split.customers) > 100


def test_a_rerun_leaves_no_files_of_the_previous_run(tmp_path: Path) -> None:
    generate(tmp_path, customers=120, max_rows_per_file=100)
    (tmp_path / "crm/customers/mine.csv").write_text("kept\n")
    summary = generate(tmp_path, customers=120).summary
    assert sorted(file_bytes(tmp_path)) == sorted([*summary.files, "crm/customers/mine.csv"])


def test_visits_scale_the_web_traffic(landing: Landing, tmp_path: Path) -> None:
    busier = generate(tmp_path, visits=2.0)

    events, usual = busier.summary.rows[WEB_EVENTS.name], landing.summary.rows[WEB_EVENTS.name]
    assert 1.6 * usual < events < 2.4 * usual


def test_as_of_must_be_timezone_aware(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        generate_landing(tmp_path, 10, SEED, datetime(2025, 6, 15, 10, 0))


def test_summary_lines_name_every_source_dirt_and_scenario(landing: Landing) -> None:
    text = "\n".join(landing.summary.lines())
    for name in (*landing.summary.rows, *landing.summary.dirt, *landing.summary.scenarios):
        assert name in text


# ---------------------------------------------------------------- realism


def test_customers_speak_their_country_language_and_live_in_its_zones(landing: Landing) -> None:
    rows = [r for r in landing.customers if r["customer_id"] and r["timezone"] in ZONES]
    assert len({r["country"] for r in rows}) >= 8
    for r in rows:
        assert r["language"] in LANGUAGES[r["country"]], r
        assert r["timezone"] in TIME_ZONES[r["country"]], r
    assert len({r["timezone"] for r in rows if r["country"] == "US"}) >= 2


def test_phones_are_mostly_e164_of_the_customer_country(landing: Landing) -> None:
    phones = [(r["phone"], r["country"]) for r in landing.customers if r["phone"]]
    e164 = [(p, c) for p, c in phones if E164.match(p)]
    assert len(e164) / len(phones) > 0.95
    assert all(p.startswith("+" + CALLING_CODES[c]) for p, c in e164)


def test_consent_and_loyalty_rates_are_realistic(tmp_path: Path) -> None:
    rows = generate(tmp_path, customers=2000).customers

    def share(column: str, value: str | None = None) -> float:
        hits = [r[column] == value if value else bool(r[column]) for r in rows]
        return sum(hits) / len(rows)

    assert 0.6 < share("email_opt_in", "true") < 0.82
    assert 0.35 < share("sms_opt_in", "true") < 0.58
    assert 0.5 < share("loyalty_card_id") < 0.72


def test_everything_happened_before_as_of(landing: Landing) -> None:
    stamps = [e["occurred_at"] for e in landing.good_events()]
    stamps += [r["purchased_at"] for r in landing.pos]
    stamps += [r[c] for r in landing.customers for c in ("created_at", "updated_at")]
    assert all(instant(s) < AS_OF for s in stamps)
    dates = [r["delivered_at"] for r in landing.vehicles]
    dates += [r["last_service_at"] for r in landing.vehicles if r["last_service_at"]]
    assert all(date.fromisoformat(d) <= TODAY for d in dates)


def test_events_of_a_session_are_in_time_order(landing: Landing) -> None:
    sessions = defaultdict(list)
    for event in landing.good_events():
        sessions[event["properties"]["session_id"]].append(instant(event["occurred_at"]))
    assert len(sessions) > CUSTOMERS
    assert all(times == sorted(times) for times in sessions.values())


def test_event_ids_are_unique(landing: Landing) -> None:
    ids = [e["event_id"] for e in landing.good_events()]
    assert len(ids) == len(set(ids))


def test_anonymous_browsing_is_followed_by_a_login_on_the_same_device(landing: Landing) -> None:
    by_device = defaultdict(list)
    for event in landing.good_events():
        by_device[event["anonymous_id"]].append(event)
    stitched = [
        events
        for events in by_device.values()
        if events[0]["customer_id"] is None
        and any(e["type"] == "login" and e["customer_id"] for e in events)
    ]
    never_identified = [evs for evs in by_device.values() if not any(e["customer_id"] for e in evs)]
    assert stitched and never_identified


def test_orders_carry_their_revenue_and_items(landing: Landing) -> None:
    orders = [e for e in landing.good_events() if e["type"] == "order_completed"]
    assert orders
    for order in orders:
        items = order["properties"]["items"]
        total = sum(float(i["unit_price"]) * i["quantity"] for i in items)
        assert order["order_id"] and order["currency"] == "EUR"
        assert order["revenue"] == pytest.approx(total)


def test_store_lines_are_numbered_per_ticket_and_some_only_name_the_card(landing: Landing) -> None:
    tickets = defaultdict(list)
    for line in landing.pos:
        tickets[line["transaction_id"]].append(int(line["line_number"]))
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in tickets.values())
    identified = [r for r in landing.pos if r["customer_id"] or r["loyalty_card_id"]]
    card_only = [r for r in identified if not r["customer_id"]]
    assert 0.15 < len(card_only) / len(identified) < 0.45


def test_each_trousers_has_a_matching_jacket_that_matches_back(landing: Landing) -> None:
    products = {p["product_id"]: p for p in landing.products}
    assert 150 <= len(products) <= 500
    trousers = [p for p in products.values() if p["category"] == "trousers"]
    assert trousers
    for p in trousers:
        jacket = products[p["matches_product_id"]]
        assert jacket["category"] == "jacket" and jacket["color"] == p["color"]
        assert jacket["matches_product_id"] == p["product_id"]
        assert re.fullmatch(r"\d+\.\d\d", p["price"]) and p["currency"] == "EUR"
        assert p["url"] == f"https://shop.example.com/p/{p['product_id']}"


# ---------------------------------------------------------------- campaign scenarios


def test_some_customers_have_their_birthday_on_the_as_of_date(landing: Landing) -> None:
    today = [r for r in landing.customers if r["birth_date"][5:] == TODAY.strftime("%m-%d")]
    assert len(today) >= 5


def test_some_customers_are_born_on_29_february(landing: Landing) -> None:
    leap = [r for r in landing.customers if r["birth_date"][5:] == "02-29"]
    assert len(leap) >= 5
    assert all(date.fromisoformat(r["birth_date"]) for r in leap)


def test_baskets_abandoned_1_to_48_hours_ago_exist(landing: Landing) -> None:
    abandoned = 0
    for events in landing.events_by_customer().values():
        basket: Counter[str] = Counter()
        last_cart = None
        for e in events:
            if e["type"] == "order_completed":
                basket, last_cart = Counter(), None
            elif e["type"] in ("add_to_cart", "remove_from_cart"):
                basket[e["product_id"]] += 1 if e["type"] == "add_to_cart" else -1
                last_cart = instant(e["occurred_at"])
        if last_cart and +basket and timedelta(hours=1) <= AS_OF - last_cart <= timedelta(hours=48):
            abandoned += 1
    assert abandoned >= 5


def test_products_viewed_4_times_in_72_hours_without_purchase_exist(landing: Landing) -> None:
    bought = landing.purchases()
    interested = set()
    for customer, events in landing.events_by_customer().items():
        views = Counter(
            e["product_id"]
            for e in events
            if e["type"] == "product_view"
            and AS_OF - instant(e["occurred_at"]) <= timedelta(hours=72)
        )
        for product, count in views.items():
            recent = [w for w, p in bought[customer] if p == product and AS_OF - w < timedelta(3)]
            if count >= 4 and not recent:
                interested.add(customer)
    assert len(interested) >= 5


def test_trousers_bought_in_store_last_week_without_the_jacket_exist(landing: Landing) -> None:
    products = {p["product_id"]: p for p in landing.products}
    bought, cards = landing.purchases(), landing.card_holders()
    hits = []
    for line in landing.pos:
        product = products.get(line["product_id"])
        if not product or product["category"] != "trousers":
            continue
        customer = line["customer_id"] or cards.get(line["loyalty_card_id"])
        recent = AS_OF - instant(line["purchased_at"]) <= timedelta(days=7)
        has_jacket = any(p == product["matches_product_id"] for _, p in bought[customer])
        if customer and recent and not has_jacket:
            hits.append(line)
    assert len(hits) >= 5
    assert any(not line["customer_id"] for line in hits)  # known by the loyalty card only


def test_vehicles_at_each_point_of_the_dealer_cycle_exist(landing: Landing) -> None:
    ages = Counter()
    for v in landing.vehicles:
        delivered = date.fromisoformat(v["delivered_at"])
        since = (TODAY - delivered).days
        ages["welcome"] += 0 <= since <= 6
        ages["survey"] += since == 7
        anniversary = add_months(delivered, 36)
        ages["renewal"] += 0 <= (TODAY - anniversary).days <= 30
        last = date.fromisoformat(v["last_service_at"] or v["delivered_at"])
        due = add_months(last, int(v["service_interval_months"] or 12))
        ages["service"] += -30 <= (due - TODAY).days <= 14
    assert min(ages[k] for k in ("welcome", "survey", "renewal", "service")) >= 5, ages
    assert any(not v["service_interval_months"] for v in landing.vehicles)


def test_lapsed_customers_with_two_orders_exist(landing: Landing) -> None:
    orders = defaultdict(set)
    for customer, events in landing.events_by_customer().items():
        for e in events:
            if e["type"] == "order_completed":
                orders[customer].add((instant(e["occurred_at"]), e["order_id"]))
    cards = landing.card_holders()
    for line in landing.pos:
        customer = line["customer_id"] or cards.get(line["loyalty_card_id"])
        if customer:
            orders[customer].add((instant(line["purchased_at"]), line["transaction_id"]))
    lapsed = [c for c, o in orders.items() if len(o) >= 2 and AS_OF - max(o)[0] > timedelta(90)]
    assert len(lapsed) >= 5


def new_customers(landing: Landing) -> dict[str, dict[str, str]]:
    """The customers cast as new customers (welcome_series), by id."""
    plan = ScenarioPlan.for_size(CUSTOMERS, SEED)
    return {
        r["customer_id"]: r
        for r in landing.customers
        if r["customer_id"] and plan.scenario_for(int(r["customer_id"][1:]) - 1) == "new_customer"
    }


def test_new_customers_signed_up_in_the_last_days_and_a_third_of_them_then_ordered_once(
    landing: Landing,
) -> None:
    cast, bought = new_customers(landing), landing.purchases()
    orderers = {c for c in cast if c in bought}

    assert len(cast) == landing.summary.scenarios["new_customer"] >= 6
    assert len(orderers) == len(cast) // 3
    for customer_id, row in cast.items():
        created = instant(row["created_at"])
        assert AS_OF - timedelta(days=6) <= created <= AS_OF - timedelta(hours=1), row
        assert created <= instant(row["updated_at"]) < AS_OF
        if customer_id in orderers:
            [(ordered, _)] = bought[customer_id]
            assert created <= AS_OF - timedelta(days=4), row
            assert AS_OF - timedelta(days=3) <= ordered <= AS_OF - timedelta(days=1)


def test_new_customers_browse_only_after_signing_up(landing: Landing) -> None:
    cast, by_customer = new_customers(landing), landing.events_by_customer()

    for customer_id, row in cast.items():
        events = by_customer[customer_id]
        assert events and instant(events[0]["occurred_at"]) >= instant(row["created_at"])
        assert {e["type"] for e in events} <= {
            "page_view", "login", "product_view", "add_to_cart", "checkout_started",
            "order_completed",
        }  # fmt: skip


@pytest.mark.parametrize("hour", [2, 10, 21])
def test_customers_cast_in_a_scenario_live_where_it_is_daytime(tmp_path: Path, hour: int):
    """Dispatch sends by the real clock within send windows (09:00 at the earliest, 19:00 at
    the latest): a run at the as-of instant reaches the scenario's customers at any hour."""
    as_of = AS_OF.replace(hour=hour)
    rows = Landing(tmp_path, generate_landing(tmp_path, 120, SEED, as_of)).customers
    plan = ScenarioPlan.for_size(120, SEED)
    cast = [
        r for r in rows
        if r["customer_id"] and plan.scenario_for(int(r["customer_id"][1:]) - 1) not in
        (None, *NEEDS_STORE)
    ]  # fmt: skip

    assert len(cast) >= 40
    for r in cast:
        assert 10 <= as_of.astimezone(ZoneInfo(r["timezone"])).hour < 18, r


def test_zone_offsets_agree_with_the_tz_database() -> None:
    start = int(datetime(2023, 1, 1, tzinfo=UTC).timestamp())
    for name, zone in ZONES.items():
        tz = ZoneInfo(name)
        for ts in range(start, start + 3 * 366 * 86_400, 3_599 * 7):
            expected = datetime.fromtimestamp(ts, tz).utcoffset()
            assert utc_offset_minutes(zone, ts) * 60 == expected.total_seconds(), (name, ts)


# ---------------------------------------------------------------- deliberate dirt


def _customer_dirt(landing: Landing) -> dict[str, int]:
    rows = landing.customers
    ids = Counter(r["customer_id"] for r in rows if r["customer_id"])

    def valid_zone(name: str) -> bool:
        try:
            ZoneInfo(name)
        except (ValueError, KeyError, OSError):
            return False
        return "/" in name

    def valid_date(text: str) -> bool:
        try:
            date.fromisoformat(text)
        except ValueError:
            return False
        return True

    return {
        "invalid_email": sum(bool(r["email"]) and not EMAIL.match(r["email"]) for r in rows),
        "invalid_phone": sum(
            bool(r["phone"]) and not E164.match(r["phone"]) and not NATIONAL.match(r["phone"])
            for r in rows
        ),
        "national_format_phone": sum(bool(NATIONAL.match(r["phone"])) for r in rows),
        "invalid_timezone": sum(
            bool(r["timezone"]) and not valid_zone(r["timezone"]) for r in rows
        ),
        "empty_timezone": sum(r["timezone"] == "" for r in rows),
        "impossible_birth_date": sum(not valid_date(r["birth_date"]) for r in rows),
        "duplicate_customer": sum(count > 1 for count in ids.values()),
        "missing_customer_id": sum(r["customer_id"] == "" for r in rows),
    }


def _found_dirt(landing: Landing) -> dict[str, int]:
    wrong_headers = 0
    for path in (landing.root / CRM_CUSTOMERS.folder).glob("*.csv"):
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        wrong_headers += tuple(header.split(",")) != CRM_CUSTOMERS.columns
    return {
        **_customer_dirt(landing),
        "missing_event_id": sum(e["event_id"] == "" for e in landing.events),
        "malformed_json_line": len(landing.broken_lines),
        "missing_pos_product_id": sum(r["product_id"] == "" for r in landing.pos),
        "wrong_header_file": wrong_headers,
    }


def test_every_kind_of_dirt_counted_is_found_in_the_files(landing: Landing) -> None:
    counted = landing.summary.dirt
    assert all(count >= 1 for count in counted.values()), counted
    assert _found_dirt(landing) == counted


def test_dirt_stays_rare(landing: Landing) -> None:
    dirty_rows = sum(v for k, v in _customer_dirt(landing).items())
    assert dirty_rows / len(landing.customers) < 0.12
    assert len(landing.broken_lines) / len(landing.events) < 0.01


def test_duplicates_are_reexported_later_with_a_newer_update_and_a_change(landing: Landing) -> None:
    rows = defaultdict(list)
    for path in sorted((landing.root / CRM_CUSTOMERS.folder).glob("customers_*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["customer_id"]:
                    rows[row["customer_id"]].append((path.name, row))
    duplicated = [versions for versions in rows.values() if len(versions) > 1]
    assert duplicated
    for (first_file, first), (later_file, later) in duplicated:
        assert later_file > first_file
        assert instant(later["updated_at"]) > instant(first["updated_at"])
        changed = {k for k in first if first[k] != later[k]} - {"updated_at"}
        assert len(changed) == 1, changed
