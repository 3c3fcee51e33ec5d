//! Small value types that cross layers: the severities of rules and the exit codes of the
//! binary. They sit below every stage so that configuration, checking, evaluation and the
//! renderers can all name them without importing one another.

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
