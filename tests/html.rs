//! `--format html` / `--report html=FILE`: the self-contained HTML report.
//!
//! - The airline page's significant parts are snapshotted (the page is one line of about
//!   170 KB: the snapshot leaves out the inline CSS and script, keeps a few findings and
//!   graph nodes, and breaks the rest before each tag, so it can be read).
//! - Two runs (and any thread count) write identical bytes; `--report html=FILE` equals
//!   `--format html`.
//! - Hostile strings (a vendor named `<script>alert(1)</script>`, `</script>` in a
//!   reference and a waiver) are escaped: the page has one script, ours, and no markup of
//!   the input's.
//! - Past the caps, the table and the graph say what they left out.
//! - In headless Chromium (`tests/html/browser.js`, driven with playwright-core): the table
//!   has one row per finding of the JSON report, the severity and status filters and the
//!   search give the JSON's counts, sorting by a column orders the rows, selecting a graph
//!   node shows that entity's findings, no request leaves the page, the page reads without
//!   JavaScript, and a hostile page opens no dialog. The screenshot is kept in
//!   target/test-artifacts/html-report.png.
//!
//! Nothing is installed from here: `.ci/install-tools` installs Debian's chromium and
//! playwright-core (npm, pinned) and exports `CUSTODY_CHROMIUM` and `CUSTODY_NODE_MODULES`
//! (node is `$CUSTODY_NODE`, else `node` on PATH). Without them the browser tests fail
//! under `CI=true` and say why, and are skipped elsewhere.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const ARTIFACT: &str = "target/test-artifacts/html-report.png";

fn airline(args: &[&str]) -> std::process::Output {
    common::custody()
        .current_dir(common::repo_root())
        .args(["check", "examples/airline", "--as-of", "2026-11-24"])
        .args(args)
        .output()
        .expect("run custody")
}

fn airline_html() -> String {
    let out = airline(&["--format", "html"]);
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// `text` from the first `start` on, up to and including the first `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let i = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in the page"));
    let j = text[i..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end} after {start}"));
    &text[i..i + j + end.len()]
}

/// One tag per line, for reading.
fn lines(html: &str) -> String {
    html.replace("><", ">\n<")
}

#[test]
fn airline_page_snapshot() {
    let page = airline_html();
    let mut parts = Vec::new();
    // The head without its stylesheet; the header, summary and rules as they are.
    let head = between(&page, "<!DOCTYPE html>", "</head>");
    let style = between(head, "<style>", "</style>");
    parts.push(head.replace(style, "<style>[CSS]</style>"));
    parts.push(between(&page, "<header>", "</header>").to_owned());
    parts.push(between(&page, "<section id=\"summary\">", "</section>").to_owned());
    parts.push(between(&page, "<section id=\"rules\">", "</section>").to_owned());
    // The findings: controls, header and three rows (the waived one, a failing one with an
    // expired waiver, and the last).
    let findings = between(&page, "<section id=\"findings\">", "</thead>");
    parts.push(findings.to_owned());
    let rows: Vec<&str> = page
        .split("<tr class=\"st-")
        .skip(1)
        .map(|r| r.split("</tr>").next().unwrap_or(""))
        .collect();
    assert_eq!(rows.len(), 68, "a row per finding");
    let waived = rows
        .iter()
        .find(|r| r.starts_with("waived"))
        .expect("waived");
    let expired = rows
        .iter()
        .find(|r| r.contains("waiver expired"))
        .expect("expired waiver");
    for r in [waived, expired, rows.last().expect("rows")] {
        parts.push(format!("<tr class=\"st-{r}</tr>"));
    }
    // The graph: the note, legend and head of the SVG, two nodes and two edges.
    let graph = between(&page, "<section id=\"graph\">", "<g class=\"edges\">");
    parts.push(graph.to_owned());
    let edges: Vec<&str> = page.split("<path ").skip(1).take(2).collect();
    for e in edges {
        parts.push(format!("<path {}", e.split("</path>").next().unwrap_or("")));
    }
    let nodes = between(&page, "<g class=\"nodes\">", "</svg>");
    let failing = between(
        nodes,
        "<a href=\"#findings\" data-entity=\"vendor/deskpoint\"",
        "</a>",
    );
    let fourth = between(
        nodes,
        "<a href=\"#findings\" data-entity=\"vendor/echolane-speech\"",
        "</a>",
    );
    let clean = between(
        nodes,
        "<a href=\"#findings\" data-entity=\"vendor/callwave-bpo\"",
        "</a>",
    );
    parts.extend([failing, fourth, clean].map(str::to_owned));
    parts.push(between(&page, "<footer>", "</html>").replace(
        between(&page, "<script>", "</script>"),
        "<script>[JS]</script>",
    ));
    let text = parts
        .iter()
        .map(|p| lines(p))
        .collect::<Vec<_>>()
        .join("\n\n");
    insta::with_settings!({filters => vec![(r"custody \d+\.\d+\.\d+", "custody [VERSION]")]}, {
        insta::assert_snapshot!("airline_html", text);
    });
}

#[test]
fn page_is_self_contained_and_identical_across_runs() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("report.html");
    let out = common::custody()
        .current_dir(common::repo_root())
        .args([
            "check",
            "examples/airline",
            "--as-of",
            "2026-11-24",
            "--threads",
            "1",
            "--report",
        ])
        .arg(format!("html={}", file.display()))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let written = std::fs::read_to_string(&file).expect("report written");
    let page = airline_html();
    assert_eq!(written, page, "--report html=FILE is --format html");
    assert_eq!(airline_html(), page, "two runs, identical bytes");
    // Nothing to fetch: no URL of any scheme, no external stylesheet, script or font.
    for needle in ["http://", "https://", "src=", "<link", "@import", "url("] {
        let allowed = needle == "http://" && page.matches(needle).count() == 1;
        assert!(allowed || !page.contains(needle), "`{needle}` in the page");
    }
    // The one http:// is the SVG namespace, which is a name, not a request.
    assert!(page.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(page.matches("<script").count(), 1);
    assert!(page.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    assert!(page.contains("<title>custody report: examples/airline, as of 2026-11-24</title>"));
}

const HOSTILE_POLICY: &str = r#"rule H-1 "Vendors <b>must</b> be audited" {
  severity high
  references "</script><script>alert(1)</script>"
  for vendor v
  require v.last_audit within 12 months
  message "{v.name} is not audited"
  remediation "Fix </script> & <img src=x onerror=alert(2)>"
}
"#;

const HOSTILE_INVENTORY: &str = r#"vendors:
  - id: evil
    name: "<script>alert(1)</script>"
    owner: "\"><img src=x onerror=alert(3)>"
    fourth_party: true
  - id: other
    name: "</script><!-- & \"quoted\" 'single'"
    owner: "o@example.com"
    subprocessors: [evil]
"#;

const HOSTILE_WAIVERS: &str = r#"waivers:
  - rule: H-1
    entity: vendor/other
    reason: "</details></td></tr></table><script>alert(4)</script>"
    approved_by: "<i>ciso</i>"
    expires: 2027-01-01
"#;

fn hostile() -> (tempfile::TempDir, String) {
    let (dir, r) = common::run_files(&[
        (
            "custody.yaml",
            "policies: [.]\ninventory: [inventory]\nwaivers: waivers.yaml\n",
        ),
        ("rules.policy", HOSTILE_POLICY),
        ("inventory/vendors.yaml", HOSTILE_INVENTORY),
        ("waivers.yaml", HOSTILE_WAIVERS),
    ]);
    assert!(!r.has_errors(), "{}", common::render(&r));
    assert_eq!(r.findings.len(), 2);
    let page = custody::report::html::render(&r);
    (dir, page)
}

#[test]
fn hostile_strings_are_escaped() {
    let (_dir, page) = hostile();
    // Our script is the only one, and no markup from the input survives.
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    assert_eq!(page.matches("</script>").count(), 1, "{page}");
    for raw in ["<img", "<b>must", "<i>ciso", "<!--", "alert(4)</script>"] {
        assert!(!page.contains(raw), "`{raw}` unescaped");
    }
    for escaped in [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "Vendors &lt;b&gt;must&lt;/b&gt; be audited",
        "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
        "&lt;/details&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(4)&lt;/script&gt;",
        "Fix &lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;",
        // In an attribute, the quote that would end it is escaped too.
        "data-sort=\"&quot;&gt;&lt;img src=x onerror=alert(3)&gt;\"",
    ] {
        assert!(page.contains(escaped), "no `{escaped}` in the page");
    }
    // The names in the graph: in <title> and <text> (cut to fit), escaped the same way.
    assert!(page.contains(
        "<title>vendor/evil (&lt;script&gt;alert(1)&lt;/script&gt;), a fourth party: 1 failing finding, worst high</title>"
    ));
    assert!(page.contains("fourth party · &lt;script&gt;alert(1)&lt;/sc…"));
}

/// A register with more findings and entities than the page draws.
#[test]
fn large_registers_are_capped_and_say_so() {
    let n = custody::report::html::MAX_ROWS + 50;
    let mut inv = String::from("vendors:\n");
    for i in 0..n {
        inv.push_str(&format!("  - id: v{i:05}\n    name: Vendor {i}\n"));
    }
    let (_dir, r) = common::run_files(&[
        (
            "rules.policy",
            "rule L-1 \"low\" {\n severity low\n for vendor v\n require v.last_audit within 12 months\n}\n\
             rule H-1 \"high\" {\n severity high\n for vendor v where v.name == \"Vendor 7\"\n require false\n}\n",
        ),
        ("inventory/vendors.yaml", &inv),
    ]);
    assert_eq!(r.findings.len(), n + 1);
    let page = custody::report::html::render(&r);
    let rows = page.matches("<tr class=\"st-").count();
    assert_eq!(rows, custody::report::html::MAX_ROWS);
    assert!(page.contains(&format!(
        "The table lists 2,000 of the {} findings",
        thousands(n + 1)
    )));
    // The high finding is kept, whatever its place in rule order.
    assert!(page.contains("data-severity=\"high\""));
    // The summary counts every finding.
    assert!(page.contains(&format!("<div class=\"num\">{}</div>", thousands(n))));
    // The graph: the cap, the most severe failing entity first.
    let max = custody::report::html::MAX_GRAPH_NODES;
    assert_eq!(
        page.matches("<a href=\"#findings\" data-entity=").count(),
        max
    );
    assert!(page.contains(&format!("Showing {max} of {} entities", thousands(n))));
    assert!(page.contains("data-entity=\"vendor/v00007\""));
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------------------
// In headless Chromium

/// `node`, the directory holding playwright-core, and Chromium. `None`, with the reason,
/// when any is missing (a failure under `CI=true`).
fn browser(test: &str) -> Option<(PathBuf, PathBuf, PathBuf)> {
    let node =
        std::env::var_os("CUSTODY_NODE").map_or_else(|| PathBuf::from("node"), PathBuf::from);
    let modules = std::env::var_os("CUSTODY_NODE_MODULES").map_or_else(
        || common::repo_root().join(".ci/.tools/npm/node_modules"),
        PathBuf::from,
    );
    let chromium = std::env::var_os("CUSTODY_CHROMIUM").map(PathBuf::from);
    let loads = Command::new(&node)
        .env("NODE_PATH", &modules)
        .args(["-e", "require('playwright-core')"])
        .output();
    let why = match (loads, chromium) {
        (Err(e), _) => format!("cannot run {} ({e})", node.display()),
        (Ok(o), _) if !o.status.success() => format!(
            "node cannot load playwright-core from {} (CUSTODY_NODE_MODULES)",
            modules.display()
        ),
        (Ok(_), None) => "CUSTODY_CHROMIUM is not set".to_owned(),
        (Ok(_), Some(c)) if !c.exists() => format!("no Chromium at {}", c.display()),
        (Ok(_), Some(c)) => return Some((node, modules, c)),
    };
    let why = format!("{why}; run `eval \"$(.ci/install-tools)\"`");
    assert!(
        std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false"),
        "CI=true and {test} cannot run: {why}"
    );
    eprintln!("SKIPPED {test}: {why}");
    None
}

/// Run tests/html/browser.js on `page`; what it saw, as JSON.
fn drive(
    tools: &(PathBuf, PathBuf, PathBuf),
    page: &Path,
    shot: &Path,
    actions: &str,
) -> serde_json::Value {
    let (node, modules, chromium) = tools;
    let out = Command::new(node)
        .env("NODE_PATH", modules)
        .env("CUSTODY_CHROMIUM", chromium)
        .arg(common::repo_root().join("tests/html/browser.js"))
        .arg(page)
        .arg(shot)
        .arg(actions)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "browser.js failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("browser.js JSON")
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|s| s.as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn airline_page_in_chromium() {
    let Some(tools) = browser("airline_page_in_chromium") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let page = dir.path().join("report.html");
    let json = dir.path().join("report.json");
    let out = airline(&[
        "--report",
        &format!("html={}", page.display()),
        "--report",
        &format!("json={}", json.display()),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("json");
    let summary = &report["summary"];
    let findings = n(&summary["failing"]) + n(&summary["waived"]) + n(&summary["baselined"]);
    let critical = summary["by_severity"]
        .as_array()
        .expect("by_severity")
        .iter()
        .find(|c| c["severity"] == "critical")
        .map(|c| n(&c["failing"]) + n(&c["waived"]) + n(&c["baselined"]))
        .expect("critical");

    let shot = common::repo_root().join(ARTIFACT);
    std::fs::create_dir_all(shot.parent().expect("dir")).expect("mkdir");
    let _ = std::fs::remove_file(&shot);
    let seen = drive(&tools, &page, &shot, "full");
    eprintln!("chromium loaded the airline page in {} ms", seen["load_ms"]);

    assert_eq!(
        strings(&seen["requests"]),
        Vec::<String>::new(),
        "no request leaves the page"
    );
    assert_eq!(
        strings(&seen["errors"]),
        Vec::<String>::new(),
        "no script error"
    );
    assert_eq!(seen["controls_visible"], true);
    assert_eq!(
        n(&seen["initial"]["rows"]),
        findings,
        "a row per JSON finding"
    );
    assert_eq!(n(&seen["initial"]["visible"]), findings);
    assert_eq!(
        seen["initial"]["count"],
        format!("Showing all {findings} findings")
    );

    // Filter by severity.
    assert_eq!(n(&seen["critical"]["visible"]), critical);
    assert!(
        strings(&seen["critical"]["severities"])
            .iter()
            .all(|s| s == "critical")
    );
    assert_eq!(
        seen["critical"]["count"],
        format!("Showing {critical} of {findings} findings")
    );
    // By status: the waived finding, and only it.
    assert_eq!(n(&seen["waived"]["visible"]), n(&summary["waived"]));
    assert_eq!(strings(&seen["waived"]["statuses"]), ["waived"]);
    // Free text: every finding about tessaly-crm (and any whose evidence names it).
    let tessaly = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["entity"] == "vendor/tessaly-crm")
        .count();
    assert!(n(&seen["search"]["visible"]) >= tessaly && tessaly > 0);

    // Sorting by entity, both ways; by severity, most severe first.
    let mut sorted = strings(&seen["by_entity"]["entities"]);
    assert_eq!(seen["by_entity_sort"], "ascending");
    let asc = sorted.clone();
    sorted.sort();
    assert_eq!(asc, sorted, "ascending by entity");
    let mut desc = strings(&seen["by_entity_desc"]["entities"]);
    desc.reverse();
    assert_eq!(desc, sorted, "descending by entity");
    let order = ["critical", "high", "medium", "low", "info"];
    let ranks: Vec<usize> = strings(&seen["by_severity"]["severities"])
        .iter()
        .map(|s| order.iter().position(|o| o == s).expect("a severity"))
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    assert_eq!(ranks.len(), findings);

    // Selecting a failing entity in the graph shows its findings, and only those.
    assert_eq!(n(&seen["graph_nodes"]), n(&summary["entities"]));
    let entity = seen["node_entity"].as_str().expect("an entity");
    let of_entity = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["entity"] == entity)
        .count();
    assert!(of_entity > 0);
    assert_eq!(
        strings(&seen["after_node"]["entities"]),
        vec![entity.to_owned(); of_entity]
    );

    // Without JavaScript: every row, the static count, no controls.
    assert_eq!(n(&seen["no_js"]["rows"]), findings);
    assert_eq!(seen["no_js"]["controls_visible"], false);
    assert_eq!(seen["no_js"]["static_count_visible"], true);
    assert_eq!(n(&seen["no_js"]["svg_nodes"]), n(&summary["entities"]));

    let png = std::fs::read(&shot).expect("the screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG at {}", shot.display());
}

#[test]
fn hostile_page_in_chromium_runs_no_script_of_the_input() {
    let Some(tools) = browser("hostile_page_in_chromium_runs_no_script_of_the_input") else {
        return;
    };
    let (dir, page) = hostile();
    let file = dir.path().join("hostile.html");
    std::fs::write(&file, page).expect("write");
    let seen = drive(&tools, &file, &dir.path().join("hostile.png"), "load");
    assert_eq!(
        strings(&seen["dialogs"]),
        Vec::<String>::new(),
        "no alert()"
    );
    assert_eq!(strings(&seen["errors"]), Vec::<String>::new());
    assert_eq!(
        strings(&seen["requests"]),
        Vec::<String>::new(),
        "no <img> loaded"
    );
    assert_eq!(n(&seen["initial"]["rows"]), 2);
    assert_eq!(seen["initial"]["count"], "Showing all 2 findings");
}

fn n(v: &serde_json::Value) -> usize {
    usize::try_from(v.as_u64().expect("a count")).expect("usize")
}

#[test]
fn input_errors_make_the_verdict_incomplete_and_are_listed() {
    let (_dir, r) = common::run_files(&[
        (
            "rules.policy",
            "rule T-1 \"t\" {\n severity high\n for vendor v\n require v.last_audit within 12 months\n}\n",
        ),
        (
            "inventory/vendors.yaml",
            "vendors:\n  - id: a\n    tier: critcal\n  - id: b\n",
        ),
    ]);
    assert!(r.has_errors());
    let page = custody::report::html::render(&r);
    assert!(page.contains("<div class=\"verdict invalid\"><strong>Incomplete</strong> · exit code 2: the input has 1 error; only what could be loaded was evaluated.</div>"), "{page}");
    let problems = between(&page, "<section id=\"problems\">", "</section>");
    assert!(
        problems.contains("custody::inventory::unknown_enum_value"),
        "{problems}"
    );
    assert!(
        problems.contains("inventory/vendors.yaml:3:11"),
        "{problems}"
    );
    assert!(
        problems.contains("help: did you mean `critical`?"),
        "{problems}"
    );
    assert!(page.contains("<a href=\"#problems\">Input problems</a>"));
}
