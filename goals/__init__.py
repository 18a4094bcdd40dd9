"""The goals app: the models and their migrations (models/), the admin (admin/) and template
tags. Each capability is a package beside them, one folder to read (docs/developers.md):
rules, planning, tracking, reporting, accounts, reminders, league, briefings, workbooks,
operations, public."""
