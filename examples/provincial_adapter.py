"""An example adapter: reads Zerovisit's event feed and prints what it would send to a
provincial government-service platform (办件 records, and licences for the 证照库).

Run beside a Zerovisit server, with a client made by ``flask --app app clients create``:

    ZEROVISIT_URL=http://127.0.0.1:8000 ZEROVISIT_CLIENT_ID=zvc_… ZEROVISIT_CLIENT_SECRET=zvs_… \
        python examples/provincial_adapter.py [--once]

The cursor is kept in ``adapter-cursor.txt`` (written atomically after each page), so a
restarted adapter goes on where it stopped; the feed never skips or repeats an event.
A real adapter replaces ``print`` with the province's interface call.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import requests

NODES = {  # the feed's case steps as a platform's 办件环节
    "cn.zerovisit.case.submitted": "申请",
    "cn.zerovisit.case.accepted": "受理",
    "cn.zerovisit.case.not_accepted": "不予受理",
    "cn.zerovisit.case.supplement_requested": "补正",
    "cn.zerovisit.case.decided": "办结",
    "cn.zerovisit.case.delivered": "送达",
    "cn.zerovisit.rating.created": "评价",
    "cn.zerovisit.rating.updated": "评价",  # the re-rating after a rectification replaces it
}


def to_platform(event: dict[str, Any]) -> dict[str, Any] | None:
    """One platform record for one event (None: nothing to send)."""
    data = event["data"]
    if event["type"] in NODES:
        return {
            "projid": data["application_number"],
            "itemcode": data["item_code"],
            "implementcode": data["implementation_code"],
            "node": NODES[event["type"]],
            "nodetime": event["time"],
            "result": data.get("outcome") or data.get("score"),
        }
    if event["type"].startswith("cn.zerovisit.licence."):
        return {
            "licenseNumber": data["number"],
            "licenseItemCode": data["item_code"],
            "holder": data.get("holder_name"),
            "holderCode": data.get("holder_credit_code"),
            "validFrom": data["valid_from"],
            "validTo": data["valid_until"],
            "status": event["type"].rsplit(".", 1)[1],
        }
    return None


def run_once(session: Any, base: str, client_id: str, secret: str, cursor_file: Path) -> int:
    """Read every event after the saved cursor, print each record; how many were read."""
    login = session.post(
        f"{base}/api/v1/auth/client", json={"client_id": client_id, "client_secret": secret}
    )
    login.raise_for_status()
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    after = cursor_file.read_text().strip() if cursor_file.exists() else ""
    read = 0
    while True:
        page = session.get(f"{base}/api/v1/events", params={"after": after}, headers=headers)
        page.raise_for_status()
        body = page.json()
        for event in body["items"]:
            record = to_platform(event)
            if record is not None:
                print(json.dumps(record, ensure_ascii=False))
        read += len(body["items"])
        after = body["next"]
        temp = cursor_file.with_suffix(".tmp")
        temp.write_text(after)
        temp.replace(cursor_file)  # atomic: a crash leaves the old or the new cursor
        if not body["items"]:
            return read


if __name__ == "__main__":
    args = (os.environ["ZEROVISIT_URL"], os.environ["ZEROVISIT_CLIENT_ID"])
    with requests.Session() as http:
        while True:
            run_once(http, *args, os.environ["ZEROVISIT_CLIENT_SECRET"], Path("adapter-cursor.txt"))
            if "--once" in sys.argv:
                break
            time.sleep(10)
