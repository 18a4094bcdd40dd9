"""Reporting and review: the workflow submit → review → publish (services.py), the report
forms (forms.py), evidence files and their checks (evidence.py, thumbnails.py), the staff
workspace and review queue (views/, urls.py); command report."""
