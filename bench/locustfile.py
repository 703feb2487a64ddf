"""Locust users for the load test (``python -m bench.load`` starts them; see its docstring).

Each class is one kind of visitor; ``bench.load`` runs them alone (to compare throughputs in the
same run) or together in the mix, where ``weight`` sets each one's share of the simulated users. Test data comes from the JSON file in ``BENCH_LOAD_DATA``:
``{"codes": [...], "citizens": [...], "officers": [...], "procedure": "..."}``.
"""
from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, constant, task

with open(os.environ["BENCH_LOAD_DATA"], encoding="utf-8") as _fh:
    DATA = json.load(_fh)

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_STEP = re.compile(r"/apply/[0-9a-f]{32}/steps/[\w-]+")


def _csrf(html: str) -> str:
    match = _CSRF.search(html)
    return match.group(1) if match else ""


class BareUser(HttpUser):
    """The floor: a Flask endpoint that does no work, behind the same gunicorn (``/healthz``)."""

    wait_time = constant(0)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="bare /healthz")


class TrackingApiUser(HttpUser):
    weight = 3
    wait_time = constant(0)

    @task
    def track(self) -> None:
        self.client.get(f"/api/v1/tracking/{random.choice(DATA['codes'])}", name="GET /api/v1/tracking/<code>")


class TrackingPageUser(HttpUser):
    weight = 3
    wait_time = constant(0)

    @task
    def track(self) -> None:
        self.client.get("/track", params={"code": random.choice(DATA["codes"])}, name="GET /track?code=")


class CatalogUser(HttpUser):
    weight = 2
    wait_time = constant(0)

    @task(3)
    def search(self) -> None:
        self.client.get("/procedures", params={"q": random.choice(["cu tru", "khai sinh", "ho tich", ""])},
                        name="GET /procedures?q=")

    @task(1)
    def detail(self) -> None:
        self.client.get(f"/procedures/{DATA['procedure']}", name="GET /procedures/<code>")


class CitizenFormUser(HttpUser):
    """Signs in through the mock VNeID, opens a draft, then reads its first step again and again:
    each read looks the citizen up in the register and prefills the form."""

    wait_time = constant(0)

    def on_start(self) -> None:
        personal_id = random.choice(DATA["citizens"])
        page = self.client.get("/login/citizen", name="GET /login/citizen").text
        self.client.post("/login/citizen", name="POST /login/citizen", data={
            "personal_id": personal_id, "password": "vneid-demo", "csrf_token": _csrf(page)})
        response = self.client.get(f"/procedures/{DATA['procedure']}/apply", name="GET /procedures/<code>/apply")
        match = _STEP.search(response.url)
        self.step_url = match.group(0) if match else None

    @task
    def form_step(self) -> None:
        if self.step_url:
            self.client.get(self.step_url, name="GET /apply/<id>/steps/<step> (prefill)")


class OfficerQueueUser(HttpUser):
    """An officer on the first page of a queue, filtered, earliest due first."""

    wait_time = constant(0)

    def on_start(self) -> None:
        page = self.client.get("/login/officer", name="GET /login/officer").text
        self.client.post("/login/officer", name="POST /login/officer", data={
            "username": random.choice(DATA["officers"]), "password": "demo-password", "csrf_token": _csrf(page)})

    @task(2)
    def all_dossiers(self) -> None:
        self.client.get("/officer/queues/all", name="GET /officer/queues/all")

    @task(1)
    def filtered(self) -> None:
        self.client.get("/officer/queues/all", params={"deadline": random.choice(["overdue", "at_risk"])},
                        name="GET /officer/queues/all?deadline=")
