"""Engine settings for SQLite, the embedded database, so it behaves under concurrent writers.

- foreign keys on (SQLite leaves them off), WAL so readers never block the writer, and a
  5-second busy timeout instead of an immediate "database is locked";
- writers start with BEGIN IMMEDIATE. pysqlite's default deferred transaction reads first and
  upgrades to a write lock later; in WAL mode that upgrade fails at once (SQLITE_BUSY_SNAPSHOT,
  the busy timeout does not apply) when another request committed in between. Taking the write
  lock at BEGIN makes concurrent saves queue up, and the version check then answers 409.
  A request is a writer unless it is a GET/HEAD/OPTIONS; commands outside requests write.
PostgreSQL needs none of this: row locks and the version check do the same job there.
"""
from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from portal.config import INSTANCE_DIR, ensure_instance_dir

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_settings(dbapi_connection, connection_record):  # noqa: ARG001 - SQLAlchemy's signature
    if not _is_sqlite(dbapi_connection):
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a committed write survives an OS crash too
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name != "sqlite":
        return
    if connection.connection.dbapi_connection.in_transaction:
        return  # one connection shared by two sessions (the in-memory test database): already begun
    reading = has_request_context() and request.method in READ_ONLY_METHODS
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def prepare_sqlite_file(uri: str) -> None:
    """A SQLite database file (and so its -wal and -shm, which SQLite creates with the file's mode)
    is readable by its owner only: create it 0600 in a 0700 folder before SQLite does, and tighten
    an existing file of ours that is more open."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") or url.database.startswith("file:"):
        return
    path = Path(url.database)
    if path.resolve().parent == INSTANCE_DIR:
        ensure_instance_dir()
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        with suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with suppress(OSError):
            if file.stat().st_uid == os.getuid() and file.stat().st_mode & 0o077:
                file.chmod(0o600)
