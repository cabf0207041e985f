"""Balanced-development monitoring (均衡发展监测): rule sets as data, school resource input,
the CV computation of the 2012 and 2017 regimes, insight (what-if, contributions, smallest
additions, trend) and the `dudao monitoring` command. Pure Python + numpy: nothing here
touches the database. See docs/monitoring.md."""
