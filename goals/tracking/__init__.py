"""The progress engine over the database: every target evaluated for a day, with status,
light and forecast, rolled up by group (evaluation.py); what is due from whom and when
(schedule.py); rows for tables and their owners (listing.py)."""
