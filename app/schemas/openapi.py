"""How the marshmallow schemas become the document's schemas, strict enough for generated clients.

- A ``Resource`` (a schema the API answers with) lists every field as ``required``: it dumps
  objects, so each of its fields is always sent, ``null`` where the field allows it. A
  client generated from the document then needs no guard for a field the server always
  sends.
- A nested schema that may be ``null`` is "this object or null": ``anyOf`` of its ``$ref``
  and a schema only ``null`` matches, not apispec's "any object or null" for OpenAPI 3.0,
  which generated clients type as an open dictionary.
"""

from __future__ import annotations

from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from apispec.ext.marshmallow.common import resolve_schema_instance
from marshmallow import Schema, fields

NULL_ONLY = {"nullable": True, "enum": [None]}


class Resource(Schema):
    """A schema the API answers with: every field is always in the body it dumps.

    ``OPTIONAL`` names the fields only some objects have (an applicant's ``openid_masked``,
    a staff member's ``roles``); they stay optional in the document.
    """

    OPTIONAL: tuple[str, ...] = ()


class StrictConverter(OpenAPIConverter):
    def schema2jsonschema(self, schema: Any) -> dict[str, Any]:
        jsonschema = super().schema2jsonschema(schema)
        instance = resolve_schema_instance(schema)
        if isinstance(instance, Resource):
            sent = [
                field.data_key or name
                for name, field in instance.fields.items()
                if not field.load_only and name not in instance.OPTIONAL
            ]
            jsonschema["required"] = sorted(sent)
        return jsonschema

    def field2nullable(self, field: fields.Field, ret: dict[str, Any]) -> dict[str, Any]:
        if field.allow_none and "$ref" in ret:
            return {"anyOf": [{"$ref": ret.pop("$ref")}, NULL_ONLY]}
        if field.allow_none and "allOf" in ret:  # a $ref with a description beside it
            return {"anyOf": [*ret.pop("allOf"), NULL_ONLY]}
        return super().field2nullable(field, ret)


class StrictMarshmallowPlugin(MarshmallowPlugin):
    Converter = StrictConverter
