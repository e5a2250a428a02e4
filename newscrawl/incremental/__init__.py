"""Incremental and scheduled crawls: the tracker, freshness rules, state stores, the run lock."""
