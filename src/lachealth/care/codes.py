"""SSDA903 code lists, spelt as the return spells them, with the words users read.

Which codes the DfE accepts in a given collection year is the validator's business
(csc-validator-be-903); these lists give the codes their labels and the forms their choices.
Codes retired from the return (H5, P2, Z1 before 2025/26) are kept as `LEGACY_PLACE` so that
older imported episodes still display, but new episodes cannot use them.
"""

from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known"


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WOTH = "WOTH", "Any other White background"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WROM = "WROM", "Gypsy or Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class ReasonForNewEpisode(models.TextChoices):
    """RNE. Derived by `episodes.reason_for_new_episode`, never typed in."""

    S = "S", "Started to be looked after"
    L = "L", "Change of legal status only"
    P = "P", "Change of placement and carer(s) only"
    T = "T", "Change of placement only (same carer(s))"
    U = "U", "Change of legal status and placement and carer(s)"
    B = "B", "Change of legal status and placement (same carer(s))"


class LegalStatus(models.TextChoices):
    C1 = "C1", "Interim care order"
    C2 = "C2", "Full care order"
    D1 = "D1", "Freeing order granted"
    E1 = "E1", "Placement order granted"
    J1 = "J1", "Remanded to local authority or youth detention accommodation"
    J2 = "J2", "Placed in local authority accommodation under PACE"
    J3 = "J3", "Sentenced to a youth rehabilitation order with residence requirement"
    L1 = "L1", "Under police protection and in local authority accommodation"
    L2 = "L2", "Emergency protection order"
    L3 = "L3", "Under child assessment order and in local authority accommodation"
    V2 = "V2", "Single period of accommodation under section 20"
    V3 = "V3", "Agreed series of short breaks (episodes recorded)"
    V4 = "V4", "Agreed series of short breaks (agreements recorded)"


#: Short-break legal statuses: no health clocks run, and the child is outside OC2.
SHORT_BREAK_LS = frozenset({LegalStatus.V3, LegalStatus.V4})


class CategoryOfNeed(models.TextChoices):
    N1 = "N1", "Abuse or neglect"
    N2 = "N2", "Child's disability"
    N3 = "N3", "Parental illness or disability"
    N4 = "N4", "Family in acute stress"
    N5 = "N5", "Family dysfunction"
    N6 = "N6", "Socially unacceptable behaviour"
    N7 = "N7", "Low income"
    N8 = "N8", "Absent parenting"


class Placement(models.TextChoices):
    A3 = "A3", "Placed for adoption with consent, with current foster carer(s)"
    A4 = "A4", "Placed for adoption with consent, not with current foster carer(s)"
    A5 = "A5", "Placed for adoption with placement order, with current foster carer(s)"
    A6 = "A6", "Placed for adoption with placement order, not with current foster carer(s)"
    K1 = "K1", "Secure children's home"
    K2 = "K2", "Children's home"
    K3 = "K3", "Supported accommodation"
    P1 = "P1", "Placed with own parent(s) or other person with parental responsibility"
    P3 = "P3", "Residential employment"
    R1 = "R1", "Residential care home"
    R2 = "R2", "NHS or health trust establishment providing medical or nursing care"
    R3 = "R3", "Family centre or mother and baby unit"
    R5 = "R5", "Young offender institution or prison"
    S1 = "S1", "Residential school"
    T0 = "T0", "Temporary placement: all types"
    T1 = "T1", "Temporary period in hospital"
    T2 = "T2", "Temporary absence from the placement (for example a holiday)"
    T3 = "T3", "Temporary period in a YOI, prison or remand centre"
    T4 = "T4", "Temporary period in a residential school"
    U1 = "U1", "Foster placement with relative or friend: long-term fostering"
    U2 = "U2", "Foster placement with relative or friend who is also an approved adopter"
    U3 = "U3", "Foster placement with relative or friend: other"
    U4 = "U4", "Foster placement with other foster carer: long-term fostering"
    U5 = "U5", "Foster placement with other foster carer who is also an approved adopter"
    U6 = "U6", "Foster placement with other foster carer: other"
    Z11 = "Z11", "Other placement (Z11)"
    Z12 = "Z12", "Other placement (Z12)"
    Z13 = "Z13", "Other placement (Z13)"
    Z14 = "Z14", "Other placement (Z14)"
    H5 = "H5", "Semi-independent living (code retired)"
    P2 = "P2", "Independent living (code retired)"
    Z1 = "Z1", "Other placement (code retired)"


LEGACY_PLACE = frozenset({Placement.H5, Placement.P2, Placement.Z1})
CURRENT_PLACE_CHOICES = [(v, label) for v, label in Placement.choices if v not in LEGACY_PLACE]
#: Placements in a family: carers are people, so "same carer" is a meaningful question.
TEMPORARY_PLACE = frozenset({"T0", "T1", "T2", "T3", "T4"})


class PlacementProvider(models.TextChoices):
    PR0 = "PR0", "Parent(s) or other person with parental responsibility"
    PR1 = "PR1", "Own provision (by the local authority)"
    PR2 = "PR2", "Other local authority provision"
    PR3 = "PR3", "Other public provision (for example a primary care trust)"
    PR4 = "PR4", "Private provision"
    PR5 = "PR5", "Voluntary or third sector provision"


class ReasonEpisodeCeased(models.TextChoices):
    E11 = "E11", "Adopted: application unopposed"
    E12 = "E12", "Adopted: consent dispensed with by the court"
    E13 = (
        "E13",
        "Left care to live with parent(s), relative or other person "
        "with no parental responsibility",
    )
    E14 = "E14", "Accommodation on remand ended"
    E15 = "E15", "Age assessment determined child is aged 18 or over"
    E16 = "E16", "Child moved abroad"
    E17 = "E17", "Aged 18 or over and remained with current carers (staying put)"
    E2 = "E2", "Died"
    E3 = "E3", "Care taken by another local authority"
    E4A = (
        "E4A",
        "Returned home to live with parent(s) or person with parental responsibility (planned)",
    )
    E4B = (
        "E4B",
        "Returned home to live with parent(s) or person with parental responsibility (not planned)",
    )
    E41 = "E41", "Residence order or child arrangement order granted"
    E45 = "E45", "Special guardianship order made to former foster carer(s)"
    E46 = "E46", "Special guardianship order made to carer(s) other than former foster carer(s)"
    E47 = "E47", "Special guardianship order made to a relative or friend (former foster carer)"
    E48 = "E48", "Special guardianship order made to a relative or friend (not former foster carer)"
    E5 = "E5", "Moved into independent living arrangement with formalised support"
    E6 = "E6", "Moved into independent living arrangement without formalised support"
    E7 = "E7", "Transferred to residential care funded by adult social care services"
    E8 = "E8", "Period of being looked after ceased for any other reason"
    E9 = "E9", "Sentenced to custody"
    X1 = "X1", "Episode ceases, and new episode begins on same day"


LEAVING_CARE_CHOICES = [(v, label) for v, label in ReasonEpisodeCeased.choices if v != "X1"]


class ReasonPlaceChange(models.TextChoices):
    CARPL = "CARPL", "Change to/implementation of care plan"
    CLOSE = "CLOSE", "Resignation or closure of provision"
    ALLEG = "ALLEG", "Allegation (section 47)"
    STAND = "STAND", "Standards of care concern"
    APPRR = "APPRR", "Approval removed"
    CREQB = "CREQB", "Carer requests placement end due to child's behaviour"
    CREQO = "CREQO", "Carer requests placement end, other than due to child's behaviour"
    CHILD = "CHILD", "Child requests placement end"
    LAREQ = "LAREQ", "Responsible or area authority requests placement end"
    PLACE = "PLACE", "Change in the status of the placement only"
    CUSTOD = "CUSTOD", "Custody arrangement"
    OTHER = "OTHER", "Other"


class MissingKind(models.TextChoices):
    """MISSING, of the return's Missing table."""

    MISSING = "M", "Missing"
    AWAY = "A", "Away from placement without authorisation"


class ReviewParticipation(models.TextChoices):
    """REVIEW_CODE, of the return's Reviews table: how the child took part in the review."""

    PN0 = "PN0", "Aged under 4 at the time of the review"
    PN1 = "PN1", "Attended and spoke for themselves"
    PN2 = "PN2", "Attended and an advocate spoke for them"
    PN3 = "PN3", "Attended and conveyed their view non-verbally"
    PN4 = "PN4", "Attended but did not speak or convey a view"
    PN5 = "PN5", "Did not attend but briefed an advocate to speak for them"
    PN6 = "PN6", "Did not attend but conveyed their feelings by other means"
    PN7 = "PN7", "Did not attend and their views were not conveyed"
