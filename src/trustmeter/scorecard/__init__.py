"""From metric figures to the scorecard: scores, areas, stage and gates, indices, focus.

- `scorer`: the Scorer (every metric for every period in one pass) and the aggregation;
- `model`: the scorecard object, frozen dataclasses whose `as_dict()` is the JSON;
- `stages`, `focus`: the framework's gates and next-focus rule applied to a scorecard;
- `explain`: from a figure down to its records.
"""
