.PHONY: run serve test lint migrations-check setup mutation

# Serve http://127.0.0.1:8000 on SQLite, seeded with the 2024 plan.
run:
	scripts/run

# Production: gunicorn on $HOST:$PORT with DEBUG off (needs SECRET_KEY, ALLOWED_HOSTS).
serve:
	scripts/serve

# Lint, Django checks and the whole suite on SQLite and on a throwaway PostgreSQL.
test:
	scripts/test

# Mutation testing of the domain rules (goals/progress, evaluation, services, permissions):
# prints mutants, killed and survived per module. Slow-ish: run before changing a rule.
mutation:
	scripts/mutation

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

migrations-check: setup
	DEBUG=1 .venv/bin/python manage.py makemigrations --check --dry-run

setup:
	scripts/setup
