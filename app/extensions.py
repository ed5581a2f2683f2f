"""Extensions, created once here and bound to each app in ``create_app``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def client_address() -> str:
    """The client's address, which the rate limiter and the login throttles count by."""
    return request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)

# The base class of every model: Flask-SQLAlchemy's db.Model, built from Base at runtime.
# A type checker cannot derive a class from an attribute, so it sees Base itself.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
limiter = Limiter(key_func=client_address, default_limits=[], headers_enabled=True)
