"""Staff login throttling: per account and address, per address, atomic, configurable."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.factories import STAFF_PASSWORD


def _login(client, username, password, address="10.0.0.1"):
    return client.post(
        "/api/v1/auth/staff",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_strangers_elsewhere_cannot_lock_a_real_user_out(client, make):
    make.staff("clerk", username="zhao")
    for _ in range(8):
        _login(client, "zhao", "guess", address="203.0.113.9")
    assert _login(client, "zhao", "guess", address="203.0.113.9").status_code == 429
    assert _login(client, "zhao", STAFF_PASSWORD, address="10.0.0.1").status_code == 200


def test_spraying_one_password_over_many_usernames_is_throttled(app, client, make):
    app.config["STAFF_LOGIN_ADDRESS_LIMIT"] = "10 per 15 minutes"
    statuses = [_login(client, f"user{n}", "Spring2026!").status_code for n in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


def test_the_configured_limit_is_the_one_applied(app, client, make):
    app.config["STAFF_LOGIN_LIMIT"] = "2 per 15 minutes"
    make.staff("clerk", username="qian")
    assert [_login(client, "qian", "bad").status_code for _ in range(3)] == [401, 401, 429]


def test_a_successful_login_resets_the_account_counter(client, make):
    make.staff("clerk", username="sun")
    for _ in range(4):
        _login(client, "sun", "bad")
    assert _login(client, "sun", STAFF_PASSWORD).status_code == 200
    assert [_login(client, "sun", "bad").status_code for _ in range(5)] == [401] * 5


def test_a_burst_of_guesses_gets_no_extra_tries(app, make):
    make.staff("clerk", username="li-burst")

    def attempt(_):
        with app.test_client() as client:
            return _login(client, "li-burst", "guess").status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(attempt, range(20)))
    assert statuses.count(401) == 5
    assert statuses.count(429) == 15
