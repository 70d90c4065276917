"""Reliability statistics and rupture profiles: pure functions on arrays and DataFrames."""
