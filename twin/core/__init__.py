"""The kernel: clock, random streams, parameters, model registry, scenarios, results."""
