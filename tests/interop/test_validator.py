"""The adapter to csc-validator-be-903: findings name table, row, child, rule and columns."""

from __future__ import annotations

from lachealth.interop import validator

HEADER = b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,F,01/06/2015,WBRI,A123456789012,,\n"
EPISODES = (
    b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
    b"HOME_POST,PL_POST,URN\n"
    b"C1,10/01/2025,S,ZZ,N1,U4,PR1,,,,BD1 2,BD7 1,\n"
)


def test_an_unknown_legal_status_is_found_on_its_row():
    result = validator.validate(
        {"a.csv": HEADER, "b.csv": EPISODES}, local_authority="E08000032", collection_year=2025
    )
    assert set(result.tables) == {"Header", "Episodes"}  # recognised by columns, not names
    ls = [f for f in result.findings if f.rule == "144"]
    assert len(ls) == 1
    finding = ls[0]
    assert (finding.table, finding.row, finding.child) == ("Episodes", 1, "C1")
    assert finding.columns == ("LS",) and "legal status code is not a valid code" in finding.message


def test_rules_that_crash_inside_the_package_are_reported_as_not_run():
    result = validator.validate(
        {"a.csv": HEADER, "b.csv": EPISODES}, local_authority="E08000032", collection_year=2025
    )
    assert "231" in result.not_run  # it reads a UASC column these files do not have
    assert not any(f.rule in result.not_run for f in result.findings)


def test_the_oc2_cohort_is_the_validators_continuously_looked_after_rule():
    episodes = (
        b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
        b"HOME_POST,PL_POST,URN\n"
        b"A,10/01/2023,S,C2,N1,U4,PR1,,,,,,\n"  # all year: in the cohort
        b"B,10/01/2025,S,C2,N1,U4,PR1,,,,,,\n"  # started in the year: not
        b"C,10/01/2023,S,V3,N2,U6,PR1,,,,,,\n"
    )  # short breaks: not
    assert validator.continuously_looked_after(episodes, collection_year=2025) == {"A"}
