"""The use cases the shells share: import, score, report, the demo.

The CLI and the web app parse and print; what a command or a page asks for is assembled once
here, from the domain packages below (scorecard, forecast, report, ingest, connectors).
"""
