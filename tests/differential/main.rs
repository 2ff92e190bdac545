//! Differential test (fidelity): the same compiled models, driven by the same scripted workers,
//! run on the embedded engine and on Zeebe's own workflow engine, must end the same way: the
//! completed elements per scope in order, the final variables per scope, and the incidents
//! (`outcome` says exactly what is compared and how it is normalized).
//!
//! Cases: the 32 seed workflows (`seeds`), one small model per behaviour of the compatibility
//! checklist, §10 of the Zeebe reference (`checklist`), and the governance samples' RACI and SLA
//! scenarios (`governance`), and the ad-hoc sub-process's behaviours (`ad_hoc`). Every
//! difference fails
//! the test unless [`expected::EXPECTED`] lists the case with the reason (a known engine gap,
//! naming which engine is wrong); a listed case that no longer differs fails too, so the table
//! stays true.
//!
//! Zeebe here is `zeebe-process-test-engine` 8.8 (the Zeebe workflow engine in memory, started
//! privately by `zeebe/broker.sh serve`): the real 8.6 broker has no exporter running and its
//! gRPC API cannot list element instances, while this engine hands out its record log and a
//! controllable clock, so timers (minutes in the seed workflows) fire at once and exactly.
//! Needs Java 21+ and Maven (the first run fetches the engine).

#[path = "../support/mod.rs"]
mod support;

mod ad_hoc;
mod case;
mod checklist;
mod driver;
mod embedded;
mod expected;
mod governance;
mod outcome;
mod seeds;
mod zpt;

use std::time::Instant;

use case::Case;
use driver::{Engine, run};
use embedded::Embedded;
use zpt::{Zpt, ZptProcess};

/// The longest the cases may take together (they take about two minutes on a busy 2-core machine).
const TEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// A case's result: identical, or the differences (embedded vs zeebe), one per line.
struct Verdict {
    name: String,
    differences: Vec<String>,
}

/// Runs every case on both engines; a case that cannot run on one of them is a difference.
async fn compare(zeebe: &mut Zpt, embedded: &mut Embedded, cases: &[Case]) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    let mut deployed: Option<&Vec<(String, String)>> = None;
    for case in cases {
        let deploy = deployed != Some(&case.resources);
        deployed = Some(&case.resources);
        let began = Instant::now();
        // Both engines start the case at the same clock reading.
        let start = match zeebe.begin_case() {
            Ok(()) => zeebe.now().await,
            Err(e) => Err(e),
        };
        let theirs = match start {
            Ok(_) => run(zeebe, case, deploy).await,
            Err(ref e) => Err(e.clone()),
        };
        let zeebe_took = began.elapsed();
        let ours = match start {
            Ok(start) => {
                embedded.begin_case(start, &zeebe.nudges);
                run(embedded, case, deploy).await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = zeebe.end_case().await.and_then(|()| embedded.end_case()) {
            panic!("{}: cancelling what the case left running failed: {e}", case.name);
        }
        if dump() {
            dump_case(case, &ours, &theirs);
        }
        let differences = match (ours, theirs) {
            (Ok((ours, _)), Ok((theirs, _))) => ours.differences(&theirs),
            (ours, theirs) => vec![format!(
                "did not run: embedded {}, zeebe {}",
                ours.err().unwrap_or_else(|| "ran".into()),
                theirs.err().unwrap_or_else(|| "ran".into())
            )],
        };
        println!(
            "  {}: zeebe {zeebe_took:.1?} ({} commands, {:.1?} waiting), embedded {:.1?}",
            case.name,
            zeebe.stats.0,
            zeebe.stats.1,
            began.elapsed() - zeebe_took
        );
        zeebe.stats = Default::default();
        verdicts.push(Verdict { name: case.name.clone(), differences });
    }
    verdicts
}

/// Prints `N/M identical` and every difference with the row that explains it; returns the
/// differences no row explains. `used` counts, per row of the table, the lines it explained.
fn report(title: &str, verdicts: &[Verdict], used: &mut [usize]) -> Vec<String> {
    let identical = verdicts.iter().filter(|v| v.differences.is_empty()).count();
    println!("{title}: {identical}/{} identical", verdicts.len());
    let mut problems = Vec::new();
    for verdict in verdicts.iter().filter(|v| !v.differences.is_empty()) {
        println!("  {} differs:", verdict.name);
        for line in &verdict.differences {
            let row = expected::EXPECTED.iter().position(|row| row.explains(&verdict.name, line));
            println!("    {}", shorten(line));
            match row {
                Some(index) => {
                    used[index] += 1;
                    let row = &expected::EXPECTED[index];
                    println!("      -> expected: {} is wrong: {}", row.wrong, row.reason);
                }
                None => {
                    println!("      -> UNEXPLAINED");
                    problems.push(format!("{}: {line}", verdict.name));
                }
            }
        }
    }
    problems
}

/// `DIFFERENTIAL_ONLY=<text>` runs only the cases whose name contains the text (to look into
/// one case; the check that every expected difference still occurs is then skipped).
fn only() -> Option<String> {
    std::env::var("DIFFERENTIAL_ONLY").ok().filter(|text| !text.is_empty())
}

fn selected(cases: Vec<Case>) -> Vec<Case> {
    match only() {
        Some(text) => cases.into_iter().filter(|case| case.name.contains(&text)).collect(),
        None => cases,
    }
}

/// `DIFFERENTIAL_DUMP=1` writes each case's models and both engines' events to
/// `<target>/tmp/differential/` (to see why a case differs).
fn dump() -> bool {
    std::env::var_os("DIFFERENTIAL_DUMP").is_some()
}

type Ran = Result<(outcome::Outcome, Vec<outcome::Event>), String>;

fn dump_case(case: &Case, ours: &Ran, theirs: &Ran) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("differential");
    let file: String = case.name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let events = |ran: &Ran| match ran {
        Ok((_, events)) => events.iter().map(|e| format!("{e:?}\n")).collect::<String>(),
        Err(e) => e.clone(),
    };
    let mut written = std::fs::create_dir_all(&dir);
    for (n, (_, xml)) in case.resources.iter().enumerate() {
        written = written.and_then(|()| std::fs::write(dir.join(format!("{file}-{n}.bpmn")), xml));
    }
    written = written.and_then(|()| std::fs::write(dir.join(format!("{file}.embedded.txt")), events(ours)));
    written = written.and_then(|()| std::fs::write(dir.join(format!("{file}.zeebe.txt")), events(theirs)));
    if let Err(e) = written {
        println!("  cannot write the dump of {} to {}: {e}", case.name, dir.display());
    }
}

/// At most 600 characters of a difference, for the report.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(600) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line.to_owned(),
    }
}

/// Every one of the 75 checklist items has a case or is listed as about the API only, not both.
#[test]
fn every_checklist_item_has_a_case_or_is_about_the_api_only() {
    let covered: std::collections::BTreeSet<u32> =
        checklist::cases().iter().filter_map(|case| case.name.strip_prefix("item ")?.get(..2)?.parse().ok()).collect();
    for item in 1..=75 {
        let api_only = checklist::API_ONLY.contains(&item);
        assert!(
            covered.contains(&item) != api_only,
            "checklist item {item}: a case {} API_ONLY",
            if api_only { "and" } else { "nor" }
        );
    }
    println!("checklist: {} items with a model, {} about the API only", covered.len(), checklist::API_ONLY.len());
}

#[test]
fn seed_workflows_and_checklist_models_end_the_same_on_both_engines() {
    let began = Instant::now();
    let process = ZptProcess::start().unwrap_or_else(|e| panic!("{e}"));
    println!("in-memory Zeebe engine ready after {:.1?}", began.elapsed());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let cases = async {
        let mut zeebe = Zpt::new(&process).unwrap_or_else(|e| panic!("{e}"));
        let mut embedded = Embedded::new();
        let seeds = compare(&mut zeebe, &mut embedded, &selected(seeds::cases())).await;
        let checklist = compare(&mut zeebe, &mut embedded, &selected(checklist::cases())).await;
        let governance = compare(&mut zeebe, &mut embedded, &selected(governance::cases())).await;
        let ad_hoc = compare(&mut zeebe, &mut embedded, &selected(ad_hoc::cases())).await;
        (seeds, checklist, governance, ad_hoc)
    };
    // The timer of the timeout needs the runtime, so it is made inside.
    let run = runtime.block_on(async { tokio::time::timeout(TEST_TIMEOUT, cases).await });
    let Ok((seeds, checklist, governance, ad_hoc)) = run else {
        panic!("the cases did not finish within {TEST_TIMEOUT:?}")
    };
    let mut used = vec![0; expected::EXPECTED.len()];
    let mut problems = report("seed workflows", &seeds, &mut used);
    problems.extend(report("checklist models", &checklist, &mut used));
    problems.extend(report("governance scenarios", &governance, &mut used));
    problems.extend(report("ad-hoc sub-processes", &ad_hoc, &mut used));
    for (row, count) in expected::EXPECTED.iter().zip(&used) {
        if *count == 0 && only().is_none() {
            problems.push(format!("the expected difference '{}' did not occur; remove its row", row.contains));
        }
    }
    println!("differential test took {:.1?}", began.elapsed());
    assert!(problems.is_empty(), "unexplained differences:\n{}", problems.join("\n"));
}
