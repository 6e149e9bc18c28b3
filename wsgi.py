"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

from app import create_app

app = create_app()
# What start-up made lives as long as the process, so the collector need not look at it again:
# a full collection of it takes about 100 ms (134,000 objects), and one came every few hundred
# requests, a stall for whoever was waiting.
gc.collect()
gc.freeze()
