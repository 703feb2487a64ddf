"""WSGI entry point: ``gunicorn wsgi:app``."""
import gc

from portal import create_app

app = create_app()
# Everything built at start-up lives as long as the process: keep it out of the garbage
# collector's full passes, which otherwise stall requests (slip rendering p95, bench/slip_render).
gc.collect()
gc.freeze()
