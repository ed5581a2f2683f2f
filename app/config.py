"""Settings from the environment, with development defaults and production checks.

Secrets that a developer should not have to invent (token signing key, courier webhook
key) are generated once and kept under ``instance/`` outside production; production
refuses to start without them, with fake WeChat, or with demo data.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


APP_ENVS = ("development", "testing", "production")
MIN_SECRET_LENGTH = 32
SECRET_SETTINGS = (
    "SECRET_KEY",
    "COURIER_WEBHOOK_SECRET",
    "LICENCE_CHECK_SECRET",
    "PII_KEY",
    "AUDIT_KEY",
)
SIGNING_FILES = ("SIGNING_KEY_PATH", "SIGNING_CERT_PATH", "SIGNING_CA_PATH")
# The electronic seal's SM2 files (GB/T 38540): checked together at start in production.
SM2_FILES = ("SM2_SIGNING_KEY_PATH", "SM2_SIGNING_CERT_PATH", "SM2_SEAL_PATH", "SM2_CA_PATH")


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app may start with."""


def _persistent_secret(instance_dir: Path, name: str) -> str:
    """Read a generated secret from ``instance/``, creating it atomically on first use.

    Several workers may start at once: each writes its candidate to a temporary file and
    hard-links it into place; the first link wins and everyone reads the winner.
    """
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / name
    if not path.exists():
        tmp = instance_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip()


def _sqlalchemy_url(url: str) -> str:
    """Let a plain ``postgresql://`` URL use psycopg 3, the driver this project installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment and optional overrides."""
    env = {**os.environ, **{k: str(v) for k, v in (overrides or {}).get("ENV", {}).items()}}
    app_env = env.get("APP_ENV", "development")
    if app_env not in APP_ENVS:
        # "Production" or "prod" must not silently run as development with fake WeChat.
        raise ConfigError(f"APP_ENV must be one of {', '.join(APP_ENVS)}, not {app_env!r}")
    production = app_env == "production"
    instance_dir = Path(env.get("INSTANCE_DIR", PROJECT_ROOT / "instance"))
    port = int(env.get("PORT", "8000"))
    data_dir = Path(env.get("DATA_DIR", instance_dir / "data"))
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'zerovisit.sqlite3'}"

    def secret(name: str, file_name: str) -> str:
        value = env.get(name)
        if value:
            return value
        if production:
            raise ConfigError(f"{name} must be set in production")
        return _persistent_secret(instance_dir, file_name)

    config = {
        "APP_ENV": app_env,
        "INSTANCE_DIR": str(instance_dir),
        "PORT": port,
        "DATA_DIR": str(data_dir),
        "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(database_url),
        # hide_parameters: a failed statement is logged without its values (phones, IDs).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "SECRET_KEY": secret("SECRET_KEY", "secret_key"),
        "COURIER_WEBHOOK_SECRET": secret("COURIER_WEBHOOK_SECRET", "courier_webhook_secret"),
        # Keys the check codes printed on licences; rotating it voids every printed code.
        "LICENCE_CHECK_SECRET": secret("LICENCE_CHECK_SECRET", "licence_check_secret"),
        # Seals personal data at rest (app/crypto.py); previous keys still open what they
        # sealed until `pii rotate-key` has re-sealed every row under the current one.
        "PII_KEY": secret("PII_KEY", "pii_key"),
        "PII_PREVIOUS_KEYS": [k for k in env.get("PII_PREVIOUS_KEYS", "").split(",") if k.strip()],
        "PII_CIPHER": env.get("PII_CIPHER", "sm4-gcm"),
        # Keys the timeline's HMAC-SM3 chain: without it nobody can recompute the chain.
        "AUDIT_KEY": secret("AUDIT_KEY", "audit_key"),
        # Staff TOTP (RFC 6238): the issuer name an authenticator app shows.
        "TOTP_ISSUER": env.get("TOTP_ISSUER", "Zerovisit"),
        "TOKEN_TTL_SECONDS": int(env.get("TOKEN_TTL_SECONDS", str(7 * 24 * 3600))),
        "WECHAT_MODE": env.get("WECHAT_MODE", "real" if production else "fake"),
        "WECHAT_APPID": env.get("WECHAT_APPID", ""),
        "WECHAT_SECRET": env.get("WECHAT_SECRET", ""),
        "WECHAT_API_BASE": env.get("WECHAT_API_BASE", "https://api.weixin.qq.com"),
        "WECHAT_TIMEOUT_SECONDS": float(env.get("WECHAT_TIMEOUT_SECONDS", "5")),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}"),
        "MAX_UPLOAD_BYTES": int(env.get("MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))),
        # An unfinished resumable (tus) upload and its bytes are removed after this long.
        "UPLOAD_EXPIRY_HOURS": int(env.get("UPLOAD_EXPIRY_HOURS", "24")),
        # Unfinished resumable uploads one account may keep at once (409 TOO_MANY_UPLOADS).
        "MAX_OPEN_UPLOADS": int(env.get("MAX_OPEN_UPLOADS", "10")),
        # Status reads kept per worker by their ETag (app/api/status_reads.py); 0 turns it off.
        "STATUS_READ_CACHE_ENTRIES": int(env.get("STATUS_READ_CACHE_ENTRIES", "1024")),
        "STATUS_READ_CACHE_SECONDS": float(env.get("STATUS_READ_CACHE_SECONDS", "300")),
        # The test suite rebuilds every kept read it serves and fails on a difference.
        "STATUS_READ_CACHE_VERIFY": app_env == "testing",
        "MAX_JSON_BYTES": int(env.get("MAX_JSON_BYTES", str(1024 * 1024))),
        # Where documents and generated PDFs are kept: "local" (DATA_DIR) or "s3" (a bucket
        # several app servers share; credentials from boto3's AWS_* environment variables).
        "STORAGE_BACKEND": env.get("STORAGE_BACKEND", "local"),
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL", ""),
        "S3_BUCKET": env.get("S3_BUCKET", ""),
        "S3_PREFIX": env.get("S3_PREFIX", ""),
        "S3_ADDRESSING_STYLE": env.get("S3_ADDRESSING_STYLE", "path"),
        "S3_MULTIPART_THRESHOLD_BYTES": int(
            env.get("S3_MULTIPART_THRESHOLD_BYTES", str(8 * 1024 * 1024))
        ),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "true").lower() == "true",
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "zerovisit"),
        # How long a retry waits for a simultaneous first request with the same key.
        "IDEMPOTENCY_WAIT_SECONDS": float(env.get("IDEMPOTENCY_WAIT_SECONDS", "5")),
        "DEADLINE_WARNING_DAYS": int(env.get("DEADLINE_WARNING_DAYS", "2")),
        # Wrong licence check codes when claiming an imported enterprise, per user and address.
        "ENTERPRISE_CLAIM_LIMIT": env.get("ENTERPRISE_CLAIM_LIMIT", "5 per hour"),
        # Staff login attempts per (username, address), and per address over all usernames.
        "STAFF_LOGIN_LIMIT": env.get("STAFF_LOGIN_LIMIT", "5 per 15 minutes"),
        "STAFF_LOGIN_ADDRESS_LIMIT": env.get("STAFF_LOGIN_ADDRESS_LIMIT", "30 per 15 minutes"),
        "VERIFY_LIMIT": env.get("VERIFY_LIMIT", "60 per minute"),
        # Machine clients (integration API): token lifetime, requests per client, and failed
        # token requests per address.
        "CLIENT_TOKEN_TTL_SECONDS": int(env.get("CLIENT_TOKEN_TTL_SECONDS", "3600")),
        "CLIENT_RATE_LIMIT": env.get("CLIENT_RATE_LIMIT", "120 per minute"),
        "CLIENT_LOGIN_LIMIT": env.get("CLIENT_LOGIN_LIMIT", "10 per minute"),
        # Webhook deliveries: exponential backoff, and an endpoint failing for this many days
        # is disabled (the admins are told).
        "WEBHOOK_RETRY_BASE_SECONDS": int(env.get("WEBHOOK_RETRY_BASE_SECONDS", "30")),
        "WEBHOOK_RETRY_MAX_SECONDS": int(env.get("WEBHOOK_RETRY_MAX_SECONDS", "21600")),
        "WEBHOOK_DISABLE_AFTER_DAYS": int(env.get("WEBHOOK_DISABLE_AFTER_DAYS", "5")),
        "WEBHOOK_TIMEOUT_SECONDS": float(env.get("WEBHOOK_TIMEOUT_SECONDS", "10")),
        "WEBHOOK_HTTPS_ONLY": env.get("WEBHOOK_HTTPS_ONLY", str(production)).lower() == "true",
        "PDF_FONT_PATH": env.get("PDF_FONT_PATH", ""),
        "SIGNING_KEY_PATH": env.get("SIGNING_KEY_PATH", ""),
        "SIGNING_CERT_PATH": env.get("SIGNING_CERT_PATH", ""),
        "SIGNING_CA_PATH": env.get("SIGNING_CA_PATH", ""),
        "SIGNING_KEY_PASSPHRASE": env.get("SIGNING_KEY_PASSPHRASE", ""),
        **{name: env.get(name, "") for name in SM2_FILES},
        # Where the applicant may seek 行政复议 / 行政诉讼 (printed on refusals and denials);
        # empty: the people's government at the issuer's level / the competent court.
        # 差评整改: working days from a bad rating to the call back and to the rectification.
        "RATING_CONTACT_DAYS": int(env.get("RATING_CONTACT_DAYS", "1")),
        "RATING_RECTIFY_DAYS": int(env.get("RATING_RECTIFY_DAYS", "5")),
        "REMEDY_REVIEW_BODY": env.get("REMEDY_REVIEW_BODY", ""),
        "REMEDY_COURT": env.get("REMEDY_COURT", ""),
        # Announced holiday schedules ({year}.yaml); `flask calendar load` adds to it.
        "HOLIDAY_SCHEDULE_DIR": env.get("HOLIDAY_SCHEDULE_DIR", ""),
        "ISSUER_CREDIT_CODE": env.get("ISSUER_CREDIT_CODE", "11120000MB00000000"),
        "DEMO_DATA_ALLOWED": not production,
        # flask-smorest / OpenAPI
        "API_TITLE": "Zerovisit 不见面审批 API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        # Relative to the document's own address, so it holds behind any host or proxy.
        "API_SPEC_OPTIONS": {"servers": [{"url": "/", "description": "本服务（与本文档同源）"}]},
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
        "JSON_AS_ASCII": False,
    }
    config.update({k: v for k, v in (overrides or {}).items() if k != "ENV"})
    check_storage(config)
    if config["PII_CIPHER"] not in ("sm4-gcm", "aes-256-gcm"):
        raise ConfigError(f"PII_CIPHER must be sm4-gcm or aes-256-gcm, not {config['PII_CIPHER']}")
    if production:
        check_production(config)
    return config


def check_storage(config: dict) -> None:
    """Refuse a storage setting that would fail at the first upload instead of at start."""
    if config["STORAGE_BACKEND"] not in ("local", "s3"):
        raise ConfigError(f"STORAGE_BACKEND must be local or s3, not {config['STORAGE_BACKEND']!r}")
    if config["STORAGE_BACKEND"] == "s3" and not config["S3_BUCKET"]:
        raise ConfigError("S3_BUCKET is required with STORAGE_BACKEND=s3")
    if config["S3_ADDRESSING_STYLE"] not in ("path", "virtual", "auto"):
        raise ConfigError("S3_ADDRESSING_STYLE must be path, virtual or auto")


def check_production(config: dict) -> None:
    """Refuse settings that are only acceptable on a developer's machine."""
    problems = [
        f"{name} must be at least {MIN_SECRET_LENGTH} characters in production"
        for name in SECRET_SETTINGS
        if len(config.get(name) or "") < MIN_SECRET_LENGTH
    ]
    if config["WECHAT_MODE"] != "real":
        problems.append("WECHAT_MODE must be 'real' in production")
    if not (config["WECHAT_APPID"] and config["WECHAT_SECRET"]):
        problems.append("WECHAT_APPID and WECHAT_SECRET are required in production")
    for name in SIGNING_FILES + SM2_FILES:
        if not config.get(name):
            problems.append(f"{name} is required in production")
        elif not Path(config[name]).is_file():
            problems.append(f"{name} points at {config[name]}, which is not a readable file")
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        problems.append("DATABASE_URL must point at PostgreSQL in production")
    storage = config.get("RATELIMIT_STORAGE_URI", "")
    if not config.get("RATELIMIT_ENABLED", True) or storage.startswith("memory://"):
        # Each worker would count on its own: throttles would multiply by the worker count.
        problems.append("RATELIMIT_STORAGE_URI must be a shared store (redis://…) in production")
    if problems:
        raise ConfigError("; ".join(problems))
