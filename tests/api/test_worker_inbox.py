"""With the worker running, an approval reaches the applicant's inbox by itself."""

from __future__ import annotations

from app.cli.worker import Worker
from app.models import OutboxMessage


def test_an_approval_reaches_the_inbox_with_no_manual_command(frozen_now, client, office, approved):
    Worker(interval=0).tick()  # what the running worker does every few seconds
    inbox = client.get("/api/v1/notifications", headers=office.applicant).get_json()
    titles = [item["title"] for item in inbox["items"]]
    assert "准予许可" in titles
    assert OutboxMessage.query.filter(OutboxMessage.delivered_at.is_(None)).count() == 0
