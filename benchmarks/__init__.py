"""Ratio benchmarks, one module per subject: `python -m benchmarks NAME --json`.

Each module exposes `run(quick: bool = False) -> list[dict]` of rows
`{"benchmark", "figure", "value", "unit"}`; speed claims are ratios measured in the same
process run, with absolute times reported beside them.
"""
