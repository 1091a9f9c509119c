"""A plain monthly series for tests: the second Thursday, as the cluster's breakfasts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nogentech import MeetingSeries, Text


def thursdays(**changes: Any) -> MeetingSeries:
    """Second Thursdays at 08:30 in Paris from 11 January 2024, two hours long."""
    fields: dict[str, Any] = {
        "id": "jeudis",
        "name": Text(fr="Les jeudis", en="Thursdays"),
        "first_date": dt.date(2024, 1, 11),
        "start_time": dt.time(8, 30),
        "duration": dt.timedelta(hours=2),
        "rule": "FREQ=MONTHLY;BYDAY=2TH",
    }
    fields.update(changes)
    return MeetingSeries(**fields)
