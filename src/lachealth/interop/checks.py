"""lachealth's own checks of a return, each with a reference for the Rule column, as the DfE's
rules have theirs. They are what lachealth needs to store the return faithfully; everything
else is the DfE's rules (the validator), shown as warnings."""

from __future__ import annotations

FILE = "LH01"
COLUMNS = "LH02"
TABLE_TWICE = "LH03"
ROW_SHAPE = "LH04"
FORMULA = "LH05"
SIZE = "LH06"
CHILD_ID = "LH10"
DATE = "LH11"
CODE = "LH12"
IDENTIFIER = "LH13"
SEQUENCE = "LH14"
HISTORY = "LH15"
NHS_NUMBER = "LH16"
UNKNOWN_CHILD = "LH17"
VALUE = "LH18"
RULES = "LH19"
LATER_RETURN = "LH20"

#: What each check asks, in the words the returns page shows.
CHECKS = {
    FILE: "Each file is a CSV file saved as UTF-8 text, or a zip of them that opens",
    COLUMNS: "The first row of each file names the columns of one SSDA903 table, each once",
    TABLE_TWICE: "Each table is uploaded once",
    ROW_SHAPE: "Each row has one cell for each column",
    FORMULA: "No cell starts like a spreadsheet formula (=, +, -, @)",
    SIZE: "The return is no larger than lachealth takes",
    CHILD_ID: "Each row names its CHILD, which is in Header once",
    DATE: "Dates are written dd/mm/YYYY",
    CODE: "Codes are in the code lists of the return's own year",
    IDENTIFIER: "UPN, NHS number, postcodes and URN are written as such",
    SEQUENCE: "A child's episodes neither overlap nor leave gaps",
    HISTORY: "The episodes fit with the ones lachealth already holds for the child",
    NHS_NUMBER: "An NHS number in Header is the one recorded for the child (a warning)",
    UNKNOWN_CHILD: "A row's child is in Header or already in lachealth (a warning)",
    VALUE: "Values are within what the item allows (an SDQ score is 0 to 40…)",
    RULES: "The DfE's rules ran (a warning when they could not)",
    LATER_RETURN: "A child's details from a later year's return are kept over an earlier "
    "year's (a warning)",
}
