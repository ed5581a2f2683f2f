"""Guide search (办事指南/智能问答) and the FAQ admins maintain."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.auth import current_user, staff_required
from app.services import guide_search as service

blp = Blueprint("guide", __name__, url_prefix="", description="办事指南与智能问答")
SECURITY = [{"bearerAuth": []}]


class SearchQuerySchema(Schema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=service.MAX_QUERY_LENGTH),
        metadata={"description": "用户的问题，如“危化品经营许可证要多久”"},
    )
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=20))


class SearchHitSchema(Schema):
    permit_type = fields.String(allow_none=True, metadata={"description": "事项代码；通用问题为空"})
    permit_type_name = fields.String(allow_none=True)
    section = fields.String(
        metadata={"description": "指南章节，如 办理时限、申请材料（延期）、常见问题"}
    )
    snippet = fields.String(metadata={"description": "匹配的原文片段"})
    score = fields.Float(metadata={"description": "相关度，越大越相关"})
    faq_id = fields.Integer(allow_none=True)


class SearchResultSchema(Schema):
    items = fields.List(fields.Nested(SearchHitSchema))


class FaqSchema(Schema):
    id = fields.Integer(dump_only=True)
    question = fields.String(required=True, validate=validate.Length(min=1, max=200))
    answer = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    permit_type = fields.String(
        allow_none=True, load_default=None, metadata={"description": "所属事项；为空表示通用"}
    )


class FaqListSchema(Schema):
    items = fields.List(fields.Nested(FaqSchema))


@blp.route("/guide/search")
class GuideSearch(MethodView):
    @blp.arguments(SearchQuerySchema, location="query")
    @blp.response(200, SearchResultSchema)
    def get(self, args: dict):
        """Search the guides, material lists and FAQ; best answers first (public)."""
        return {"items": service.search(args["q"], args["limit"])}


@blp.route("/faq")
class Faq(MethodView):
    @blp.response(200, FaqListSchema)
    def get(self):
        """The FAQ (public)."""
        return {"items": [service.faq_view(entry) for entry in service.list_faq()]}

    @staff_required("admin")
    @blp.arguments(FaqSchema)
    @blp.response(201, FaqSchema)
    @blp.doc(security=SECURITY)
    def post(self, body: dict):
        """Add an FAQ entry, or replace the answer of the same question (admin)."""
        return service.faq_view(service.add_faq(current_user(), body))


@blp.route("/faq/<int:entry_id>")
class FaqItem(MethodView):
    @staff_required("admin")
    @blp.response(204)
    @blp.doc(security=SECURITY)
    def delete(self, entry_id: int):
        """Remove an FAQ entry (admin)."""
        service.delete_faq(entry_id)
