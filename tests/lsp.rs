//! `custody lsp`: scripted JSON-RPC sessions against the built binary. Every read has a
//! timeout, so a server that hangs fails the test instead of hanging it.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Long enough for a debug build on a busy machine; a hung server still fails.
const TIMEOUT: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else, oldest first.
    pending: Vec<Value>,
}

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

impl Client {
    fn start(cwd: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_custody"))
            .args(["lsp", "--stdio"])
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn custody lsp");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("Content-Length")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("server sent JSON");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            rx,
            next_id: 0,
            pending: Vec::new(),
        }
    }

    fn write_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().expect("flush");
    }

    /// Write what the server may stop reading part-way (it then exits: a broken pipe).
    fn write_hostile(&mut self, bytes: &[u8]) {
        if let Some(stdin) = self.stdin.as_mut() {
            let _ = stdin.write_all(bytes).and_then(|()| stdin.flush());
        }
    }

    fn send(&mut self, msg: Value) {
        self.write_raw(&frame(&msg.to_string()));
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn recv(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(left) {
            Ok(v) => v,
            Err(_) => {
                let _ = self.child.kill();
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                panic!(
                    "no message from the server in time; pending {:?}; stderr: {err}",
                    self.pending
                );
            }
        }
    }

    /// Send a request and wait for its response (its `result`, or the whole response when
    /// it is an error).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let v = self.recv(deadline);
            if v.get("id") == Some(&json!(id)) && v.get("method").is_none() {
                return match v.get("error") {
                    Some(_) => v,
                    None => v.get("result").cloned().unwrap_or(Value::Null),
                };
            }
            self.pending.push(v);
        }
    }

    /// The next `publishDiagnostics` for `uri` (one already received first).
    fn diagnostics(&mut self, uri: &str) -> Value {
        let is_for = |v: &Value| {
            v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri
        };
        if let Some(i) = self.pending.iter().position(is_for) {
            return self.pending.remove(i)["params"]["diagnostics"].clone();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let v = self.recv(deadline);
            if is_for(&v) {
                return v["params"]["diagnostics"].clone();
            }
            self.pending.push(v);
        }
    }

    /// Wait for `uri`'s diagnostics to become `want`: an analysis of an earlier state may
    /// publish first, when the server analysed before the next change arrived.
    fn settle(&mut self, uri: &str, want: &Value) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let got = self.diagnostics(uri);
            if &got == want {
                return;
            }
            assert!(Instant::now() < deadline, "{uri}: still {got}, want {want}");
        }
    }

    fn initialize(&mut self, root: &Path) -> Value {
        let result = self.request(
            "initialize",
            json!({"processId": null, "rootUri": uri(root), "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn open(&mut self, path: &Path, language: &str) {
        let text = std::fs::read_to_string(path).expect("read document");
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": language, "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, path: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// `shutdown`, `exit`, and the exit status.
    fn shutdown(&mut self) -> std::process::ExitStatus {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r, Value::Null);
        self.notify("exit", Value::Null);
        self.wait()
    }

    fn wait(&mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stderr(&mut self) -> String {
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        err
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

/// A project: custody.yaml, one policy file, one inventory file.
fn project(policy: &str, inventory: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().canonicalize().expect("canonical");
    std::fs::write(
        root.join("custody.yaml"),
        "policies: [rules.policy]\ninventory: [inventory]\n",
    )
    .expect("write");
    std::fs::create_dir(root.join("inventory")).expect("mkdir");
    std::fs::write(root.join("inventory/vendors.yaml"), inventory).expect("write");
    std::fs::write(root.join("rules.policy"), policy).expect("write");
    (dir, root)
}

const INVENTORY: &str = "vendors:\n  - id: acme\n    name: Acme\n    tier: high\n";

const GOOD: &str = r#"rule R-1 "Vendors are tiered" {
  references "Vendor management standard 4.2"
  for vendor v
  require v.tier is set
  message "{v.name} has no tier"
  remediation "Tier the vendor."
}
"#;

/// `v.tierr`: an unknown field, on line 2 (0-based), columns 10..16.
const BROKEN: &str = r#"rule R-1 "Vendors are tiered" {
  for vendor v
  require v.tierr is set
  message "{v.name} has no tier"
}
"#;

#[test]
fn a_session_open_fix_format_query_shutdown() {
    let (_tmp, root) = project(BROKEN, INVENTORY);
    let policy = root.join("rules.policy");
    let mut c = Client::start(&root);
    let init = c.initialize(&root);
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentFormattingProvider",
        "documentSymbolProvider",
    ] {
        assert_eq!(caps[cap], true, "{cap}");
    }
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!([".", " "])
    );
    assert!(caps["codeLensProvider"].is_object());

    c.open(&policy, "custody");
    let diags = c.diagnostics(&uri(&policy));
    insta::assert_json_snapshot!("broken_policy", diags);
    assert_eq!(diags[0]["code"], "custody::policy::unknown_field");
    assert_eq!(diags[0]["range"]["start"], pos(2, 12));

    // Fixed by an incremental change (`tierr` -> `tier`, one character deleted at line 2,
    // column 16): the error is gone (BROKEN has no `references` or `remediation`, so the
    // lints' warnings remain).
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&policy), "version": 2},
               "contentChanges": [{"range": {"start": pos(2, 16), "end": pos(2, 17)}, "text": ""}]}),
    );
    let diags = c.diagnostics(&uri(&policy));
    let codes: Vec<&Value> = diags
        .as_array()
        .expect("list")
        .iter()
        .map(|d| &d["code"])
        .collect();
    assert_eq!(
        codes,
        [
            &json!("custody::lint::missing_references"),
            &json!("custody::lint::missing_remediation")
        ],
        "{diags}"
    );
    // Two ranged changes in one notification apply in order.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&policy), "version": 3},
               "contentChanges": [
                   {"range": {"start": pos(2, 16), "end": pos(2, 16)}, "text": "rr"},
                   {"range": {"start": pos(2, 17), "end": pos(2, 18)}, "text": ""}]}),
    );
    let diags = c.diagnostics(&uri(&policy));
    assert_eq!(
        diags[0]["code"], "custody::policy::unknown_field",
        "{diags}"
    );
    assert_eq!(diags[0]["range"]["end"], pos(2, 17), "`tierr` again");

    // Lints are warnings, as `custody lint` gives them.
    c.change(
        &policy,
        2,
        &GOOD.replace("  remediation \"Tier the vendor.\"\n", ""),
    );
    let diags = c.diagnostics(&uri(&policy));
    assert_eq!(
        diags[0]["code"], "custody::lint::missing_remediation",
        "{diags}"
    );
    assert_eq!(diags[0]["severity"], 2, "{diags}");
    assert_eq!(diags.as_array().map(Vec::len), Some(1), "{diags}");
    c.change(&policy, 2, GOOD);
    assert_eq!(c.diagnostics(&uri(&policy)), json!([]));

    // Formatting: one edit replacing the whole text with `custody fmt`'s output.
    let messy = GOOD.replace("  for vendor v", "      for   vendor v");
    c.change(&policy, 3, &messy);
    assert_eq!(c.diagnostics(&uri(&policy)), json!([]));
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri(&policy)}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let formatted = custody_fmt(&messy);
    assert_eq!(formatted, GOOD);
    assert_eq!(
        edits,
        json!([{"range": {"start": pos(0, 0), "end": pos(7, 0)}, "newText": formatted}])
    );
    // Already formatted: no edit.
    c.change(&policy, 4, GOOD);
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri(&policy)}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]));
    // A file that does not parse: no edit, not an error.
    c.change(&policy, 5, "rule {");
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri(&policy)}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]));
    c.change(&policy, 6, GOOD);

    // The editor queries answer with the right shape (their content is tested in
    // `editor_queries_answer_in_utf16_positions` and tests/ide.rs).
    let at = json!({"textDocument": {"uri": uri(&policy)}, "position": pos(2, 13)});
    let hover = c.request("textDocument/hover", at.clone());
    assert!(
        hover.is_null() || hover["contents"]["kind"] == "markdown",
        "{hover}"
    );
    let completion = c.request("textDocument/completion", at.clone());
    assert!(completion.is_array(), "{completion}");
    let definition = c.request("textDocument/definition", at.clone());
    assert!(definition.is_array(), "{definition}");
    let mut refs = at.clone();
    refs["context"] = json!({"includeDeclaration": true});
    let references = c.request("textDocument/references", refs);
    assert!(references.is_array(), "{references}");
    let doc = json!({"textDocument": {"uri": uri(&policy)}});
    let symbols = c.request("textDocument/documentSymbol", doc.clone());
    assert!(symbols.is_array(), "{symbols}");
    let lenses = c.request("textDocument/codeLens", doc);
    assert!(lenses.is_array(), "{lenses}");

    let status = c.shutdown();
    assert_eq!(status.code(), Some(0));
}

/// A policy with non-ASCII text before the names queried, a `let` and a rule.
const QUERIED: &str = r#"# Règles d'achat 🔐
let tiers = ["high", "critical"]

rule R-1 "Vendors are tiered" {
  references "Vendor management standard 4.2"
  for vendor v
  require v.tier in tiers
  message "Fournisseur « 🔐 » {v.name} has no tier"
  remediation "Tier the vendor."
}
"#;

/// The LSP position (UTF-16 columns) of the `nth` occurrence of `needle` in `text`, plus
/// `shift` bytes.
fn utf16_at(text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .map(|(i, _)| i + shift)
        .expect("needle in text");
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..offset].matches('\n').count() as u32;
    pos(line, text[line_start..offset].encode_utf16().count() as u32)
}

#[test]
fn editor_queries_answer_in_utf16_positions() {
    let (_tmp, root) = project(QUERIED, INVENTORY);
    let policy = root.join("rules.policy");
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.open(&policy, "custody");
    assert_eq!(c.diagnostics(&uri(&policy)), json!([]));
    let doc = json!({"uri": uri(&policy)});
    let at = |p: Value| json!({"textDocument": doc, "position": p});

    // Hover on `name` in the message's placeholder, after « 🔐 » on the same line: the
    // column counts the emoji as two UTF-16 units.
    let name = utf16_at(QUERIED, "v.name", 0, 2);
    assert_eq!(name["character"], json!(33), "{name}");
    let hover = c.request("textDocument/hover", at(name.clone()));
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.contains("name"), "{hover}");
    assert_eq!(hover["range"]["start"]["line"], json!(7), "{hover}");

    // Completion after `v.ti`: `tier`, replacing the `ti` typed.
    let typed = utf16_at(QUERIED, "v.tier", 0, 4);
    let items = c.request("textDocument/completion", at(typed.clone()));
    let tier = items
        .as_array()
        .and_then(|a| a.iter().find(|i| i["label"] == "tier"))
        .unwrap_or_else(|| panic!("no `tier` in {items}"));
    assert_eq!(
        tier["textEdit"],
        json!({"range": {"start": utf16_at(QUERIED, "v.tier", 0, 2), "end": typed}, "newText": "tier"})
    );

    // Definition of `tiers` where it is used: its `let`; references: both places.
    let used = utf16_at(QUERIED, "tiers", 1, 1);
    let def = c.request("textDocument/definition", at(used.clone()));
    assert_eq!(def[0]["uri"], json!(uri(&policy)), "{def}");
    assert_eq!(def[0]["range"]["start"], pos(1, 4), "{def}");
    let mut refs = at(used);
    refs["context"] = json!({"includeDeclaration": true});
    let refs = c.request("textDocument/references", refs);
    let lines: Vec<&Value> = refs
        .as_array()
        .map(|a| a.iter().map(|l| &l["range"]["start"]["line"]).collect())
        .unwrap_or_default();
    assert_eq!(lines, [&json!(1), &json!(6)], "{refs}");

    // Symbols: the `let` and the rule; the lens: the rule passes on the one vendor.
    let symbols = c.request("textDocument/documentSymbol", json!({"textDocument": doc}));
    let names: Vec<&Value> = symbols
        .as_array()
        .map(|a| a.iter().map(|s| &s["name"]).collect())
        .unwrap_or_default();
    assert_eq!(names, [&json!("tiers"), &json!("R-1")], "{symbols}");
    let lenses = c.request("textDocument/codeLens", json!({"textDocument": doc}));
    assert_eq!(lenses[0]["command"]["title"], json!("passing"), "{lenses}");
    assert_eq!(lenses[0]["range"]["start"]["line"], json!(3), "{lenses}");

    // The vendor fails once its tier is low: the lens counts it after the change.
    let inventory = root.join("inventory/vendors.yaml");
    c.open(&inventory, "yaml");
    c.change(&inventory, 2, &INVENTORY.replace("high", "low"));
    let lenses = c.request("textDocument/codeLens", json!({"textDocument": doc}));
    assert_eq!(
        lenses[0]["command"]["title"],
        json!("1 failing"),
        "{lenses}"
    );

    assert_eq!(c.shutdown().code(), Some(0));
}

/// Ranges of a large file's symbols and diagnostics share one line index per text: built
/// per range, 20,000 symbols of a 1 MB file took minutes (this test's timeout fails it).
#[test]
fn a_large_inventory_answers_symbols_and_diagnostics_without_rescanning_per_range() {
    let mut yaml = String::from("vendors:\n");
    for i in 0..20_000 {
        yaml.push_str(&format!(
            "  - id: vendor-{i:05}\n    name: Vendor number {i}\n    tier: high\n"
        ));
    }
    // 300 errors, each a diagnostic with a range in the same file.
    for i in 0..300 {
        yaml.push_str(&format!("  - id: broken-{i:03}\n    tierr: high\n"));
    }
    let (_tmp, root) = project(GOOD, &yaml);
    let inventory = root.join("inventory/vendors.yaml");
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.open(&inventory, "yaml");
    let diags = c.diagnostics(&uri(&inventory));
    assert_eq!(diags.as_array().map(Vec::len), Some(300));
    assert_eq!(
        diags[299]["range"]["start"]["line"],
        json!(60_000 + 2 * 299 + 2)
    );
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri(&inventory)}}),
    );
    let vendors = &symbols[0]["children"];
    assert_eq!(
        vendors.as_array().map(Vec::len),
        Some(20_300),
        "{}",
        symbols[0]["name"]
    );
    assert_eq!(
        vendors[19_999]["selectionRange"]["start"]["line"],
        json!(3 * 19_999 + 1)
    );
    assert_eq!(c.shutdown().code(), Some(0));
}

fn custody_fmt(text: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_custody"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn fmt");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("fmt");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn ranges_are_in_utf16_code_units() {
    // é is one UTF-16 unit (two bytes), 😀 two units (four bytes): a comment with both
    // comes first, and the error follows both on its own line.
    let policy_text = "# café 😀 notes\nrule R-1 \"Tiered\" {\n  for vendor v\n  require \"é😀\" == v.tierr\n  message \"{v.name}\"\n}\n";
    let (_tmp, root) = project(policy_text, INVENTORY);
    let policy = root.join("rules.policy");
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.open(&policy, "custody");
    let diags = c.diagnostics(&uri(&policy));
    let line = policy_text.lines().nth(3).expect("line 3");
    let byte = line.find("v.tierr").expect("v.tierr") + 2;
    let units = line[..byte].encode_utf16().count() as u64;
    assert!(
        byte as u64 > units,
        "the line has multi-byte text before the error"
    );
    assert_eq!(
        diags[0]["code"], "custody::policy::unknown_field",
        "{diags}"
    );
    assert_eq!(
        diags[0]["range"]["start"],
        json!({"line": 3, "character": units}),
        "{diags}"
    );
    assert_eq!(
        diags[0]["range"]["end"],
        json!({"line": 3, "character": units + 5}),
        "{diags}"
    );
    assert_eq!(c.shutdown().code(), Some(0));
}

#[test]
fn an_inventory_error_is_reported_on_the_yaml_file() {
    let inventory = "vendors:\n  - id: acme\n    tierr: high\n";
    let (_tmp, root) = project(GOOD, inventory);
    let policy = root.join("rules.policy");
    let yaml = root.join("inventory/vendors.yaml");
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.open(&policy, "custody");
    let diags = c.diagnostics(&uri(&yaml));
    insta::assert_json_snapshot!("inventory_error", diags);
    assert_eq!(diags[0]["code"], "custody::inventory::unknown_field");
    assert_eq!(diags[0]["range"]["start"]["line"], 2);
    assert_eq!(c.diagnostics(&uri(&policy)), json!([]));

    // The unsaved text of the inventory stands in for the file: fixed in the editor, the
    // error is cleared although the file on disk still has it.
    c.open(&yaml, "yaml");
    c.change(&yaml, 2, INVENTORY);
    c.settle(&uri(&yaml), &json!([]));
    // Broken again in the editor.
    c.change(&yaml, 3, "vendors:\n  - id: acme\n    tier: 3\n");
    let diags = c.diagnostics(&uri(&yaml));
    assert_eq!(diags[0]["range"]["start"]["line"], 2, "{diags}");
    assert_ne!(
        diags[0]["code"], "custody::inventory::unknown_field",
        "{diags}"
    );
    // Closed without saving: the file on disk counts again.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&yaml)}}),
    );
    let diags = c.diagnostics(&uri(&yaml));
    assert_eq!(
        diags[0]["code"], "custody::inventory::unknown_field",
        "{diags}"
    );
    assert_eq!(c.shutdown().code(), Some(0));
}

#[test]
fn requests_for_unknown_files_and_methods_do_not_crash() {
    let (_tmp, root) = project(GOOD, INVENTORY);
    let mut c = Client::start(&root);
    c.initialize(&root);
    let nowhere =
        json!({"textDocument": {"uri": "file:///nowhere/x.policy"}, "position": pos(0, 0)});
    assert_eq!(
        c.request("textDocument/hover", nowhere.clone()),
        Value::Null
    );
    assert_eq!(
        c.request("textDocument/definition", nowhere.clone()),
        Value::Null
    );
    let doc = json!({"textDocument": {"uri": "untitled:Untitled-1"}, "options": {"tabSize": 2, "insertSpaces": true}});
    assert_eq!(c.request("textDocument/formatting", doc), Value::Null);
    let err = c.request("custody/unknown", json!({}));
    assert_eq!(err["error"]["code"], -32601, "{err}");
    let bad = c.request("textDocument/hover", json!({"nonsense": 1}));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    // A position far past the end of an open file clamps.
    let policy = root.join("rules.policy");
    c.open(&policy, "custody");
    let far = json!({"textDocument": {"uri": uri(&policy)}, "position": pos(9999, 9999)});
    assert!(c.request("textDocument/completion", far).is_array());
    assert_eq!(c.shutdown().code(), Some(0));
}

#[test]
fn malformed_input_ends_the_server_with_an_error_not_a_panic() {
    let (_tmp, root) = project(GOOD, INVENTORY);
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.write_raw(&frame("{this is not json"));
    let status = c.wait();
    let err = c.stderr();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.starts_with("error: custody lsp: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_hostile_header_ends_the_server_with_an_error_not_an_abort() {
    // A length no memory holds (lsp-server's own reader allocates it and aborts), and a
    // header line that never ends.
    let endless = vec![b'C'; 1 << 20];
    for input in [&b"Content-Length: 99999999999999\r\n\r\n{}"[..], &endless] {
        let (_tmp, root) = project(GOOD, INVENTORY);
        let mut c = Client::start(&root);
        c.initialize(&root);
        c.write_hostile(input);
        let status = c.wait();
        let err = c.stderr();
        assert_eq!(status.code(), Some(2), "{err}");
        assert!(
            err.starts_with("error: custody lsp: the connection failed: a "),
            "{err}"
        );
        assert!(
            err.contains("over the limit of 2147483648") || err.contains("header line longer"),
            "{err}"
        );
    }
}

#[test]
fn exit_without_shutdown_is_an_error_exit() {
    let (_tmp, root) = project(GOOD, INVENTORY);
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.notify("exit", Value::Null);
    let status = c.wait();
    assert_eq!(status.code(), Some(2));
}

/// Diagnostics as `file:line:col code message`, comparable across source maps.
fn shown(checked: &custody::check::Checked) -> Vec<String> {
    let sources = &checked.project.sources;
    custody::cmd::lint::diagnostics(checked)
        .iter()
        .map(|d| {
            let at = d.primary.as_ref().map(|l| sources.display(l.loc));
            format!("{} {} {}", at.unwrap_or_default(), d.code, d.message)
        })
        .collect()
}

#[test]
fn incremental_loads_read_unchanged_files_once_and_reuse_the_inventory() {
    use custody::project::{self, LoadCache, Needs, Settings};
    use custody::source::SourceMap;
    let (_tmp, root) = project(GOOD, INVENTORY);
    let settings = Settings {
        cwd: root.clone(),
        config_dir: Some(root.clone()),
        needs: Needs::POLICIES,
        ..Settings::default()
    };
    let today: jiff::civil::Date = "2026-11-24".parse().expect("date");
    let reused = |p: &project::Project| {
        p.timings
            .phases
            .iter()
            .any(|(n, _)| *n == "inventory: reused")
    };
    let mut cache = LoadCache::default();
    let mut first = project::load_incremental(&settings, today, SourceMap::indexed(), &mut cache);
    assert!(!reused(&first));
    assert!(!first.has_errors());
    let mut sources = first.sources.clone();
    cache.keep(&mut first);

    // The inventory file changes on disk, but the server was not told: it is not read again.
    let inv = root.join("inventory/vendors.yaml");
    std::fs::write(&inv, "vendors:\n  - id: acme\n    tierr: high\n").expect("write");
    // A policy edit (unsaved): the inventory is reused as it is.
    sources.set_text(root.join("rules.policy"), "rules.policy", BROKEN.to_owned());
    let second = project::load_incremental(&settings, today, sources, &mut cache);
    assert!(reused(&second));
    assert_eq!(second.inventory.entities.len(), 1);
    let mut second = custody::check::project(second);
    let incremental = shown(&second);
    assert_eq!(incremental.len(), 1, "{incremental:?}");
    assert!(
        incremental[0].starts_with("rules.policy:3:13 custody::policy::unknown_field"),
        "{incremental:?}"
    );

    // The same texts on disk, loaded by the CLI's path: the same diagnostics.
    std::fs::write(&inv, INVENTORY).expect("write");
    std::fs::write(root.join("rules.policy"), BROKEN).expect("write");
    let cli = custody::check::project(project::load(&settings, today));
    assert_eq!(shown(&cli), incremental);

    // An inventory edit: validated again, from the editor's text.
    let mut sources = second.project.sources.clone();
    cache.keep(&mut second.project);
    sources.set_text(
        inv.clone(),
        "inventory/vendors.yaml",
        "vendors:\n  - id: acme\n    tierr: high\n".to_owned(),
    );
    let third = project::load_incremental(&settings, today, sources, &mut cache);
    assert!(!reused(&third));
    let third = custody::check::project(third);
    let diags = shown(&third);
    assert!(
        diags
            .iter()
            .any(|d| d.starts_with("inventory/vendors.yaml:3:5 custody::inventory::unknown_field")),
        "{diags:?}"
    );
    // Nothing changed since: reused again, with the inventory's diagnostics given again.
    let mut third = third;
    let sources = third.project.sources.clone();
    cache.keep(&mut third.project);
    let fourth = custody::check::project(project::load_incremental(
        &settings, today, sources, &mut cache,
    ));
    assert!(reused(&fourth.project));
    assert_eq!(shown(&fourth), diags);
}

#[test]
fn an_inventory_edit_parses_only_the_edited_file_and_gives_what_the_cli_gives() {
    use custody::project::{self, LoadCache, Needs, Settings};
    use custody::source::SourceMap;
    let (_tmp, root) = project(GOOD, INVENTORY);
    let stores = root.join("inventory/stores.yaml");
    let stores_text = |hosted_by: &str, extra: &str| {
        format!("data_stores:\n  - id: crm\n    hosted_by: {hosted_by}\n{extra}")
    };
    std::fs::write(&stores, stores_text("acme", "")).expect("write");
    let settings = Settings {
        cwd: root.clone(),
        config_dir: Some(root.clone()),
        needs: Needs::POLICIES,
        ..Settings::default()
    };
    let today: jiff::civil::Date = "2026-11-24".parse().expect("date");
    let name = |p: &project::Project, ids: &[custody::source::FileId]| -> Vec<String> {
        ids.iter()
            .map(|id| p.sources.get(*id).name.clone())
            .collect()
    };

    let mut cache = LoadCache::default();
    let mut first = project::load_incremental(&settings, today, SourceMap::indexed(), &mut cache);
    assert_eq!(
        name(&first, cache.inventory_parsed()),
        ["inventory/stores.yaml", "inventory/vendors.yaml"]
    );
    assert!(!first.has_errors());

    // Edits of stores.yaml only: a dangling reference (with its did-you-mean over the other
    // file's ids), then an id the other file already has. Each time only stores.yaml is
    // parsed, and the diagnostics are the CLI's on the same texts.
    for (hosted_by, extra) in [
        ("acmee", ""),
        ("acme", "vendors:\n  - id: acme\n    name: Acme again\n"),
        ("acme", ""),
    ] {
        let text = stores_text(hosted_by, extra);
        let mut sources = first.sources.clone();
        cache.keep(&mut first);
        sources.set_text(stores.clone(), "inventory/stores.yaml", text.clone());
        first = project::load_incremental(&settings, today, sources, &mut cache);
        assert_eq!(
            name(&first, cache.inventory_parsed()),
            ["inventory/stores.yaml"]
        );
        let entities = first.inventory.entities.len();
        let checked = custody::check::project(first);
        let incremental = shown(&checked);

        std::fs::write(&stores, &text).expect("write");
        let cli = custody::check::project(project::load(&settings, today));
        assert_eq!(shown(&cli), incremental, "stores.yaml:\n{text}");
        assert_eq!(cli.project.inventory.entities.len(), entities);
        first = checked.project;
    }
    assert!(!first.has_errors());

    // The config changes (a schema extension): every inventory file is parsed again.
    let mut sources = first.sources.clone();
    cache.keep(&mut first);
    sources.set_text(
        root.join("custody.yaml"),
        "custody.yaml",
        "policies: [rules.policy]\ninventory: [inventory]\nschema:\n  vendor:\n    fields:\n      region: {type: string}\n"
            .to_owned(),
    );
    let last = project::load_incremental(&settings, today, sources, &mut cache);
    assert_eq!(cache.inventory_parsed().len(), 2);
    assert!(!last.has_errors(), "{:?}", last.diags);
}

#[test]
fn files_changed_on_disk_are_read_again_when_the_client_says_so() {
    let (_tmp, root) = project(GOOD, INVENTORY);
    let policy = root.join("rules.policy");
    let yaml = root.join("inventory/vendors.yaml");
    let mut c = Client::start(&root);
    let caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(&root), "capabilities": caps}),
    );
    c.notify("initialized", json!({}));
    c.open(&policy, "custody");
    assert_eq!(c.diagnostics(&uri(&policy)), json!([]));
    // The server asked to be told about changes on disk.
    let asked = c
        .pending
        .iter()
        .find(|m| m["method"] == "client/registerCapability")
        .cloned()
        .expect("a registerCapability request");
    assert_eq!(
        asked["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    c.send(json!({"jsonrpc": "2.0", "id": asked["id"], "result": null}));

    std::fs::write(&yaml, "vendors:\n  - id: acme\n    tierr: high\n").expect("write");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&yaml), "type": 2}]}),
    );
    let diags = c.diagnostics(&uri(&yaml));
    assert_eq!(
        diags[0]["code"], "custody::inventory::unknown_field",
        "{diags}"
    );
    // Deleted: a missing file named in custody.yaml is an error there.
    std::fs::remove_file(&yaml).expect("remove");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&yaml), "type": 3}]}),
    );
    c.settle(&uri(&yaml), &json!([]));
    let diags = c.diagnostics(&uri(&root.join("custody.yaml")));
    assert_eq!(diags[0]["code"], "custody::io::empty_directory", "{diags}");
    assert_eq!(c.shutdown().code(), Some(0));
}

#[test]
fn without_custody_yaml_the_open_policies_are_checked_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().canonicalize().expect("canonical");
    let policy = root.join("rules.policy");
    // The same rule ID twice: the first is a related location of the error.
    std::fs::write(&policy, format!("{GOOD}\n{GOOD}")).expect("write");
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.open(&policy, "custody");
    let diags = c.diagnostics(&uri(&policy));
    let root_uri = regex_escape(&uri(&root));
    insta::with_settings!({filters => vec![(root_uri.as_str(), "file://[ROOT]")]}, {
        insta::assert_json_snapshot!("duplicate_rule_without_config", diags);
    });
    assert_eq!(c.shutdown().code(), Some(0));
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

#[test]
fn a_problem_with_no_place_in_a_file_goes_on_the_first_line_of_custody_yaml() {
    let (_tmp, root) = project(GOOD, INVENTORY);
    let config = root.join("custody.yaml");
    std::fs::write(&config, "inventory: [inventory]\n").expect("write");
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.open(&config, "yaml");
    let diags = c.diagnostics(&uri(&config));
    assert_eq!(diags[0]["code"], "custody::config::no_policies", "{diags}");
    assert_eq!(
        diags[0]["range"],
        json!({"start": pos(0, 0), "end": pos(0, 0)})
    );
    // Fixed in the editor: custody.yaml's unsaved text is the config.
    c.change(
        &config,
        2,
        "policies: [rules.policy]\ninventory: [inventory]\n",
    );
    c.settle(&uri(&config), &json!([]));
    assert_eq!(c.shutdown().code(), Some(0));
}
