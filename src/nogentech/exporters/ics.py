"""The ``ics`` exporter (iCalendar feed of the meetings)."""
