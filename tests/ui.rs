//! Data-driven UI tests: every `tests/ui/<case>/custody.yaml` is a run whose whole output
//! (findings, diagnostics, exit code) is snapshotted. Add a directory to add a case.

mod common;

#[test]
fn ui_cases() {
    insta::glob!("ui/*/custody.yaml", |config| {
        let dir = config.parent().expect("case directory");
        let r = common::run_dir(dir);
        insta::assert_snapshot!(common::render(&r));
    });
}
