"""An in-process or remote Spark session for reading a warehouse (docs/warehouse.md)."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote

import ibis
from ibis.backends import BaseBackend


def connect_spark(url: str) -> BaseBackend:
    """`spark://local` or `spark://local[N]` (an in-process Spark), `spark://HOST:PORT` (a
    standalone master) or `sc://HOST:PORT` (Spark Connect, passed on as it is). A path names the
    database to read (`spark://HOST:PORT/records`); `?spark.x=y` sets Spark options."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("trustmeter")
    if url.startswith("sc:"):
        session = builder.remote(url).getOrCreate()
        return ibis.pyspark.connect(session)
    rest, _, query = url.partition("://")[2].partition("?")
    master, _, database = rest.partition("/")
    options = dict(parse_qsl(query))
    if master == "local" or master.startswith("local["):
        options = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false", **options}
    else:
        master = f"spark://{master}"
    for key, value in options.items():
        builder = builder.config(key, value)
    session = builder.master(master).getOrCreate()
    if database:
        session.catalog.setCurrentDatabase(unquote(database))
    return ibis.pyspark.connect(session)
