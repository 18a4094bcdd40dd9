"""Spreadsheets in and out: department progress workbooks (department.py), whole-plan
workbooks (plan.py), and the checks every uploaded file passes before it is opened
(safety.py). Read and written with openpyxl; no XML by hand."""
