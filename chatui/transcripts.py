"""Transcripts: one versioned JSON file per conversation, written atomically.

Each save writes a temporary file in the same directory, fsyncs it and
renames it over the old one, so a crash at any moment leaves either the old
or the new file, never a torn one. A revision counter detects another
instance writing the same conversation; the later writer forks to a new id
instead of clobbering.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from decimal import Decimal
from glob import escape as glob_escape
from pathlib import Path
from typing import Any

from chatui.conversation import Conversation, Settings, Turn
from chatui.cost import Cost
from chatui.i18n import _
from chatui.text import file_safe

FORMAT = "chatui.conversation"
VERSION = 2  # 2: turns form a tree (each names its parent) with an active branch; 1 was linear


class TranscriptError(Exception):
    """A transcript that cannot be read: corrupt, foreign or from a newer chatui."""


# "revision": N as to_dict writes it, at the top level (a quote inside a string is escaped, so a title cannot fake it)
_REVISION = re.compile(rb'^ "revision": (\d{1,15}),$', re.M)


def to_dict(conv: Conversation) -> dict[str, Any]:
    """The on-disk form of a conversation."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "id": conv.id,
        "title": conv.title,
        "created_at": conv.created_at,
        "updated_at": conv.updated_at,
        "revision": conv.revision,
        "gateway": conv.gateway,
        "settings": conv.settings.to_dict(),
        "input": conv.input_items(),
        "active": conv.active,
        "turns": [t.to_dict() for t in conv.all_turns],
    }


def from_dict(data: Any, source: str = "transcript") -> Conversation:
    """Rebuild a conversation, refusing what is not ours or too new."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TranscriptError(_("{source} is not a chatui conversation").format(source=source))
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise TranscriptError(_("{source} was written by a newer chatui (format version {version})").format(source=source, version=version))
    try:
        settings = Settings.from_dict(data["settings"])
        conv = Conversation(settings, data.get("gateway", ""), id=str(data["id"]), title=data.get("title"))
        conv.created_at = timestamp(data.get("created_at"), time.time())
        conv.updated_at = timestamp(data.get("updated_at"), conv.created_at)
        revision = data.get("revision", 0)
        conv.revision = revision if isinstance(revision, int) and 0 <= revision < 2**53 else 0
        active = data.get("active") if version >= 2 else None
        conv.set_turns([Turn.from_dict(t) for t in data.get("turns", [])], active if isinstance(active, str) else None, linear=version < 2)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError, RecursionError) as exc:
        raise TranscriptError(_("{source} is damaged ({why})").format(source=source, why=type(exc).__name__)) from None
    return conv


def timestamp(value: Any, default: float = 0.0) -> float:
    """A time from a file: a finite number of seconds between 1970 and 2200, else ``default``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(value) if 0 <= value < 7.3e9 else default  # also rules out NaN and infinities


def read_regular(path: Path, limit: int = -1) -> bytes:
    """The bytes of ``path`` (at most ``limit``) if it is a regular file; a FIFO, a device or a folder is refused, never read (no hang)."""
    import stat

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise TranscriptError(_("{path} is not a regular file").format(path=path.name))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit)
    finally:
        os.close(fd)


def load_json(raw: bytes) -> Any:
    """JSON from a file, or ValueError (deeply nested documents included)."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("nested too deeply") from None


@dataclass(slots=True)
class Summary:
    """What the history list shows of one conversation."""

    id: str
    title: str
    models: list[str]
    turns: int  # on the active branch: what the user sees when it opens
    updated_at: float
    path: Path
    text: str = field(default="", repr=False)  # all prompts and answers of every branch, for search
    branches: int = 1
    cost: Decimal | None = None  # what every turn that had a known cost came to


def _shape(turns: list[dict], active: object, version: int) -> tuple[int, int]:
    """How many turns the active branch has, and how many branches there are (without building turns)."""
    if version < 2 or not turns:
        return len(turns), 1
    parent = {str(t.get("id")): t.get("parent") for t in turns}
    leaf = active if isinstance(active, str) and active in parent else str(turns[-1].get("id"))
    length, node, seen = 0, leaf, set()
    while isinstance(node, str) and node in parent and node not in seen:
        seen.add(node)
        length, node = length + 1, parent[node]
    return length, max(1, len(parent.keys() - set(parent.values())))


def _open_lock(path: Path):
    """The lock file, opened without following a symlink (one planted there is replaced by a plain file)."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        import errno

        if exc.errno != errno.ELOOP:
            raise
        path.unlink()
        fd = os.open(path, flags, 0o600)
    return os.fdopen(fd, "r+b")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


@dataclass(slots=True)
class Snapshot:
    """A conversation as one save writes it: its on-disk dict and the revision it was at."""

    conv_id: str
    base: int  # the revision before this save: a higher one on disk means another instance saved
    data: dict[str, Any]


@dataclass(slots=True)
class Saved:
    """Where a snapshot went: its path, and the id and title it got (a new id when it forked)."""

    path: Path
    conv_id: str  # the id it was taken under
    saved_id: str
    title: str

    @property
    def forked(self) -> bool:
        """Whether the save went to a new id (another instance had saved this conversation)."""
        return self.saved_id != self.conv_id

    def apply(self, conv: Conversation) -> None:
        """Give ``conv`` the fork's id and title, if the save forked."""
        if self.forked and conv.id == self.conv_id:
            conv.id, conv.title = self.saved_id, self.title


class BackgroundSaves:
    """Transcript writes on one thread, in order, so a big transcript never holds up the screen.

    Saves of one conversation queued behind each other collapse into the newest; after a fork,
    snapshots still under the old id go to the new one (they were taken before the fork was known).
    """

    def __init__(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(1, thread_name_prefix="chatui-save")
        self._lock = threading.Lock()
        self._newest: dict[tuple[Path, str], Snapshot] = {}  # (store root, conversation id)
        self._forks: dict[tuple[Path, str], tuple[str, str]] = {}

    def submit(self, store: TranscriptStore, snap: Snapshot) -> Future[Saved | None]:
        """Queue a write to ``store``; the future gives where it went (None: a newer snapshot was written instead)."""
        key = (store.root, snap.conv_id)
        with self._lock:
            self._newest[key] = snap
        return self._pool.submit(self._write, store, key)

    def _write(self, store: TranscriptStore, key: tuple[Path, str]) -> Saved | None:
        with self._lock:
            snap = self._newest.pop(key, None)
        if snap is None:
            return None
        fork = self._forks.get(key)
        if fork is not None:
            snap.data["id"], snap.data["title"] = fork
        saved = store.write(snap)
        if saved.forked:
            self._forks[key] = (saved.saved_id, saved.title)
        return saved

    def wait(self) -> None:
        """Block until every queued write is done."""
        self._pool.submit(int).result()

    def idle(self) -> Future[int]:
        """A future done once every write queued before it is."""
        return self._pool.submit(int)

    def close(self) -> None:
        """Finish the queued writes and stop the thread."""
        self._pool.shutdown(wait=True)


class TranscriptStore:
    """The conversations directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.problems: list[str] = []

    @classmethod
    def temporary(cls) -> TranscriptStore:
        """A store in a fresh temporary directory (for the demo)."""
        return cls(Path(tempfile.mkdtemp(prefix="chatui-demo-")) / "conversations")

    def path_for(self, conv_id: str) -> Path:
        """The file of a conversation id; two ids never share one (an id that needed cleaning gets a hash of itself)."""
        safe = file_safe(conv_id)
        if safe != conv_id:
            import hashlib

            safe = f"{safe}-{hashlib.sha256(conv_id.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"
        return self.root / f"{safe}.json"

    def save(self, conv: Conversation) -> Path:
        """Write ``conv`` atomically; fork to a new id if another instance wrote it since."""
        saved = self.write(self.snapshot(conv))
        saved.apply(conv)
        return saved.path

    def snapshot(self, conv: Conversation) -> Snapshot:
        """What a save of ``conv`` writes, taken now (cheap: the text is shared, not copied); the revision is taken too."""
        base = conv.revision
        # taken at once: a save queued behind this one must not see this one as another instance's
        conv.revision = base + 1
        conv.updated_at = time.time()
        return Snapshot(conv.id, base, to_dict(conv))

    def write(self, snap: Snapshot) -> Saved:
        """Write a snapshot atomically under the store's lock (any thread); fork if another instance saved since."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        data = snap.data
        with _open_lock(self.root / ".lock") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                path = self.path_for(data["id"])
                if path.exists():
                    disk = self.revision_of(path)
                    if disk is not None and disk > snap.base:
                        # someone else saved this conversation after we loaded it
                        data["id"] = f"{data['id']}-{uuid.uuid4().hex[:4]}"
                        data["title"] = _("{title} (fork)").format(title=data["title"] or _("Untitled"))
                        path = self.path_for(data["id"])
                atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
                # under the lock no other save is running: a temp file of this conversation is an orphan
                for orphan in self.root.glob(f".{glob_escape(path.name)}.*.tmp"):
                    try:
                        orphan.unlink()
                    except OSError:
                        pass
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return Saved(path, snap.conv_id, data["id"], data["title"])

    @staticmethod
    def revision_of(path: Path) -> int | None:
        """The revision on disk, read from the file's head (it comes before the turns): a big transcript is not parsed on every save."""
        try:
            found = _REVISION.search(read_regular(path, 1 << 16))
            if found:
                return int(found.group(1))
            data = load_json(read_regular(path))
            return int(data.get("revision", 0))
        except (OSError, ValueError, AttributeError, TypeError, OverflowError, TranscriptError):
            return None

    def load(self, ref: str | Path) -> Conversation:
        """Load by id or by path."""
        path = Path(ref)
        if not (path.suffix == ".json" and path.exists()):
            path = self.path_for(str(ref))
        try:
            raw = read_regular(path)
        except OSError as exc:
            raise TranscriptError(_("cannot read {path}: {why}").format(path=path, why=exc.strerror or exc)) from None
        try:
            data = load_json(raw)
        except ValueError:
            raise TranscriptError(_("{path} is corrupt (not valid JSON)").format(path=path)) from None
        return from_dict(data, str(path))

    def summaries(self) -> list[Summary]:
        """Every readable conversation, newest first; unreadable files go to ``problems``."""
        self.problems = []
        out: list[Summary] = []
        if not self.root.is_dir():
            return out
        self._sweep_temp_files()
        for path in self.root.glob("*.json"):
            try:
                data = load_json(read_regular(path))
                if not isinstance(data, dict) or data.get("format") != FORMAT:
                    raise TranscriptError(_("not a chatui conversation"))
                if not isinstance(data.get("version"), int) or data["version"] > VERSION:
                    raise TranscriptError(_("written by a newer chatui"))
                turns = data.get("turns") or []
                models = sorted({str(t.get("model", "")) for t in turns if isinstance(t, dict)} - {""})
                text = "\n".join(f"{t.get('user_text', '')}\n{t.get('answer', '')}" for t in turns if isinstance(t, dict))
                length, branches = _shape([t for t in turns if isinstance(t, dict)], data.get("active"), data["version"])
                spent = [c.usd for t in turns if isinstance(t, dict) and (c := Cost.from_dict(t.get("cost"))) is not None]
                cost = sum(spent, Decimal(0)) if spent else None
                title = str(data.get("title") or _("Untitled"))
                out.append(Summary(str(data["id"]), title, models, length, timestamp(data.get("updated_at")), path, text, branches, cost))
            except Exception as exc:  # noqa: BLE001 - any file of any shape is skipped with a message, never a crash
                why = exc if isinstance(exc, (OSError, TranscriptError)) else type(exc).__name__
                self.problems.append(f"{path.name}: {why}")
        out.sort(key=lambda s: s.updated_at, reverse=True)
        return out

    def _sweep_temp_files(self, older_than: float = 3600.0) -> None:
        """Remove temp files an interrupted save left behind (never a live one)."""
        cutoff = time.time() - older_than
        for tmp in self.root.glob(".*.tmp"):
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
            except OSError:
                pass

    def search(self, query: str, summaries: list[Summary] | None = None) -> list[Summary]:
        """Conversations whose title or text contains every word of ``query``."""
        words = query.lower().split()
        items = summaries if summaries is not None else self.summaries()
        return [s for s in items if all(w in (s.title + "\n" + s.text).lower() for w in words)]

    def latest(self) -> Summary | None:
        """The most recently updated conversation."""
        items = self.summaries()
        return items[0] if items else None

    def rename(self, conv_id: str, title: str) -> None:
        """Give a conversation a new title."""
        conv = self.load(conv_id)
        conv.title = title.strip() or conv.title
        self.save(conv)

    def delete(self, conv_id: str) -> None:
        """Remove a conversation's file, and the attachment blobs no other conversation uses."""
        path = self.path_for(conv_id)
        try:
            had_files = b'"sha256"' in read_regular(path)
        except (OSError, TranscriptError):
            had_files = False
        path.unlink(missing_ok=True)
        if had_files:
            self.sweep_blobs()

    def sweep_blobs(self) -> int:
        """Delete attachment blobs that no conversation here refers to; how many went.

        A file that cannot be read keeps every blob (it may refer to any of them).
        """
        from chatui.attachments import BlobStore

        used: set[str] = set()
        for path in self.root.glob("*.json"):
            try:
                data = load_json(read_regular(path))
            except (OSError, ValueError, TranscriptError):
                return 0

            for turn in data.get("turns") or [] if isinstance(data, dict) else []:
                for attachment in (turn.get("attachments") or []) if isinstance(turn, dict) else []:
                    if isinstance(attachment, dict) and isinstance(attachment.get("sha256"), str):
                        used.add(attachment["sha256"])
        return BlobStore(self.root / "blobs").sweep(used)
