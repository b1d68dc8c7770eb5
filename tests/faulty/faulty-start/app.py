"""An app that cannot start: its import fails."""

raise RuntimeError("this app fails to start on purpose")
