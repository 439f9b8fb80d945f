"""Backups of the whole database through django-dbbackup's connectors: SQLite through its online
backup API, PostgreSQL through pg_dump/pg_restore in the custom format. A backup is one file
named <database>-<host>-<date>.<kind>; its extension says which kind of database it restores."""

import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from dbbackup.db.base import get_connector
from dbbackup.db.exceptions import CommandConnectorError
from dbbackup.db.postgresql import PgDumpBinaryConnector
from dbbackup.db.sqlite import SqliteBackupConnector
from dbbackup.storage import Storage
from django.core.files.storage import FileSystemStorage
from django.db import connection

# A backup being written carries no date in its name, so that it is never listed as a backup.
PARTIAL_PREFIX = ".partial-"
PARTIAL_FORGOTTEN_AFTER = 24 * 3600  # seconds; what a killed backup left behind


class BackupError(Exception):
    """A backup or restore that cannot be done, with a message for the operator."""


class SqliteOnlineConnector(SqliteBackupConnector):
    """Restores through the online backup API too. The library's restore writes over the database
    file; under WAL that leaves the old database's -wal file to be replayed onto the new one, and
    the other processes' open connections reading pages that moved under them. Copying the pages
    into the live database through the API goes through SQLite's own locks and journal: every
    connection sees the database before the restore or after it, never a mix."""

    def restore_dump(self, dump) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "restore.sqlite3"
            with copy.open("wb") as file:
                shutil.copyfileobj(dump, file)
            source = sqlite3.connect(copy)
            try:
                # A file that is not an SQLite database (or a damaged one) fails here, before the
                # live database is touched.
                problems = source.execute("PRAGMA quick_check").fetchone()[0]
                if problems != "ok":
                    raise BackupError(f"备份文件已损坏 / the backup file is damaged: {problems}")
                self.connection.ensure_connection()
                source.backup(self.connection.connection)
            finally:
                source.close()


class PostgresCustomFormatConnector(PgDumpBinaryConnector):
    """pg_dump --format=custom, restored by pg_restore --clean --if-exists in one transaction. The
    restored objects belong to whoever restores: a backup moves to another server and role."""

    pg_options = "--no-owner --no-privileges"


def backup_create(*, directory: Path) -> Path:
    """Write a backup of the whole database into directory and return its path. The file appears
    under its final name only once complete."""
    connector = get_connector()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        name = FileSystemStorage(location=directory).get_available_name(connector.generate_filename())
        partial = directory / f"{PARTIAL_PREFIX}{os.getpid()}"
        try:
            dump = connector.create_dump()
            with partial.open("wb") as file:
                shutil.copyfileobj(dump, file)
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, directory / name)
        finally:
            partial.unlink(missing_ok=True)
    except CommandConnectorError as exc:
        raise BackupError(f"pg_dump 失败 / pg_dump failed: {_last_line(exc)}") from exc
    except OSError as exc:
        raise BackupError(f"无法写入 / cannot write into {directory}: {exc.strerror}") from exc
    return directory / name


def backup_restore(*, path: Path) -> None:
    """Replace the whole database with the backup in path: afterwards it is exactly as it was when
    the backup was taken."""
    if not path.is_file():
        raise BackupError(f"备份文件不存在 / no such backup file: {path}")
    connector = get_connector()
    if not path.name.endswith(f".{connector.extension}"):
        raise BackupError(
            f"{path.name} 不是本数据库类型的备份 / is not a backup of this kind of database (*.{connector.extension})"
        )
    connection.close()  # this process holds no lock on what the restore drops or overwrites
    try:
        with path.open("rb") as dump:
            connector.restore_dump(dump)
    except CommandConnectorError as exc:
        raise BackupError(f"pg_restore 失败 / pg_restore failed: {_last_line(exc)}") from exc
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"不是有效的 SQLite 备份 / not a valid SQLite backup: {exc}") from exc
    finally:
        connection.close()


def backup_prune(*, directory: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` backups in directory (by the date in their names), and what
    killed backups left behind; return the names deleted."""
    storage = Storage("django.core.files.storage.FileSystemStorage", location=str(directory))
    before = set(storage.list_backups(content_type="db"))
    storage.clean_old_backups(content_type="db", keep_number=keep)
    for leftover in directory.glob(f"{PARTIAL_PREFIX}*"):
        if leftover.stat().st_mtime < time.time() - PARTIAL_FORGOTTEN_AFTER:
            leftover.unlink(missing_ok=True)
    return sorted(before - set(storage.list_backups(content_type="db")))


def _last_line(exc: Exception) -> str:
    """The tool's own last word (its stderr ends the library's message) on one line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__
