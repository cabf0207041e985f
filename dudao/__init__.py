"""Dudao (督导): a web platform for education supervision offices (教育督导室)."""
