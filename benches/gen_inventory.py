#!/usr/bin/env python3
# A copy of shared/bench/gen_inventory.py (the benchmark workload), so the benchmark and the
# scale tests run from this repository alone.
"""Deterministic synthetic inventory for custody benchmarks (see WORKLOAD.md).

usage: gen_inventory.py SIZE OUT_DIR [--seed N] [--json]
  SIZE: S (200 vendors), M (10,000), L (100,000), or a vendor count; stores = 2 x vendors.
  Writes OUT_DIR/vendors.yaml and OUT_DIR/data_stores.yaml; with --json also
  OUT_DIR/inventory.json ({"vendors": [...], "data_stores": [...]}) with the same facts.
"""
import datetime as dt
import json
import os
import random
import sys

SIZES = {"S": 200, "M": 10_000, "L": 100_000}
AS_OF = dt.date(2026, 11, 24)

LEAVES = [
    "personal.identity.name", "personal.identity.date_of_birth",
    "personal.identity.government_id", "personal.identity.passport",
    "personal.contact.address", "personal.contact.email", "personal.contact.phone",
    "personal.financial.payment_card", "personal.financial.bank_account",
    "personal.loyalty.member_number", "personal.loyalty.points_balance",
    "personal.travel.booking", "personal.travel.itinerary",
    "personal.preferences.meal", "personal.preferences.seating",
    "personal.health", "personal.biometric", "personal.location",
    "personal.online.ip_address", "personal.online.device_id",
    "credentials.password", "credentials.api_key",
    "business.confidential", "business.financial", "system.logs", "system.telemetry",
]
BROAD = ["personal", "personal.contact", "personal.loyalty", "business", "system"]
TIERS = ["critical", "high", "medium", "low"]
COUNTRIES = ["AU", "NZ", "US", "GB", "IE", "IN", "PH", "SG", "DE"]
CERTS = ["iso27001", "soc2-type2", "pci-dss", "iso27701"]
KINDS = ["database", "object_store", "saas", "warehouse", "file_share", "backup", "queue", "other"]
REGIONS = ["ap-southeast-2", "ap-southeast-4", "us-east-1", "eu-west-1", "ap-south-1"]


def day(rng, lo, hi):
    """A date between lo and hi days before AS_OF."""
    return (AS_OF - dt.timedelta(days=rng.randint(lo, hi))).isoformat()


def categories(rng, n):
    picked = rng.sample(LEAVES, n)
    if rng.random() < 0.05:
        picked.append(rng.choice(BROAD))
    return sorted(set(picked))


def vendor(rng, i, n_vendors, n_stores):
    v = {"id": f"v{i:06d}", "name": f"Vendor {i} Pty Ltd", "owner": f"owner{i % 97}@example.com",
         "tier": rng.choices(TIERS, weights=[1, 3, 4, 4])[0], "country": rng.choice(COUNTRIES)}
    handles = categories(rng, rng.randint(0, 3))
    if handles:
        v["handles"] = handles
    accesses = sorted({f"s{rng.randrange(n_stores):06d}" for _ in range(rng.randint(0, 4))})
    if accesses:
        v["accesses"] = accesses
    if i > 0 and rng.random() < 0.4:
        # mostly towards older vendors; about 1 in 50 points forward, so some cycles exist
        subs = {f"v{rng.randrange(i):06d}" for _ in range(rng.randint(1, 2))}
        if rng.random() < 0.02:
            subs.add(f"v{rng.randrange(n_vendors):06d}")
        subs.discard(v["id"])
        if subs:
            v["subprocessors"] = sorted(subs)
    if rng.random() < 0.9:
        v["last_audit"] = day(rng, 0, 1100)
    certs = sorted({rng.choice(CERTS) for _ in range(rng.randint(0, 2))})
    if certs:
        v["certifications"] = certs
    if rng.random() < 0.95:
        v["mfa_enforced"] = rng.random() < 0.85
    contract = {}
    if rng.random() < 0.9:
        contract["dpa_signed"] = rng.random() < 0.9
    if rng.random() < 0.9:
        contract["breach_notification_hours"] = rng.choice([24, 48, 72, 72, 72, 96, 168])
    contract["expires"] = (AS_OF + dt.timedelta(days=rng.randint(-200, 900))).isoformat()
    v["contract"] = contract
    if rng.random() < 0.05:
        v["offboarded"] = day(rng, 0, 700)
    return v


def store(rng, i, n_vendors):
    s = {"id": f"s{i:06d}", "name": f"Store {i}", "kind": rng.choice(KINDS),
         "holds": categories(rng, rng.randint(1, 4))}
    if rng.random() < 0.5:
        s["hosted_by"] = f"v{rng.randrange(n_vendors):06d}"
    s["region"] = rng.choice(REGIONS)
    if rng.random() < 0.95:
        s["encrypted_at_rest"] = rng.random() < 0.9
    s["records"] = int(10 ** rng.uniform(2, 7.2))
    s["retention_days"] = rng.choice([30, 90, 365, 730, 2555])
    if rng.random() < 0.8:
        s["last_access_review"] = day(rng, 0, 400)
    return s


def scalar(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    return str(x)


def emit(f, key, items):
    f.write(f"{key}:\n")
    for item in items:
        first = True
        for k, val in item.items():
            lead = "  - " if first else "    "
            first = False
            if isinstance(val, list):
                f.write(f"{lead}{k}: [{', '.join(val)}]\n")
            elif isinstance(val, dict):
                f.write(f"{lead}{k}:\n")
                for k2, v2 in val.items():
                    f.write(f"      {k2}: {scalar(v2)}\n")
            else:
                f.write(f"{lead}{k}: {scalar(val)}\n")


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    size, out = argv[1], argv[2]
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 648
    n_vendors = SIZES.get(size) or int(size)
    n_stores = 2 * n_vendors
    rng = random.Random(seed)
    vendors = [vendor(rng, i, n_vendors, n_stores) for i in range(n_vendors)]
    stores = [store(rng, i, n_vendors) for i in range(n_stores)]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "vendors.yaml"), "w") as f:
        emit(f, "vendors", vendors)
    with open(os.path.join(out, "data_stores.yaml"), "w") as f:
        emit(f, "data_stores", stores)
    if "--json" in argv:
        with open(os.path.join(out, "inventory.json"), "w") as f:
            json.dump({"vendors": vendors, "data_stores": stores}, f)


if __name__ == "__main__":
    main(sys.argv)
