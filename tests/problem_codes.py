"""Every problem the app answers during a test carries a code documented on its operation.

``_fresh_state`` (tests/conftest.py) listens to Flask's ``request_finished`` while a test
runs; a problem (``application/problem+json``) whose ``code`` is not in the
``x-problem-codes`` of that operation's response for the status fails the test. So every
test that provokes a refusal also proves the document names it, for every route, the ones
added later included. Document a code with ``@blp.problems((409, "CODE_A、CODE_B"))``
(``app/api/docs.py``).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, json, request

PROBLEM_MEDIA_TYPE = "application/problem+json"
CODES_KEY = "x-problem-codes"
_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _template(rule: str) -> str:
    """Flask's ``/a/<int:b_id>`` as the document writes it, ``/a/{b_id}``."""
    return _CONVERTER.sub(r"{\1}", rule)


class ProblemCodes:
    """The documented codes of every operation, and the problems answered against them."""

    def __init__(self, document: dict[str, Any]) -> None:
        responses = document.get("components", {}).get("responses", {})

        def resolved(response: dict[str, Any]) -> dict[str, Any]:
            if "$ref" in response:
                return responses[response["$ref"].rsplit("/", 1)[1]]
            return response

        self.codes: dict[tuple[str, str], dict[str, list[str]]] = {}
        for template, item in document["paths"].items():
            for method, operation in item.items():
                if method == "parameters":
                    continue
                self.codes[(method.upper(), template)] = {
                    status: resolved(response).get(CODES_KEY, [])
                    for status, response in operation["responses"].items()
                }
        self.undocumented: list[str] = []

    def record(self, sender: Flask, response: Response, **_: Any) -> None:
        """A ``request_finished`` receiver: note a problem its operation does not document."""
        if response.mimetype != PROBLEM_MEDIA_TYPE or request.url_rule is None:
            return
        template = _template(request.url_rule.rule)
        documented = self.codes.get((request.method, template))
        if documented is None:  # no such operation (405): the contract tests cover routes
            return
        status = str(response.status_code)
        code = json.loads(response.get_data()).get("code")
        listed = documented.get(status) or []
        if status == "500":  # every operation's ``default``: the unexpected error
            listed = listed or documented.get("default", [])
        if code not in listed:
            self.undocumented.append(
                f"{request.method} {template} answered {status} {code}, documented: "
                f'{listed or "no " + status}; add it with @blp.problems(({status}, "{code}"))'
            )
