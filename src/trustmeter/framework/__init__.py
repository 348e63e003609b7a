"""Targets, weights, gates, stages and focus, from the framework file."""

from trustmeter.framework.model import Framework, default_text, load, load_file, validate

__all__ = ["Framework", "default_text", "load", "load_file", "validate"]
