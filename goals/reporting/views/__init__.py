"""The staff workspace (workspace.py), the review queue (review.py), evidence files for staff
(evidence.py). No module here imports another; what they share is in goals.accounts.staff."""
