//! `peer-bench` refuses a bad `--load` before it runs anything, saying what to write.

use std::process::Command;

fn refused(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_peer-bench")).args(args).output().expect("peer-bench runs");
    assert_eq!(output.status.code(), Some(2), "bad arguments exit 2");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_load_outside_zero_to_one_or_without_a_store_is_refused() {
    for load in ["0", "1.5", "half", "0.5,"] {
        let said = refused(&["--workload", "W1", "--store", "sqlite", "--load", load]);
        assert!(said.contains("--load takes fractions of the peak in (0, 1]") && said.contains(load), "{said}");
    }
    let said = refused(&["--workload", "W1", "--load", "0.5"]);
    assert!(said.contains("--load runs with --store"), "{said}");
}
