"""The campaign catalog as the datamart reads it (messaging.campaigns): every built-in campaign
with its conversion window and holdout; a campaign removed from the folder stays, inactive."""

from __future__ import annotations

import psycopg

from assets.campaign_register import catalog_rows, register_campaigns
from models.campaigns import load_campaigns
from tests.assets.test_journey_rendering import built_in_journeys
from tests.models.campaign_files import BUILT_IN_CAMPAIGNS, documented_models
from warehouse.messaging_schema import migrate_messaging


def registered(conn) -> dict[str, tuple]:
    rows = conn.execute(
        "select campaign, conversion_window_days, holdout, active, voucher ->> 'kind' "
        "from messaging.campaigns"
    ).fetchall()
    return {name: rest for name, *rest in rows}


def test_every_campaign_and_journey_step_is_registered_with_its_window_and_holdout(database_url):
    specs = load_campaigns(BUILT_IN_CAMPAIGNS, documented_models())
    journeys = built_in_journeys()
    migrate_messaging(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        register_campaigns(conn, catalog_rows(specs, journeys))

        campaigns = registered(conn)
    steps = {j.campaign_of(step) for j in journeys for step in j.message_steps}
    assert set(campaigns) == {spec.name for spec in specs} | steps
    assert campaigns["abandoned_basket"] == [3, 0.1, True, None]  # basket_recovery's first step
    assert campaigns["vehicle_renewal"] == [90, 0.1, True, None]  # the step's own window
    assert campaigns["vehicle_welcome"] == [30, 0.0, True, None]
    assert campaigns["instore_cross_sell"] == [30, 0.1, True, "amount"]


def test_a_campaign_removed_from_the_folder_stays_inactive(database_url):
    specs = load_campaigns(BUILT_IN_CAMPAIGNS, documented_models())
    migrate_messaging(database_url)
    with psycopg.connect(database_url, autocommit=True) as conn:
        register_campaigns(conn, catalog_rows(specs, []))

        register_campaigns(conn, catalog_rows([s for s in specs if s.name != "winback"], []))

        campaigns = registered(conn)
    assert campaigns["winback"][2] is False
    assert campaigns["birthday"][2] is True
