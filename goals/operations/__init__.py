"""Running the site: backups and restore (backups/), readiness checks (health.py), the client
address behind proxies (proxies.py), request hardening and security headers (middleware.py),
error pages and probes (views.py); commands backup, restore and status."""
