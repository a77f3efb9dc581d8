"""Signed tracking links (models/tracking.py): what the tracking service will accept."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from models.tracking import (
    SURVEY_MARKER,
    TrackingLinks,
    sign_click,
    sign_open,
    sign_survey,
    sign_unsubscribe,
    survey_marker,
    verify_click,
    verify_open,
    verify_survey,
    verify_unsubscribe,
)

SECRET = "s3cret"
MESSAGE_ID = uuid.UUID("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
ID = str(MESSAGE_ID)
TARGET = "https://shop.example/p?a=1&b=2+3#top"


def test_links_follow_the_documented_scheme_and_verify():
    links = TrackingLinks("https://t.example/", SECRET)

    click = urlsplit(links.click(MESSAGE_ID, TARGET))
    query = parse_qs(click.query)

    assert click.path == f"/c/{ID}"
    assert query["url"] == [TARGET]
    assert verify_click(SECRET, ID, query["url"][0], query["sig"][0])
    assert (
        links.open_pixel(MESSAGE_ID) == f"https://t.example/o/{ID}.gif?sig={sign_open(SECRET, ID)}"
    )
    assert links.unsubscribe(ID) == f"https://t.example/u/{ID}?sig={sign_unsubscribe(SECRET, ID)}"
    assert verify_open(SECRET, ID, sign_open(SECRET, MESSAGE_ID))
    assert verify_unsubscribe(SECRET, ID, sign_unsubscribe(SECRET, MESSAGE_ID))


def test_signatures_are_url_safe_base64_of_a_sha256_hmac():
    signature = sign_click(SECRET, ID, TARGET)

    assert len(signature) == 43
    assert set(signature) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    ("message_id", "target", "secret"),
    [
        (str(uuid.uuid4()), TARGET, SECRET),  # another message
        (ID, "https://evil.example/p?a=1&b=2+3#top", SECRET),  # another target
        (ID, TARGET + "&x=1", SECRET),  # a target with something added
        (ID, TARGET, "another secret"),
        (ID.upper(), TARGET, SECRET),  # not the canonical id
        ("not-a-uuid", TARGET, SECRET),
    ],
    # Named, not shown: a random id would name the first case differently in every process.
    ids=[
        "another-message",
        "another-target",
        "target-extended",
        "another-secret",
        "id-not-canonical",
        "id-not-a-uuid",
    ],
)
def test_a_tampered_click_link_does_not_verify(message_id, target, secret):
    signature = sign_click(SECRET, ID, TARGET)

    assert not verify_click(secret, message_id, target, signature)


def test_a_signature_for_one_kind_of_link_is_worthless_for_another():
    open_signature = sign_open(SECRET, ID)

    assert not verify_unsubscribe(SECRET, ID, open_signature)
    assert not verify_click(SECRET, ID, "", open_signature)


def test_garbage_signatures_are_refused_quietly():
    for signature in ("", "x", "é" * 43, sign_open(SECRET, ID)[:-1]):
        assert not verify_open(SECRET, ID, signature)


def test_links_need_a_secret_and_a_web_base_url():
    with pytest.raises(ValueError, match="TOUCHPOINT_SECRET"):
        TrackingLinks("https://t.example", "")
    with pytest.raises(ValueError, match="https://"):
        TrackingLinks("t.example", SECRET)


def test_a_survey_answer_link_names_its_score_and_verifies_only_for_that_score():
    link = urlsplit(TrackingLinks("https://t.example", SECRET).survey_answer(MESSAGE_ID, 9))
    query = parse_qs(link.query)

    assert link.path == f"/s/{ID}"
    assert query["score"] == ["9"]
    assert query["sig"] == [sign_survey(SECRET, ID, 9)]
    assert verify_survey(SECRET, ID, "9", query["sig"][0])
    assert not any(
        verify_survey(SECRET, ID, other, query["sig"][0]) for other in ("10", "09", "8", " 9")
    )
    assert not verify_survey(SECRET, ID, "9", sign_open(SECRET, ID))


@pytest.mark.parametrize("score", [-1, 11, 9.0, "9", True, None])
def test_only_a_whole_number_from_0_to_10_is_a_survey_score(score):
    with pytest.raises(ValueError, match="from 0 to 10"):
        survey_marker(score)
    with pytest.raises(ValueError, match="from 0 to 10"):
        TrackingLinks("https://t.example", SECRET).survey_answer(MESSAGE_ID, score)


def test_the_survey_marker_is_found_for_each_score_and_nowhere_else():
    text = " ".join(survey_marker(score) for score in range(11))

    assert [int(m[1]) for m in SURVEY_MARKER.finditer(text)] == list(range(11))
    assert SURVEY_MARKER.search("touchpoint-survey:11 touchpoint-survey:x") is None
