"""What the app answers during a test holds to the document: problem codes, required fields.

``_fresh_state`` (tests/conftest.py) listens to Flask's ``request_finished`` while a test
runs; a problem (``application/problem+json``) whose ``code`` is not in the
``x-problem-codes`` of that operation's response for the status fails the test. So every
test that provokes a refusal also proves the document names it, for every route, the ones
added later included. Document a code with ``@blp.problems((409, "CODE_A、CODE_B"))``
(``app/api/docs.py``). ``RequiredFields`` does the same for the ``required`` fields of
every JSON success body (a response schema derived from ``app.schemas.openapi.Resource``
lists all its fields; ``OPTIONAL`` names those only some objects have).
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


class RequiredFields:
    """Every JSON success body carries each field its documented schema lists as required.

    A generated client trusts ``required``: it types such a field as always present. This
    follows ``$ref``, ``anyOf``/``oneOf`` (the first branch the value fits), arrays and
    objects, and names the path of the first missing field.
    """

    def __init__(self, document: dict[str, Any]) -> None:
        self.schemas = document.get("components", {}).get("schemas", {})
        self.bodies: dict[tuple[str, str], dict[str, Any]] = {}
        for template, item in document["paths"].items():
            for method, operation in item.items():
                if method == "parameters":
                    continue
                for status, response in operation["responses"].items():
                    schema = response.get("content", {}).get("application/json", {}).get("schema")
                    if schema is not None and status.startswith("2"):
                        self.bodies[(method.upper(), template, status)] = schema
        self.missing: list[str] = []

    def record(self, sender: Flask, response: Response, **_: Any) -> None:
        """A ``request_finished`` receiver: note a required field a success body lacks."""
        if response.mimetype != "application/json" or request.url_rule is None:
            return
        if response.headers.get("Idempotent-Replayed"):  # checked when it was first sent
            return
        key = (request.method, _template(request.url_rule.rule), str(response.status_code))
        schema = self.bodies.get(key)
        if schema is None:
            return
        gap = self._gap(schema, json.loads(response.get_data()), "")
        if gap is not None:
            self.missing.append(f"{key[0]} {key[1]} {key[2]}: {gap} is required but not sent")

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def _gap(self, schema: dict[str, Any], value: Any, path: str) -> str | None:
        schema = self._resolve(schema)
        if value is None:
            return None
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            gaps = [self._gap(branch, value, path) for branch in branches]
            return None if None in gaps else gaps[0]
        if isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                gap = self._gap(schema["items"], item, f"{path}/{index}")
                if gap is not None:
                    return gap
        if isinstance(value, dict):
            for name in schema.get("required", []):
                if name not in value:
                    return f"{path}/{name}"
            for name, sub in schema.get("properties", {}).items():
                if name in value:
                    gap = self._gap(sub, value[name], f"{path}/{name}")
                    if gap is not None:
                        return gap
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                for name, item in value.items():
                    gap = self._gap(extra, item, f"{path}/{name}")
                    if gap is not None:
                        return gap
        return None
