"""The example adapter under examples/ runs against the API and prints platform records."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from app.services import api_clients

ADAPTER = Path(__file__).resolve().parents[2] / "examples" / "provincial_adapter.py"


class _Response:
    def __init__(self, response) -> None:
        self._response = response

    def raise_for_status(self) -> None:
        assert self._response.status_code == 200, self._response.get_json()

    def json(self):
        return self._response.get_json()


class FlaskSession:
    """The two calls the adapter makes with ``requests``, served by the test client."""

    def __init__(self, client) -> None:
        self.client = client

    def post(self, url: str, json: dict):
        return _Response(self.client.post(url, json=json))

    def get(self, url: str, params: dict, headers: dict):
        return _Response(self.client.get(url, query_string=params, headers=headers))


def test_the_adapter_prints_each_step_once_and_keeps_its_cursor(client, approved, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("provincial_adapter", ADAPTER)
    adapter = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(adapter)
    record, secret = api_clients.create_client("省平台", ["events:read", "licences:read"])
    cursor = tmp_path / "cursor.txt"
    session = FlaskSession(client)
    assert adapter.run_once(session, "", record.client_id, secret, cursor) == 4
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line.get("node") or line["status"] for line in lines] == [
        "申请",
        "受理",
        "issued",
        "办结",
    ]
    assert lines[0]["projid"] == approved["number"] and lines[0]["itemcode"]
    assert cursor.read_text()
    assert adapter.run_once(session, "", record.client_id, secret, cursor) == 0
    assert capsys.readouterr().out == ""
