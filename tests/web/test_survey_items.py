"""The arithmetic behind the results by question, the chart and the invitation text, without
a server: anonymised question figures, changes, the chart's geometry, placeholders."""

from __future__ import annotations

from trustmeter import surveys
from trustmeter.web import invitations, survey_chart, survey_items

UNDERSTANDS = surveys.item("understands_needs")
INVOLVE = surveys.item("involve_early")


def test_a_question_is_anonymised_like_a_metric() -> None:
    # docs/surveys.md's example: Finance 5, Ops 5, Sales 6, HR 2 with min_group 5. HR is
    # hidden; the pool (2) is too small, so Finance joins it.
    counts = {
        "understands_needs": {
            "Finance": {"4": 5},
            "Ops": {"6": 5},
            "Sales": {"2": 3, "7": 3},
            "HR": {"1": 2},
        },
        "involve_early": {"Sales": {"yes": 4}},  # 4 answers: fewer than 5, no figure at all
    }
    figs = survey_items.item_figures(counts, [UNDERSTANDS, INVOLVE], 5)
    u = figs["understands_needs"]
    assert u["n"] == 18
    assert u["mean"] == (5 * 4 + 5 * 6 + 3 * 2 + 3 * 7 + 2 * 1) / 18
    assert set(u["by_group"]) == {"Ops", "Sales"}
    assert u["by_group"]["Sales"]["mean"] == 4.5
    assert u["other_groups"]["n"] == 7 and u["other_groups"]["groups"] == 2
    assert u["hidden_groups"] == 2
    assert figs["involve_early"]["n"] is None and figs["involve_early"]["by_group"] == {}
    assert survey_items.shown_groups(figs) == ["Ops", "Sales"]
    assert set(survey_items.group_figures(figs, "Ops")) == {"understands_needs"}
    assert survey_items.group_figures(figs, "HR") == {}


def test_answers_off_the_scale_or_choices_are_not_counted() -> None:
    assert survey_items.answer_value(UNDERSTANDS, 8.0, None) is None
    assert survey_items.answer_value(UNDERSTANDS, 2.5, None) is None
    assert survey_items.answer_value(UNDERSTANDS, 7.0, None) == "7"
    assert survey_items.answer_value(INVOLVE, None, "perhaps") is None
    assert survey_items.answer_value(INVOLVE, None, "maybe") == "maybe"


def test_a_change_needs_both_figures_readable() -> None:
    now = survey_items.figure(UNDERSTANDS, {"7": 5.0})
    then = survey_items.figure(UNDERSTANDS, {"4": 6.0})
    c = survey_items.change(now, then)
    assert c is not None and (c["n"], c["now_n"]) == (6, 5) and c["change"] == 50.0
    assert survey_items.change(now, {"n": None}) is None
    assert survey_items.change(now, None) is None
    shares = survey_items.change(
        survey_items.figure(INVOLVE, {"yes": 3.0, "no": 3.0}),
        survey_items.figure(INVOLVE, {"yes": 5.0}),
    )
    assert shares is not None and shares["change"] == {"yes": -50.0, "maybe": 0.0, "no": 50.0}


def test_the_chart_places_each_service_on_one_axis() -> None:
    rows = [
        {"name": "ERP", "importance": 100.0, "satisfaction": 22.2, "gap": 77.8, "flagged": True},
        {"name": "Mail", "importance": 0.0, "satisfaction": 50.0, "gap": -50.0, "flagged": False},
    ]
    chart = survey_chart.services_chart(rows)
    erp, mail = chart["rows"]
    assert (erp["imp_x"], mail["imp_x"]) == (chart["x1"], chart["x0"])
    assert mail["sat_x"] == (chart["x0"] + chart["x1"]) / 2
    assert erp["colour"] == survey_chart.GAP_COLOUR and mail["colour"] != erp["colour"]
    assert mail["y"] > erp["y"]
    assert "ERP: importance 100.0, satisfaction 22.2, a gap of 77.8 points" in chart["desc"]


def test_placeholders_are_checked_and_only_they_are_replaced() -> None:
    assert invitations.check("Survey", "{link}") == {}
    assert "body" in invitations.check("Survey", "no link")
    assert "Unknown placeholder {Link}" in invitations.check("Survey", "{link} {Link}")["body"]
    assert "subject" in invitations.check("Two\nlines", "{link}")
    assert "subject" in invitations.check("x" * 151, "{link}")
    filled = invitations.fill("{name}: {link} {x} {{link}}", {"name": "Zoë", "link": "L"})
    assert filled == "Zoë: L {x} {L}"


def test_a_hidden_statement_hides_its_family_where_it_is_hidden() -> None:
    """Trust components pool two statements each (the metric's figure per group): showing one
    statement of a group while the other is hidden would let the metric minus the shown one
    give the hidden one's few answers. Where one is hidden, the family is hidden."""
    a, b = (i for i in surveys.CATALOGUE if i.component == "credibility")
    other = next(i for i in surveys.CATALOGUE if i.component == "reliability")
    counts = {
        a.id: {"Sales": {"6": 5}, "Ops": {"5": 6}, "HR": {"4": 5}},
        b.id: {"Sales": {"6": 5}, "Ops": {"5": 2}, "HR": {"4": 5}},  # 2 in Ops: hidden
        other.id: {"Sales": {"6": 5}, "Ops": {"5": 6}, "HR": {"4": 5}},
    }
    figs = survey_items.item_figures(counts, [a, b, other], 5)
    # Ops is hidden for b, so for a too; the other component keeps Ops.
    assert "Ops" not in figs[a.id]["by_group"] and "Ops" not in figs[b.id]["by_group"]
    assert figs[a.id]["other_groups"] is None and figs[b.id]["other_groups"] is None
    assert "Ops" in figs[other.id]["by_group"]
    # Overall: b answered by too few people in all hides a as well.
    counts[b.id] = {"Sales": {"6": 2}}
    figs = survey_items.item_figures(counts, [a, b, other], 5)
    assert figs[b.id]["n"] is None and figs[a.id]["n"] is None and "mean" not in figs[a.id]
    assert figs[other.id]["n"] == 16
