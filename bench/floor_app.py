"""The portal as ``wsgi.py`` serves it, plus the signed-in floor page (:mod:`bench.floor`) that
only :mod:`bench.wrk_load` asks for. Never served in production.

    gunicorn bench.floor_app:app     # as bench.wrk_load starts it
"""
from __future__ import annotations

import gc

from bench.floor import add_floor
from wsgi import app

add_floor(app)
gc.freeze()  # as wsgi.py does after start-up, the pages just added too
