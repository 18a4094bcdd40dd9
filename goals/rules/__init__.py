"""Pure rules, no database: how a target's percent, status and light follow from its
figures (progress.py), reporting deadlines and grace (cadence.py), implausible figures
(plausibility.py), numbers written as the plan writes them (formatting.py), and what text and
ids users may send (text.py). Everything else builds on these; they import nothing of the app."""
