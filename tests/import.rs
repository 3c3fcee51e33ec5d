//! `custody import`: CSV files and real .xlsx workbooks (written here with rust_xlsxwriter)
//! become inventory YAML that `custody check` accepts; every mistake is a diagnostic naming
//! its cell, and nothing is written while there is any.

mod common;

use common::run_in;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::path::Path;

fn text(out: &std::process::Output) -> String {
    format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), content).expect("write");
}

/// A workbook with a `Notes` sheet first and the register on `Vendors`: a real date cell, a
/// serial number formatted as a date, a text date, lists in cells, booleans as cells and text.
fn register(dir: &Path) {
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Notes").expect("name");
    notes
        .write_string(0, 0, "Exported from the vendor register")
        .expect("cell");
    let sheet = book.add_worksheet();
    sheet.set_name("Vendors").expect("name");
    let header = [
        "ID",
        "Vendor Name",
        "Tier",
        "Last Audit",
        "Contract.Expires",
        "handles",
        "MFA Enforced",
        "contract.breach_notification_hours",
        "Notes",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let dmy = Format::new().set_num_format("dd/mm/yyyy");
    // Row 2: a real date cell and a serial number formatted as a date (2027-03-31 = 46477).
    sheet.write_string(1, 0, "acme-crm").expect("cell");
    sheet.write_string(1, 1, "Acme CRM, Inc.").expect("cell");
    sheet.write_string(1, 2, "High").expect("cell");
    let audit = ExcelDateTime::from_ymd(2026, 3, 31).expect("date");
    sheet
        .write_datetime_with_format(1, 3, &audit, &date)
        .expect("cell");
    sheet
        .write_number_with_format(1, 4, 46477, &dmy)
        .expect("cell");
    sheet
        .write_string(
            1,
            5,
            "personal.contact.email; personal.identity.name\npersonal.contact.phone",
        )
        .expect("cell");
    sheet.write_boolean(1, 6, true).expect("cell");
    sheet.write_number(1, 7, 72).expect("cell");
    sheet
        .write_string(1, 8, "renewal under review")
        .expect("cell");
    // Row 3: text dates and yes/no; empty cells are absent fields.
    sheet.write_string(2, 0, "beta.mail").expect("cell");
    sheet.write_string(2, 1, "yes").expect("cell");
    sheet.write_string(2, 2, "low").expect("cell");
    sheet.write_string(2, 3, "2025-12-01").expect("cell");
    sheet.write_string(2, 6, "No").expect("cell");
    book.save(dir.join("register.xlsx")).expect("save");
}

const POLICY: &str = r#"rule IMP-1 "Critical and high vendors are audited" {
  for vendor v where v.tier >= "high"
  require v.last_audit within last 365 days
  remediation "Audit them."
}
"#;

#[test]
fn an_xlsx_register_imports_as_yaml_that_check_accepts_and_again_gives_the_same_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    register(dir.path());
    let args = [
        "import",
        "register.xlsx",
        "--kind",
        "vendor",
        "--sheet",
        "Vendors",
        "--map",
        "Vendor Name=name",
        "--map",
        "Notes=-",
    ];
    let out = run_in(&args, dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let yaml = String::from_utf8_lossy(&out.stdout).into_owned();
    insta::assert_snapshot!("xlsx_register", yaml);

    let again = run_in(&args, dir.path());
    assert_eq!(
        again.stdout, out.stdout,
        "a second import gives the same bytes"
    );

    write(dir.path(), "vendors.yaml", &yaml);
    write(dir.path(), "rules.policy", POLICY);
    let check = run_in(
        &[
            "check",
            "--policy",
            "rules.policy",
            "--inventory",
            "vendors.yaml",
            "--as-of",
            "2026-11-24",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let lint = run_in(
        &[
            "lint",
            "--policy",
            "builtin:tpr",
            "--inventory",
            "vendors.yaml",
        ],
        dir.path(),
    );
    assert_eq!(lint.status.code(), Some(0), "{}", text(&lint));
}

#[test]
fn a_csv_with_quoted_fields_and_newlines_in_cells_imports_and_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = "\u{feff}id,name,description,certifications,country,contract.dpa_signed,subprocessors\r\n\
        acme,\"Acme, Inc.\",\"Runs our CRM.\r\nSecond line, with \"\"quotes\"\".\",iso27001;soc2-type2,NO,TRUE,beta\r\n\
        beta,- dash,\"null\",\"pci-dss\nsoc2\",US,false,\r\n\
        ,,,,,,\r\n";
    write(dir.path(), "vendors.csv", csv);
    let out = run_in(&["import", "vendors.csv", "--kind", "vendor"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let yaml = String::from_utf8_lossy(&out.stdout).into_owned();
    insta::assert_snapshot!("csv_quoted", yaml);
    let again = run_in(&["import", "vendors.csv", "--kind", "vendor"], dir.path());
    assert_eq!(again.stdout, out.stdout);

    // Through --output, then read back by check: the values survive the round trip.
    let out = run_in(
        &[
            "import",
            "vendors.csv",
            "--kind",
            "vendor",
            "--output",
            "inv/vendors.yaml",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "no inv/ directory yet: {}",
        text(&out)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("custody::import::write_failed"));
    std::fs::create_dir(dir.path().join("inv")).expect("mkdir");
    let out = run_in(
        &[
            "import",
            "vendors.csv",
            "--kind",
            "vendor",
            "--output",
            "inv/vendors.yaml",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "imported 2 vendors from vendors.csv into inv/vendors.yaml\n"
    );
    let written = std::fs::read_to_string(dir.path().join("inv/vendors.yaml")).expect("read");
    assert_eq!(written, yaml);
    let query = run_in(
        &[
            "query",
            "vendor v where v.country == \"NO\" and v.name == \"Acme, Inc.\" and v.contract.dpa_signed",
            "--inventory",
            "inv",
            "--as-of",
            "2026-11-24",
            "--show",
            "description",
        ],
        dir.path(),
    );
    let shown = String::from_utf8_lossy(&query.stdout);
    assert!(shown.contains("acme"), "{}", text(&query));
    let query = run_in(
        &[
            "query",
            "vendor v where v.description == \"null\" and v.name == \"- dash\" and count(v.certifications) == 2",
            "--inventory",
            "inv",
            "--as-of",
            "2026-11-24",
        ],
        dir.path(),
    );
    assert!(
        String::from_utf8_lossy(&query.stdout).contains("beta"),
        "{}",
        text(&query)
    );

    // An existing file is never replaced.
    let before = std::fs::read(dir.path().join("inv/vendors.yaml")).expect("read");
    let out = run_in(
        &[
            "import",
            "vendors.csv",
            "--kind",
            "vendor",
            "--output",
            "inv/vendors.yaml",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("custody::import::output_exists"));
    assert_eq!(
        std::fs::read(dir.path().join("inv/vendors.yaml")).expect("read"),
        before
    );
}

#[test]
fn the_config_schema_and_taxonomy_are_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "custody.yaml",
        "policies: [.]\ninventory: [inventory]\nschema:\n  vendor:\n    fields:\n      risk_score: number\ntaxonomy:\n  personal:\n    health: {doc: health records}\n",
    );
    write(
        dir.path(),
        "vendors.csv",
        "id,Risk Score,handles\nacme,7.5,personal.health\n",
    );
    let out = run_in(&["import", "vendors.csv", "--kind", "vendor"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "vendors:\n  - id: acme\n    handles:\n      - personal.health\n    risk_score: 7.5\n"
    );
}

/// Run `custody import ARGS` in a directory holding `files`; the whole output, rendered.
fn import_error(files: &[(&str, &[u8])], args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        write(dir.path(), name, content);
    }
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--output", "out.yaml"]);
    let out = run_in(&all, dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        !dir.path().join("out.yaml").exists(),
        "nothing is written on error"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.stdout.is_empty());
    err.into_owned()
}

fn csv_error(csv: &str, args: &[&str]) -> String {
    let mut all = vec!["vendors.csv"];
    all.extend_from_slice(args);
    import_error(&[("vendors.csv", csv.as_bytes())], &all)
}

#[test]
fn unknown_column_suggests_the_field_and_the_map_to_write() {
    insta::assert_snapshot!(csv_error(
        "id,Name,Last Audt,Notes\nacme,Acme,2026-03-31,x\n",
        &["--kind", "vendor"]
    ));
}

#[test]
fn bad_number_bad_date_bad_bool_and_bad_id_name_their_cells() {
    insta::assert_snapshot!(csv_error(
        "id,contract.breach_notification_hours,last_audit,mfa_enforced\nacme,\"1,000\",31/03/2026,maybe\nbad id,72h,2026-02-30,yes\n",
        &["--kind", "vendor"]
    ));
}

#[test]
fn bad_category_and_bad_enum_suggest_the_nearest() {
    insta::assert_snapshot!(csv_error(
        "id,handles,tier,accesses\nacme,personal.contact.emial;personal.identity.name,hgh,crm\n",
        &["--kind", "vendor"]
    ));
}

#[test]
fn duplicate_ids_and_empty_ids_are_errors() {
    insta::assert_snapshot!(csv_error(
        "id,name\nacme,Acme\nbeta,Beta\nacme,Acme again\n,No id\n",
        &["--kind", "vendor"]
    ));
}

#[test]
fn a_missing_id_column_suggests_a_map() {
    insta::assert_snapshot!(csv_error(
        "Vendor ID,name\nacme,Acme\n",
        &["--kind", "vendor"]
    ));
}

#[test]
fn an_unknown_kind_suggests_the_nearest() {
    insta::assert_snapshot!(csv_error("id\nacme\n", &["--kind", "vendr"]));
}

#[test]
fn a_collection_name_as_kind_suggests_the_kind() {
    insta::assert_snapshot!(csv_error("id\nacme\n", &["--kind", "data_stores"]));
}

#[test]
fn bad_maps_duplicate_columns_and_reverse_lists() {
    insta::assert_snapshot!(csv_error(
        "id,Name,name,accessed_by,Owner\ncrm,CRM,CRM db,acme,x\n",
        &[
            "--kind",
            "data_store",
            "--map",
            "Ownr=owner",
            "--map",
            "Owner=ownr",
            "--map",
            "nonsense",
        ]
    ));
}

#[test]
fn a_corrupt_xlsx_is_an_error() {
    insta::assert_snapshot!(import_error(
        &[("vendors.xlsx", b"PK\x03\x04 not really a zip".as_slice())],
        &["vendors.xlsx", "--kind", "vendor"]
    ));
}

#[test]
fn a_missing_sheet_suggests_the_nearest() {
    let dir = tempfile::tempdir().expect("tempdir");
    register(dir.path());
    let bytes = std::fs::read(dir.path().join("register.xlsx")).expect("read");
    insta::assert_snapshot!(import_error(
        &[("register.xlsx", &bytes)],
        &["register.xlsx", "--kind", "vendor", "--sheet", "Vendor"]
    ));
    // custody::import::unknown_sheet
}

#[test]
fn xlsx_cells_are_named_with_their_sheet_and_a_plain_number_is_not_a_date() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Q1 Register").expect("name");
    // The data starts at B2: cells are still named as the spreadsheet names them.
    for (c, h) in [
        "id",
        "last_audit",
        "contract.expires",
        "mfa_enforced",
        "tier",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(1, 1 + c as u16, *h).expect("header");
    }
    sheet.write_string(2, 1, "acme").expect("cell");
    sheet.write_number(2, 2, 46112).expect("cell");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    sheet
        .write_number_with_format(2, 3, 46112.5, &datetime)
        .expect("cell");
    sheet.write_number(2, 4, 1).expect("cell");
    sheet.write_boolean(2, 5, true).expect("cell");
    let bytes = book.save_to_buffer().expect("save");
    let _ = dir;
    insta::assert_snapshot!(import_error(
        &[("q1.xlsx", &bytes)],
        &["q1.xlsx", "--kind", "vendor"]
    ));
}

#[test]
fn hostile_input_is_a_diagnostic_never_a_panic() {
    let huge = format!(
        "id,contract.breach_notification_hours\nacme,{}\n",
        "9".repeat(2_000_000) + "x"
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", Vec::new(), "custody::import::empty"),
        (
            "header.csv",
            b"id,name\n".to_vec(),
            "custody::import::empty",
        ),
        ("blank.csv", b"\n\n,,\n".to_vec(), "custody::import::empty"),
        ("huge.csv", huge.into_bytes(), "custody::import::wrong_type"),
        (
            "nul.csv",
            b"id,name\nacme,Ac\0me\n".to_vec(),
            "custody::import::wrong_type",
        ),
        (
            "latin1.csv",
            b"id,name\nacme,Caf\xe9\n".to_vec(),
            "custody::io::invalid_utf8",
        ),
        ("empty.xlsx", Vec::new(), "custody::import::unreadable"),
        (
            "vendors.txt",
            b"id\nacme\n".to_vec(),
            "custody::import::unsupported_format",
        ),
        ("missing.csv", Vec::new(), "custody::io::not_found"),
    ];
    for (name, content, code) in cases {
        let files: Vec<(&str, &[u8])> = if name == "missing.csv" {
            Vec::new()
        } else {
            vec![(name, content.as_slice())]
        };
        let err = import_error(&files, &[name, "--kind", "vendor"]);
        assert!(err.contains(code), "{name}: expected {code}:\n{err}");
        assert!(
            err.len() < 10_000,
            "{name}: the message quotes the whole cell:\n{err}"
        );
    }
    // An empty sheet in a real workbook.
    let mut book = Workbook::new();
    book.add_worksheet();
    let bytes = book.save_to_buffer().expect("save");
    let err = import_error(
        &[("blank.xlsx", &bytes)],
        &["blank.xlsx", "--kind", "vendor"],
    );
    assert!(err.contains("custody::import::empty"), "{err}");
}

#[test]
fn import_help_has_examples() {
    let out = common::custody()
        .args(["import", "--help"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Examples:\n  custody import "));
}
