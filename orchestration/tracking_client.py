"""The tracking service (``touchpoint serve``) as the outside world reaches it, over plain HTTP:
a mail client loading an open pixel, a reader following a signed link, an SMS gateway posting
an inbound SMS signed with ``X-Touchpoint-Signature`` (``models.webhook_signature``).

A link is requested at the service's own address, whatever host the mail named: the service
answers by path and query (a proxy in front of it does the same). Redirects are not followed:
a click's answer is the redirect itself, to a shop that need not exist.
"""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

import orjson

from models.webhook_signature import HEADER, body_signature


class TrackingClient:
    def __init__(self, base_url: str, secret: str, timeout: float = 10.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"the tracking service's URL must be http(s)://host[:port], got {base_url!r}"
            )
        self._connection = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        self._host = parts.netloc
        self._secret = secret
        self._timeout = timeout

    def wait_until_up(self, timeout: float) -> None:
        """Until ``GET /health`` answers 200 (the service and its database are up)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._request("GET", "/health") == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"no tracking service answered at {self._host} in {timeout:.0f} s"
                )
            time.sleep(0.25)

    def follow(self, link: str) -> int:
        """GET a link found in a mail; the status (200 for a pixel, 302 for a click)."""
        parts = urlsplit(link)
        return self._request("GET", f"{parts.path}?{parts.query}" if parts.query else parts.path)

    def text_in(self, number: str, text: str, inbound_id: str, to: str) -> int:
        """POST an inbound SMS as a gateway does, signed; the status."""
        body = orjson.dumps({"from": number, "to": to, "text": text, "id": inbound_id})
        headers = {HEADER: body_signature(self._secret, body), "content-type": "application/json"}
        return self._request("POST", "/sms/inbound", body, headers)

    def _request(
        self, method: str, target: str, body: bytes | None = None, headers: dict | None = None
    ) -> int:
        connection = self._connection(self._host, timeout=self._timeout)
        try:
            connection.request(method, target, body=body, headers=headers or {})
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()
