"""The budget: Finance's monthly plan and actuals per cost line, run shrinking as grow rises."""

from __future__ import annotations

from trustmeter.demo.context import BUSINESS, Demo, add_months, lerp


def write_budget(demo: Demo) -> None:
    rng = demo.rng("budget")
    # k€ per month: (first year, second year) — run shrinks as grow and transform rise
    lines = (
        ("Run the business", "Infrastructure & hosting", 120, 105),
        ("Run the business", "Software licences & support", 95, 90),
        ("Run the business", "Operations staff & contractors", 90, 75),
        ("Grow the business", "Grow projects", 45, 95),
        ("Transform the business", "Transformation programmes", 25, 70),
    )
    rows = []
    months = (demo.today - demo.first).days // 30 + 3  # the plan runs a quarter ahead
    for m in range(months):
        period = add_months(demo.first.replace(day=1), m)
        p = demo.progress(period, BUSINESS)  # planning follows operations
        for category, line, a, b in lines:
            planned = round(lerp(a, b, p) * 1000 * rng.uniform(0.97, 1.03), -2)
            actual = ""
            if add_months(period, 1) <= demo.today:
                drift = lerp(0.12, 0.03, p) if category.startswith("Run") else lerp(0.06, 0.0, p)
                actual = f"{round(planned * (1 + rng.gauss(drift, lerp(0.09, 0.04, p))), -2):.2f}"
            rows.append((period.isoformat(), category, line, f"{planned:.2f}", actual))
    header = ("Period", "Category", "Cost line", "Budget (EUR)", "Actual (EUR)")
    # Finance's export comes out of Excel: UTF-8 with a byte-order mark
    path = demo.files.write_csv("finance_budget.csv", header, rows, bom=True)
    demo.files.add(
        "budget",
        path,
        "finance",
        {
            "date_format": "%Y-%m-%d",
            "columns": {
                "period": "Period",
                "category": "Category",
                "line": "Cost line",
                "planned": "Budget (EUR)",
                "actual": "Actual (EUR)",
            },
            "values": {
                "category": {
                    "Run the business": "run",
                    "Grow the business": "grow",
                    "Transform the business": "transform",
                }
            },
        },
    )
