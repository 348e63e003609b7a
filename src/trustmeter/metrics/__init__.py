"""The metrics of FRAMEWORK.md, one module per area, all registered in `registry`.

Import `trustmeter.metrics.catalogue` for every metric (it loads the area modules).
"""
