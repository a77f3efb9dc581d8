"""The signature on a plain-format webhook: what an integrator's gateway sends with its body.

``X-Touchpoint-Signature: sha256=<hex>``, where ``<hex>`` is the lowercase hexadecimal
HMAC-SHA256 of the raw request body (the exact bytes sent) keyed with ``TOUCHPOINT_SECRET``
(UTF-8). Only that exact form passes: no other algorithm name, no uppercase hex, no extra
spaces — one spelling leaves nothing to normalise and nothing to get wrong. The check
recomputes the value and compares it in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Touchpoint-Signature"
_SCHEME = "sha256="


def body_signature(secret: str, body: bytes) -> str:
    """The header value that signs ``body``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return _SCHEME + digest


def body_signature_matches(secret: str, body: bytes, header_value: str) -> bool:
    expected = body_signature(secret, body).encode("ascii")
    return hmac.compare_digest(expected, header_value.encode("utf-8", "replace"))
