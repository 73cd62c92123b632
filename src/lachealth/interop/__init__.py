"""Interop: SSDA903 export (and, next, import), validated with csc-validator-be-903."""
