"""Liveness with a database check."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api.docs import Blueprint
from app.extensions import db
from app.schemas.health import HealthSchema
from app.web.problems import problem_response

blp = Blueprint("health", __name__, url_prefix="/health", description="运行状态")


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.operation(
        "getHealth", "运行状态", "接口及数据库是否可用；数据库不可用时返回 503。", auth=False
    )
    @blp.problems((503, "DATABASE_UNAVAILABLE"))
    def get(self):
        """Report whether the API and its database answer."""
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            db.session.rollback()
            return problem_response(
                503, "DATABASE_UNAVAILABLE", "数据库暂时不可用", "数据库暂时不可用，请稍后再试"
            )
        return {"status": "ok", "database": "ok"}
