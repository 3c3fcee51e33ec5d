//! `--format junit`: JUnit XML (quick-junit). One test suite per rule, one test case per
//! selected entity (passing ones too); failures carry the message and evidence; waived and
//! baselined findings are skipped. No timestamps, so the XML is deterministic.

use crate::eval::{Finding, Status};
use crate::report::Report;
use crate::report::{entity_name, place};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use std::collections::HashMap;

fn evidence(r: &Report, f: &Finding) -> String {
    let mut out = Vec::new();
    for fact in &f.selected {
        out.push(format!("selected: {}{}", fact.text, at(r, fact.loc)));
    }
    for fr in &f.failed {
        for fact in &fr.facts {
            out.push(format!("failed: {}{}", fact.text, at(r, fact.loc)));
        }
    }
    out.join("\n")
}

fn at(r: &Report, loc: Option<crate::source::Loc>) -> String {
    loc.map(|l| format!(" ({})", r.project.sources.display(l)))
        .unwrap_or_default()
}

pub fn render(r: &Report) -> String {
    let mut report = quick_junit::Report::new("custody");
    let by_key: HashMap<(usize, crate::inventory::EntityId), &Finding> =
        r.findings.iter().map(|f| ((f.rule, f.entity), f)).collect();
    for (ri, rule) in r.program.rules.iter().enumerate() {
        if !r.evaluated.get(ri).copied().unwrap_or(false) {
            continue;
        }
        let mut suite = TestSuite::new(format!("{}: {}", rule.id, rule.title));
        suite.add_property(Property::new("severity", rule.severity.as_str()));
        let Some(stats) = r.stats.get(ri) else {
            continue;
        };
        for &e in &stats.selected_entities {
            let name = entity_name(r, e);
            let status = match by_key.get(&(ri, e)) {
                None => TestCaseStatus::success(),
                Some(f) => match &f.status {
                    Status::Fail => {
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        s.set_message(f.message.clone());
                        s.set_type(rule.severity.as_str());
                        let p = place(r, f.primary);
                        s.set_description(format!(
                            "{}:{}:{}\n{}",
                            p.file,
                            p.line,
                            p.column,
                            evidence(r, f)
                        ));
                        s
                    }
                    Status::Waived(wi) => {
                        let mut s = TestCaseStatus::skipped();
                        let why = r.project.waiver(*wi).map(|w| {
                            format!(
                                "waived: {} (approved by {}, until {})",
                                w.reason, w.approved_by, w.expires
                            )
                        });
                        s.set_message(why.unwrap_or_else(|| "waived".into()));
                        s
                    }
                    Status::Baselined => {
                        let mut s = TestCaseStatus::skipped();
                        s.set_message("baselined: a known finding recorded in the baseline");
                        s
                    }
                },
            };
            let mut case = TestCase::new(name, status);
            case.set_classname(rule.id.as_str());
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    // INVARIANT: serializing to a Vec cannot fail for I/O reasons; on the impossible error,
    // an empty report beats a panic.
    report.to_string().unwrap_or_default()
}
