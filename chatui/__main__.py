"""Entry point for ``python -m chatui``."""

from chatui.cli import main

raise SystemExit(main())
