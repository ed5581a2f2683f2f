"""Guide search (办事指南/智能问答) and the FAQ admins maintain."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.schemas.guide import (
    FaqCreateSchema,
    FaqListSchema,
    FaqSchema,
    SearchQuerySchema,
    SearchResultSchema,
)
from app.services import guide_search as service
from app.web.auth import current_user, staff_required

blp = Blueprint("guide", __name__, url_prefix="", description="办事指南与智能问答")


@blp.route("/guide/search")
class GuideSearch(MethodView):
    @blp.arguments(SearchQuerySchema, location="query")
    @blp.response(200, SearchResultSchema)
    @blp.operation(
        "searchGuide",
        "办事指南搜索（智能问答）",
        "在办事指南、材料清单和常见问题中检索，最相关的在前（公开）。",
        auth=False,
    )
    @blp.problems(422)
    def get(self, args: dict):
        """Search the guides, material lists and FAQ; best answers first (public)."""
        return {"items": service.search(args["q"], args["limit"])}


@blp.route("/faq")
class Faq(MethodView):
    @blp.response(200, FaqListSchema)
    @blp.operation("listFaq", "常见问题", "常见问题及答案（公开）。", auth=False)
    def get(self):
        """The FAQ (public)."""
        return {"items": service.list_faq()}

    @staff_required("admin")
    @blp.arguments(FaqCreateSchema)
    @blp.response(201, FaqSchema)
    @blp.operation("addFaq", "新增常见问题", "管理员新增一条常见问题；同一问题则替换其答案。")
    @blp.problems(401, (403, "仅管理员"), *JSON_BODY)
    def post(self, body: dict):
        """Add an FAQ entry, or replace the answer of the same question (admin)."""
        return service.add_faq(current_user(), body)


@blp.route("/faq/<int:entry_id>")
class FaqItem(MethodView):
    @staff_required("admin")
    @blp.response(204)
    @blp.operation("deleteFaq", "删除常见问题", "管理员删除一条常见问题。")
    @blp.problems(401, (403, "仅管理员"), (404, "FAQ_NOT_FOUND"))
    def delete(self, entry_id: int):
        """Remove an FAQ entry (admin)."""
        service.delete_faq(entry_id)
