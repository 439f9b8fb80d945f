"""The demo year: 衢州's 2011 (DESIGN §1), reproduced to the 万元.

`demo_load()` fills an empty database with the city's units and targets, its chambers and events,
and about eight hundred projects with their capital deliveries and follow-ups, so that the ten
standard indicators of 2011 come out exactly as in the bureau's yearly report.

The data sits apart from the code that writes it, so that a table can be read (or corrected) without
reading the generator: year.py holds the bulletin's figures and the city's targets, city.py the
units, chambers, events and land, words.py the words generated names are made of, buckets.py the
mix of generated projects and the arithmetic behind the figures; generator.py is the only module
that touches the database.
"""

from .generator import DemoError, DemoSummary, demo_figures, demo_load
from .year import YEAR

__all__ = ["YEAR", "DemoError", "DemoSummary", "demo_figures", "demo_load"]
