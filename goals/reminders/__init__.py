"""Reminders by email: who is reminded of what and when, and the digests (services.py),
each user's preferences (views.py); command send_reminders."""
