"""Opt-in browser rendering for portals whose article pages are built by scripts."""
