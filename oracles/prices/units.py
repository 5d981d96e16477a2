"""Money units and the one rounding step.

1 credit unit = 0.01 EUR-cent, prices are credit units per kWh, so

    1 EUR/MWh = 100 cent / 1000 kWh = 0.1 cent/kWh = 10 credit units per kWh.

All intermediate arithmetic is exact `Decimal`; a price is rounded exactly once, at the
end, to an integer with ROUND_HALF_EVEN (ties to the even integer, so rounding has no
bias over many intervals). Floats never touch a price.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

#: Credit units per kWh for 1 EUR/MWh.
CREDIT_PER_KWH_PER_EUR_PER_MWH = 10
#: Credit units per kWh for 1 EUR-cent/kWh.
CREDIT_PER_KWH_PER_CENT_PER_KWH = 100
#: Decimal digits of every intermediate result; far more than any price needs.
PRECISION = 40


def parse_decimal(text: str) -> Decimal:
    """A decimal number as written (`"-12.34"`, `"1e2"`); raises ValueError otherwise."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return value


def eur_per_mwh_to_credit(value: Decimal) -> Decimal:
    """Exact conversion; round with `round_credit` once all markups are applied."""
    return value * CREDIT_PER_KWH_PER_EUR_PER_MWH


def round_credit(value: Decimal) -> int:
    """The one rounding step: to an integer credit unit per kWh, ties to even."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
