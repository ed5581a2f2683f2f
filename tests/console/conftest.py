"""Console fixtures: a logged-in browser-like client per staff member, and a case in
Tianjin driven over the API to a chosen state."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import STAFF_PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: FlaskClient, path: str = "/console/login") -> str:
    """The CSRF token the page at ``path`` carries."""
    match = TOKEN.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def console_login(app: Flask, username: str, password: str = STAFF_PASSWORD) -> FlaskClient:
    client = app.test_client()
    response = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(client)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def login(app: Flask):
    """Log a staff user into the console; returns their test client."""

    def run(user, password: str = STAFF_PASSWORD) -> FlaskClient:
        return console_login(app, user.username, password)

    return run
