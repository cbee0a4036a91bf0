"""Where the stand-in keeps what it "sent" and the media it serves: in memory (tests), or in a
SQLite file so the phone simulator's conversations survive a restart (`--store`, `make run`)."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path


class MemoryStore:
    def __init__(self):
        self.media: dict[str, dict] = {}

    def load_messages(self) -> list[dict]:
        return []

    def save_message(self, message: dict) -> None:
        pass

    def add_media(self, item: dict) -> None:
        self.media[item["sid"]] = item

    def get_media(self, sid: str) -> dict | None:
        return self.media.get(sid)

    def clear(self) -> None:
        self.media.clear()


class SqliteStore(MemoryStore):
    """One row per message (its JSON, rewritten on each change of status) and per media file."""

    def __init__(self, path: str | Path):
        super().__init__()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.Lock()
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS messages (sid TEXT PRIMARY KEY, idx INTEGER, data TEXT)")
        self.db.execute("CREATE TABLE IF NOT EXISTS media (sid TEXT PRIMARY KEY, account_sid TEXT, "
                        "content_type TEXT, data BLOB)")

    def load_messages(self) -> list[dict]:
        with self.lock:
            rows = self.db.execute("SELECT data FROM messages ORDER BY idx").fetchall()
        return [json.loads(row[0]) for row in rows]

    def save_message(self, message: dict) -> None:
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO messages (sid, idx, data) VALUES (?, ?, ?)",
                            (message["sid"], message.get("index", 0), json.dumps(message)))

    def add_media(self, item: dict) -> None:
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO media (sid, account_sid, content_type, data) VALUES (?, ?, ?, ?)",
                            (item["sid"], item["account_sid"], item["content_type"], item["data"]))

    def get_media(self, sid: str) -> dict | None:
        with self.lock:
            row = self.db.execute("SELECT sid, account_sid, content_type, data FROM media WHERE sid = ?",
                                  (sid,)).fetchone()
        if row is None:
            return None
        return {"sid": row[0], "account_sid": row[1], "content_type": row[2], "data": bytes(row[3])}

    def clear(self) -> None:
        with self.lock:
            self.db.execute("DELETE FROM messages")
            self.db.execute("DELETE FROM media")


def open_store(path: str | Path | None) -> MemoryStore:
    return SqliteStore(path) if path else MemoryStore()
