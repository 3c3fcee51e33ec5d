//! `custody init [DIR]`: a starter project that `custody check` passes at once: a
//! custody.yaml using the policy library (`builtin:tpr`) and one policy file of the user's
//! own, and an inventory of one vendor and the data store it reaches, every field valid.
//! Dates in the inventory are set from today (an audit two months ago, a contract running
//! for another year), so the project starts clean whatever the day.
//!
//! It never overwrites: when any of its files exists, it writes nothing and names them.

use super::{Output, Std};
use crate::cli::InitArgs;
use crate::diag::{self, Diag, codes};
use crate::source::SourceMap;
use crate::sources::display_path;
use crate::types::Exit;
use jiff::ToSpan;
use jiff::civil::Date;
use std::path::{Path, PathBuf};

/// The files written, relative to DIR, in the order they are written and listed.
pub const FILES: [&str; 4] = [
    "custody.yaml",
    "inventory/vendors.yaml",
    "inventory/data_stores.yaml",
    "policies/main.policy",
];

/// The user's own rule in `policies/main.policy`.
pub const RULE: &str = "OWN-001";

pub fn run(args: &InitArgs, cwd: PathBuf, today: Date) -> Output {
    let dir = if args.dir.is_absolute() {
        args.dir.clone()
    } else {
        cwd.join(&args.dir)
    };
    let shown = |p: &Path| display_path(p, &cwd);
    let existing: Vec<String> = FILES
        .iter()
        .map(|f| dir.join(f))
        .filter(|p| std::fs::symlink_metadata(p).is_ok())
        .map(|p| shown(&p))
        .collect();
    if !existing.is_empty() {
        let list: Vec<String> = existing.iter().map(|f| format!("`{f}`")).collect();
        let (what, them) = if existing.len() == 1 {
            ("already exists", "it")
        } else {
            ("already exist", "them")
        };
        let d = Diag::new(
            &codes::init::EXISTS,
            format!("{} {what}; `custody init` wrote nothing", list.join(", ")),
        )
        .help(format!(
            "choose another directory (`custody init DIR` creates it) or remove {them} first"
        ));
        return failed(args, d);
    }
    // The directories this run will create, deepest first, to remove again on failure.
    let mut new_dirs: Vec<PathBuf> = FILES
        .iter()
        .filter_map(|f| dir.join(f).parent().map(Path::to_path_buf))
        .flat_map(|p| {
            p.ancestors()
                .take_while(|a| std::fs::symlink_metadata(a).is_err())
                .map(Path::to_path_buf)
                .collect::<Vec<_>>()
        })
        .collect();
    new_dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    new_dirs.dedup();
    let mut created: Vec<PathBuf> = Vec::new();
    for (name, text) in FILES.iter().zip(contents(today)) {
        let path = dir.join(name);
        let opened = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| {
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
            });
        let written = opened.and_then(|mut f| {
            created.push(path.clone());
            std::io::Write::write_all(&mut f, text.as_bytes())
        });
        if let Err(e) = written {
            // Leave nothing half-made: remove the files this run created.
            for p in &created {
                let _ = std::fs::remove_file(p);
            }
            for d in &new_dirs {
                let _ = std::fs::remove_dir(d);
            }
            let d = Diag::new(
                &codes::init::WRITE_FAILED,
                format!(
                    "cannot write `{}`: {}",
                    shown(&path),
                    crate::sources::io_words(&e)
                ),
            )
            .help("choose a directory you can write to, or make this one writable");
            return failed(args, d);
        }
    }
    // Commands are shown relative to where the user is.
    let at = shown(&dir);
    let path_arg = if at.is_empty() || at == "." {
        String::new()
    } else if at
        .chars()
        .all(|c| c.is_alphanumeric() || "/._-+:@%".contains(c))
    {
        format!(" {at}")
    } else {
        // Quoted for a POSIX shell.
        format!(" '{}'", at.replace('\'', r"'\''"))
    };
    let mut out = String::new();
    out.push_str("custody init: wrote a starter project\n");
    for f in FILES {
        out.push_str(&format!("  {}\n", shown(&dir.join(f))));
    }
    out.push_str("\nNext:\n");
    let mut next: Vec<(String, &str)> = Vec::new();
    if !path_arg.is_empty() {
        next.push((format!("cd{path_arg}"), ""));
    }
    next.push((
        "custody check".into(),
        "the library's rules and your own on the inventory",
    ));
    next.push((
        format!("custody explain {RULE} vendor/mailwave"),
        "one rule on one vendor, step by step",
    ));
    next.push((
        "custody lint".into(),
        "warnings about the policies, without evaluating",
    ));
    let width = next.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    for (command, what) in next {
        let line = if what.is_empty() {
            format!("  {command}")
        } else {
            format!("  {command:width$}   # {what}")
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    Output {
        stdout: out,
        ..Output::default()
    }
}

fn failed(args: &InitArgs, d: Diag) -> Output {
    let style = super::style(args.color, Std::Err);
    Output {
        stderr: diag::render_all(
            &[d],
            &SourceMap::new(),
            &diag::handler(style.color, style.width),
        ),
        exit: Exit::Invalid,
        ..Output::default()
    }
}

/// The text of each of [`FILES`], with dates set from `today`.
pub fn contents(today: Date) -> [String; 4] {
    let audit = today.saturating_sub(60.days());
    let review = today.saturating_sub(30.days());
    let expires = today.saturating_add(1.year());
    [
        CONFIG.to_string(),
        VENDORS
            .replace("{audit}", &audit.to_string())
            .replace("{expires}", &expires.to_string()),
        STORES.replace("{review}", &review.to_string()),
        POLICY.to_string(),
    ]
}

const CONFIG: &str = "\
# custody configuration. Paths are relative to this file.

# The standard policy library (builtin:tpr, embedded in custody) and our own rules.
policies: [builtin:tpr, policies]
# Every *.yaml / *.yml / *.json file under inventory/, merged.
inventory: [inventory]
# Any failing finding of severity low or above fails `custody check`.
fail_on: low

# Where our policy differs from the library's defaults (see docs/rules/README.md), e.g.
# library:
#   parameters:
#     allowed_countries: [GB, CH]
";

const VENDORS: &str = "\
# Vendors: third parties that process our data or reach our systems.
# A field left out is missing: custody never assumes a default.

vendors:
  - id: mailwave
    name: Mailwave Ltd
    description: Sends our order confirmations and password-reset emails.
    owner: ops-lead@example.com
    tier: high
    country: IE
    handles:
      - personal.identity.name
      - personal.contact.email
    # Each entry is a reference to a data store; the mapping form adds a link.
    accesses:
      - {id: customer-db, access: read, purpose: reads names and email addresses to send receipts}
    last_audit: {audit}
    certifications: [iso27001]
    mfa_enforced: true
    contract:
      dpa_signed: true
      right_to_audit: true
      breach_notification_hours: 48
      expires: {expires}
";

const STORES: &str = "\
# Data stores: where data is kept. `holds` lists data categories from the taxonomy.

data_stores:
  - id: customer-db
    name: Customer database
    description: Customer accounts and order history; run in-house, so no `hosted_by`.
    owner: ops-lead@example.com
    kind: database
    holds:
      - personal.identity.name
      - personal.contact.email
      - personal.contact.address
    region: eu-west-1
    encrypted_at_rest: true
    encrypted_in_transit: true
    retention_days: 2190
    records: 48000
    last_access_review: {review}
";

const POLICY: &str = "\
# Our own rules, next to the library's (`builtin:tpr` in custody.yaml).

rule OWN-001 \"Vendors that can reach personal data say why\" {
  severity medium
  references \"GDPR Art. 5(1)(b)\", \"ISO/IEC 27001:2022 A.5.19\"
  description \"Each store of personal data a vendor can reach has a purpose recorded on the link.\"
  for vendor v
  require all s in v.accesses where s holds personal: s.link.purpose is set
  message \"{v.name} reaches a store of personal data with no purpose recorded\"
  remediation \"Record the purpose on the vendor's `accesses` entry for the store (`purpose: ...`).\"
}
";
