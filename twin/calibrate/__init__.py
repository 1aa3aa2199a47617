"""Calibration on observed data: observation tables, calibration specs, ABC-SMC and optuna
fits on the project's Dask cluster, posterior stores (docs/calibration.md)."""
