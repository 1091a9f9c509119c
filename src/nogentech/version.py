"""The version of nogentech, in one place (the wheel's metadata says the same)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
