"""The guide resources: what their operations take and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.openapi import Resource

MAX_QUERY_LENGTH = 100  # characters of a question the search reads


class SearchQuerySchema(Schema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_QUERY_LENGTH),
        metadata={"description": "用户的问题，如“危化品经营许可证要多久”"},
    )
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=20))


class SearchHitSchema(Resource):
    permit_type = fields.String(allow_none=True, metadata={"description": "事项代码；通用问题为空"})
    permit_type_name = fields.String(allow_none=True)
    section = fields.String(
        metadata={"description": "指南章节，如 办理时限、申请材料（延期）、常见问题"}
    )
    snippet = fields.String(metadata={"description": "匹配的原文片段"})
    score = fields.Float(metadata={"description": "相关度，越大越相关"})
    faq_id = fields.Integer(allow_none=True)


class SearchResultSchema(Resource):
    items = fields.List(fields.Nested(SearchHitSchema))


class FaqCreateSchema(Schema):
    question = fields.String(required=True, validate=validate.Length(min=1, max=200))
    answer = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    permit_type = fields.String(allow_none=True, metadata={"description": "所属事项；为空表示通用"})


class FaqSchema(Resource):
    id = fields.Integer()
    question = fields.String()
    answer = fields.String()
    permit_type = fields.String(allow_none=True, metadata={"description": "所属事项；为空表示通用"})


class FaqListSchema(Resource):
    items = fields.List(fields.Nested(FaqSchema))
