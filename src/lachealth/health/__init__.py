"""Health: statutory clocks, health assessments, SDQ, health plans and the worklists."""
