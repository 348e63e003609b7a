"""Where the records live: connect by URL, the schema and its migrations, atomic writes."""

from trustmeter.store.database import DatabaseError, Store, connect, q
from trustmeter.store.migrations import LATEST, migrate

__all__ = ["LATEST", "DatabaseError", "Store", "connect", "migrate", "q"]
