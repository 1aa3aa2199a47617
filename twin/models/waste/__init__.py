"""Waste collection logistics: points, truck rounds, transfer stations, plants, KPIs."""
