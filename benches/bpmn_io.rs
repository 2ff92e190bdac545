//! Reading and writing every BPMN file of the MIWG interchange corpus (179 files from real
//! modelling tools). The files are loaded into memory first, so only parsing and serialising are
//! timed. `benches/compare-bpmn-io` runs this beside bpmn-moddle (the parser of Camunda Modeler)
//! on the same files and prints the ratio.

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};

fn miwg_files() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/miwg");
    let mut paths = Vec::new();
    collect_bpmn(&root, &mut paths);
    paths.sort();
    assert_eq!(paths.len(), 179, "expected the 179 MIWG files under {}", root.display());
    paths.iter().map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).collect()
}

fn collect_bpmn(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect_bpmn(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "bpmn") {
            out.push(path);
        }
    }
}

fn read_write_miwg(c: &mut Criterion) {
    let files = miwg_files();
    let mut group = c.benchmark_group("miwg");
    group.sample_size(20);
    group.bench_function("read_write_all_179", |b| {
        b.iter(|| {
            let mut written = 0usize;
            for bytes in &files {
                let model = bpmn::read(bytes).expect("every MIWG file reads");
                written += bpmn::write(&model).len();
            }
            written
        })
    });
    group.finish();
}

criterion_group!(benches, read_write_miwg);
criterion_main!(benches);
