"""Insight: statutory measures per area, their intervals, funnel limits and suppression."""
