"""The Textual user interface (depends on the core; the core never imports this)."""
