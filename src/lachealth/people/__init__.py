"""People: organisations, areas, users, roles, the access policy and the audit log."""
