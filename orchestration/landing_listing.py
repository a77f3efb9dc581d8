"""What the landing sensor looks at: a fingerprint per file currently in the landing zone."""

from __future__ import annotations

from assets.landing_zone import LandingZone
from models.landing import LANDING_SOURCES


def landing_fingerprints(zone: LandingZone) -> list[str]:
    fingerprints = []
    for source in LANDING_SOURCES:
        for file in zone.list_files(source):
            version = file.etag or file.modified_at.isoformat()
            fingerprints.append(f"{file.path}|{file.size}|{version}")
    return fingerprints
