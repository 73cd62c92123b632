"""BMI centiles from the UK-WHO / UK90 growth references (RCPCH's rcpchgrowth package)."""

from __future__ import annotations

from datetime import date

from rcpchgrowth import Measurement

SEXES = {"M": "male", "F": "female"}


def bmi_centile(date_of_birth: date, measured_on: date, sex: str, bmi: float) -> float | None:
    """The BMI centile for age and sex, or None when it cannot be worked out (sex not known,
    under 2 or over 20, where the reference gives no BMI centile, or an implausible value)."""
    if sex not in SEXES:
        return None
    try:
        result = Measurement(
            sex=SEXES[sex],
            birth_date=date_of_birth,
            observation_date=measured_on,
            measurement_method="bmi",
            observation_value=bmi,
            reference="uk-who",
        ).measurement["measurement_calculated_values"]
    except Exception:  # the package raises plain exceptions for out-of-range ages and values
        return None
    centile = result.get("chronological_centile")
    return None if centile is None else float(centile)
