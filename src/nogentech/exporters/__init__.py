"""Built-in exporters, each an ordinary plugin module."""
