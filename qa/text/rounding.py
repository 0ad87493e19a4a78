"""How far a figure worked out from printed, rounded figures can be from the true one."""

from __future__ import annotations


def rate_rounding(current: float, other: float, places: int, other_is_change: bool) -> float:
    """Percentage points a growth rate computed from ``current`` and ``other`` (the prior
    figure, or the change when ``other_is_change``), each rounded to ``places`` decimals,
    can be off: a rate the document states within this of the computed one is the same
    rate, worked out from unrounded figures (20.63 / 1.96 → 1,052.55% against a printed
    1,055.4%). 0 when there is no prior figure."""
    half = 0.5 * 10 ** -places
    prior = current - other if other_is_change else other
    if not prior:
        return 0.0
    if other_is_change:  # rate = c / (x − c)
        return (abs(current) + abs(other)) * half / prior ** 2 * 100
    return (1 / abs(prior) + abs(current) / prior ** 2) * half * 100  # rate = (x − y) / y
