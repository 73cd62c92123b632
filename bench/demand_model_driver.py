"""Social Finance's demand model (cs-demand-model 0.5.1) on directories of SSDA903 returns, as a
council would run it: its standard configuration, a reference period of the `--reference-years`
before the as-of, the population on the as-of projected a day at a time (its most precise step;
its app's default is 90 days) to the last month end asked for. Writes, for each directory, the
projected total looked after (summed over its age bands and its four placement types, as its
forecast chart shows them) at each month end.

Runs in the bench's own virtual environment (.bench-venv: cs-demand-model 0.5.1 with the
pandas 1.5 and numpy 1.26 it resolves to on Python 3.11), never the product's:

    .bench-venv/bin/python bench/demand_model_driver.py --as-of 2026-03-31 \
        --month-end 2026-04-30 ... --output totals.json RETURNS_DIR [RETURNS_DIR ...]

Each RETURNS_DIR holds <year ending>/header.csv and <year ending>/episodes.csv.
"""

from __future__ import annotations

import argparse
import json
import logging
import warnings
from datetime import date

import pandas as pd
from cs_demand_model import (
    Config,
    DemandModellingDataContainer,
    ModelPredictor,
    PopulationStats,
    fs_datastore,
)
from dateutil.relativedelta import relativedelta


def projected_totals(
    directory: str, as_of: date, reference_years: int, month_ends: list[date]
) -> dict[str, float]:
    """The model's projected total looked after at each of `month_ends` (ISO dates as keys)."""
    config = Config()
    container = DemandModellingDataContainer(fs_datastore(directory), config)
    stats = PopulationStats(container.enriched_view, config)
    end = pd.Timestamp(as_of)
    start = pd.Timestamp(as_of - relativedelta(years=reference_years))
    predictor = ModelPredictor.from_model(stats, start, end)
    days = (max(month_ends) - as_of).days
    predicted = predictor.predict(days, step_days=1)
    # Its population also carries the children who have left (placement type NOT_IN_CARE, aged
    # on like the rest); its forecast chart shows the four placement types, so do we.
    looked_after = [
        column
        for column in predicted.columns
        if len(column) == 2 and column[1] != config.PlacementCategories.NOT_IN_CARE.name
    ]
    totals = predicted[looked_after].sum(axis=1)
    return {day.isoformat(): float(totals.loc[pd.Timestamp(day)]) for day in month_ends}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", required=True, type=date.fromisoformat)
    parser.add_argument("--reference-years", type=int, default=2)
    parser.add_argument("--month-end", action="append", required=True, type=date.fromisoformat)
    parser.add_argument("--output", required=True)
    parser.add_argument("directories", nargs="+")
    args = parser.parse_args()
    # Its pandas 1.5 code warns of what pandas 2 changed; the figures are what matter here.
    warnings.simplefilter("ignore", FutureWarning)
    logging.disable(logging.WARNING)
    found = {
        directory: projected_totals(directory, args.as_of, args.reference_years, args.month_end)
        for directory in args.directories
    }
    with open(args.output, "w") as f:
        json.dump(found, f, indent=1)


if __name__ == "__main__":
    main()
