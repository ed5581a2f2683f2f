"""Liveness with a database check."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.errors import problem_response
from app.extensions import db

blp = Blueprint("health", __name__, url_prefix="/health", description="运行状态")


@blp.route("")
class Health(MethodView):
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
