"""Checking real requests and responses against the served OpenAPI document.

``Contract.check`` finds the documented operation of a request, requires the response's
status and media type to be documented, and validates a JSON body against the operation's
schema made strict: every documented object is closed (``additionalProperties: false``
unless it says otherwise), so a field the document omits fails as surely as a mistyped one.
A successful JSON request body is validated too, against the documented ``requestBody``.
``ContractClient`` is a Flask test client that checks every ``/api/`` exchange it makes.
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime
from typing import Any

from flask.testing import FlaskClient
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from werkzeug.test import TestResponse

# The API formats times itself; check them strictly (an offset is required).
FORMATS = copy.deepcopy(oas30_format_checker)


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value)) and len(value) == 10


class ContractViolation(AssertionError):
    """A real exchange the document does not describe."""


class Contract:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self._schemas = document["components"]["schemas"]
        self._routes: list[tuple[re.Pattern[str], re.Pattern[str], str]] = []
        for template in document["paths"]:
            segment = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
            anything = re.sub(r"\\{[^}]+\\}", ".+", re.escape(template))
            self._routes.append((re.compile(segment), re.compile(anything), template))
        self.seen: set[tuple[str, str, str]] = set()  # (method, template, status)
        self._closed_components = self._closed(self._resolve(self._schemas))

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        for strict in (True, False):
            for segment, anything, template in self._routes:
                pattern = segment if strict else anything
                if pattern.fullmatch(path) and method.lower() in self.document["paths"][template]:
                    return template, self.document["paths"][template][method.lower()]
        raise ContractViolation(f"{method} {path}: no documented operation")

    def _resolve(self, node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None:
                *_, kind, name = ref.split("/")
                return self._resolve(self.document["components"][kind][name])
            return {key: self._resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [self._resolve(item) for item in node]
        return node

    @staticmethod
    def _closed(schema: Any) -> Any:
        """The schema with every object that lists its properties closed to others."""
        if isinstance(schema, dict):
            closed = {key: Contract._closed(value) for key, value in schema.items()}
            if "properties" in closed and "additionalProperties" not in closed:
                closed["additionalProperties"] = False
            return closed
        if isinstance(schema, list):
            return [Contract._closed(item) for item in schema]
        return schema

    def validate(self, instance: Any, schema: dict[str, Any], where: str) -> None:
        root = self._closed(self._resolve(schema))
        if isinstance(root, dict):  # a discriminator's mapping points into the components
            root = {**root, "components": {"schemas": self._closed_components}}
        validator = OAS30Validator(root, format_checker=FORMATS)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            lines = [
                f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in errors
            ]
            raise ContractViolation(f"{where} does not match the document:\n" + "\n".join(lines))

    def check(
        self, method: str, path: str, response: TestResponse, request_json: Any = None
    ) -> None:
        template, operation = self.operation(method, path)
        where = f"{method} {path} → {response.status_code}"
        status = str(response.status_code)
        documented = operation["responses"].get(status)
        if documented is None:
            raise ContractViolation(f"{where}: status not documented for {template}")
        documented = self._resolve(documented)
        self.seen.add((method.upper(), template, status))
        content = documented.get("content") or {}
        if not content:
            if response.get_data():
                raise ContractViolation(f"{where}: documented without a body, but has one")
            return
        if response.mimetype not in content:
            raise ContractViolation(
                f"{where}: media type {response.mimetype} not in {list(content)}"
            )
        schema = content[response.mimetype].get("schema", {})
        if response.is_json:
            self.validate(response.get_json(), schema, where)
        elif not response.get_data():
            raise ContractViolation(f"{where}: empty {response.mimetype} body")
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if request_json is not None and body and response.status_code < 300:
            self.validate(request_json, body["schema"], f"{where} request body")


class ContractClient(FlaskClient):
    """A test client that checks every API exchange against ``contract``."""

    contract: Contract

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        response.get_data()  # buffer a streamed file, so closing it keeps the bytes
        response.close()
        request = response.request
        if request.path.startswith("/api/v1/"):
            self.contract.check(request.method, request.path, response, kwargs.get("json"))
        return response
