"""A plan proposed from its published text (issue 20): pure, no database.

text.py normalises the text (traditional characters, full-width digits, page breaks),
structure.py finds the plan's groups (livelihood projects, actions, headings), clauses.py
splits a group's text into clauses and reads targets out of them with numbers.py, and
parser.py puts it together: `propose(text)` returns the groups with their proposed targets
and the numbers read as context. Nothing here imports the app beyond goals.rules.
"""
