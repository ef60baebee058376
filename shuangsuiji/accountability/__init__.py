"""Accountability (art. 20): the per-department, per-year report of failures to act, and the per-inspection
照单免责 evidence pack. Reads only: nothing here writes to the database."""
