"""Machine-readable reason codes of quarantined meter rows."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a row was quarantined; the value is stored and queried as is.

    The order of the members is the precedence: a row failing several rules is
    quarantined once, with the first reason in this order.
    """

    MALFORMED_VALUE = "malformed_value"
    MALFORMED_TIMESTAMP = "malformed_timestamp"
    WRONG_UNIT = "wrong_unit"
    UNKNOWN_METER = "unknown_meter"
    NEGATIVE_VALUE = "negative_value"
    REGISTER_OUT_OF_RANGE = "register_out_of_range"
    MISALIGNED_TIMESTAMP = "misaligned_timestamp"
    FUTURE_TIMESTAMP = "future_timestamp"
    OUTSIDE_WINDOW = "outside_window"
    SPIKE = "spike"
    CONFLICTING_DUPLICATE = "conflicting_duplicate"
    DUPLICATE = "duplicate"
    REGISTER_RESET = "register_reset"
    CONFLICTS_STORED = "conflicts_stored"
    #: A bus message that is not a reading at all (not JSON, a field missing or of the
    #: wrong type, or a meter id other than its subject's); kept last so that the
    #: compact codes of the row rules above do not change.
    MALFORMED_MESSAGE = "malformed_message"


#: Reason codes in precedence order; index + 1 is the compact int8 code used in arrays.
REASONS: tuple[Reason, ...] = tuple(Reason)
OK_CODE = 0


def code_of(reason: Reason) -> int:
    return REASONS.index(reason) + 1
