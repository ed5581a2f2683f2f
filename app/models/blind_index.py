"""Blind indexes kept current at every flush: the keyed HMAC-SM3 of a worker's ID number on
the case and on a person's licence, so "which cases/licences name this ID number" is an
indexed equality lookup while the number itself stays sealed."""

from __future__ import annotations

from sqlalchemy import event

from app.models.application import Application
from app.models.licence import Licence
from app.models.sealed import keyring


def id_number_index(id_number: object) -> str | None:
    """The index of an ID number as stored (no blanks, check character ``X``)."""
    if not isinstance(id_number, str) or not id_number.strip():
        return None
    return keyring().blind_index(id_number.strip().upper())


def id_number_indexes(id_number: str) -> list[str]:
    """Every index the number may have while a key rotation is under way."""
    return keyring().blind_indexes(id_number.strip().upper())


def _index_application(_mapper, _connection, target: Application) -> None:
    target.worker_id_index = id_number_index((target.form or {}).get("worker_id_number"))


def _index_licence(_mapper, _connection, target: Licence) -> None:
    target.holder_id_index = id_number_index((target.holder or {}).get("id_number"))


def register() -> None:
    for name in ("before_insert", "before_update"):
        if not event.contains(Application, name, _index_application):
            event.listen(Application, name, _index_application)
        if not event.contains(Licence, name, _index_licence):
            event.listen(Licence, name, _index_licence)
