"""The committed migrations build exactly the schema the models describe."""

from __future__ import annotations


def test_models_and_migrations_agree(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
