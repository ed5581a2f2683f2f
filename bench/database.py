"""The benchmark database: which one, creating it when missing, and a fresh schema.

Every benchmark that needs a database uses PostgreSQL at ``BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/zv_bench``, created when missing); a module may name its
own with a more specific variable. **Its schema is dropped and rebuilt** from the Alembic
migrations by each benchmark that runs, one after the other.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/zv_bench"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def bench_url(specific: str | None = None) -> str:
    """``$specific`` if set, else ``BENCH_DATABASE_URL``, else the default database."""
    chosen = os.environ.get(specific) if specific else None
    return chosen or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` when it does not exist yet."""
    target = make_url(url)
    if not target.drivername.startswith("postgresql"):
        return
    admin = target.set(database="postgres", drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
        ).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{target.database}"')


def build_app(url: str, root: Path | None = None, **env: str) -> Flask:
    """The app on ``url`` (rate limits off, fake WeChat); ``root`` holds instance and data."""
    environment = {"APP_ENV": "development", **env}
    config: dict = {
        "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
        "WECHAT_MODE": "fake",
        "RATELIMIT_ENABLED": False,
    }
    if root is not None:
        environment["INSTANCE_DIR"] = str(root / "instance")
        config["DATA_DIR"] = str(root / "data")
    return create_app({"ENV": environment, **config})


def fresh_app(url: str, root: Path | None = None, **env: str) -> Flask:
    """``build_app`` on a database created if missing, its schema rebuilt by the migrations."""
    ensure_database(url)
    app = build_app(url, root, **env)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(MIGRATIONS))
    return app


def server_version(url: str) -> str:
    """The PostgreSQL server's version string (``?`` when it cannot be reached)."""
    target = make_url(url).set(drivername="postgresql", database="postgres")
    try:
        with psycopg.connect(target.render_as_string(hide_password=False)) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except psycopg.Error:
        return "?"
    return str(row[0]) if row else "?"
