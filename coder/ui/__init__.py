"""The PySide6 desktop UI: Qt models/views over :mod:`coder.app` services only."""
