//! `--format junit`: JUnit XML (quick-junit). One test suite per rule, one test case per
//! selected entity (passing ones too); failures carry the message and evidence; waived and
//! baselined findings are skipped. No timestamps, so the XML is deterministic.
//!
//! Input errors come first, as a suite `custody input errors` with one failing test case
//! per error, so a broken inventory never looks green in a test report. Valid against the
//! junit-10 XSD: `testsuites` carries no `skipped` count (suites do), and a `message`
//! attribute is one line (the whole text is in the element's body).

use crate::eval::{Finding, Status};
use crate::report::Report;
use crate::report::{entity_name, entity_with_name_and_owner, one_line, place};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use std::collections::HashMap;

fn evidence(r: &Report, f: &Finding) -> String {
    let mut out = Vec::new();
    for fact in f.selected() {
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

/// The name of the suite that holds input errors.
pub const INPUT_ERRORS: &str = "custody input errors";

fn input_errors(r: &Report) -> Option<TestSuite> {
    let errors: Vec<&crate::diag::Diag> = r.project.diags.iter().filter(|d| d.is_error()).collect();
    if errors.is_empty() {
        return None;
    }
    let mut suite = TestSuite::new(INPUT_ERRORS);
    for d in errors {
        let at = d.primary.as_ref().map(|l| r.project.sources.display(l.loc));
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(one_line(&d.message));
        s.set_type(d.code);
        let mut body = String::new();
        if let Some(at) = &at {
            body.push_str(at);
            body.push('\n');
        }
        body.push_str(&d.message);
        if let Some(h) = &d.help {
            body.push_str(&format!("\nhelp: {h}"));
        }
        s.set_description(body);
        let name = match &at {
            Some(at) => format!("{} at {at}", d.code),
            None => d.code.to_owned(),
        };
        let mut case = TestCase::new(name, s);
        case.set_classname(INPUT_ERRORS);
        suite.add_test_case(case);
    }
    Some(suite)
}

/// quick-junit writes a `skipped` count on `testsuites`, which the junit-10 XSD does not
/// allow there (only on `testsuite`): drop it from the root element.
fn without_root_skipped(xml: String) -> String {
    let Some(start) = xml.find("<testsuites ") else {
        return xml;
    };
    let end = xml[start..].find('>').map_or(xml.len(), |e| start + e);
    let tag = &xml[start..end];
    let Some(at) = tag.find(" skipped=\"") else {
        return xml;
    };
    let value_start = at + " skipped=\"".len();
    let Some(close) = tag[value_start..].find('"') else {
        return xml;
    };
    let mut out = String::with_capacity(xml.len());
    out.push_str(&xml[..start + at]);
    out.push_str(&xml[start + value_start + close + 1..]);
    out
}

pub fn render(r: &Report) -> String {
    let mut report = quick_junit::Report::new("custody");
    if let Some(suite) = input_errors(r) {
        report.add_test_suite(suite);
    }
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
                        s.set_message(one_line(f.message()));
                        s.set_type(rule.severity.as_str());
                        let p = place(r, f.primary);
                        s.set_description(format!(
                            "{}:{}:{}\n{}\n{}\n{}",
                            p.file,
                            p.line,
                            p.column,
                            entity_with_name_and_owner(r, e),
                            f.message(),
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
                        s.set_message(one_line(&why.unwrap_or_else(|| "waived".into())));
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
    without_root_skipped(report.to_string().unwrap_or_default())
}
