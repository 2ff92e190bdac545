//! Spreading independent per-file work over the machine's cores.

/// `items.iter().map(f)`, spread over the machine's cores in contiguous chunks; the results keep
/// the order of `items`. Files compile independently, so a directory converts in a fraction of
/// the time one core needs.
pub fn parallel_map<'a, T: Sync, R: Send>(items: &'a [T], f: impl Fn(&'a T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> =
            items.chunks(chunk).map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<_>>())).collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::parallel_map;

    #[test]
    fn results_keep_the_order_of_the_items() {
        for count in [0, 1, 2, 3, 31, 32, 33] {
            let items: Vec<usize> = (0..count).collect();
            let squares = parallel_map(&items, |n| n * n);
            assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>(), "{count} items");
        }
    }
}
