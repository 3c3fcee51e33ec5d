//! Small value types that cross layers: the severities of rules, the exit codes of the
//! binary and the identifiers that name things from one stage to the next. They sit below
//! every stage so that configuration, checking, evaluation and the renderers can all name
//! them without importing one another.

/// How serious a rule's findings are, lowest first (so `>=` compares by seriousness).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Hash)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Most severe first, the order of summaries.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
    /// Do failing findings of this severity fail a run whose threshold is `threshold`?
    /// `info` never fails.
    pub fn fails(self, threshold: Severity) -> bool {
        self != Severity::Info && self >= threshold
    }
}

/// The exit code of every command: one type for the whole binary.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Exit {
    /// Success: for `check`, no failing finding at or above the threshold.
    #[default]
    Clean = 0,
    /// Failing findings (or failed tests, unformatted files, denied warnings).
    Findings = 1,
    /// Invalid input or usage; wins over `Findings`.
    Invalid = 2,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// A rule's ID as written in its header (`TPR-001`). Checked rules, waivers, baseline
/// entries, `--rule` selections and test expectations hold one, so a rule ID is never
/// confused with any other string; user text is compared with it through `as_str`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct RuleId(String);

impl RuleId {
    pub fn new(id: impl Into<String>) -> RuleId {
        RuleId(id.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for RuleId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Comparing with text a user typed (a `--rule`, a test's expectation) is by exact spelling.
impl PartialEq<str> for RuleId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl serde::Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// An entity as a user names it: `KIND/ID` (`vendor/tessaly-crm`), in a waiver, a baseline
/// entry, a test file or on the command line (`explain`, `impact`). `Display` writes it
/// back as `KIND/ID`, so a parsed name prints exactly as it was written.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct EntityRef {
    pub kind: String,
    pub id: String,
}

impl EntityRef {
    pub fn new(kind: impl Into<String>, id: impl Into<String>) -> EntityRef {
        EntityRef {
            kind: kind.into(),
            id: id.into(),
        }
    }
    /// Split `KIND/ID` at its first `/`; `None` without one. Either part may be empty
    /// (it then names no entity); callers that refuse that check it.
    pub fn parse(s: &str) -> Option<EntityRef> {
        let (kind, id) = s.split_once('/')?;
        Some(EntityRef::new(kind, id))
    }
}

impl std::fmt::Display for EntityRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind, self.id)
    }
}

impl serde::Serialize for EntityRef {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A waiver, by its position in the list of waivers findings were matched against (the
/// project's, or a test file's): what a waived finding, or one with an expired waiver,
/// refers to. Look it up with `project::waivers::get` or `Project::waiver`, which check it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct WaiverId(usize);

impl WaiverId {
    pub fn new(index: usize) -> WaiverId {
        WaiverId(index)
    }
    pub fn index(self) -> usize {
        self.0
    }
}
