"""lachealth: the health of children in care, shared across agencies."""
