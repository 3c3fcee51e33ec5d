#!/usr/bin/env python3
"""Language server latency (see docs/performance.md, "Language server").

    python3 benches/lsp.py [SIZE] [RUNS]     defaults: M 20

Builds nothing: run `cargo build --release --bin custody` first. Generates the SIZE
workload if missing (benches/gen_inventory.py, seed 648, into target/bench-data/SIZE), writes
a project in target/bench-lsp/ (custody.yaml naming a copy of benches/bench.policy and
that inventory), starts `target/release/custody lsp` on pipes, opens the policy, and then:

- policy: RUNS edits of one character in a comment of the policy (a keystroke);
- inventory: opens data_stores.yaml, makes RUNS one-character edits to it and closes it,
  then the same with vendors.yaml.

Then it times queries: the first hover on an entity of vendors.yaml (which evaluates the
rules, as its findings are part of the answer), then RUNS hovers on it, on a field in the
policy, and completions after `v.`.

Each edit is a ranged change (the server asks for incremental sync), as an editor sends a
keystroke.

For each edit it measures the time from writing didChange to reading the
publishDiagnostics for the edited file, and prints the median, min and max. Between
edits it waits for the answer to a documentSymbol request, so each edit starts on an idle
server.
"""

import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Server:
    def __init__(self, exe, cwd):
        self.p = subprocess.Popen(
            [exe, "lsp"] + os.environ.get("LSP_ARGS", "").split(), cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.next_id = 0

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit("lsp.py: the server closed its output")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params):
        self.next_id += 1
        rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            m = self.read()
            if m.get("id") == rid and "method" not in m:
                return m

    def diagnostics(self, uri):
        while True:
            m = self.read()
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                return m["params"]["diagnostics"]


def uri(path):
    return "file://" + os.path.abspath(path)


def timed_edits(server, path, text, runs, where):
    """RUNS keystroke edits of `text` (ASCII) at offset `where`, alternately a character
    typed and deleted, each sent as a ranged change (incremental sync); the seconds from
    each didChange to its diagnostics."""
    times = []
    u = uri(path)
    line = text.count("\n", 0, where)
    col = where - (text.rfind("\n", 0, where) + 1)
    at = {"line": line, "character": col}
    after = {"line": line, "character": col + 1}
    for i in range(runs):
        if i % 2 == 0:
            change = {"range": {"start": at, "end": at}, "text": "x"}
        else:
            change = {"range": {"start": at, "end": after}, "text": ""}
        start = time.perf_counter()
        server.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": u, "version": i + 2}, "contentChanges": [change]},
        )
        server.diagnostics(u)
        times.append(time.perf_counter() - start)
        server.request("textDocument/documentSymbol", {"textDocument": {"uri": u}})
    return times


def report(name, times):
    ms = [t * 1000 for t in times]
    print(f"{name:<18} {statistics.median(ms):>9.1f} {min(ms):>9.1f} {max(ms):>9.1f} {len(ms):>5}")


def main():
    size = sys.argv[1] if len(sys.argv) > 1 else "M"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    exe = os.path.join(ROOT, "target/release/custody")
    if not os.path.exists(exe):
        raise SystemExit("lsp.py: build first: cargo build --release --bin custody")
    data = os.path.join(ROOT, "target/bench-data", size)
    if not os.path.exists(os.path.join(data, "vendors.yaml")):
        subprocess.run(
            [sys.executable, os.path.join(ROOT, "benches/gen_inventory.py"), size, data],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    project = os.path.join(ROOT, "target/bench-lsp")
    os.makedirs(project, exist_ok=True)
    policy = os.path.join(project, "bench.policy")
    with open(os.path.join(ROOT, "benches/bench.policy")) as f:
        policy_text = f.read()
    with open(policy, "w") as f:
        f.write(policy_text)
    with open(os.path.join(project, "custody.yaml"), "w") as f:
        f.write(f"policies: [bench.policy]\ninventory: [{json.dumps(data)}]\n")

    server = Server(exe, project)
    server.request("initialize", {"processId": None, "rootUri": uri(project), "capabilities": {}})
    server.notify("initialized", {})
    start = time.perf_counter()
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri(policy), "languageId": "custody", "version": 1, "text": policy_text}},
    )
    server.diagnostics(uri(policy))
    cold = time.perf_counter() - start
    server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri(policy)}})

    # A keystroke in the first comment line.
    policy_times = timed_edits(server, policy, policy_text, runs, 2)

    # A keystroke inside the first entity's id of each inventory file (only the edited
    # file is parsed again; the other's first-pass load is kept).
    inventory_times = {}
    for name in ["data_stores.yaml", "vendors.yaml"]:
        path = os.path.join(data, name)
        with open(path) as f:
            text = f.read()
        server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri(path), "languageId": "yaml", "version": 1, "text": text}},
        )
        server.diagnostics(uri(path))
        server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri(path)}})
        at = text.index("id: ") + 5
        inventory_times[name] = timed_edits(server, path, text, runs, at)
        # Back to the text on disk, so the next file's edits start from the same inventory.
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri(path)}})
        server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri(policy)}})

    # Queries on the analysed project: the first hover on an entity evaluates the rules
    # (its findings are part of the answer), the next ones reuse them; then hover and
    # completion in the policy.
    vendors = os.path.join(data, "vendors.yaml")
    with open(vendors) as f:
        vendors_text = f.read()
    server.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri(vendors), "languageId": "yaml", "version": 1, "text": vendors_text}},
    )
    server.diagnostics(uri(vendors))
    queries = {}

    def timed(name, method, path, text, needle, shift):
        where = text.index(needle) + shift
        line = text.count("\n", 0, where)
        col = where - (text.rfind("\n", 0, where) + 1)
        params = {"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": col}}
        start = time.perf_counter()
        result = server.request(method, params).get("result")
        queries.setdefault(name, []).append(time.perf_counter() - start)
        if not result:
            raise SystemExit(f"lsp.py: {name} gave no answer")

    timed("hover entity 1st", "textDocument/hover", vendors, vendors_text, "id: ", 5)
    for _ in range(runs):
        timed("hover entity", "textDocument/hover", vendors, vendors_text, "id: ", 5)
        timed("hover field", "textDocument/hover", policy, policy_text, "v.last_audit", 3)
        timed("complete v.", "textDocument/completion", policy, policy_text, "v.last_audit", 2)

    server.request("shutdown", None)
    server.notify("exit", None)
    server.p.wait(timeout=30)

    print(f"custody lsp, size {size}: milliseconds from didChange to publishDiagnostics")
    print(f"{'edit':<18} {'median':>9} {'min':>9} {'max':>9} {'runs':>5}")
    print(f"{'open':<18} {cold * 1000:>9.1f} {'':>9} {'':>9} {1:>5}")
    report("policy", policy_times)
    for name, times in inventory_times.items():
        mb = os.path.getsize(os.path.join(data, name)) / 1e6
        report(f"{name.split('.')[0]} {mb:.1f}MB", times)
    print()
    print(f"custody lsp, size {size}: milliseconds from request to answer")
    print(f"{'query':<18} {'median':>9} {'min':>9} {'max':>9} {'runs':>5}")
    for name, times in queries.items():
        report(name, times)


if __name__ == "__main__":
    main()
