//! Merge with each strategy, conflicts (reported, aborted, detected without changes) and revert,
//! each checked by reading the commit graph and the backup branches.

mod support;

use support::{BACKUP_NAME, Fixture};
use vcs::{ConflictProbe, MergeOutcome, MergeRequest, MergeStrategy, Merged, RevertOutcome, VcsError};

/// `feature/1-work` with two commits (new files) off `main`; with `diverge`, `main` gets one
/// more commit of its own (another file). Leaves `feature/1-work` checked out.
async fn feature_branch(f: &Fixture, diverge: bool) -> (String, String) {
    f.git_here(&["checkout", "--quiet", "-b", "feature/1-work"]);
    f.commit_file("a.txt", "a\n", "feat: add a").await;
    let feature = f.commit_file("b.txt", "b\n", "feat: add b").await;
    if diverge {
        f.git_here(&["checkout", "--quiet", "main"]);
        f.commit_file("m.txt", "m\n", "chore: main moves on").await;
        f.git_here(&["checkout", "--quiet", "feature/1-work"]);
    }
    (f.rev("main"), feature)
}

/// The merged result of `outcome`, or a panic naming it.
fn merged(outcome: MergeOutcome) -> Merged {
    match outcome {
        MergeOutcome::Merged(merged) => merged,
        other => panic!("expected a merge, got {other:?}"),
    }
}

#[tokio::test]
async fn merge_strategy_makes_a_merge_commit_even_for_a_fast_forward_and_pushes_it() {
    let f = Fixture::new().await;
    let (main, feature) = feature_branch(&f, false).await;
    let request = MergeRequest::new("feature/1-work", "main", MergeStrategy::Merge).pushing_to("origin");

    let merged = merged(f.repo.merge(&request).await.unwrap());

    assert_eq!(merged.previous_head.as_str(), main);
    assert_eq!(f.parents("main"), [main.clone(), feature]);
    assert_eq!(merged.head.as_str(), f.rev("main"));
    assert!(!merged.up_to_date);
    assert_eq!(f.git_here(&["branch", "--show-current"]), "main");
    assert_eq!(f.git_remote(&["rev-parse", "main"]), merged.head.as_str());
    assert_eq!(merged.backups.len(), 1);
    assert_eq!((merged.backups[0].name.as_str(), merged.backups[0].of_branch.as_str()), (BACKUP_NAME, "main"));
    assert_eq!(f.rev(BACKUP_NAME), main);
    assert_eq!(f.git_remote(&["rev-parse", BACKUP_NAME]), main);
    let json = serde_json::to_value(MergeOutcome::Merged(merged)).unwrap();
    assert_eq!((json["outcome"].as_str(), json["strategy"].as_str()), (Some("merged"), Some("merge")));
}

#[tokio::test]
async fn squash_strategy_adds_one_single_parent_commit_with_all_the_changes() {
    let f = Fixture::new().await;
    let (main, feature) = feature_branch(&f, true).await;
    let request =
        MergeRequest::new("feature/1-work", "main", MergeStrategy::Squash).with_message("feat: work item 1 (#12)");

    let merged = merged(f.repo.merge(&request).await.unwrap());

    assert_eq!(f.parents("main"), [main.as_str()]);
    assert_eq!(f.git_here(&["rev-list", "--count", &format!("{main}..main")]), "1");
    assert_eq!(f.git_here(&["log", "-1", "--format=%B", "main"]), "feat: work item 1 (#12)");
    assert_eq!(f.git_here(&["diff", "--name-only", &main, "main"]), "a.txt\nb.txt");
    assert_eq!(f.rev("feature/1-work"), feature, "the source is left alone");
    assert_eq!(f.rev(BACKUP_NAME), main);
    assert_eq!(merged.head.as_str(), f.rev("main"));
    assert!(f.is_clean());
}

#[tokio::test]
async fn rebase_strategy_gives_linear_history_and_backs_up_both_branches() {
    let f = Fixture::new().await;
    let (main, feature) = feature_branch(&f, true).await;

    let merged =
        merged(f.repo.merge(&MergeRequest::new("feature/1-work", "main", MergeStrategy::Rebase)).await.unwrap());

    assert_eq!(f.git_here(&["rev-list", "--min-parents=2", "main"]), "", "no merge commits");
    assert_eq!(f.git_here(&["rev-list", "--count", &format!("{main}..main")]), "2");
    assert_eq!(f.parents("main~1"), [main.as_str()]);
    assert_eq!(f.rev("main"), f.rev("feature/1-work"), "the target was fast-forwarded to the rebased source");
    assert_ne!(f.rev("main"), feature);
    let names: Vec<_> =
        merged.backups.iter().map(|b| (b.name.clone(), b.of_branch.clone(), b.at.to_string())).collect();
    assert_eq!(
        names,
        [
            (BACKUP_NAME.to_owned(), "main".to_owned(), main.clone()),
            (format!("{BACKUP_NAME}-2"), "feature/1-work".to_owned(), feature.clone())
        ]
    );
    assert_eq!(f.rev(&format!("{BACKUP_NAME}-2")), feature);
}

#[tokio::test]
async fn a_source_already_merged_is_up_to_date_and_changes_nothing() {
    let f = Fixture::new().await;
    f.git_here(&["branch", "chore/2-old", "main"]);
    f.commit_file("later.txt", "later\n", "chore: later").await;
    let head = f.rev("main");

    for strategy in [MergeStrategy::Merge, MergeStrategy::Squash, MergeStrategy::Rebase] {
        let merged = merged(f.repo.merge(&MergeRequest::new("chore/2-old", "main", strategy)).await.unwrap());
        assert!(merged.up_to_date, "{strategy}");
        assert_eq!(f.rev("main"), head, "{strategy}");
    }
}

/// `main` and `feature/3-clash` both change the line of `README.md`; `feature/3-clash` is
/// checked out.
async fn clashing_branches(f: &Fixture) -> (String, String) {
    f.git_here(&["checkout", "--quiet", "-b", "feature/3-clash"]);
    f.commit_file("other.txt", "fine\n", "feat: a clean change").await;
    let feature = f.commit_file("README.md", "hello from the feature\n", "feat: readme").await;
    f.git_here(&["checkout", "--quiet", "main"]);
    let main = f.commit_file("README.md", "hello from main\n", "docs: readme").await;
    f.git_here(&["checkout", "--quiet", "feature/3-clash"]);
    (main, feature)
}

#[tokio::test]
async fn a_conflict_is_reported_with_its_files_and_aborted_for_every_strategy() {
    let f = Fixture::new().await;
    let (main, feature) = clashing_branches(&f).await;

    for (n, strategy) in [MergeStrategy::Merge, MergeStrategy::Squash, MergeStrategy::Rebase].into_iter().enumerate() {
        let outcome = f.repo.merge(&MergeRequest::new("feature/3-clash", "main", strategy)).await.unwrap();

        let MergeOutcome::Conflict(conflict) = outcome else { panic!("{strategy}: {outcome:?}") };
        assert_eq!(conflict.files, ["README.md"], "{strategy}");
        assert_eq!((f.rev("main"), f.rev("feature/3-clash")), (main.clone(), feature.clone()), "{strategy}");
        assert_eq!(f.git_here(&["branch", "--show-current"]), "feature/3-clash", "{strategy}");
        assert!(f.is_clean(), "{strategy}: {}", f.git_here(&["status", "--porcelain"]));
        for state in ["MERGE_HEAD", "SQUASH_MSG", "rebase-merge", "rebase-apply"] {
            assert!(!f.repo.path().join(".git").join(state).exists(), "{strategy}: {state} left behind");
        }
        let backup = &conflict.backups[0];
        let expected = if n == 0 { BACKUP_NAME.to_owned() } else { format!("{BACKUP_NAME}-{}", n + 1) };
        assert_eq!((backup.name.as_str(), backup.at.as_str()), (expected.as_str(), main.as_str()), "{strategy}");
    }
}

#[tokio::test]
async fn detect_conflicts_lists_files_without_changing_anything_with_either_probe() {
    let f = Fixture::new().await;
    let (main, feature) = clashing_branches(&f).await;
    f.git_here(&["branch", "chore/4-clean", "main~1"]);

    let automatic = f.repo.detect_conflicts("feature/3-clash", "main").await.unwrap();
    assert_eq!(automatic.probe, ConflictProbe::MergeTree, "git on this machine is 2.38 or later");
    for probe in [ConflictProbe::MergeTree, ConflictProbe::Worktree] {
        let report = f.repo.detect_conflicts_using("feature/3-clash", "main", probe).await.unwrap();
        assert_eq!(report.files, ["README.md"], "{probe:?}");
        assert!(!report.is_clean());
        assert_eq!((report.source_head.as_str(), report.target_head.as_str()), (feature.as_str(), main.as_str()));
        let clean = f.repo.detect_conflicts_using("chore/4-clean", "main", probe).await.unwrap();
        assert!(clean.is_clean(), "{probe:?}: {:?}", clean.files);
    }

    assert_eq!((f.rev("main"), f.rev("feature/3-clash")), (main, feature));
    assert_eq!(f.git_here(&["branch", "--show-current"]), "feature/3-clash");
    assert!(f.is_clean());
    assert_eq!(f.git_here(&["worktree", "list", "--porcelain"]).matches("worktree ").count(), 1);
    assert!(!f.git_here(&["for-each-ref", "--format=%(refname)"]).contains("backup/"), "nothing destructive ran");

    let missing = f.repo.detect_conflicts("feature/404", "main").await.unwrap_err();
    assert!(matches!(missing, VcsError::InvalidArgument { what: "source", .. }), "{missing:?}");
}

#[tokio::test]
async fn revert_undoes_a_commit_and_a_merge_commit_against_its_first_parent() {
    let f = Fixture::new().await;
    let before = f.rev("main");
    let bad = f.commit_file("README.md", "broken\n", "fix: make it worse").await;

    let outcome = f.repo.revert(&bad, Some("origin")).await.unwrap();
    let RevertOutcome::Reverted { reverted, head, branch, backup, pushed_to } = outcome else { panic!("{outcome:?}") };
    assert_eq!((reverted.as_str(), branch.as_str(), pushed_to.as_deref()), (bad.as_str(), "main", Some("origin")));
    assert_eq!(f.parents("main"), [bad.as_str()]);
    assert_eq!(f.git_here(&["diff", &before, "main"]), "", "the tree is back to before");
    assert_eq!((backup.name.as_str(), backup.at.as_str()), (BACKUP_NAME, bad.as_str()));
    assert_eq!(f.git_remote(&["rev-parse", "main"]), head.as_str());
    assert_eq!(f.git_remote(&["rev-parse", BACKUP_NAME]), bad);

    let (_, _) = feature_branch(&f, true).await;
    f.git_here(&["checkout", "--quiet", "main"]);
    let merged =
        merged(f.repo.merge(&MergeRequest::new("feature/1-work", "main", MergeStrategy::Merge)).await.unwrap());
    let first_parent = f.rev("main^1");
    let outcome = f.repo.revert(merged.head.as_str(), None).await.unwrap();
    let RevertOutcome::Reverted { backup, .. } = outcome else { panic!("{outcome:?}") };
    assert_eq!(f.git_here(&["diff", &first_parent, "main"]), "", "back to main before the merge");
    assert_eq!(backup.at, merged.head);
    assert_eq!(f.rev(&backup.name), merged.head.as_str());
}

#[tokio::test]
async fn a_revert_that_conflicts_is_aborted_and_reported() {
    let f = Fixture::new().await;
    let first = f.commit_file("README.md", "one\n", "docs: one").await;
    let second = f.commit_file("README.md", "two\n", "docs: two").await;

    let outcome = f.repo.revert(&first, None).await.unwrap();

    let RevertOutcome::Conflict(conflict) = outcome else { panic!("{outcome:?}") };
    assert_eq!(conflict.files, ["README.md"]);
    assert_eq!(f.rev("main"), second);
    assert!(f.is_clean());
    assert!(!f.repo.path().join(".git/REVERT_HEAD").exists());
    assert_eq!(f.rev(&conflict.backups[0].name), second);
}

#[tokio::test]
async fn merge_and_revert_refuse_what_they_cannot_do_safely() {
    let f = Fixture::new().await;
    feature_branch(&f, true).await;

    f.write("README.md", "uncommitted\n");
    let dirty = f.repo.merge(&MergeRequest::new("feature/1-work", "main", MergeStrategy::Merge)).await.unwrap_err();
    assert!(matches!(&dirty, VcsError::DirtyWorkingCopy { files, .. } if files == &["README.md"]), "{dirty:?}");
    assert!(dirty.to_string().contains("commit or stash them first"), "{dirty}");
    f.git_here(&["checkout", "--quiet", "--", "README.md"]);

    let not_local = f.repo.merge(&MergeRequest::new("feature/1-work", "origin/main", MergeStrategy::Merge)).await;
    assert!(matches!(not_local, Err(VcsError::InvalidArgument { what: "branch", .. })), "{not_local:?}");
    f.repo.push("origin", "feature/1-work").await.unwrap();
    let remote_source =
        f.repo.merge(&MergeRequest::new("origin/feature/1-work", "main", MergeStrategy::Rebase)).await.unwrap_err();
    assert!(remote_source.to_string().contains("fetch-and-checkout it first"), "{remote_source}");
    let range = f.repo.merge(&MergeRequest::new("main..feature/1-work", "main", MergeStrategy::Merge)).await;
    assert!(matches!(range, Err(VcsError::InvalidArgument { what: "source", .. })), "{range:?}");

    f.git_here(&["checkout", "--quiet", "--detach", "main"]);
    let detached = f.repo.revert("main", None).await.unwrap_err();
    assert!(matches!(detached, VcsError::DetachedHead { .. }), "{detached:?}");

    assert!(!f.git_here(&["for-each-ref", "--format=%(refname)"]).contains("backup/"), "no backup for refusals");
    assert_eq!("squash".parse::<MergeStrategy>().unwrap(), MergeStrategy::Squash);
    let unknown = "fast-forward".parse::<MergeStrategy>().unwrap_err();
    assert_eq!(unknown.to_string(), "`fast-forward` is not a merge strategy; use merge, squash or rebase");
}

#[tokio::test]
async fn a_merge_that_fails_without_conflicts_is_an_error_and_goes_back_to_the_branch_it_started_on() {
    let f = Fixture::new().await;
    let (main, _) = feature_branch(&f, true).await;
    f.git_here(&["checkout", "--quiet", "-b", "chore/5-elsewhere", "main"]);
    f.write("a.txt", "untracked, in the way of the merge\n");

    let error = f.repo.merge(&MergeRequest::new("feature/1-work", "main", MergeStrategy::Merge)).await.unwrap_err();

    let VcsError::GitFailed { hint, .. } = &error else { panic!("{error:?}") };
    assert!(hint.contains("would be lost"), "{error}");
    assert_eq!(f.git_here(&["branch", "--show-current"]), "chore/5-elsewhere");
    assert_eq!(f.rev("main"), main);
    assert_eq!(f.git_here(&["status", "--porcelain"]), "?? a.txt");
    assert!(!f.repo.path().join(".git/MERGE_HEAD").exists());
}

#[tokio::test]
async fn a_squash_without_a_message_takes_gits_summary_of_the_squashed_commits() {
    let f = Fixture::new().await;
    let (main, _) = feature_branch(&f, true).await;

    let merged =
        merged(f.repo.merge(&MergeRequest::new("feature/1-work", "main", MergeStrategy::Squash)).await.unwrap());

    assert_eq!(f.parents("main"), [main.as_str()]);
    let message = f.git_here(&["log", "-1", "--format=%B", merged.head.as_str()]);
    assert!(message.starts_with("Squashed commit of the following:"), "{message}");
    assert!(message.contains("feat: add a") && message.contains("feat: add b"), "{message}");
}

#[tokio::test]
async fn unrelated_histories_are_an_error_for_both_conflict_probes() {
    let f = Fixture::new().await;
    f.git_here(&["checkout", "--quiet", "--orphan", "chore/6-orphan"]);
    f.commit_file("orphan.txt", "alone\n", "chore: start over").await;

    for probe in [ConflictProbe::MergeTree, ConflictProbe::Worktree] {
        let error = f.repo.detect_conflicts_using("chore/6-orphan", "main", probe).await.unwrap_err();
        let VcsError::GitFailed { message, .. } = &error else { panic!("{probe:?}: {error:?}") };
        assert!(message.contains("unrelated histories"), "{probe:?}: {error}");
    }
    assert_eq!(f.git_here(&["worktree", "list", "--porcelain"]).matches("worktree ").count(), 1);
    assert!(f.is_clean());
}
