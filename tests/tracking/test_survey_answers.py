"""Survey answers by e-mail: each of the eleven signed links records its score on its message
(the latest answer counting, a repeat of it adding nothing) and thanks the reader in the
message's language; a link altered in any way is refused and writes nothing."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from models.tracking import TrackingLinks, sign_survey, sign_unsubscribe
from tests.tracking.service_rows import SECRET, TRACKING_URL, add_sent, events

LINKS = TrackingLinks(TRACKING_URL, SECRET)
SURVEY = "vehicle_lifecycle.survey_email"


def answer(message_id: uuid.UUID, score: int) -> str:
    """The path and query of the answer link: the service answers those whatever its host."""
    return LINKS.survey_answer(message_id, score).removeprefix(TRACKING_URL)


def scores(conn, message_id: uuid.UUID) -> list[int]:
    return [e["detail"]["score"] for e in events(conn, message_id=message_id)]


def test_an_answer_link_records_its_score_on_the_message_and_thanks_in_its_language(client, conn):
    message_id = add_sent(conn, "C1", campaign=SURVEY, locale="fr-BE")

    page = client.get(answer(message_id, 9))

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text and "<h1>Merci !</h1>" in page.text
    assert "9 sur 10" in page.text
    assert "no-store" in page.headers["cache-control"]
    assert page.headers["referrer-policy"] == "no-referrer"
    [answered] = events(conn)
    assert (answered["type"], answered["message_id"], answered["customer_id"]) == (
        "survey_answered",
        message_id,
        "C1",
    )
    assert (answered["channel"], answered["detail"]) == ("email", {"score": 9})


def test_a_language_without_words_of_its_own_is_thanked_in_plain_english(client, conn):
    message_id = add_sent(conn, "C1", campaign=SURVEY, locale="pt-BR")

    page = client.get(answer(message_id, 0))

    assert '<html lang="en">' in page.text and "You gave us 0 out of 10" in page.text


def test_a_changed_answer_is_recorded_after_the_first_and_a_repeat_adds_nothing(client, conn):
    message_id = add_sent(conn, "C1", campaign=SURVEY)

    for score in (3, 3, 9, 9, 9):
        assert client.get(answer(message_id, score)).status_code == 200

    assert scores(conn, message_id) == [3, 9]


def test_the_same_answer_arriving_at_once_is_recorded_once(live_service, conn):
    message_id = add_sent(conn, "C1", campaign=SURVEY)

    def tap(_: int) -> int:
        with httpx.Client(base_url=live_service, timeout=10) as client:
            return client.get(answer(message_id, 10)).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(tap, range(6)))

    assert answers == [200] * 6
    assert scores(conn, message_id) == [10]


def test_a_tampered_answer_link_is_refused_and_writes_nothing(client, conn):
    message_id, other = add_sent(conn, "C1", campaign=SURVEY), add_sent(conn, "C2")
    signature = sign_survey(SECRET, message_id, 9)
    tampered = [
        f"/s/{message_id}?score=10&sig={signature}",  # another score under the 9's signature
        f"/s/{message_id}?score=09&sig={signature}",
        f"/s/{message_id}?score=11&sig={signature}",
        f"/s/{other}?score=9&sig={signature}",  # another message
        f"/s/{str(message_id).upper()}?score=9&sig={signature}",
        f"/s/{message_id}?score=9",
        f"/s/{message_id}?sig={signature}",
        f"/s/{message_id}?score=9&score=10&sig={signature}",
        f"/s/{message_id}?score=9&sig={signature}&sig={signature}",
        f"/s/{message_id}?score=9&sig={sign_unsubscribe(SECRET, message_id)}",
        f"/s/{message_id}?score=9&sig={sign_survey('another secret', message_id, 9)}",
    ]

    pages = [client.get(path) for path in tampered]

    assert [page.status_code for page in pages] == [403] * len(tampered)
    assert all("not recorded" in page.text for page in pages)
    assert events(conn) == []


def test_an_answer_to_a_message_no_longer_in_the_outbox_is_not_found_and_writes_nothing(
    client, conn
):
    page = client.get(answer(uuid.uuid4(), 8))

    assert page.status_code == 404 and "not recorded" in page.text
    assert events(conn) == []


def test_a_head_request_from_a_link_checker_records_nothing(client, conn):
    message_id = add_sent(conn, "C1", campaign=SURVEY)

    assert client.head(answer(message_id, 7)).status_code == 200
    assert events(conn) == []
