"""What customers typed reaches the Dagster UI's Markdown metadata as text: a preview of a
rendered message and the table of rejected rows never carry live HTML, links or table rows."""

from __future__ import annotations

from assets.campaign_step import CampaignResult
from assets.file_ingestion import QuarantinedFile, SourceIngestion
from assets.ingest import materialize_result
from models.landing import CRM_CUSTOMERS

HOSTILE_NAME = "<script>alert(1)</script> [x](javascript:alert(1)) `Ann` | Lee"


def test_a_preview_of_a_message_to_a_hostile_name_shows_the_name_as_text(dbt_manifest):
    from assets.campaigns import campaign_metadata  # the dbt assets read the manifest at import

    result = CampaignResult(
        preview={
            "channel": "email",
            "locale": "en",
            "subject": f"Happy birthday, {HOSTILE_NAME}",
            "text": f"Dear {HOSTILE_NAME},\n# not a heading\nSee you soon.",
        }
    )

    preview = campaign_metadata(result)["preview"].value

    assert "<script>" not in preview and "&lt;script&gt;" in preview
    assert "](javascript" not in preview and r"\]\(javascript" in preview
    assert "`Ann`" not in preview
    assert "\n# not a heading" not in preview
    assert [line for line in preview.splitlines() if line.startswith(">")] == [
        line for line in preview.splitlines()[-3:]
    ], "every body line stays inside the quote"


def test_a_quarantined_file_error_quoting_a_row_keeps_the_rejects_table_whole():
    ingestion = SourceIngestion(source=CRM_CUSTOMERS)
    ingestion.quarantined.append(
        QuarantinedFile(
            path="crm/customers/bad.csv",
            moved_to="_rejected/crm/customers/bad.csv",
            error=f"row 2: {HOSTILE_NAME}\n| forged | 999 |",
        )
    )

    table = materialize_result(ingestion).metadata["rejects"].value
    rows = table.splitlines()

    assert len(rows) == 3, "header, rule and the one quarantined file"
    assert rows[2].count("|") - rows[2].count(r"\|") == 3
    assert "<script>" not in table and "](javascript" not in table
