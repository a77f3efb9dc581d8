"""The ``senders`` resource as a run gets it: configured from the settings as the definitions
configure it, then initialised by Dagster, which reads its ``EnvVar`` fields."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dagster import build_resources

from orchestration.resources import senders_resource
from orchestration.sender_factory import Senders
from orchestration.settings import Settings


@contextmanager
def configured_senders(settings: Settings) -> Iterator[Senders]:
    with build_resources({"senders": senders_resource(settings)}) as resources:
        yield resources.senders
