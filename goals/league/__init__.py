"""The league table of departments (standings.py): on time, late, missing, per department;
public and staff pages (views.py)."""
