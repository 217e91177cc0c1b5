"""The system clipboard, beside the terminal's own (OSC 52, which the UI sends).

OSC 52 reaches the clipboard of the machine the terminal runs on, even over ssh,
but some terminals ignore it (macOS Terminal, tmux without set-clipboard); a
local clipboard tool covers those. pyperclip knows which tool each system has.
"""

from __future__ import annotations

from chatui.i18n import N_, _, ngettext

# pyperclip's copy functions by name -> what to call them in a message
_TOOLS = {
    "copy_osx_pbcopy": "pbcopy",
    "copy_osx_pyobjc": N_("the macOS pasteboard"),
    "copy_xclip": "xclip",
    "copy_xsel": "xsel",
    "copy_wl": "wl-copy",
    "copy_klipper": "Klipper",
    "copy_qt": N_("the Qt clipboard"),
    "copy_windows": N_("the Windows clipboard"),
    "copy_wsl": "clip.exe",
    "copy_dev_clipboard": "/dev/clipboard",
}


def system_copy(text: str) -> str | None:
    """Put ``text`` on the system clipboard; the tool used, or None where there is none (or it failed)."""
    try:
        import pyperclip

        copy, _paste = pyperclip.determine_clipboard()
        if not copy:  # pyperclip's "no clipboard" stand-in is falsy
            return None
        copy(text)
    except Exception:  # noqa: BLE001 - any failure leaves the terminal's copy as the one that counts
        return None
    return _(_TOOLS.get(getattr(copy, "__name__", ""), N_("the system clipboard")))


def copied_note(text: str, tool: str | None) -> str:
    """What the user is told after a copy: how much, and which clipboard got it."""
    count = len(text)
    what = ngettext("{n} character", "{n} characters", count).format(n=f"{count:,}")
    if tool:
        return _("Copied {what} (to the clipboard with {tool}, and through the terminal).").format(what=what, tool=tool)
    return _("Copied {what} through the terminal (OSC 52). No clipboard tool found here: if pasting gives nothing, your terminal ignores OSC 52.").format(what=what)

