//! The standard third-party-risk policy library (`policies/library/`), embedded in the
//! binary: `builtin:tpr` in `policies` loads every rule, `builtin:gdpr` (and `iso27001`,
//! `soc2`, `app`, `pci`, `nist`) only those whose `references` name that framework.
//! `library: {disable, parameters}` in custody.yaml turns rules off and overrides the
//! library's `let` parameters by name.

/// The library's files: (name, text). `tests/library.rs` checks this list against the
/// directory, so a new file cannot be forgotten.
pub const FILES: &[(&str, &str)] = &[
    (
        "access.policy",
        include_str!("../policies/library/access.policy"),
    ),
    (
        "assurance.policy",
        include_str!("../policies/library/assurance.policy"),
    ),
    (
        "contracts.policy",
        include_str!("../policies/library/contracts.policy"),
    ),
    (
        "data-protection.policy",
        include_str!("../policies/library/data-protection.policy"),
    ),
    (
        "governance.policy",
        include_str!("../policies/library/governance.policy"),
    ),
    (
        "lifecycle.policy",
        include_str!("../policies/library/lifecycle.policy"),
    ),
    (
        "payments.policy",
        include_str!("../policies/library/payments.policy"),
    ),
    (
        "transfers.policy",
        include_str!("../policies/library/transfers.policy"),
    ),
];

/// The built-in country groups (`EU`, `EEA`, `EU_ADEQUACY`): exports every run has, whether
/// or not it loads the library (source name `builtin:countries.policy`).
pub const COUNTRIES: (&str, &str) = (
    "countries.policy",
    include_str!("../policies/countries.policy"),
);

/// A framework a rule can map to, recognised from the prefix of its references.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, Hash)]
pub enum Framework {
    Iso27001,
    Soc2,
    Gdpr,
    App,
    Pci,
    Nist,
}

impl Framework {
    pub const ALL: [Framework; 6] = [
        Framework::Iso27001,
        Framework::Soc2,
        Framework::Gdpr,
        Framework::App,
        Framework::Pci,
        Framework::Nist,
    ];

    /// The name in `builtin:NAME`.
    pub fn id(self) -> &'static str {
        match self {
            Framework::Iso27001 => "iso27001",
            Framework::Soc2 => "soc2",
            Framework::Gdpr => "gdpr",
            Framework::App => "app",
            Framework::Pci => "pci",
            Framework::Nist => "nist",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Framework::Iso27001 => "ISO/IEC 27001:2022",
            Framework::Soc2 => "SOC 2",
            Framework::Gdpr => "GDPR",
            Framework::App => "Australian Privacy Principles",
            Framework::Pci => "PCI DSS v4.0",
            Framework::Nist => "NIST SP 800-53",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Framework::Iso27001 => "ISO/IEC 27001",
            Framework::Soc2 => "SOC 2 ",
            Framework::Gdpr => "GDPR ",
            Framework::App => "APP ",
            Framework::Pci => "PCI DSS",
            Framework::Nist => "NIST SP 800-53",
        }
    }

    /// The framework a reference names, if any.
    pub fn of_reference(reference: &str) -> Option<Framework> {
        Framework::ALL
            .into_iter()
            .find(|f| reference.starts_with(f.prefix()))
    }
}

/// What `builtin:` entries select.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    /// `builtin:tpr`: every library rule.
    pub all: bool,
    pub frameworks: Vec<Framework>,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        !self.all && self.frameworks.is_empty()
    }
    /// Add `builtin:NAME`; `Err` with the names that exist when it is unknown.
    pub fn add(&mut self, name: &str) -> Result<(), Vec<&'static str>> {
        if name == "tpr" {
            self.all = true;
            return Ok(());
        }
        match Framework::ALL.into_iter().find(|f| f.id() == name) {
            Some(f) => {
                self.frameworks.push(f);
                Ok(())
            }
            None => Err(std::iter::once("tpr")
                .chain(Framework::ALL.map(Framework::id))
                .collect()),
        }
    }
    /// Is a library rule with these `references` selected?
    pub fn keeps(&self, references: &[String]) -> bool {
        self.all
            || references
                .iter()
                .any(|r| Framework::of_reference(r).is_some_and(|f| self.frameworks.contains(&f)))
    }
}

/// The source-map name of a library file: `builtin:tpr/assurance.policy`.
pub fn source_name(file: &str) -> String {
    format!("builtin:tpr/{file}")
}
