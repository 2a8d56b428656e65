"""Sourced, time-aware map of the CSTO and Kazakhstan–Russia military relations."""
