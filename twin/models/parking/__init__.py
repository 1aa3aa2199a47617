"""Parking supply, demand, choice, search, pricing and KPIs (see README.md)."""
