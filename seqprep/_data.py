"""The real series bundled with seqprep: ``load_co2``.

The data files live in ``seqprep/data/`` (see its README for sources and licences) and
are read with :mod:`importlib.resources`, so they work from a wheel, a zip or a checkout,
with no network.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load_co2"]


def load_co2() -> pd.DataFrame:
    """Weekly atmospheric CO2 at Mauna Loa, March 1958 to December 2001, with its gaps.

    Weekly averages of continuous air samples by the Scripps Institution of
    Oceanography, distributed by CDIAC (public domain; see ``seqprep/data/README.md``).
    Every week of the span has a row; the weeks without a valid measurement keep
    ``co2`` as NaN. They are real missing observations, left for validation to find and
    for you to repair with a policy you choose.

    Returns
    -------
    pandas.DataFrame
        2,284 rows, one per week, in time order, with columns ``date`` (datetime64, the
        Saturday ending the week, so ``freq="W-SAT"``) and ``co2`` (float64, ppmv; NaN in
        59 weeks).

    Examples
    --------
    >>> import seqprep
    >>> co2 = seqprep.load_co2()
    >>> co2.shape, int(co2["co2"].isna().sum())
    ((2284, 2), 59)
    >>> co2.head(3)
            date    co2
    0 1958-03-29  316.1
    1 1958-04-05  317.3
    2 1958-04-12  317.6
    """
    source = resources.files("seqprep").joinpath("data", "co2_weekly.csv")
    with source.open("rb") as fh:
        frame = pd.read_csv(fh, dtype={"co2": "float64"})
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame
