"""The staffed office of the workflow tests, for the security tests."""

from tests.api.conftest import approved, drive, office, submitted  # noqa: F401
