//! One policy test file (`*.test.yaml`) read into a [`TestSpec`], with a diagnostic for every
//! mistake in it. Names (rules, entities) are checked later, against the loaded policies and
//! the fixture: see `testing::run`.

use crate::diag::Diag;
use crate::diag::code::Code;
use crate::diag::codes;
use crate::project::policies::{PolicyInput, PolicySource};
use crate::source::{FileId, Loc, Span};
use crate::sources::Input;
use crate::types::{EntityRef, RuleId};
use crate::yaml::map::{MapReader, first_line, key_str, kind_words};
use crate::yaml::{Node, NodeKind};
use jiff::civil::Date;
use std::path::Path;

/// Structural mistakes in a test file.
pub const MALFORMED: &Code = &codes::test::MALFORMED;

const KEYS: [&str; 6] = [
    "description",
    "as_of",
    "policies",
    "inventory",
    "waivers",
    "expect",
];

/// What a test expects of one entity under one rule.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Expect {
    /// Selected, and fails a `require` (no live waiver).
    Fail,
    /// Selected, and passes every `require`.
    Pass,
    /// Selected, fails, and a live waiver covers the finding.
    Waived,
    /// Not selected: the `for` kind matches but the `where` is false.
    NotSelected,
}

impl Expect {
    pub const ALL: [Expect; 4] = [
        Expect::Fail,
        Expect::Pass,
        Expect::Waived,
        Expect::NotSelected,
    ];
    /// The key in `expect:`.
    pub fn key(self) -> &'static str {
        match self {
            Expect::Fail => "fail",
            Expect::Pass => "pass",
            Expect::Waived => "waived",
            Expect::NotSelected => "not_selected",
        }
    }
    /// The status in words.
    pub fn words(self) -> &'static str {
        match self {
            Expect::Fail => "fail",
            Expect::Pass => "pass",
            Expect::Waived => "waived",
            Expect::NotSelected => "not selected",
        }
    }
}

/// One entity named in an expectation, as written (`vendor/stale`).
#[derive(Clone, Debug)]
pub struct Named {
    pub expect: Expect,
    pub entity: EntityRef,
    pub loc: Loc,
}

/// The expectations for one rule: one test case.
#[derive(Clone, Debug)]
pub struct Expectation {
    pub rule: RuleId,
    pub rule_loc: Loc,
    pub entities: Vec<Named>,
    /// Read without errors (so an empty list of entities really is empty).
    pub clean: bool,
}

/// Where the fixture's inventory comes from.
#[derive(Clone, Debug)]
pub enum InventorySpec {
    /// Written in the test file: the span of the `inventory:` mapping.
    Inline(Span),
    /// Files or directories, relative to the test file.
    Paths(Vec<Input>),
}

/// Where the fixture's waivers come from.
#[derive(Clone, Debug)]
pub enum WaiverSpec {
    None,
    /// An inline list, wrapped as a waivers document (`waivers: [...]`).
    Inline(Node),
    /// A waivers file, relative to the test file.
    Path(Input),
}

/// A test file as written. Fields the file gets wrong are `None` (and reported).
#[derive(Debug)]
pub struct TestSpec {
    pub file: FileId,
    pub as_of: Option<Date>,
    /// `policies:`, relative to the test file; `None` when absent.
    pub policies: Option<Vec<PolicyInput>>,
    pub inventory: Option<InventorySpec>,
    pub waivers: WaiverSpec,
    /// In rule-ID order.
    pub expect: Vec<Expectation>,
    /// The first line of the file's mapping, for labels about the file as a whole.
    pub head: Loc,
}

/// Read a test file's documents. `dir` is the test file's directory: relative paths in the
/// file are relative to it. `complete` is false when the YAML had errors: the keys after a
/// syntax error are lost, so their absence is not reported again.
pub fn read(
    file: FileId,
    docs: &[Node],
    dir: &Path,
    complete: bool,
    diags: &mut Vec<Diag>,
) -> TestSpec {
    let mut spec = TestSpec {
        file,
        as_of: None,
        policies: None,
        inventory: None,
        waivers: WaiverSpec::None,
        expect: Vec::new(),
        head: Loc::new(file, Span::default()),
    };
    let Some(doc) = docs.first() else {
        diags.push(
            Diag::new(MALFORMED, "the test file is empty")
                .at(spec.head, "expected `as_of`, `inventory` and `expect` here")
                .help("see docs/authoring.md, section 3, for the test file format"),
        );
        return spec;
    };
    for extra in docs.iter().skip(1) {
        diags.push(
            Diag::new(MALFORMED, "a test file holds one YAML document")
                .at(first_line(file, extra), "a second document starts here")
                .help("put each fixture in its own `*.test.yaml` file"),
        );
    }
    if doc.as_map().is_none() {
        diags.push(
            Diag::new(
                MALFORMED,
                format!("a test file must be a mapping, found {}", kind_words(doc)),
            )
            .at(Loc::new(file, doc.span), "expected `key: value` lines here")
            .help("start with `as_of:`, `inventory:` and `expect:`; see docs/authoring.md"),
        );
        return spec;
    }
    let Some(m) = MapReader::new(file, doc, "a test file", diags) else {
        return spec;
    };
    spec.head = first_line(file, doc);
    m.reject_unknown(&KEYS, MALFORMED, "a test file", diags);
    let _ = m.str("description", MALFORMED, diags);
    spec.as_of = as_of(&m, complete, diags);
    spec.policies = m.strings("policies", MALFORMED, diags).map(|list| {
        list.into_iter()
            .map(|(p, loc)| PolicyInput {
                source: PolicySource::File(dir.join(p)),
                named_at: Some(loc),
            })
            .collect()
    });
    spec.inventory = inventory(&m, dir, complete, diags);
    spec.waivers = waivers(&m, dir, diags);
    spec.expect = expect(&m, complete, diags);
    spec
}

/// "the test file has no `key`", unless a misspelling of it is already reported as an
/// unknown key, or a YAML error lost the rest of the file (one mistake, one error).
fn missing(m: &MapReader<'_>, key: &str, help: &str, complete: bool, diags: &mut Vec<Diag>) {
    if !complete {
        return;
    }
    let misspelled = m.node.as_map().is_some_and(|entries| {
        entries.iter().any(|(k, _)| {
            key_str(k).is_some_and(|name| {
                !KEYS.contains(&name) && crate::diag::did_you_mean(name, [key]).is_some()
            })
        })
    });
    if !misspelled {
        diags.push(
            Diag::new(MALFORMED, format!("the test file has no `{key}`"))
                .at(first_line(m.file, m.node), format!("`{key}` is required"))
                .help(help.to_owned()),
        );
    }
}

fn as_of(m: &MapReader<'_>, complete: bool, diags: &mut Vec<Diag>) -> Option<Date> {
    if m.get("as_of").is_none() {
        missing(
            m,
            "as_of",
            "add `as_of: YYYY-MM-DD`: a test fixes its evaluation date so that it gives the same result every day",
            complete,
            diags,
        );
        return None;
    }
    let (s, loc) = m.str("as_of", MALFORMED, diags)?;
    match s.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            diags.push(
                Diag::new(MALFORMED, format!("`{s}` is not a valid date"))
                    .at(loc, "expected a date such as 2026-11-24")
                    .help("write `as_of` as an ISO date, YYYY-MM-DD"),
            );
            None
        }
    }
}

fn inventory(
    m: &MapReader<'_>,
    dir: &Path,
    complete: bool,
    diags: &mut Vec<Diag>,
) -> Option<InventorySpec> {
    let Some(n) = m.get("inventory") else {
        missing(
            m,
            "inventory",
            "add `inventory:` with the fixture's collections (`vendors:`, `data_stores:`), or the path of an inventory file or directory",
            complete,
            diags,
        );
        return None;
    };
    let path = |p: &str, at: &Node| Input {
        path: dir.join(p),
        named_at: Some(m.loc(at)),
    };
    match &n.kind {
        NodeKind::Map(_) => Some(InventorySpec::Inline(n.span)),
        NodeKind::Null => Some(InventorySpec::Paths(Vec::new())),
        NodeKind::Str { value, .. } => Some(InventorySpec::Paths(vec![path(value, n)])),
        NodeKind::Seq(items) => {
            let mut out = Vec::new();
            for i in items {
                match i.as_str() {
                    Some(p) => out.push(path(p, i)),
                    None => diags.push(
                        Diag::new(
                            MALFORMED,
                            format!(
                                "entries of `inventory` must be paths, found {}",
                                kind_words(i)
                            ),
                        )
                        .at(
                            m.loc(i),
                            "expected the path of an inventory file or directory",
                        ),
                    ),
                }
            }
            Some(InventorySpec::Paths(out))
        }
        _ => {
            diags.push(
                Diag::new(
                    MALFORMED,
                    format!(
                        "`inventory` must be a mapping of collections or a path, found {}",
                        kind_words(n)
                    ),
                )
                .at(m.loc(n), "expected `vendors:`, `data_stores:`, ... or a path")
                .help("write the collections under `inventory:`, or give the path of an inventory file or directory"),
            );
            None
        }
    }
}

fn waivers(m: &MapReader<'_>, dir: &Path, diags: &mut Vec<Diag>) -> WaiverSpec {
    let Some(n) = m.get("waivers") else {
        return WaiverSpec::None;
    };
    match &n.kind {
        NodeKind::Null => WaiverSpec::None,
        NodeKind::Seq(_) => {
            // The waivers reader takes whole documents: wrap the list as `waivers: [...]`,
            // keeping the spans, so its diagnostics point into the test file.
            let key = m
                .node
                .as_map()
                .and_then(|es| es.iter().find(|(k, _)| key_str(k) == Some("waivers")))
                .map(|(k, _)| k.clone())
                .unwrap_or_else(|| n.clone());
            WaiverSpec::Inline(Node {
                span: key.span.to(n.span),
                kind: NodeKind::Map(vec![(key, n.clone())]),
            })
        }
        NodeKind::Str { value, .. } => WaiverSpec::Path(Input {
            path: dir.join(value),
            named_at: Some(m.loc(n)),
        }),
        _ => {
            diags.push(
                Diag::new(
                    MALFORMED,
                    format!(
                        "`waivers` must be a list of waivers or a path, found {}",
                        kind_words(n)
                    ),
                )
                .at(m.loc(n), "expected a list or the path of a waivers file")
                .help("write `waivers:` followed by entries with rule, entity, reason, approved_by and expires, or the path of a waivers file"),
            );
            WaiverSpec::None
        }
    }
}

fn expect(m: &MapReader<'_>, complete: bool, diags: &mut Vec<Diag>) -> Vec<Expectation> {
    let Some(n) = m.get("expect") else {
        missing(
            m,
            "expect",
            "add `expect:` with, for each rule tested, the entities expected to `fail`, `pass`, be `waived` or be `not_selected`",
            complete,
            diags,
        );
        return Vec::new();
    };
    let entries = match &n.kind {
        NodeKind::Map(entries) if !entries.is_empty() => entries,
        NodeKind::Map(_) | NodeKind::Null => {
            diags.push(
                Diag::new(MALFORMED, "`expect` names no rule")
                    .at(m.loc(n), "expected `RULE-ID:` entries")
                    .help("add an entry per rule, e.g. `TPR-001: {fail: [vendor/stale], pass: [vendor/fresh]}`"),
            );
            return Vec::new();
        }
        _ => {
            diags.push(
                Diag::new(
                    MALFORMED,
                    format!("`expect` must be a mapping, found {}", kind_words(n)),
                )
                .at(m.loc(n), "expected `RULE-ID:` entries")
                .help("add an entry per rule, e.g. `TPR-001: {fail: [vendor/stale], pass: [vendor/fresh]}`"),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (k, v) in entries {
        let Some(rule) = key_str(k) else {
            diags.push(
                Diag::new(
                    MALFORMED,
                    format!("keys of `expect` must be rule IDs, found {}", kind_words(k)),
                )
                .at(m.loc(k), "expected a rule ID such as TPR-001"),
            );
            continue;
        };
        let rule_loc = m.loc(k);
        let Some(lists) = v.as_map() else {
            diags.push(
                Diag::new(
                    MALFORMED,
                    format!(
                        "the expectation for `{rule}` must be a mapping, found {}",
                        kind_words(v)
                    ),
                )
                .at(
                    m.loc(v),
                    "expected `fail:`, `pass:`, `waived:` or `not_selected:`",
                )
                .help(format!(
                    "write e.g. `{rule}: {{fail: [vendor/stale], pass: [vendor/fresh]}}`"
                )),
            );
            continue;
        };
        let before = diags.len();
        let keys: Vec<&str> = Expect::ALL.iter().map(|e| e.key()).collect();
        let what = format!("the expectation for `{rule}`");
        let r = MapReader::new(m.file, v, &what, diags);
        if let Some(r) = &r {
            r.reject_unknown(&keys, MALFORMED, &what, diags);
        }
        let mut entities = Vec::new();
        for (lk, lv) in lists {
            let Some(expect) = Expect::ALL
                .into_iter()
                .find(|e| key_str(lk) == Some(e.key()))
            else {
                continue;
            };
            let items: Vec<&Node> = match &lv.kind {
                NodeKind::Seq(items) => items.iter().collect(),
                NodeKind::Null => Vec::new(),
                NodeKind::Str { .. } => vec![lv],
                _ => {
                    diags.push(
                        Diag::new(
                            MALFORMED,
                            format!(
                                "`{}` must be a list of entities, found {}",
                                expect.key(),
                                kind_words(lv)
                            ),
                        )
                        .at(m.loc(lv), "expected e.g. `[vendor/stale]`"),
                    );
                    continue;
                }
            };
            for item in items {
                if let Some(named) = entity(m.file, expect, item, diags) {
                    entities.push(named);
                }
            }
        }
        out.push(Expectation {
            rule: RuleId::new(rule),
            rule_loc,
            entities,
            clean: !diags
                .get(before..)
                .is_some_and(|d| d.iter().any(Diag::is_error)),
        });
    }
    out.sort_by(|a, b| a.rule.cmp(&b.rule));
    out
}

/// One `KIND/ID` entry.
fn entity(file: FileId, expect: Expect, item: &Node, diags: &mut Vec<Diag>) -> Option<Named> {
    let loc = Loc::new(file, item.span);
    let Some(s) = item.as_str() else {
        diags.push(
            Diag::new(
                MALFORMED,
                format!(
                    "entries of `{}` must be entities as `KIND/ID`, found {}",
                    expect.key(),
                    kind_words(item)
                ),
            )
            .at(loc, "expected e.g. `vendor/crm-platform`"),
        );
        return None;
    };
    match EntityRef::parse(s) {
        Some(entity) if !entity.kind.is_empty() && !entity.id.is_empty() => Some(Named {
            expect,
            entity,
            loc,
        }),
        _ => {
            diags.push(
                Diag::new(
                    MALFORMED,
                    format!("`{s}` does not name an entity as `KIND/ID`"),
                )
                .at(loc, "expected e.g. `vendor/crm-platform`")
                .help(format!("write `vendor/{s}` or `data_store/{s}`")),
            );
            None
        }
    }
}
