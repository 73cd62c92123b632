"""The access matrix of the quality pages: each URL pattern as every role and
anonymously, GET and POST, against objects of their own and of another area (tests/matrix/)."""

import pytest

from ..matrix.check import check
from ..matrix.patterns import cases_of


@pytest.mark.parametrize("case", cases_of(__file__), ids=str)
def test_access(matrix, case, db):  # type: ignore[no-untyped-def]
    check(matrix, case)
