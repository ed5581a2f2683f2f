"""Topics of the enterprise request desk (诉求响应): who answers, and within how long.

Loaded from ``request_topics.yaml``. A request is routed to the topic's unit in the
enterprise's region cut to the unit's level: a tax question of an enterprise in 天津市和平区
goes to 天津市和平区税务局, a financing one to the city's 地方金融管理局.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from permits.identifiers import region_at_level
from permits.numbering import region_name

TOPICS_FILE = Path(__file__).with_name("request_topics.yaml")
LEVELS = ("district", "city", "province")


@dataclass(frozen=True)
class RequestTopic:
    code: str
    name: str
    unit: str
    level: str
    response_days: int

    def handling_region(self, region_code: str) -> str:
        """The region whose unit answers an enterprise registered in ``region_code``."""
        return region_at_level(region_code, self.level)

    def handling_unit(self, region_code: str) -> str:
        region = self.handling_region(region_code)
        return f"{region_name(region) or region}{self.unit}"


def _topic(entry: dict[str, Any]) -> RequestTopic:
    topic = RequestTopic(
        code=str(entry["code"]),
        name=str(entry["name"]),
        unit=str(entry["unit"]),
        level=str(entry["level"]),
        response_days=int(entry["response_days"]),
    )
    if topic.level not in LEVELS or topic.response_days < 1:
        raise ValueError(f"request topic {topic.code}: bad level or response_days")
    return topic


@cache
def request_topics() -> dict[str, RequestTopic]:
    data = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))
    topics = [_topic(entry) for entry in data["topics"]]
    return {topic.code: topic for topic in topics}


def get_request_topic(code: str) -> RequestTopic | None:
    return request_topics().get(code)
