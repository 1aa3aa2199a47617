"""Panel dashboards: scenario comparison, storm drill, sorting adoption and waste.

Served by `twin serve`; every map is drawn from the city's own geometry (no tile server)."""
