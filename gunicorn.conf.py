"""gunicorn's settings for the portal: ``gunicorn -c gunicorn.conf.py wsgi:app`` (gunicorn also
reads this file by itself when started from the repository's folder).

The serving shape (README, "Running on PostgreSQL with gunicorn"): nginx in front reads every
request whole (``deploy/nginx/portal-proxy.conf``) and only then hands it to gunicorn over the
loopback, so a client that sends its body one byte a second costs nginx a connection, never a
gunicorn thread; ``tests/reliability/test_slow_clients.py`` holds 50 such clients open and checks
that ``/healthz`` keeps answering. gunicorn is never exposed directly.

Workers are processes with a few threads each (``gthread``): page rendering, PDF signing and the
database calls release the GIL often enough, and each thread needs a pooled connection, so keep
``threads`` at or below ``DATABASE_POOL_SIZE`` + ``DATABASE_MAX_OVERFLOW``.
"""
import os

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
threads = int(os.environ.get("PORTAL_THREADS", "4"))
# A worker that has not reported for this long (a request stuck in a loop) is killed and replaced;
# the longest legitimate request (a statistics year at national scale) takes about a second.
timeout = 30
graceful_timeout = 30
# Idle keep-alive connections from nginx (its upstream keepalive) are closed after this long:
# longer than nginx keeps an idle upstream connection (the upstream block's keepalive_timeout,
# 60 s by default), so nginx gives an idle one up first. The other way round, nginx may send a
# request on a connection gunicorn is closing at that moment, and answers such a POST with a 502
# (nginx retries only idempotent requests). A worker that restarts (max_requests) still closes
# its idle connections itself, 2 s after it stops taking new ones. An idle connection waits in the
# worker's poller and holds no thread. tests/reliability/test_proxy_keepalive.py keeps the two in
# this order.
keepalive = 75
# Request line and headers: gunicorn's own limits, stated so nobody raises them by accident.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Only the proxy on this machine may tell us the client's address and scheme; the app trusts
# them only when TRUSTED_PROXIES is set (portal.security).
forwarded_allow_ips = "127.0.0.1"
# Replace each worker after a while, staggered, so a slow leak can never grow without bound.
max_requests = 5000
max_requests_jitter = 500
