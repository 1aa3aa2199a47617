"""The shared city: model, synthetic generator, save/load."""

from twin.city.builtin import BUILTIN
from twin.city.generate import generate_city
from twin.city.io import load_city, open_city, save_city
from twin.city.model import City

__all__ = ["BUILTIN", "City", "generate_city", "load_city", "open_city", "save_city"]
