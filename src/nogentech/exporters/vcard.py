"""The ``vcard`` exporter (vCards of the organisations)."""
