"""Database errors in one line each: what happened and what to do about it."""

from __future__ import annotations

import sqlite3

NOTHING_STORED = "; nothing was stored"


class StoreError(RuntimeError):
    """The database cannot be opened or written: one line saying why and what to do."""


def is_locked(exc: sqlite3.Error) -> bool:
    """Another connection holds the lock this statement needs (SQLITE_BUSY or _LOCKED)."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc).lower()


def describe(exc: sqlite3.Error, target: str, *, writing: bool = False) -> str:
    """One line for an SQLite error: what happened and what to do about it."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    text = str(exc).lower()
    lost = NOTHING_STORED if writing else ""
    if is_locked(exc):
        return f"database {target} is locked by another process{lost}; retry, or stop it"
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return f"disk full (database {target}){lost}; free some space and retry"
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return f"database {target} is read-only{lost}; check the permissions of it and its folder"
    if name.startswith("SQLITE_NOTADB") or "not a database" in text:
        return f"cannot open database {target}: file is not a database"
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return f"database {target} is damaged ({exc}){lost}; restore it from a backup"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return f"cannot open database {target}; check the path and its permissions"
    return f"database {target}: {exc}{lost}"
