"""Opens, clicks and one-click unsubscribes: signed links only, each recorded once per use."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from models.tracking import TrackingLinks, sign_click
from tests.tracking.service_rows import (
    SECRET,
    TRACKING_URL,
    add_sent,
    events,
    suppression,
)
from tracking.link_routes import PIXEL

LINKS = TrackingLinks(TRACKING_URL, SECRET)


def local(url: str) -> str:
    """The path and query of a link: the service answers those whatever host it runs on."""
    return url.removeprefix(TRACKING_URL)


def test_an_open_pixel_records_the_open_and_returns_an_uncached_gif(client, conn):
    message_id = add_sent(conn, "C1")

    response = client.get(local(LINKS.open_pixel(message_id)))

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/gif"
    assert response.content == PIXEL and response.content.startswith(b"GIF89a")
    assert "no-store" in response.headers["cache-control"]
    [opened] = events(conn, type="opened")
    assert (opened["message_id"], opened["customer_id"], opened["channel"]) == (
        message_id,
        "C1",
        "email",
    )


def test_a_forged_or_altered_open_link_is_403_and_records_nothing(client, conn):
    message_id, other = add_sent(conn, "C1"), add_sent(conn, "C2")
    genuine = local(LINKS.open_pixel(message_id))
    signature = genuine.split("sig=")[1]

    forged = [
        f"/o/{message_id}.gif?sig={'A' * 43}",
        f"/o/{message_id}.gif",
        f"/o/{other}.gif?sig={signature}",  # another message's id under this signature
        f"/o/{str(message_id).upper()}.gif?sig={signature}",
        f"/o/{message_id}.gif?sig={signature}&sig={signature}",
        f"/c/{message_id}?url=https%3A%2F%2Fshop.example%2F&sig={signature}",  # open sig, click
    ]
    answers = [client.get(path).status_code for path in forged]

    assert answers == [403] * len(forged)
    assert events(conn) == []


def test_a_click_redirects_to_exactly_the_signed_url_and_records_it(client, conn):
    message_id = add_sent(conn, "C1")
    target = "https://shop.example/offre?a=1&b=caf%C3%A9#top"

    response = client.get(local(LINKS.click(message_id, target)))

    assert response.status_code == 302
    assert response.headers["location"] == target
    [clicked] = events(conn, type="clicked")
    assert clicked["detail"] == {"url": target}
    assert clicked["customer_id"] == "C1"


def test_a_click_link_never_redirects_anywhere_it_was_not_signed_for(client, conn):
    message_id = add_sent(conn, "C1")
    signed = "https://shop.example/offre"
    signature = sign_click(SECRET, message_id, signed)
    evil = quote("https://evil.example/", safe="")

    attempts = [
        f"/c/{message_id}?url={evil}&sig={signature}",
        f"/c/{message_id}?url={quote(signed, safe='')}&url={evil}&sig={signature}",
        f"/c/{message_id}?url={quote(signed + '/', safe='')}&sig={signature}",
        f"/c/{message_id}?sig={signature}",
        f"/c/{message_id}?url={evil}",
    ]
    answers = [client.get(path) for path in attempts]

    assert [a.status_code for a in answers] == [403] * len(attempts)
    assert all("location" not in a.headers for a in answers)
    assert events(conn) == []


def test_a_signed_link_to_a_message_no_longer_in_the_outbox_still_answers_but_records_nothing(
    client, conn
):
    gone = uuid.uuid4()

    pixel = client.get(local(LINKS.open_pixel(gone)))
    click = client.get(local(LINKS.click(gone, "https://shop.example/")))
    unsubscribe = client.post(local(LINKS.unsubscribe(gone)))

    assert (pixel.status_code, click.status_code, unsubscribe.status_code) == (200, 302, 404)
    assert events(conn) == []


def test_the_unsubscribe_link_shows_a_page_and_only_a_post_unsubscribes(client, conn):
    message_id = add_sent(conn, "C1")
    link = local(LINKS.unsubscribe(message_id))

    page = client.get(link)
    assert page.status_code == 200 and '<form method="post">' in page.text
    assert events(conn) == []  # a link scanner's GET changes nothing

    done = client.post(link, data={"List-Unsubscribe": "One-Click", "via": "page"})

    assert done.status_code == 200 and "unsubscribed" in done.text
    [unsubscribed] = events(conn, type="unsubscribed")
    assert (unsubscribed["customer_id"], unsubscribed["channel"]) == ("C1", "email")
    assert unsubscribed["detail"] == {"via": "page"}
    assert suppression(conn, "C1", "email") == "unsubscribed"
    assert suppression(conn, "C1", "sms") is None


def test_an_rfc_8058_one_click_post_unsubscribes_once_however_often_it_comes(client, conn):
    message_id = add_sent(conn, "C1")
    link = local(LINKS.unsubscribe(message_id))
    one_click = {
        "content": b"List-Unsubscribe=One-Click",
        "headers": {"content-type": "application/x-www-form-urlencoded"},
    }

    answers = [client.post(link, **one_click).status_code for _ in range(3)]

    assert answers == [200, 200, 200]
    [unsubscribed] = events(conn, type="unsubscribed")
    assert unsubscribed["detail"] == {"via": "one-click"}


def test_unsubscribing_again_after_opting_back_in_is_recorded_again(client, conn):
    message_id = add_sent(conn, "C1")
    link = local(LINKS.unsubscribe(message_id))
    client.post(link, content=b"List-Unsubscribe=One-Click")
    conn.execute(
        "insert into messaging.message_events (customer_id, channel, type, occurred_at) "
        "values ('C1', 'email', 'opted_in', now())"
    )

    client.post(link, content=b"List-Unsubscribe=One-Click")

    assert len(events(conn, type="unsubscribed")) == 2
    assert suppression(conn, "C1", "email") == "unsubscribed"


def test_a_forged_unsubscribe_link_is_403_for_get_and_post(client, conn):
    message_id = add_sent(conn, "C1")
    forged = f"/u/{message_id}?sig={LINKS.open_pixel(message_id).split('sig=')[1]}"

    assert client.get(forged).status_code == 403
    assert client.post(forged, content=b"List-Unsubscribe=One-Click").status_code == 403
    assert events(conn) == []


def test_link_checkers_head_requests_get_the_answer_without_an_event(client, conn):
    message_id = add_sent(conn, "C1")

    pixel = client.head(local(LINKS.open_pixel(message_id)))
    click = client.head(local(LINKS.click(message_id, "https://shop.example/")))

    assert (pixel.status_code, click.status_code) == (200, 302)
    assert events(conn) == []
