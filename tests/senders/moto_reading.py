"""Reading back from moto's server what it was sent: its model data, and its request recorder.

moto keeps a published SMS as phone number and text only; its recorder keeps whole requests, so
the message attributes are read from there. The recorder appends to ``moto_recording`` in the
current folder: tests change into a temporary folder first.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from urllib.parse import parse_qs


def moto_models(endpoint: str, service: str, model: str) -> list[dict]:
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=5) as response:
        return json.load(response).get(service, {}).get(model, [])


def recorder(endpoint: str, action: str) -> str:
    request = urllib.request.Request(f"{endpoint}/moto-api/recorder/{action}", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


def recorded_requests(endpoint: str) -> list[dict]:
    """The recorded request bodies, form-encoded or JSON, as dicts of single values."""
    bodies = []
    for line in recorder(endpoint, "download-recording").splitlines():
        entry = json.loads(line)
        body = entry.get("body") or ""
        if entry.get("body_encoded"):
            body = base64.b64decode(body).decode()
        if body.startswith("{"):
            bodies.append(json.loads(body))
        else:
            bodies.append({key: values[-1] for key, values in parse_qs(body).items()})
    return bodies


def message_attributes(request: dict) -> dict[str, str]:
    """The MessageAttributes of a recorded query-protocol call (SNS Publish), by name."""
    names = {k: v for k, v in request.items() if k.startswith("MessageAttributes.entry.")}
    return {
        value: names[key.replace(".Name", ".Value.StringValue")]
        for key, value in names.items()
        if key.endswith(".Name")
    }
