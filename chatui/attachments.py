"""Attachments: images, PDFs and text files sent with a message, kept once each in a blob store.

The kind is decided by the content (magic bytes, valid UTF-8), never by the file name.
Each kind becomes the Responses API's input part for it: ``input_image`` with a data URL,
``input_file`` with ``file_data`` and the file name, or ``input_text`` with a fenced header
naming the file. Bytes live in ``blobs/<sha256>`` (mode 0600) beside the conversations, so
a transcript stays small and a resumed conversation re-sends exactly the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatui.i18n import N_, _

MAX_IMAGE_BYTES = 20 << 20  # what the API takes per image; larger ones are downscaled
MAX_IMAGE_SIDE = 8000  # pixels on the long side some gateways refuse beyond; larger ones are downscaled
DOWNSCALE_SIDE = 2048  # the long side of a downscaled image (models see no more detail than this)
MAX_PDF_BYTES = 32 << 20
MAX_TEXT_BYTES = 1 << 20  # about 250K tokens: more would not fit most context windows
MAX_READ_BYTES = 200 << 20  # a file larger than this is refused before reading (even an image to downscale)

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class AttachmentError(Exception):
    """A file that cannot be attached; the message names it and says why (and the limit)."""


_KIND_WORDS = {"image": N_("image"), "pdf": N_("PDF"), "text": N_("text")}


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attached file, as the transcript keeps it (the bytes are in the blob store)."""

    name: str
    kind: str  # "image", "pdf" or "text"
    mime: str
    size: int  # bytes sent (after any downscaling)
    sha256: str
    width: int | None = None
    height: int | None = None
    note: str = ""  # e.g. "downscaled from 9000×6000"

    def describe(self) -> str:
        """'photo.png · image · 1.2 MB · 1920×1080' (for the screen and exports)."""
        parts = [self.name, _(_KIND_WORDS.get(self.kind, self.kind)), human_size(self.size)]
        if self.width and self.height:
            parts.append(f"{self.width}×{self.height}")
        if self.note:
            parts.append(self.note)
        return " · ".join(parts)


    def to_dict(self) -> dict[str, Any]:
        """JSON-safe, for transcripts (no bytes: those are in the blob store)."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "mime": self.mime, "size": self.size, "sha256": self.sha256}
        if self.width and self.height:
            out["width"], out["height"] = self.width, self.height
        if self.note:
            out["note"] = self.note
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Attachment | None:
        """From :meth:`to_dict` output; None when it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("sha256"), str) or data.get("kind") not in ("image", "pdf", "text"):
            return None
        num = lambda key: data[key] if isinstance(data.get(key), int) else None  # noqa: E731
        return cls(str(data.get("name", "file")), data["kind"], str(data.get("mime", "")), num("size") or 0, data["sha256"], num("width"), num("height"), str(data.get("note", "")))


def human_size(n: int) -> str:
    """1234567 -> '1.2 MB'."""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


# -- what a file is ---------------------------------------------------------------


def detect(data: bytes) -> tuple[str, str] | None:
    """(kind, mime) from the content: PNG, JPEG, GIF, WebP, PDF or UTF-8 text; None for anything else."""
    for magic, mime in _IMAGE_MAGIC:
        if data.startswith(magic):
            return "image", mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image", "image/webp"
    if data.lstrip(b"\xef\xbb\xbf\r\n\t ")[:5] == b"%PDF-":
        return "pdf", "application/pdf"
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text", "text/plain"


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from the image's header (PNG, GIF, JPEG, WebP), without decoding it."""
    try:
        if data.startswith(b"\x89PNG"):
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            chunk = data[12:16]
            if chunk == b"VP8X":
                return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
            if chunk == b"VP8L":
                bits = int.from_bytes(data[21:25], "little")
                return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
            if chunk == b"VP8 ":
                w, h = struct.unpack("<HH", data[26:30])
                return w & 0x3FFF, h & 0x3FFF
        if data.startswith(b"\xff\xd8"):
            i = 2
            while i + 9 < len(data):
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                    i += 2
                    continue
                length = struct.unpack(">H", data[i + 2 : i + 4])[0]
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                    return w, h
                i += 2 + length
    except struct.error:
        return None
    return None


def _downscale(data: bytes, mime: str) -> tuple[bytes, str, tuple[int, int]]:
    """The image with its long side at DOWNSCALE_SIDE, aspect kept (Pillow, imported only for this)."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((DOWNSCALE_SIDE, DOWNSCALE_SIDE))
        out = io.BytesIO()
        if mime == "image/jpeg" or image.mode not in ("RGBA", "LA", "P"):
            image.convert("RGB").save(out, "JPEG", quality=88)
            mime = "image/jpeg"
        else:
            image.save(out, "PNG", optimize=True)
            mime = "image/png"
        return out.getvalue(), mime, image.size


# -- reading a file -----------------------------------------------------------------


def read(path: Path, blobs: BlobStore) -> Attachment:
    """Read ``path``, decide its kind by content, apply the limits, keep the bytes in ``blobs``.

    Raises AttachmentError with a message naming the file and the limit.
    """
    name = path.name or str(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise AttachmentError(_("{name}: not a file.").format(name=name))
        if size == 0:
            raise AttachmentError(_("{name}: the file is empty.").format(name=name))
        if size > MAX_READ_BYTES:
            raise AttachmentError(_("{name}: {size} is too large to attach (limit {limit}).").format(name=name, size=human_size(size), limit=human_size(MAX_READ_BYTES)))
        data = path.read_bytes()
    except AttachmentError:
        raise
    except FileNotFoundError:
        raise AttachmentError(_("{name}: no such file ({path}).").format(name=name, path=path)) from None
    except OSError as exc:
        raise AttachmentError(_("{name}: cannot be read ({why}).").format(name=name, why=exc.strerror or exc)) from None
    return from_bytes(name, data, blobs)


def from_bytes(name: str, data: bytes, blobs: BlobStore) -> Attachment:
    """An attachment from bytes already read (a file, or piped stdin)."""
    if not data:
        raise AttachmentError(_("{name}: the file is empty.").format(name=name))
    found = detect(data[: 1 << 16] if len(data) > MAX_TEXT_BYTES else data)
    if found is None:
        raise AttachmentError(_("{name}: not an image (PNG, JPEG, GIF, WebP), a PDF or UTF-8 text; it cannot be sent.").format(name=name))
    kind, mime = found
    note, dims = "", None
    if kind == "text":
        if len(data) > MAX_TEXT_BYTES:
            raise AttachmentError(_("{name}: {size} of text is too much to send (limit {limit}).").format(name=name, size=human_size(len(data)), limit=human_size(MAX_TEXT_BYTES)))
    elif kind == "pdf":
        if len(data) > MAX_PDF_BYTES:
            raise AttachmentError(_("{name}: a {size} PDF is larger than the API accepts (limit {limit}).").format(name=name, size=human_size(len(data)), limit=human_size(MAX_PDF_BYTES)))
    else:
        dims = image_size(data)
        if len(data) > MAX_IMAGE_BYTES or (dims and max(dims) > MAX_IMAGE_SIDE):
            try:
                small, mime, new_dims = _downscale(data, mime)
            except Exception as exc:  # noqa: BLE001 - a broken image is a message, not a crash
                raise AttachmentError(_("{name}: the image is too large to send and could not be downscaled ({kind}).").format(name=name, kind=type(exc).__name__)) from None
            before = f"{dims[0]}×{dims[1]}" if dims else human_size(len(data))
            note, data, dims = _("downscaled from {size}").format(size=before), small, new_dims

    digest = blobs.put(data)
    return Attachment(name, kind, mime, len(data), digest, dims[0] if dims else None, dims[1] if dims else None, note)


def pasted_paths(text: str) -> list[Path] | None:
    """The files a paste names, as terminals paste a drag-and-drop (quoted, escaped spaces, file:// URIs); None if it is not only that.

    Only clear paths count (absolute, ~ or ./): a pasted word that happens to name a file here stays text.
    """
    import shlex
    from urllib.parse import unquote, urlsplit

    text = text.strip()
    if not text or len(text) > 8192:
        return None
    try:
        tokens = shlex.split(text)
    except ValueError:
        return None
    paths = []
    for token in tokens:
        if token.startswith("file://"):
            token = unquote(urlsplit(token).path)
        if not token.startswith(("/", "~", "./", "../")):
            return None
        path = Path(token).expanduser()
        try:
            if not path.is_file():
                return None
        except OSError:
            return None
        paths.append(path)
    return paths or None


def complete_path(word: str) -> tuple[str, list[str]]:
    """Tab completion of a path being typed: the word extended as far as every match agrees, and the matches' names.

    Folders end in "/"; ``~`` is kept as typed. No match: the word unchanged and no names.
    """
    folder, _, stem = word.rpartition("/")
    where = Path(os.path.expanduser(folder + "/" if folder or word.startswith("/") else "."))
    try:
        names = sorted(e.name + ("/" if e.is_dir() else "") for e in where.iterdir() if e.name.startswith(stem) and (stem.startswith(".") or not e.name.startswith(".")))
    except OSError:
        return word, []
    if not names:
        return word, []
    common = os.path.commonprefix(names)
    return (folder + "/" if folder or word.startswith("/") else "") + common, names


# -- what is sent -------------------------------------------------------------------


def _b64(data: bytes, chunk: int = 3 << 20) -> str:
    """Base64 in pieces (whole 3-byte groups each: the same text), so a big file never holds the interpreter for long."""
    return "".join(base64.b64encode(data[i : i + chunk]).decode("ascii") for i in range(0, len(data), chunk))


def part(attachment: Attachment, data: bytes) -> dict[str, Any]:
    """The input content part for one attachment."""
    if attachment.kind == "image":
        return {"type": "input_image", "image_url": f"data:{attachment.mime};base64,{_b64(data)}", "detail": "auto"}
    if attachment.kind == "pdf":
        return {"type": "input_file", "filename": attachment.name, "file_data": f"data:application/pdf;base64,{_b64(data)}"}
    text = data.decode("utf-8-sig", "replace")
    fence = "````" if "```" in text else "```"
    return {"type": "input_text", "text": f"{fence} {attachment.name}\n{text}\n{fence}"}


def missing_part(attachment: Attachment) -> dict[str, Any]:
    """What is sent in place of an attachment whose bytes are gone (so the model knows)."""
    return {"type": "input_text", "text": f"[The attached file {attachment.describe()} is no longer available.]"}


# -- the blob store -----------------------------------------------------------------


class BlobStore:
    """Attachment bytes by SHA-256, once each, mode 0600.

    ``root=None``: a private temporary folder, made on first use (a session that saves nothing).
    """

    def __init__(self, root: Path | None) -> None:
        self._root = root
        self._temporary = root is None

    @property
    def root(self) -> Path:
        """The folder (the temporary one is made now if it was not yet)."""
        if self._root is None:
            import tempfile

            self._root = Path(tempfile.mkdtemp(prefix="chatui-blobs-"))
        return self._root

    def remove_temporary(self) -> None:
        """Delete the temporary folder, if this store made one."""
        import shutil

        if self._temporary and self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def path(self, digest: str) -> Path:
        """Where the blob with ``digest`` lives."""
        return self.root / digest

    def put(self, data: bytes) -> str:
        """Keep ``data`` (atomically; an existing copy is reused) and return its digest."""
        from chatui.transcripts import atomic_write

        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            atomic_write(target, data)
        return digest

    def get(self, digest: str) -> bytes | None:
        """The bytes, or None when the blob is missing (or does not match its digest)."""
        try:
            data = self.path(digest).read_bytes()
        except OSError:
            return None
        return data if hashlib.sha256(data).hexdigest() == digest else None

    def sweep(self, used: set[str]) -> int:
        """Delete blobs no conversation uses; how many went."""
        gone = 0
        if not self.root.is_dir():
            return 0
        for entry in self.root.iterdir():
            if len(entry.name) == 64 and entry.name not in used:
                try:
                    os.unlink(entry)
                    gone += 1
                except OSError:
                    pass
        return gone
