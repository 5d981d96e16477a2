"""Validation, estimation and editing (VEE) of meter rows, vectorised.

`validate` is a pure function of the rows, the registry and the thresholds. Every
input row ends up either accepted or quarantined (never both, never dropped); the
rules, their precedence and thresholds are documented in docs/meter-data.md.

Accepted rows become *reading slots*: energy per meter and reading interval
(`slot_start_s`, length `reading_interval_s`). Interval rows are slots already;
register rows become the difference to the meter's previous trusted register, spread
evenly over the slots between the two readings (estimated when more than one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from oracles.meter.config import IntArray, MeterRegistry, VeeConfig
from oracles.meter.reasons import REASONS, Reason, code_of
from oracles.meter.schema import RawReadings, ReadingKind

BoolArray = NDArray[np.bool_]

#: Energies are clamped here before the spike test so that products stay in int64;
#: anything this large is a spike for every rated power the registry accepts.
_CLAMP_WH = 10**12
#: 100 (percent) x 3600 (seconds per hour): rated W x interval s x (100 + tol) / this.
_SCALE = 360_000

SLOT_COLUMNS = (
    "meter_id",
    "slot_start_s",
    "import_wh",
    "export_wh",
    "estimated",
    "source",
    "source_row",
)
QUARANTINE_COLUMNS = (
    "position",
    "source",
    "source_row",
    "meter_id",
    "timestamp_s",
    "reason",
    "message",
)
REGISTER_COLUMNS = ("meter_id", "timestamp_s", "import_register_wh", "export_register_wh")


@dataclass(frozen=True, eq=False)
class VeeOutcome:
    """What validation made of one `RawReadings`.

    - `readings`: accepted reading slots (`SLOT_COLUMNS`), integers in Wh.
    - `quarantined`: one row per refused input row (`QUARANTINE_COLUMNS`); `position`
      is the row's 0-based position in the input frame.
    - `accepted_positions`: input positions that were accepted (for registers, a
      meter's first reading is accepted as the baseline and yields no slot).
    - `registers`: for register sources, each meter's last trusted register reading,
      the baseline for the next file (`REGISTER_COLUMNS`); empty for interval sources.
    - `rollovers`: register roll-overs that were unwrapped (edited, not quarantined).
    """

    kind: ReadingKind
    reading_interval_s: int
    readings: pd.DataFrame
    quarantined: pd.DataFrame
    accepted_positions: IntArray
    registers: pd.DataFrame
    rollovers: int

    def reason_counts(self) -> dict[str, int]:
        counts = self.quarantined["reason"].value_counts()
        return {str(k): int(v) for k, v in counts.items()}


def validate(
    raw: RawReadings,
    registry: MeterRegistry,
    config: VeeConfig,
    *,
    baseline: pd.DataFrame | None = None,
) -> VeeOutcome:
    """Validate `raw`; `baseline` (register sources only) holds each meter's last
    trusted register reading from earlier sources (`REGISTER_COLUMNS`)."""
    frame = raw.frame
    a_col, b_col = raw.schema.value_columns
    n = len(frame)
    meter = frame["meter_id"]
    ts = frame["timestamp_s"].to_numpy(dtype=np.int64)
    a = frame[a_col].to_numpy(dtype=np.int64)
    b = frame[b_col].to_numpy(dtype=np.int64)
    # The registry position is the meter's code from here on: one hash lookup per row,
    # and the accepted rows carry it as a categorical, so aggregation needs no hashing.
    reg_pos = registry.locate(meter) if n else np.zeros(0, np.int64)
    known = reg_pos >= 0
    codes = reg_pos
    safe_pos = np.where(known, reg_pos, 0)
    rated = registry.rated_power_w[safe_pos] if len(registry) else np.zeros(n, np.int64)
    reg_max = registry.register_max_wh[safe_pos] if len(registry) else np.zeros(n, np.int64)

    reason = _row_rules(raw, frame, ts, a, b, known, rated, reg_max, config)
    # Per-reason facts for the messages: copies or span, previous registers.
    extra = np.zeros((n, 3), dtype=np.int64)

    ok = reason == 0
    dup_reason, dup_count = _duplicates(codes, ts, a, b, ok, config)
    reason = np.where(ok, dup_reason, reason).astype(np.int8)
    extra[:, 0] = np.where(dup_reason > 0, dup_count, extra[:, 0])

    rollovers = 0
    if raw.kind is ReadingKind.INTERVAL:
        ok = reason == 0
        sel = np.flatnonzero(ok)
        readings = pd.DataFrame(
            {
                "meter_id": _meters(registry, reg_pos[sel]),
                "slot_start_s": ts[sel],
                "import_wh": a[sel],
                "export_wh": b[sel],
                "estimated": np.zeros(len(sel), dtype=bool),
                "source": _sources(frame, raw.source, sel),
                "source_row": frame["source_row"].to_numpy(dtype=np.int64)[sel],
            }
        )
        registers = pd.DataFrame({c: [] for c in REGISTER_COLUMNS})
    else:
        seq = _register_sequence(
            raw, registry, codes, ts, a, b, reason == 0, rated, reg_max, config, baseline
        )
        reason = np.where(seq.reason > 0, seq.reason, reason).astype(np.int8)
        extra = np.where(seq.reason[:, None] > 0, seq.extra, extra)
        readings, registers, rollovers = seq.readings, seq.registers, seq.rollovers

    accepted = np.flatnonzero(reason == 0).astype(np.int64)
    quarantined = _quarantine_frame(raw, reason, extra, rated, reg_max, config)
    return VeeOutcome(
        kind=raw.kind,
        reading_interval_s=config.reading_interval_s,
        readings=readings.reset_index(drop=True),
        quarantined=quarantined,
        accepted_positions=accepted,
        registers=registers,
        rollovers=rollovers,
    )


def _sources(frame: pd.DataFrame, source: str, sel: IntArray) -> pd.Categorical:
    if "source" in frame.columns:
        return pd.Categorical(frame["source"].to_numpy()[sel])
    return pd.Categorical.from_codes(np.zeros(len(sel), dtype=np.int8), categories=[source])


def _meters(registry: MeterRegistry, positions: IntArray) -> pd.Categorical:
    return pd.Categorical.from_codes(positions, dtype=registry.meter_dtype)


def _row_rules(
    raw: RawReadings,
    frame: pd.DataFrame,
    ts: IntArray,
    a: IntArray,
    b: IntArray,
    known: BoolArray,
    rated: IntArray,
    reg_max: IntArray,
    config: VeeConfig,
) -> NDArray[np.int8]:
    """Reason code of the first failing row rule (0: all passed), in `Reason` order."""
    n = len(frame)
    r = config.reading_interval_s
    if "malformed" in frame.columns:
        malformed = frame["malformed"].to_numpy(dtype=object)
        bad_ts = malformed == "timestamp"
        bad_value = (malformed != "") & ~bad_ts
    else:
        bad_ts = bad_value = np.zeros(n, dtype=bool)
    if "unit" in frame.columns:
        wrong_unit = (frame["unit"] != config.unit).to_numpy(dtype=bool)
    else:
        wrong_unit = np.zeros(n, dtype=bool)
    negative = (a < 0) | (b < 0)
    conditions: dict[Reason, BoolArray] = {
        Reason.MALFORMED_VALUE: bad_value,
        Reason.MALFORMED_TIMESTAMP: bad_ts,
        Reason.WRONG_UNIT: wrong_unit,
        Reason.UNKNOWN_METER: ~known,
        Reason.NEGATIVE_VALUE: negative,
        Reason.MISALIGNED_TIMESTAMP: ts % r != 0,
    }
    if raw.kind is ReadingKind.INTERVAL:
        conditions[Reason.FUTURE_TIMESTAMP] = ts + r > config.now_s + config.clock_skew_s
        conditions[Reason.OUTSIDE_WINDOW] = (ts < config.window_start_s) | (
            ts + r > config.window_end_s
        )
        biggest = np.minimum(np.maximum(a, b), _CLAMP_WH)
        conditions[Reason.SPIKE] = biggest * _SCALE > rated * r * (100 + config.spike_tolerance_pct)
    else:
        conditions[Reason.REGISTER_OUT_OF_RANGE] = (a > reg_max) | (b > reg_max)
        conditions[Reason.FUTURE_TIMESTAMP] = ts > config.now_s + config.clock_skew_s
        conditions[Reason.OUTSIDE_WINDOW] = (ts < config.window_start_s) | (
            ts > config.window_end_s
        )
    ordered = sorted(conditions.items(), key=lambda kv: code_of(kv[0]))
    return np.select(
        [mask for _, mask in ordered], [code_of(k) for k, _ in ordered], default=0
    ).astype(np.int8)


def _duplicates(
    codes: IntArray, ts: IntArray, a: IntArray, b: IntArray, ok: BoolArray, config: VeeConfig
) -> tuple[NDArray[np.int8], IntArray]:
    """Among rows that passed the row rules: copies of (meter, timestamp).

    Identical copies: the first is kept, the others are `duplicate`. Copies with
    different values: all are `conflicting_duplicate` (no way to tell which is true).
    Returns the reason code per row and the number of copies in its group.
    """
    n = len(ts)
    out = np.zeros(n, dtype=np.int8)
    count = np.zeros(n, dtype=np.int64)
    idx = np.flatnonzero(ok)
    if len(idx) < 2:
        return out, count
    slots = (config.window_end_s - config.window_start_s) // config.reading_interval_s + 1
    key = codes[idx] * slots + (ts[idx] - config.window_start_s) // config.reading_interval_s
    order = np.argsort(key, kind="stable")
    k = key[order]
    starts = np.r_[True, k[1:] != k[:-1]]
    if starts.all():
        return out, count
    group = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    size = np.diff(np.r_[first, len(k)])
    sa, sb = a[idx][order], b[idx][order]
    differs = (sa != sa[first][group]) | (sb != sb[first][group])
    conflict = np.logical_or.reduceat(differs, first)
    in_dup = size[group] > 1
    reason = np.zeros(len(k), dtype=np.int8)
    reason[in_dup & conflict[group]] = code_of(Reason.CONFLICTING_DUPLICATE)
    reason[in_dup & ~conflict[group] & ~starts] = code_of(Reason.DUPLICATE)
    out[idx[order]] = reason
    count[idx[order]] = np.where(in_dup, size[group], 0)
    return out, count


@dataclass(frozen=True, eq=False)
class _Sequence:
    reason: NDArray[np.int8]
    extra: NDArray[np.int64]
    readings: pd.DataFrame
    registers: pd.DataFrame
    rollovers: int


def _register_sequence(
    raw: RawReadings,
    registry: MeterRegistry,
    codes: IntArray,
    ts: IntArray,
    a: IntArray,
    b: IntArray,
    ok: BoolArray,
    rated: IntArray,
    reg_max: IntArray,
    config: VeeConfig,
    baseline: pd.DataFrame | None,
) -> _Sequence:
    """Differences between consecutive trusted register readings of each meter.

    A backward step is a roll-over when the register wrapped (the unwrapped step is
    within the rated power); otherwise a reset. A reset or spike row is quarantined,
    its interval's energy is unknown, and its value is the baseline of the next one.
    """
    n = len(ts)
    r = config.reading_interval_s
    idx = np.flatnonzero(ok)
    m_code, m_ts, m_a, m_b = codes[idx], ts[idx], a[idx], b[idx]
    m_pos = idx
    m_rated, m_max = rated[idx], reg_max[idx]
    if baseline is not None and len(baseline):
        base_codes = registry.locate(baseline["meter_id"])
        keep = base_codes >= 0
        bc = base_codes[keep].astype(np.int64)
        b_ts = baseline["timestamp_s"].to_numpy(dtype=np.int64)[keep]
        b_a = baseline["import_register_wh"].to_numpy(dtype=np.int64)[keep]
        b_b = baseline["export_register_wh"].to_numpy(dtype=np.int64)[keep]
        m_code = np.r_[m_code, bc]
        m_ts = np.r_[m_ts, b_ts]
        m_a = np.r_[m_a, b_a]
        m_b = np.r_[m_b, b_b]
        m_pos = np.r_[m_pos, np.full(len(bc), -1, dtype=np.int64)]
        m_rated = np.r_[m_rated, registry.rated_power_w[bc]]
        m_max = np.r_[m_max, registry.register_max_wh[bc]]
    order = np.lexsort((m_pos >= 0, m_ts, m_code))
    # Baseline rows sort before input rows at the same instant and are then dropped.
    c, t, va, vb, pos = m_code[order], m_ts[order], m_a[order], m_b[order], m_pos[order]
    rated_s, max_s = m_rated[order], m_max[order]
    same_instant = np.r_[False, (c[1:] == c[:-1]) & (t[1:] == t[:-1])]
    drop = np.r_[same_instant[1:], False] & (pos < 0)
    keep = ~drop
    c, t, va, vb, pos, rated_s, max_s = (x[keep] for x in (c, t, va, vb, pos, rated_s, max_s))

    has_prev = np.r_[False, c[1:] == c[:-1]]
    prev_t = np.r_[0, t[:-1]]
    prev_a = np.r_[0, va[:-1]]
    prev_b = np.r_[0, vb[:-1]]
    span = np.where(has_prev, (t - prev_t) // r, 1)
    limit_num = rated_s * r * (100 + config.spike_tolerance_pct)
    da, a_state = _step(va - prev_a, span, limit_num, max_s)
    db, b_state = _step(vb - prev_b, span, limit_num, max_s)
    reset = has_prev & ((a_state == _RESET) | (b_state == _RESET))
    spike = has_prev & ~reset & ((a_state == _SPIKE) | (b_state == _SPIKE))
    good = has_prev & ~reset & ~spike
    rolled = good & ((a_state == _ROLLED) | (b_state == _ROLLED))
    is_input = pos >= 0

    reason = np.zeros(n, dtype=np.int8)
    extra = np.zeros((n, 3), dtype=np.int64)
    for mask, code in ((reset, Reason.REGISTER_RESET), (spike, Reason.SPIKE)):
        hit = mask & is_input
        reason[pos[hit]] = code_of(code)
        extra[pos[hit], 0] = span[hit]
        extra[pos[hit], 1] = prev_a[hit]
        extra[pos[hit], 2] = prev_b[hit]

    produce = good & is_input
    readings = _spread(
        raw,
        registry,
        c[produce],
        prev_t[produce],
        span[produce],
        da[produce],
        db[produce],
        pos[produce],
        config,
    )
    last = np.r_[c[1:] != c[:-1], True] & is_input
    registers = pd.DataFrame(
        {
            "meter_id": _meters(registry, c[last]),
            "timestamp_s": t[last],
            "import_register_wh": va[last],
            "export_register_wh": vb[last],
        }
    )
    return _Sequence(reason, extra, readings, registers, int(rolled.sum()))


_OK, _ROLLED, _SPIKE, _RESET = 0, 1, 2, 3


def _step(
    delta: IntArray, span: IntArray, limit_num: IntArray, reg_max: IntArray
) -> tuple[IntArray, NDArray[np.int8]]:
    """Unwrap a register step and classify it against `span` rated intervals."""
    wrapped = np.where(delta < 0, delta + reg_max + 1, delta)
    within = ~_exceeds(wrapped, span, limit_num)
    state = np.where(
        delta >= 0,
        np.where(within, _OK, _SPIKE),
        np.where(within, _ROLLED, _RESET),
    ).astype(np.int8)
    return wrapped, state


def _exceeds(energy: IntArray, span: IntArray, limit_num: IntArray) -> BoolArray:
    """energy * 360000 > limit_num * span, exactly, without int64 overflow."""
    q, rem = np.divmod(limit_num, _SCALE)
    diff = np.clip(energy - q * span, -1, span + 1)
    return np.asarray(diff * _SCALE > rem * span, dtype=bool)


def _spread(
    raw: RawReadings,
    registry: MeterRegistry,
    code: IntArray,
    start: IntArray,
    span: IntArray,
    da: IntArray,
    db: IntArray,
    pos: IntArray,
    config: VeeConfig,
) -> pd.DataFrame:
    """Split each step evenly over its `span` slots; the remainder Wh go to the earliest."""
    r = config.reading_interval_s
    total = int(span.sum())
    which = np.repeat(np.arange(len(span)), span)
    offset = np.arange(total) - np.repeat(np.cumsum(span) - span, span)
    k = span[which]
    qa, ra = np.divmod(da, span)
    qb, rb = np.divmod(db, span)
    slot_start = start[which] + offset * r
    keep = slot_start >= config.window_start_s
    frame = raw.frame
    rows = pos[which]
    sel = np.flatnonzero(keep)
    return pd.DataFrame(
        {
            "meter_id": _meters(registry, code[which][sel]),
            "slot_start_s": slot_start[sel],
            "import_wh": (qa[which] + (offset < ra[which]))[sel],
            "export_wh": (qb[which] + (offset < rb[which]))[sel],
            "estimated": (k > 1)[sel],
            "source": _sources(frame, raw.source, rows[sel]),
            "source_row": frame["source_row"].to_numpy(dtype=np.int64)[rows[sel]],
        }
    )


def _quarantine_frame(
    raw: RawReadings,
    reason: NDArray[np.int8],
    extra: NDArray[np.int64],
    rated: IntArray,
    reg_max: IntArray,
    config: VeeConfig,
) -> pd.DataFrame:
    frame = raw.frame
    a_col, b_col = raw.schema.value_columns
    sel = np.flatnonzero(reason > 0)
    q = frame.iloc[sel]
    codes = reason[sel]
    out = pd.DataFrame(
        {
            "position": sel.astype(np.int64),
            "source": _sources(frame, raw.source, sel),
            "source_row": q["source_row"].to_numpy(dtype=np.int64),
            "meter_id": pd.Series(q["meter_id"].to_numpy(), dtype="str"),
            "timestamp_s": pd.array(q["timestamp_s"].to_numpy(), dtype="Int64"),
            "reason": pd.Series([str(x) for x in REASONS], dtype="str")
            .iloc[codes - 1]
            .reset_index(drop=True)
            if len(sel)
            else pd.Series([], dtype="str"),
            "message": pd.Series([""] * len(sel), dtype="str"),
        }
    )
    if not len(sel):
        return out
    m = pd.Series(q["meter_id"].to_numpy(), dtype="str")
    t = pd.Series(q["timestamp_s"].to_numpy()).astype("str")
    va = pd.Series(q[a_col].to_numpy()).astype("str")
    vb = pd.Series(q[b_col].to_numpy()).astype("str")
    e0 = pd.Series(extra[sel, 0]).astype("str")
    e1 = pd.Series(extra[sel, 1]).astype("str")
    e2 = pd.Series(extra[sel, 2]).astype("str")
    p = pd.Series(rated[sel]).astype("str")
    mx = pd.Series(reg_max[sel]).astype("str")
    col = pd.Series(q["malformed"].to_numpy() if "malformed" in q else [""] * len(sel))
    col = col.astype("str")
    raw_text = pd.Series(q["raw"].to_numpy() if "raw" in q else [""] * len(sel)).astype("str")
    unit = pd.Series(q["unit"].to_numpy() if "unit" in q else ["Wh"] * len(sel)).astype("str")
    values = f" {a_col} " + va + f" Wh, {b_col} " + vb + " Wh"
    who = "meter " + m + " at " + t + ":"
    r = config.reading_interval_s
    tol = config.spike_tolerance_pct
    kind_register = raw.kind is ReadingKind.REGISTER
    templates: dict[Reason, pd.Series] = {
        Reason.MALFORMED_VALUE: "column "
        + col
        + ": "
        + raw_text.map(repr)
        + " is not a whole number"
        + np.where(col == "meter_id", " (empty meter id)", ""),
        Reason.MALFORMED_TIMESTAMP: "column timestamp: "
        + raw_text.map(repr)
        + " is not an ISO 8601 instant with a zone, nor whole unix seconds",
        Reason.WRONG_UNIT: who + " unit " + unit.map(repr) + f", expected {config.unit!r}",
        Reason.UNKNOWN_METER: who + " meter is not registered",
        Reason.NEGATIVE_VALUE: who + values + ": must not be negative",
        Reason.REGISTER_OUT_OF_RANGE: who + values + ": above the register maximum " + mx + " Wh",
        Reason.MISALIGNED_TIMESTAMP: who + f" not a multiple of the reading interval {r} s",
        Reason.FUTURE_TIMESTAMP: who
        + (" register reading" if kind_register else f" reading interval of {r} s")
        + f" ends after now ({config.now_s} + {config.clock_skew_s} s skew)",
        Reason.OUTSIDE_WINDOW: who
        + f" outside the open window [{config.window_start_s}, {config.window_end_s})",
        Reason.SPIKE: who
        + (" register step over " + e0 + f" x {r} s" if kind_register else values)
        + " exceeds rated power "
        + p
        + f" W (+{tol}%)",
        Reason.CONFLICTING_DUPLICATE: who
        + " "
        + e0
        + " rows for this meter and time with different values; all quarantined",
        Reason.DUPLICATE: who + " identical copy of an earlier row (" + e0 + " copies); first kept",
        Reason.REGISTER_RESET: who
        + values
        + " after "
        + e1
        + " / "
        + e2
        + " Wh: register went back (reset or exchanged meter); the energy of the interval"
        + " is unknown and this reading is the new baseline",
    }
    message = np.full(len(sel), "", dtype=object)
    for reason_, text in templates.items():
        hit = codes == code_of(reason_)
        if hit.any():
            message[hit] = pd.Series(text).to_numpy(dtype=object)[hit]
    out["message"] = pd.Series(message, dtype="str")
    return out
