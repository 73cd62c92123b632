"""Care: the child, their episodes of care (SSDA903-shaped) and the timeline of their care."""
