"""Meter data: read files and bus messages, validate (VEE), aggregate, persist.

The chain-facing meter oracle calls, in order:
`read_meter_file` (or `messages_to_readings`) -> `validate` -> `aggregate` ->
`records.store_outcome`; it posts the complete intervals of `records.interval_readings`.
"""

from oracles.meter.aggregate import aggregate, missing_slots
from oracles.meter.config import MeterRegistry, MeterSpec, VeeConfig
from oracles.meter.errors import MeterConfigError, MeterFileRefused
from oracles.meter.messages import MeterReadingMessage, messages_to_readings
from oracles.meter.reader import read_meter_file
from oracles.meter.reasons import Reason
from oracles.meter.schema import (
    INTERVAL_SCHEMA,
    REGISTER_SCHEMA,
    RawReadings,
    ReadingKind,
    canonical_frame,
)
from oracles.meter.vee import VeeOutcome, validate

__all__ = [
    "INTERVAL_SCHEMA",
    "REGISTER_SCHEMA",
    "MeterConfigError",
    "MeterFileRefused",
    "MeterReadingMessage",
    "MeterRegistry",
    "MeterSpec",
    "RawReadings",
    "ReadingKind",
    "Reason",
    "VeeConfig",
    "VeeOutcome",
    "aggregate",
    "canonical_frame",
    "messages_to_readings",
    "missing_slots",
    "read_meter_file",
    "validate",
]
