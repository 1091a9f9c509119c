"""The boundary rule: any data either fails validation, or exports in every built-in
format, reads back equal from its JSON export and is served without a 500."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.support.damage import damaged_data
from tests.support.dichotomy import check


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_data())
def test_damaged_data_is_refused_or_served(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        check(data, Path(folder))
