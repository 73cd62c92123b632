"""What the health tests share: a young person of 17 with a record to build a passport from
(`young_person`, in the suite's own conftest, so the browser journeys have them too)."""

from __future__ import annotations

from datetime import date

from ..conftest import YOUNG_PERSON_DOB

AS_OF = date(2026, 12, 2)
DOB = YOUNG_PERSON_DOB  # 17 on AS_OF; the passport is due on 15 December 2026
