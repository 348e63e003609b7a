"""Forecasts the business can hold IT to: Monte Carlo from throughput, a ledger, backtests, flow.

- `montecarlo`: the engine (when, how many, how likely) over a daily throughput history.
- `history`: daily completions of work items from the store, in the workspace's days.
- `stability`: the XmR check of weekly throughput shown before any forecast.
- `backtest`: walk-forward replay of past forecasts, plain and calibrated.
- `ledger`: recorded forecasts and whether they came true.
- `flow`: throughput, cycle time, WIP and item age.
- `request`: a user's question turned into a history and an engine.
"""

from trustmeter.forecast.backtest import Backtest, backtest
from trustmeter.forecast.history import Subject, daily_completions
from trustmeter.forecast.montecarlo import (
    LEVELS,
    Calendar,
    ForecastError,
    History,
    HowMany,
    Likelihood,
    MonteCarlo,
    TooLittleHistory,
    When,
)
from trustmeter.forecast.xmr import Stability, xmr

__all__ = [
    "LEVELS",
    "Backtest",
    "Calendar",
    "ForecastError",
    "History",
    "HowMany",
    "Likelihood",
    "MonteCarlo",
    "Stability",
    "Subject",
    "TooLittleHistory",
    "When",
    "backtest",
    "daily_completions",
    "xmr",
]
