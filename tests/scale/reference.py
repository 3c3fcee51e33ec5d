#!/usr/bin/env python3
"""An independent reference for the eight benchmark rules (shared/bench/WORKLOAD.md), written
from the documented semantics (docs/language.md, docs/inventory.md) over the generator's JSON output. It shares no code with custody, so an
optimisation in custody cannot silently change results without this disagreeing.

usage: reference.py INVENTORY.json  ->  {"B1": [selected, failing], ...}
"""
import calendar
import datetime as dt
import json
import sys

AS_OF = dt.date(2026, 11, 24)
inv = json.load(open(sys.argv[1]))
V = {v["id"]: v for v in inv["vendors"]}
S = {s["id"]: s for s in inv["data_stores"]}
hosted = {}
for s in S.values():
    if "hosted_by" in s:
        hosted.setdefault(s["hosted_by"], []).append(s)


def overlap(a, b):
    """Declared a overlaps policy b: equal, under, or above (fail closed)."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def months_back(d, n):
    """Calendar arithmetic, clamped to the month's end."""
    y, m = d.year, d.month - n
    while m <= 0:
        m += 12
        y -= 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def within(value, months=None, days=None):
    if value is None:
        return False  # missing: every test is false
    d = dt.date.fromisoformat(value)
    lo = months_back(AS_OF, months) if months is not None else AS_OF - dt.timedelta(days=days)
    return lo <= d <= AS_OF


def handles(v, c):
    cats = list(v.get("handles", []))
    for sid in v.get("accesses", []):
        cats += S[sid].get("holds", [])
    for s in hosted.get(v["id"], []):
        cats += s.get("holds", [])
    return any(overlap(x, c) for x in cats)


def holds(s, c):
    return any(overlap(x, c) for x in s.get("holds", []))


def supply_chain(v):
    seen, out, todo = {v["id"]}, [], [v["id"]]
    while todo:
        for sub in V[todo.pop()].get("subprocessors", []):
            if sub not in seen:
                seen.add(sub)
                out.append(sub)
                todo.append(sub)
    return out


def contract(v, key):
    return v.get("contract", {}).get(key)


def gt(x, n):
    return x is not None and x > n


RULES = {
    "B1": (V, lambda v: handles(v, "personal.contact.address"), lambda v: within(v.get("last_audit"), months=12)),
    "B2": (S, lambda s: holds(s, "personal.loyalty"), lambda s: s.get("encrypted_at_rest") is True),
    "B3": (V, lambda v: v.get("tier") == "critical",
           lambda v: all(within(V[p].get("last_audit"), months=24) for p in supply_chain(v))),
    "B4": (V, lambda v: handles(v, "personal"),
           lambda v: contract(v, "dpa_signed") is True
           and contract(v, "breach_notification_hours") is not None
           and contract(v, "breach_notification_hours") <= 72),
    "B5": (V, lambda v: any(gt(S[s].get("records"), 1000000) for s in v.get("accesses", [])),
           lambda v: v.get("mfa_enforced") is True),
    "B6": (S, lambda s: holds(s, "personal") and gt(s.get("records"), 100000),
           lambda s: within(s.get("last_access_review"), days=90)),
    "B7": (V, lambda v: handles(v, "personal.financial.payment_card"),
           lambda v: "pci-dss" in v.get("certifications", [])),
    "B8": (V, lambda v: v.get("offboarded") is not None, lambda v: len(v.get("accesses", [])) == 0),
}

out = {}
for rule, (entities, where, require) in RULES.items():
    selected = [e for e in entities.values() if where(e)]
    out[rule] = [len(selected), sum(1 for e in selected if not require(e))]
print(json.dumps(out, sort_keys=True))
