"""Production refuses to start with anything only fit for a developer's machine."""

from __future__ import annotations

import pytest

from app.config import ConfigError, load_config

STRONG = "s" * 40


@pytest.fixture
def production_env(tmp_path, monkeypatch):
    """A complete, acceptable production environment; tests spoil one thing each."""
    for name in ("DATABASE_URL", "SECRET_KEY", "WECHAT_MODE", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    files = {}
    for name in (
        "key.pem",
        "cert.pem",
        "ca.pem",
        "sm2-key.pem",
        "sm2.pem",
        "seal.esl",
        "sm2-ca.pem",
    ):
        (tmp_path / name).write_text("-----BEGIN-----\n", encoding="ascii")
        files[name] = str(tmp_path / name)
    return {
        "APP_ENV": "production",
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "DATABASE_URL": "postgresql://zerovisit@db/zerovisit",
        "SECRET_KEY": STRONG,
        "COURIER_WEBHOOK_SECRET": STRONG,
        "LICENCE_CHECK_SECRET": STRONG,
        "PII_KEY": STRONG,
        "AUDIT_KEY": STRONG,
        "WECHAT_MODE": "real",
        "WECHAT_APPID": "wx123",
        "WECHAT_SECRET": "wechat-secret",
        "SIGNING_KEY_PATH": files["key.pem"],
        "SIGNING_CERT_PATH": files["cert.pem"],
        "SIGNING_CA_PATH": files["ca.pem"],
        # Whether these belong together is checked by create_app (tests/integration/
        # test_licence_ofd.py); load_config only asks that they are there.
        "SM2_SIGNING_KEY_PATH": files["sm2-key.pem"],
        "SM2_SIGNING_CERT_PATH": files["sm2.pem"],
        "SM2_SEAL_PATH": files["seal.esl"],
        "SM2_CA_PATH": files["sm2-ca.pem"],
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    }


def test_a_complete_production_environment_starts(production_env):
    config = load_config({"ENV": production_env})
    assert config["APP_ENV"] == "production"
    assert config["WECHAT_MODE"] == "real"
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"SECRET_KEY": "x"}, "SECRET_KEY must be at least 32"),
        ({"LICENCE_CHECK_SECRET": "short-secret"}, "LICENCE_CHECK_SECRET must be at least"),
        ({"COURIER_WEBHOOK_SECRET": "c" * 31}, "COURIER_WEBHOOK_SECRET must be at least"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"PII_KEY": ""}, "PII_KEY must be set"),
        ({"PII_KEY": "k" * 31}, "PII_KEY must be at least"),
        ({"AUDIT_KEY": ""}, "AUDIT_KEY must be set"),
        ({"WECHAT_MODE": "fake"}, "WECHAT_MODE must be 'real'"),
        ({"WECHAT_SECRET": ""}, "WECHAT_APPID and WECHAT_SECRET"),
        ({"DATABASE_URL": "sqlite:///prod.db"}, "PostgreSQL"),
        ({"SIGNING_KEY_PATH": ""}, "SIGNING_KEY_PATH is required"),
        ({"SIGNING_CA_PATH": "/nonexistent/ca.pem"}, "SIGNING_CA_PATH points at"),
        ({"SM2_SEAL_PATH": ""}, "SM2_SEAL_PATH is required"),
        ({"SM2_CA_PATH": "/nonexistent/sm2-ca.pem"}, "SM2_CA_PATH points at"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
        ({"RATELIMIT_ENABLED": "false"}, "RATELIMIT_STORAGE_URI"),
    ],
)
def test_production_refuses(production_env, change, complaint):
    with pytest.raises(ConfigError, match=complaint):
        load_config({"ENV": {**production_env, **change}})


@pytest.mark.parametrize("name", ["Production", "PRODUCTION", "prod", "staging", " production"])
def test_an_unknown_environment_name_is_refused(production_env, name):
    with pytest.raises(ConfigError, match="APP_ENV must be one of"):
        load_config({"ENV": {**production_env, "APP_ENV": name}})


def test_development_still_starts_with_generated_secrets(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = load_config({"ENV": {"APP_ENV": "development", "INSTANCE_DIR": str(tmp_path)}})
    assert len(config["SECRET_KEY"]) >= 32
    assert config["WECHAT_MODE"] in ("fake", "real")
