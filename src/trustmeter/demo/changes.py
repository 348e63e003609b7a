"""Changes: ServiceNow change requests and GitHub deployments; the production ones feed incidents."""

from __future__ import annotations

import json
import math
from datetime import timedelta

from trustmeter.demo.context import (
    Change,
    Demo,
    each_day,
    event_time,
    fmt_local,
    iso_z,
    lerp,
    local,
    poisson,
    weighted,
)
from trustmeter.demo.organisation import SERVICE_TEAM

# Production deployments per weekday from GitHub (first year, second year).
DEPLOYS = {
    "ECOM": ("northwind/webshop", 0.06, 0.6),
    "CRM": ("northwind/crm-integrations", 0.03, 0.25),
    "DWH": ("northwind/dwh-pipelines", 0.03, 0.25),
    "WMS": ("northwind/wms-connectors", 0.02, 0.08),
    "HRPORTAL": ("northwind/hr-portal", 0.02, 0.1),
    "MARTECH": ("northwind/martech-sync", 0.02, 0.12),
}
# ServiceNow change requests per day (first year, second year) and what they are.
CHANGE_REQUESTS = {
    "ERP": (0.09, 0.17, ("SAP transport bundle", "SAP kernel patch", "FI posting rule change")),
    "PAYROLL": (0.03, 0.03, ("Payroll tax table update", "HCM support package")),
    "IDENTITY": (0.03, 0.07, ("Conditional access policy update", "SSO certificate rollover")),
    "NETWORK": (
        0.07,
        0.1,
        ("Firewall rule update", "Core switch firmware upgrade", "VPN gateway patch"),
    ),
    "M365": (0.03, 0.07, ("Exchange Online connector change", "Teams policy update")),
}


def write_changes(demo: Demo) -> list[Change]:
    """ServiceNow change requests and GitHub deployments; returns the production ones."""
    rng = demo.rng("changes")
    prod: list[Change] = []
    # ServiceNow change requests (timestamps in Berlin local time, no zone)
    requests = []
    for d in each_day(demo.first, demo.today):
        p = demo.progress(d)
        for svc, (bad_rate, good_rate, what) in CHANGE_REQUESTS.items():
            for _ in range(poisson(rng, lerp(bad_rate, good_rate, p))):
                kind = weighted(
                    rng,
                    (
                        ("Emergency", lerp(0.18, 0.05, p)),
                        ("Standard", lerp(0.2, 0.45, p)),
                        ("Normal", 1 - lerp(0.38, 0.5, p)),
                    ),
                )
                if kind == "Emergency":
                    begin = event_time(rng, d, 0.5)
                    lead = timedelta(hours=rng.uniform(1, 8))
                else:  # the maintenance window: weekday evenings
                    day = d if d.weekday() < 5 else d - timedelta(days=d.weekday() - 4)
                    begin = local(day, rng.uniform(19, 21.5))
                    med = lerp(12, 4, p) if kind == "Normal" else 1.5
                    lead = timedelta(days=rng.lognormvariate(math.log(med), 0.5))
                finish = begin + timedelta(minutes=rng.randint(20, 240))
                if finish >= demo.end:
                    continue
                fail = rng.random() < lerp(0.09, 0.02, p)
                code = (
                    rng.choice(("Unsuccessful", "Backed out"))
                    if fail
                    else ("Successful with issues" if rng.random() < 0.08 else "Successful")
                )
                bad = not fail and rng.random() < lerp(0.12, 0.03, p)
                title = str(rng.choice(what))
                requests.append((begin - lead, begin, finish, svc, kind, code, title, bad))
    requests.sort(key=lambda r: (r[2], r[3]))
    rows = []
    for n, (opened, begin, finish, svc, kind, code, title, bad) in enumerate(requests):
        number = f"CHG{30001 + n:07d}"
        rows.append(
            (
                number,
                kind,
                "Closed",
                svc,
                SERVICE_TEAM[svc],
                fmt_local(opened, "%Y-%m-%d %H:%M:%S"),
                fmt_local(begin, "%Y-%m-%d %H:%M:%S"),
                fmt_local(finish, "%Y-%m-%d %H:%M:%S"),
                code,
                title,
            )
        )
        prod.append(Change(number, svc, finish, bad))
    header = (
        "number",
        "type",
        "state",
        "cmdb_ci",
        "assignment_group",
        "opened_at",
        "start_date",
        "end_date",
        "close_code",
        "short_description",
    )
    path = demo.files.write_csv("servicenow_change_requests.csv", header, rows)
    demo.files.add_preset("changes", path, "servicenow-changes")

    # GitHub deployments, flattened as `jq` or pandas.json_normalize would write them
    deploys = []
    authors = ("mkessler", "a-okafor", "jhuber", "lena-dev", "pwojcik", "tsato", "rgarcia")
    for d in each_day(demo.first, demo.today):
        if d.weekday() >= 5:
            continue
        p = demo.progress(d)
        for svc, (repo, bad_rate, good_rate) in DEPLOYS.items():
            for _ in range(poisson(rng, lerp(bad_rate, good_rate, p))):
                at = local(d, rng.uniform(9, 17.5))
                lead = timedelta(hours=rng.lognormvariate(math.log(lerp(330, 26, p)), 0.8))
                staging = at - timedelta(hours=rng.uniform(1, 20))
                state = "success"
                if rng.random() < lerp(0.08, 0.02, p):
                    state = rng.choice(("failure", "error"))
                bad = state == "success" and rng.random() < lerp(0.1, 0.025, p)
                deploys.append(
                    (staging, "staging", svc, repo, lead + (at - staging), "success", False)
                )
                deploys.append((at, "production", svc, repo, lead, state, bad))
    deploys.sort(key=lambda r: (r[0], r[1], r[2]))
    objs = []
    gh_id = 1_874_200_000
    for at, env, svc, repo, lead, state, bad in deploys:
        gh_id += rng.randint(1_000, 60_000)
        created = at - timedelta(minutes=rng.randint(2, 25))
        sha = f"{rng.getrandbits(160):040x}"
        objs.append(
            {
                "id": gh_id,
                "repository": repo,
                "sha": sha,
                "ref": "main",
                "task": "deploy",
                "environment": env,
                "description": f"Deploy {repo.split('/')[1]}@{sha[:7]} to {env}",
                "creator.login": rng.choice(authors),
                "payload.service": svc,
                "created_at": iso_z(created),
                "updated_at": iso_z(at),
                "first_commit_at": iso_z(at - lead),
                "state": state,
            }
        )
        if env == "production":
            prod.append(Change(str(gh_id), svc, at, bad))
    path = demo.files.out / "github_deployments.json"
    path.write_text(json.dumps(objs, indent=2, ensure_ascii=False) + "\n", "utf-8")
    demo.files.add_preset("changes", path, "github-deployments")
    return prod
