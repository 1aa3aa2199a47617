"""Households: population (cars, gas supply, waste per stream) and sorting adoption.

`STREAMS` fixes the order of the waste streams and of a collection point's containers in
every array this package publishes (food, recyclable, hazardous, residual).
"""

from twin.models.households.params import STREAMS, HouseholdsParams

__all__ = ["STREAMS", "HouseholdsParams"]
