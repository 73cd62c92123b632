"""Our projection's error against Social Finance's demand model (cs-demand-model 0.5.1) on
simulated councils whose future is known (`demand_sim`): steady entries, entries growing 10% a
year and falling 6% a year, ten councils each. Both models see the same five yearly SSDA903
returns to the as-of (ours as the care record loaded from them holds the episodes, complete
from the first return, fitted and projected as the product does; theirs through
`demand_model_driver.py`) with the same reference period: first the product's default (three
years, where the record holds them), then two. Each projects the children looked after at
each of the 24 month ends that follow. Prints each model's mean absolute error, its mean error
(bias) and the share of month ends at which our 95% interval held what happened. Asserts
nothing.

cs-demand-model is the benchmark's yardstick, never a dependency of the product: it runs in a
virtual environment of its own, .bench-venv/ (gitignored), created here when missing with uv
(or venv and pip), with the pandas and numpy it resolves to pinned so the figures repeat.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench import demand_sim  # noqa: E402
from lachealth.insight import projection  # noqa: E402

SEEDS = range(1, 11)
#: Reference years compared: the product's default (None: 3 years where the record holds
#: them), then 2 years for both models.
REFERENCE_YEARS: tuple[int | None, ...] = (None, 2)
VENV = ROOT / ".bench-venv"
VENV_PYTHON = VENV / "bin" / "python"
REQUIREMENTS = ["cs-demand-model==0.5.1", "pandas==1.5.3", "numpy==1.26.4"]
DRIVER = ROOT / "bench" / "demand_model_driver.py"


def bench_python() -> Path:
    """The bench venv's Python with cs-demand-model installed, made first if need be."""
    check = [str(VENV_PYTHON), "-c", "import cs_demand_model"]
    if VENV_PYTHON.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return VENV_PYTHON
    candidates = [shutil.which("uv"), ROOT / ".uv" / "bin" / "uv", ROOT / ".venv" / "bin" / "uv"]
    uv = next((str(c) for c in candidates if c and Path(c).exists()), None)
    if uv:
        steps = [
            [uv, "venv", "--clear", "--python", "3.11", str(VENV)],
            [uv, "pip", "install", "--python", str(VENV_PYTHON), *REQUIREMENTS],
        ]
    else:
        python = shutil.which("python3.11") or sys.executable
        steps = [
            [python, "-m", "venv", "--clear", str(VENV)],
            [str(VENV_PYTHON), "-m", "pip", "install", "--quiet", *REQUIREMENTS],
        ]
    for step in steps:
        print("$ " + " ".join(step), flush=True)
        subprocess.run(step, check=True, cwd=ROOT)
    return VENV_PYTHON


@dataclass(frozen=True)
class Run:
    """One simulated council: what happened and both models' projections of it."""

    scenario: str
    seed: int
    looked_after: int
    actual: list[int]
    ours: list[projection.Interval]
    theirs: list[float]

    @staticmethod
    def _mae(projected: list[float], actual: list[int]) -> float:
        return sum(abs(p - a) for p, a in zip(projected, actual, strict=True)) / len(actual)

    @property
    def our_mae(self) -> float:
        return self._mae([i.expected for i in self.ours], self.actual)

    @property
    def their_mae(self) -> float:
        return self._mae(self.theirs, self.actual)

    @property
    def our_bias(self) -> float:
        return sum(i.expected - a for i, a in zip(self.ours, self.actual, strict=True)) / 24

    @property
    def their_bias(self) -> float:
        return sum(t - a for t, a in zip(self.theirs, self.actual, strict=True)) / 24

    @property
    def held(self) -> int:
        return sum(i.low95 <= a <= i.high95 for i, a in zip(self.ours, self.actual, strict=True))


def ours(
    area: demand_sim.SimulatedArea, years: int | None
) -> tuple[list[projection.Interval], int]:
    """Our projection as the product makes it, from the episodes the care record holds, whose
    entries are complete from the first return loaded; and the reference years it fitted."""
    episodes = area.episodes()
    rates = projection.fit(
        episodes,
        as_of=area.as_of,
        reference_years=years,
        complete_from=area.first_return_day,
    )
    sims = projection.simulations_for(rates.children, demand_sim.FUTURE_MONTHS)
    months = projection.project(
        episodes, rates, months=demand_sim.FUTURE_MONTHS, sims=sims, seed=area.seed
    )
    return [m.looked_after for m in months], rates.reference_months // 12


def theirs(
    python: Path, directories: list[Path], month_ends: list[str], years: int
) -> dict[str, list[float]]:
    """cs-demand-model's totals for each returns directory, two processes at a time."""
    halves = [half for half in (directories[0::2], directories[1::2]) if half]
    outputs = [half[0].parent / f"theirs-{n}.json" for n, half in enumerate(halves)]
    processes = []
    for half, output in zip(halves, outputs, strict=True):
        command = [str(python), str(DRIVER), "--as-of", demand_sim.AS_OF.isoformat()]
        command += ["--reference-years", str(years), "--output", str(output)]
        command += [arg for day in month_ends for arg in ("--month-end", day)]
        processes.append(subprocess.Popen([*command, *map(str, half)], cwd=ROOT))
    for process in processes:
        if process.wait() != 0:
            raise SystemExit(f"cs-demand-model failed (exit {process.returncode})")
    found: dict[str, list[float]] = {}
    for output in outputs:
        for directory, totals in json.loads(output.read_text()).items():
            found[directory] = [totals[day] for day in month_ends]
    return found


def verdict(scenario: str, our_mae: float, their_mae: float) -> str:
    if scenario == "steady":
        return "no worse" if our_mae <= their_mae else "worse"
    return "below" if our_mae < their_mae else "not below"


def main() -> None:
    started = time.perf_counter()
    python = bench_python()
    month_ends = [d.isoformat() for d in projection.month_ends_after(demand_sim.AS_OF, 24)]
    with tempfile.TemporaryDirectory(prefix="lachealth-demand-") as tmp:
        areas, directories = [], []
        for scenario in demand_sim.SCENARIOS:
            for seed in SEEDS:
                area = demand_sim.simulate(scenario, seed)
                directory = Path(tmp) / f"{scenario}-{seed}"
                area.write_returns(directory)
                areas.append(area)
                directories.append(directory)
        for asked in REFERENCE_YEARS:
            projected = [ours(area, asked) for area in areas]
            years = projected[0][1]
            their_totals = theirs(python, directories, month_ends, years)
            runs = [
                Run(
                    area.scenario,
                    area.seed,
                    area.looked_after_on(area.as_of),
                    [count for _, count in area.truth],
                    intervals,
                    their_totals[str(directory)],
                )
                for area, directory, (intervals, _) in zip(
                    areas, directories, projected, strict=True
                )
            ]
            report(runs, years, month_ends, default=asked is None)
    print(f"took {time.perf_counter() - started:.0f} s")


def report(runs: list[Run], years: int, month_ends: list[str], *, default: bool) -> None:
    which = "the product's default" if default else "asked for"
    print(
        f"{len(SEEDS)} simulated councils a scenario; {years} reference years for both "
        f"models ({which}); 24 month ends from {month_ends[0]}; errors in children, means over "
        "the councils"
    )
    header = (
        f"{'scenario':<9} {'looked after':>12} {'our MAE':>8} {'cs-dm MAE':>10} "
        f"{'our bias':>9} {'cs-dm bias':>11} {'95% held':>9}  verdict"
    )
    print(header)
    for scenario, factor in demand_sim.SCENARIOS.items():
        chosen = [r for r in runs if r.scenario == scenario]
        n = len(chosen)
        our_mae = sum(r.our_mae for r in chosen) / n
        their_mae = sum(r.their_mae for r in chosen) / n
        print(
            f"{scenario:<9} {sum(r.looked_after for r in chosen) / n:>12.0f} "
            f"{our_mae:>8.1f} {their_mae:>10.1f} "
            f"{sum(r.our_bias for r in chosen) / n:>+9.1f} "
            f"{sum(r.their_bias for r in chosen) / n:>+11.1f} "
            f"{100 * sum(r.held for r in chosen) / (24 * n):>8.0f}%  "
            f"{verdict(scenario, our_mae, their_mae)} "
            f"(entries x{factor:.2f} a year)"
        )
        print(
            "          each council (ours/cs-dm MAE): "
            + ", ".join(f"{r.our_mae:.0f}/{r.their_mae:.0f}" for r in chosen)
        )
    print()


if __name__ == "__main__":
    main()
