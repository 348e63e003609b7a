"""Readers that turn exports (CSV, TSV, JSON, NDJSON, XLSX) into canonical records, atomically."""
