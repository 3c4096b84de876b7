"""The load test's users (bench/load.py runs it): committee staff and leaders with think time.

80% reads (the workspace, an item page, the dashboard, the item list's API) and 20% HTMX writes
(a status change on one of the user's own items, or a progress note). A 409 — two users changed
one item at once — is the portal doing its job and is counted apart, not as an error.
"""
from __future__ import annotations

import itertools
import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ["LOAD_PASSWORD"]
STAFF = os.environ["LOAD_STAFF"].split(",")
LEADERS = os.environ["LOAD_LEADERS"].split(",")
HTMX = {"HX-Request": "true"}
_accounts = itertools.count()
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken":\s*"([^"]+)"')


def token_of(html: str) -> str:
    match = TOKEN.search(html)
    return (match.group(1) or match.group(2)) if match else ""


class Signed(HttpUser):
    """Signs in as the next account of `accounts`; reads an item page or the item API."""
    abstract = True
    wait_time = between(1, 3)
    accounts: list[str] = []

    def on_start(self):
        n = next(_accounts)
        self.username = self.accounts[n % len(self.accounts)]
        page = self.client.get("/login", name="/login")
        self.client.post("/login", name="/login (POST)", allow_redirects=False,
                         data={"username": self.username, "password": PASSWORD, "csrf_token": token_of(page.text)})
        self.token = token_of(self.client.get("/items", name="/items").text)
        self.items = self.client.get("/api/items?year=2024", name="/api/items").json()["items"]

    @task(6)
    def item_page(self):
        if self.items:
            self.client.get(f"/items/{random.choice(self.items)['id']}", name="/items/<id>")

    @task(2)
    def item_api(self):
        self.items = self.client.get("/api/items?year=2024", name="/api/items").json()["items"]


class Staff(Signed):
    weight = 4
    accounts = STAFF

    @task(8)
    def workspace(self):
        self.client.get("/items", name="/items")

    @task(4)
    def write(self):
        mine = [i for i in self.items if i["status"] in ("not_started", "in_progress", "done")]
        if not mine:
            return
        item = random.choice(mine)
        if random.random() < 0.5:
            target = {"not_started": "in_progress", "in_progress": "done", "done": "in_progress"}[item["status"]]
            data = {"csrf_token": self.token, "status": target, "version": item["version"], "view": "row",
                    "note": "负载测试办结说明" if target == "done" else ""}
            name, url = "status change (HTMX)", f"/items/{item['id']}/status"
        else:
            data = {"csrf_token": self.token, "note": "负载测试进展情况"}
            name, url = "progress note (HTMX)", f"/items/{item['id']}/notes"
        with self.client.post(url, data=data, headers=HTMX, name=name, catch_response=True) as response:
            if response.status_code == 409:
                response.success()
                self.environment.events.request.fire(request_type="409", name=name, response_time=0,
                                                     response_length=0, exception=None, context={})
            elif response.status_code == 200 and name.startswith("status"):
                item["status"], item["version"] = target, item["version"] + 1



class Leader(Signed):
    weight = 1
    accounts = LEADERS

    @task(8)
    def dashboard(self):
        self.client.get("/dashboard", name="/dashboard")

    @task(4)
    def write(self):  # a leader's write is an instruction (批示) on an item
        if self.items:
            item = random.choice(self.items)
            self.client.post(f"/items/{item['id']}/instructions", headers=HTMX, name="instruction (HTMX)",
                             data={"csrf_token": self.token, "text": "负载测试批示：请抓紧办理。", "reply_by": ""})
