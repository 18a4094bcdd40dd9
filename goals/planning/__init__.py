"""Plans over time: which plan the public sees and on which day (publication.py), the year
a request names (years.py), next year's plan from this one (carryover.py); commands seed and
carry_targets."""
