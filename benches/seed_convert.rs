//! Converting the 32 seed YAML workflows to laid-out BPMN XML, as `yaml-to-bpmn convert` does:
//! parse, check (including the cross-file call contracts), lower, lay out and write. The files
//! are read into memory first, so only the conversion is timed. No other tool compiles this YAML
//! dialect, so there is no peer to run beside it; the bar is 20 ms for all 32 files.

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use yaml_to_bpmn::{Source, compile_set, output::to_xml_all};

fn seed_sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/seed-workflows");
    let mut paths: Vec<PathBuf> = ["system", "personas"]
        .iter()
        .flat_map(|folder| {
            let dir = root.join(folder);
            std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .map(|entry| entry.expect("directory entry").path())
                .collect::<Vec<_>>()
        })
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 32, "expected the 32 seed workflows under {}", root.display());
    paths
        .into_iter()
        .map(|path| Source {
            text: std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
            name: path.display().to_string(),
        })
        .collect()
}

fn convert_seed_workflows(c: &mut Criterion) {
    let sources = seed_sources();
    let mut group = c.benchmark_group("seed");
    group.bench_function("convert_all_32", |b| {
        b.iter(|| {
            let outcome = compile_set(&sources);
            assert_eq!(outcome.workflows.len(), 32, "every seed workflow compiles");
            to_xml_all(&outcome.workflows).iter().map(String::len).sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, convert_seed_workflows);
criterion_main!(benches);
