"""boto3 clients for send calls, and what an AWS error means for a message.

Clients make exactly one attempt: botocore's own retries would resend a request whose answer
timed out, and the mail or SMS would go out twice (docs/architecture.md, Exactly once). Retries
are ours, and only for errors where AWS surely did not take the message. The endpoint comes from
boto3's own settings (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_SESV2``,
``AWS_ENDPOINT_URL_SNS``).

An error is classified by when it happened:

- no connection was made (refused, DNS, connect timeout, TLS handshake): retryable;
- AWS answered with an error: throttling, 5xx, and our own credentials or permissions (the
  message is not at fault, and nothing was sent) are retryable; any other refusal is permanent;
- the request went out and no answer came (read timeout, connection dropped): in doubt, since
  AWS may have accepted it.

A 5xx is taken as "not accepted", as AWS documents for its retryable errors; it is the one
place where a duplicate remains possible, and it is what every AWS SDK retries too.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    ParamValidationError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from models.messages import SendFailure

_RETRYABLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "Throttled",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",  # SES: sending quota or rate reached; it refills
        "SendingPausedException",  # sending paused for the account or configuration set
        "KMSThrottling",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalError",
        "InternalErrorException",
        "InternalFailure",
        "RequestTimeout",
        "RequestTimeoutException",
        # our credentials or permissions: fix the setting and the message can go
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "AccessDenied",
        "AccessDeniedException",
        "AuthorizationError",
    }
)
_OPTED_OUT_CODES = frozenset({"OptedOut", "OptedOutException"})


def send_client(service: str, *, connect_timeout: float = 5, read_timeout: float = 15) -> Any:
    """A boto3 client that makes one attempt per call (no SDK retries)."""
    config = Config(
        retries={"total_max_attempts": 1},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )
    return boto3.session.Session().client(service, config=config)


def classify_aws_error(error: BotoCoreError | ClientError, operation: str) -> SendFailure:
    """What a failed send call means for the message (see the module docstring)."""
    if isinstance(error, ClientError):
        return _classify_answer(error, operation)
    if isinstance(error, BotoConnectionError | NoCredentialsError | PartialCredentialsError):
        return SendFailure.transient(f"{operation}: not sent: {error}")
    if isinstance(error, ParamValidationError):
        return SendFailure.permanent(f"{operation}: not sent: {error}")
    if isinstance(error, HTTPClientError):
        return SendFailure.unknown_outcome(
            f"{operation}: sent, but no answer came back ({error}); it may have been accepted"
        )
    return SendFailure.unknown_outcome(f"{operation}: outcome unknown: {error}")


def _classify_answer(error: ClientError, operation: str) -> SendFailure:
    details = error.response.get("Error", {})
    code = details.get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    reason = f"{operation}: {code or status}: {details.get('Message', '')}".rstrip(": ")
    if code in _OPTED_OUT_CODES:
        return SendFailure.permanent(reason, opted_out=True)
    if code in _RETRYABLE_CODES or status == 429 or status >= 500:
        return SendFailure.transient(reason)
    return SendFailure.permanent(reason)
