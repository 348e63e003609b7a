"""Connectors: the exports and APIs that IT departments really have.

    from trustmeter.connectors import import_preset, list_presets
    import_preset(store, "incidents", ["incidents.csv"], "pagerduty")

A preset (`presets/*.toml`) is a packaged mapping for one tool's export of one record kind,
with a small transform where a flat mapping is not enough; `sync` pulls the same records from
the vendor's API. Each vendor's shape becomes canonical rows in one module per vendor.
"""

from trustmeter.connectors.importing import import_preset
from trustmeter.connectors.presets import Preset, get_preset, list_presets, load_preset

__all__ = ["Preset", "get_preset", "import_preset", "list_presets", "load_preset"]
