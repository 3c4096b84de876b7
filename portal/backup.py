"""Backups that restore: `flask --app app backup create PATH` and `backup restore PATH [--force]`.

Taken while the portal serves writes, each from one consistent snapshot:
- SQLite: the online backup API (sqlite3.Connection.backup) from a connection that holds a
  read transaction, so the copy and the row counts written beside it are of the same moment;
  WAL lets the portal's writers go on meanwhile.
- PostgreSQL: `pg_dump -Fc --snapshot=…` of a snapshot this command exports and counts in.

Beside the backup, PATH.manifest.json holds the row count of every table at that moment;
`restore` checks the restored database against it (and `PRAGMA integrity_check` on SQLite).
Backups and manifests are created readable by their owner only (0600). A restore goes into the
configured database and refuses to overwrite one that holds tables unless given --force.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404  # pg_dump and pg_restore, run with argument lists, never a shell
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import inspect, text

from portal.extensions import db

OWNER_ONLY = 0o600


class BackupError(click.ClickException):
    pass


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def create_owner_only(path: Path) -> None:
    """Create `path` empty, mode 0600, refusing to replace anything there (O_EXCL)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))
    except FileExistsError:
        raise BackupError(f"{path} 已存在，不会覆盖 (already exists; choose a new name)") from None
    except OSError as exc:
        raise BackupError(f"无法创建 {path}：{exc.strerror}") from None


def sqlite_file() -> Path | None:
    """The configured SQLite database file; None on PostgreSQL. An in-memory database has no backup."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        return None
    if url.database in (None, "", ":memory:"):
        raise BackupError("内存数据库无法备份 (an in-memory database cannot be backed up)")
    return Path(url.database)


def _quoted_tables(conn) -> list[str]:
    return sorted(inspect(conn).get_table_names())


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    # Names come from the database's own catalogue and are quoted: no user input.
    return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}  # nosec B608  # catalogue names, quoted


def _integrity(conn: sqlite3.Connection) -> str:
    return ", ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))


def _libpq(url) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment that carries it."""
    env = os.environ.copy()
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return dsn, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}（PostgreSQL 客户端工具）；请安装 postgresql-client")
    return found


def _pg_counts(conn) -> dict[str, int]:
    quote = conn.dialect.identifier_preparer.quote
    return {t: conn.execute(text(f"SELECT COUNT(*) FROM {quote(t)}")).scalar_one()  # nosec B608  # catalogue names, quoted
            for t in _quoted_tables(conn)}


def _write_manifest(path: Path, engine: str, counts: dict[str, int]) -> dict:
    manifest = {"engine": engine, "taken_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "file": path.name, "counts": counts}
    target = manifest_path(path)
    target.unlink(missing_ok=True)
    create_owner_only(target)
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def create_backup(path: Path) -> dict:
    """Write a consistent backup of the configured database to `path` (new file, 0600); its manifest."""
    path = Path(path)
    source = sqlite_file()
    create_owner_only(path)
    try:
        if source is not None:
            counts = _backup_sqlite(source, path)
            return _write_manifest(path, "sqlite", counts)
        counts = _backup_postgres(path)
        return _write_manifest(path, "postgresql", counts)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _backup_sqlite(source: Path, path: Path) -> dict[str, int]:
    if not source.exists():
        raise BackupError(f"数据库文件不存在：{source}")
    with closing(sqlite3.connect(source, isolation_level=None, timeout=30)) as src, \
            closing(sqlite3.connect(path, isolation_level=None)) as dst:
        src.execute("BEGIN")  # a read transaction: the counts and the copy see the same snapshot
        counts = _sqlite_counts(src)
        src.backup(dst)  # all pages in one step, inside the read transaction
        src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        verdict = _integrity(dst)
        if verdict != "ok":
            raise BackupError(f"备份校验失败 (integrity_check): {verdict}")
        if _sqlite_counts(dst) != counts:
            raise BackupError("备份的行数与快照不符 (row counts differ from the snapshot)")
    return counts


def _backup_postgres(path: Path) -> dict[str, int]:
    dsn, env = _libpq(db.engine.url)
    pg_dump = _tool("pg_dump")
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        counts = _pg_counts(conn)
        # The snapshot lives while this transaction is open: pg_dump dumps exactly what was counted.
        done = subprocess.run([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-owner", "--no-privileges",
                               f"--file={path}", f"--dbname={dsn}"],  # nosec B603  # fixed tool, argument list
                              env=env, capture_output=True, text=True)
        conn.rollback()
    if done.returncode != 0:
        raise BackupError(f"pg_dump 失败：{done.stderr.strip()[-2000:]}")
    return counts


def read_manifest(path: Path) -> dict | None:
    target = manifest_path(path)
    if not target.exists():
        return None
    return json.loads(target.read_text())


def restore_backup(path: Path, force: bool = False) -> dict:
    """Restore `path` into the configured database; refuse a database holding tables unless `force`.

    Returns {"counts": …, "manifest": … or None, "integrity": "ok" on SQLite}; raises when the
    restored counts differ from the manifest.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"找不到备份文件：{path}")
    manifest = read_manifest(path)
    with db.engine.connect() as conn:
        tables = _quoted_tables(conn)
    if tables and not force:
        raise BackupError(f"目标数据库不是空的（已有 {len(tables)} 张表），未恢复。确认要覆盖请加 --force。"
                          f" (the configured database is not empty; add --force to overwrite it)")
    db.engine.dispose()  # no pooled connection may hold the old database open
    target = sqlite_file()
    if target is not None:
        result = _restore_sqlite(path, target)
    else:
        result = _restore_postgres(path, force=bool(tables))
    result["manifest"] = manifest
    if manifest is not None and manifest["counts"] != result["counts"]:
        raise BackupError("恢复后的行数与备份清单不符 (row counts differ from the manifest)")
    return result


def _restore_sqlite(path: Path, target: Path) -> dict:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as src:
        verdict = _integrity(src)
        if verdict != "ok":
            raise BackupError(f"备份文件已损坏 (integrity_check): {verdict}")
        if not target.exists():
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            create_owner_only(target)
        with closing(sqlite3.connect(target, isolation_level=None, timeout=30)) as dst:
            src.backup(dst)
            verdict = _integrity(dst)
            counts = _sqlite_counts(dst)
    return {"counts": counts, "integrity": verdict}


def _restore_postgres(path: Path, force: bool) -> dict:
    dsn, env = _libpq(db.engine.url)
    command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
               f"--dbname={dsn}"]
    if force:
        command += ["--clean", "--if-exists"]
    done = subprocess.run([*command, str(path)], env=env, capture_output=True, text=True)  # nosec B603  # fixed tool, argument list
    if done.returncode != 0:
        raise BackupError(f"pg_restore 失败：{done.stderr.strip()[-2000:]}")
    with db.engine.connect() as conn:
        counts = _pg_counts(conn)
    return {"counts": counts}


def register_backup_commands(app) -> None:
    group = AppGroup("backup", help="Back up and restore the database (SQLite online backup; pg_dump).")

    @group.command("create")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def create(path):
        """Write a consistent backup to PATH (a new file, owner-only) while the portal keeps serving."""
        manifest = create_backup(path)
        total = sum(manifest["counts"].values())
        click.echo(f"备份完成 backup written: {path} ({len(manifest['counts'])} tables, {total} rows); "
                   f"manifest {manifest_path(path)}")

    @group.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
    @click.option("--force", is_flag=True, help="Overwrite a database that already holds tables.")
    def restore(path, force):
        """Restore PATH into the configured database (refuses a non-empty one without --force)."""
        result = restore_backup(path, force=force)
        checked = "checked against the manifest" if result["manifest"] else "no manifest to check against"
        click.echo(f"恢复完成 restored {path}: {sum(result['counts'].values())} rows, {checked}"
                   + (f", integrity_check {result['integrity']}" if "integrity" in result else ""))
        if db.engine.dialect.name == "postgresql":
            click.echo("PostgreSQL: run `flask --app app db grant-app-role NAME` again for the app role.", err=True)

    app.cli.add_command(group)
