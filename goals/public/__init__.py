"""The public site: pages of a plan (views/pages.py), open data (opendata.py, views/data.py),
evidence files (views/evidence.py), charts (charts.py), filters (forms.py), the page cache
and ETags (caching.py), years in URLs (years.py), shared page helpers (rendering.py)."""
