"""Subsystem models, one folder each (params.py, model.py, README.md)."""
