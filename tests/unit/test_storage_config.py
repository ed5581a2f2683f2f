"""A storage setting that could only fail at the first upload is refused at start."""

from __future__ import annotations

import pytest

from app.config import ConfigError, load_config


def _config(tmp_path, **env: str) -> dict:
    return load_config({"ENV": {"APP_ENV": "development", "INSTANCE_DIR": str(tmp_path), **env}})


def test_local_storage_is_the_default(tmp_path):
    assert _config(tmp_path)["STORAGE_BACKEND"] == "local"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE_BACKEND": "nfs"}, "STORAGE_BACKEND must be local or s3"),
        ({"STORAGE_BACKEND": "s3"}, "S3_BUCKET is required"),
        (
            {"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "dns"},
            "S3_ADDRESSING_STYLE must be",
        ),
    ],
)
def test_a_storage_setting_that_cannot_work_is_refused(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        _config(tmp_path, **env)


def test_an_s3_setting_is_read_from_the_environment(tmp_path):
    config = _config(
        tmp_path,
        STORAGE_BACKEND="s3",
        S3_BUCKET="zerovisit",
        S3_ENDPOINT_URL="http://minio.internal:9000",
        S3_MULTIPART_THRESHOLD_BYTES="16777216",
    )
    assert config["S3_BUCKET"] == "zerovisit"
    assert config["S3_ENDPOINT_URL"] == "http://minio.internal:9000"
    assert config["S3_MULTIPART_THRESHOLD_BYTES"] == 16 * 1024 * 1024
