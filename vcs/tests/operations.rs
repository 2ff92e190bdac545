//! Branch, commit, push, fetch, tag, cherry-pick and delete-remote-branch on real repositories.

mod support;

use std::path::PathBuf;

use support::{BACKUP_NAME, Fixture, conventional, feat};
use vcs::{BranchName, CherryPickOutcome, CommitOutcome, Staging, VcsError};

#[tokio::test]
async fn create_branch_with_push_lands_on_the_remote_with_an_upstream() {
    let f = Fixture::new().await;
    let main = f.rev("main");
    let branch: BranchName = "feature/1234-export-invoices".parse().unwrap();

    let created = f.repo.create_branch(&branch, "origin/main", Some("origin")).await.unwrap();

    assert_eq!(created.head.as_str(), main);
    assert_eq!(created.pushed_to.as_deref(), Some("origin"));
    assert_eq!(f.git_here(&["branch", "--show-current"]), "feature/1234-export-invoices");
    assert_eq!(f.git_remote(&["rev-parse", "refs/heads/feature/1234-export-invoices"]), main);
    assert_eq!(f.git_here(&["rev-parse", "--abbrev-ref", "@{upstream}"]), "origin/feature/1234-export-invoices");
    let json = serde_json::to_value(&created).unwrap();
    assert_eq!(json["branch"], "feature/1234-export-invoices");
    assert_eq!(json["head"], main.as_str());
}

#[tokio::test]
async fn create_branch_without_push_has_no_upstream_and_refuses_a_taken_name() {
    let f = Fixture::new().await;
    let branch: BranchName = "bugfix/AB-7-null-total".parse().unwrap();
    f.repo.create_branch(&branch, "main", None).await.unwrap();
    assert_eq!(f.git_remote(&["for-each-ref", "refs/heads/bugfix"]), "");
    assert!(f.git_here(&["for-each-ref", "--format=%(upstream)", "refs/heads/bugfix/AB-7-null-total"]).is_empty());

    let again = f.repo.create_branch(&branch, "main", None).await.unwrap_err();
    let VcsError::GitFailed { operation, hint, .. } = &again else { panic!("{again:?}") };
    assert_eq!(operation.name(), "create-branch");
    assert!(hint.contains("name is taken"), "{again}");

    let missing = f.repo.create_branch(&"chore/1-x".parse().unwrap(), "no-such-base", None).await.unwrap_err();
    assert!(matches!(&missing, VcsError::InvalidArgument { what: "start point", .. }), "{missing:?}");
    assert!(missing.to_string().contains("fetch it first"), "{missing}");
}

#[tokio::test]
async fn a_conventional_commit_is_committed_verbatim_and_an_empty_one_is_nothing_to_commit() {
    let f = Fixture::new().await;
    f.write("src/lib.rs", "pub fn total() -> u32 { 1 }\n");
    f.write("notes.txt", "not this one\n");
    let message = conventional("feat(billing): add totals\n\nTotals per invoice.\n# kept, not a comment\n\nAB#4321");

    let outcome = f.repo.commit(&message, &Staging::Paths(vec![PathBuf::from("src/lib.rs")])).await.unwrap();

    let CommitOutcome::Committed { hash, branch, files } = outcome else { panic!("{outcome:?}") };
    assert_eq!(hash.as_str(), f.rev("HEAD"));
    assert_eq!(branch.as_deref(), Some("main"));
    assert_eq!(files, ["src/lib.rs"]);
    assert_eq!(
        f.git_here(&["log", "-1", "--format=%B"]),
        "feat(billing): add totals\n\nTotals per invoice.\n# kept, not a comment\n\nAB#4321"
    );
    assert_eq!(
        f.git_here(&["log", "-1", "--format=%an <%ae>|%cn <%ce>"]),
        "Test Bot <bot@example.test>|Test Bot <bot@example.test>"
    );
    assert_eq!(f.git_here(&["status", "--porcelain"]), "?? notes.txt");

    let nothing = f.repo.commit(&feat("nothing here"), &Staging::Paths(Vec::new())).await.unwrap();
    assert_eq!(nothing, CommitOutcome::NothingToCommit);
    assert_eq!(serde_json::to_value(&nothing).unwrap()["outcome"], "nothing-to-commit");
    assert_eq!(f.rev("HEAD"), hash.as_str());
}

#[tokio::test]
async fn staging_a_path_outside_the_working_copy_fails_naming_the_commit() {
    let f = Fixture::new().await;
    let error =
        f.repo.commit(&feat("escape"), &Staging::Paths(vec![PathBuf::from("../outside.txt")])).await.unwrap_err();
    let VcsError::GitFailed { operation, command, .. } = &error else { panic!("{error:?}") };
    assert_eq!(operation.name(), "commit");
    assert!(command.starts_with("git add -- ../outside.txt"), "{command}");
    assert!(error.to_string().contains(&f.repo.path().display().to_string()), "{error}");
}

#[tokio::test]
async fn push_of_a_branch_that_fell_behind_is_rejected_with_advice() {
    let f = Fixture::new().await;
    let other = support::raw(f.dir.path(), &["clone", "--quiet", f.remote.to_str().unwrap(), "other"]);
    assert!(other.is_empty());
    let other_dir = f.dir.path().join("other");
    std::fs::write(other_dir.join("x.txt"), "x\n").unwrap();
    support::raw(&other_dir, &["add", "x.txt"]);
    support::raw(&other_dir, &["commit", "--quiet", "-m", "chore: elsewhere"]);
    support::raw(&other_dir, &["push", "--quiet", "origin", "main"]);
    f.commit_file("y.txt", "y\n", "chore: here").await;

    let error = f.repo.push("origin", "main").await.unwrap_err();

    let VcsError::GitFailed { hint, .. } = &error else { panic!("{error:?}") };
    assert!(hint.contains("fetch and integrate"), "{error}");
    let missing = f.repo.push("origin", "no-such-branch").await.unwrap_err();
    assert!(matches!(missing, VcsError::InvalidArgument { what: "branch", .. }), "{missing:?}");
}

#[tokio::test]
async fn fetch_and_checkout_creates_a_tracking_branch_then_fast_forwards_it() {
    let f = Fixture::new().await;
    let other_dir = f.dir.path().join("other");
    support::raw(f.dir.path(), &["clone", "--quiet", f.remote.to_str().unwrap(), "other"]);
    support::raw(&other_dir, &["checkout", "--quiet", "-b", "feature/9-shared"]);
    std::fs::write(other_dir.join("a.txt"), "1\n").unwrap();
    support::raw(&other_dir, &["add", "a.txt"]);
    support::raw(&other_dir, &["commit", "--quiet", "-m", "feat: one"]);
    support::raw(&other_dir, &["push", "--quiet", "origin", "feature/9-shared"]);

    let first = f.repo.fetch_and_checkout("feature/9-shared", "origin").await.unwrap();
    assert!(first.created);
    assert_eq!(first.upstream, "origin/feature/9-shared");
    assert_eq!(f.git_here(&["branch", "--show-current"]), "feature/9-shared");

    std::fs::write(other_dir.join("a.txt"), "2\n").unwrap();
    support::raw(&other_dir, &["commit", "--quiet", "-am", "feat: two"]);
    support::raw(&other_dir, &["push", "--quiet", "origin", "feature/9-shared"]);
    f.git_here(&["checkout", "--quiet", "main"]);

    let second = f.repo.fetch_and_checkout("feature/9-shared", "origin").await.unwrap();
    assert!(!second.created);
    assert_eq!(second.head.as_str(), support::raw(&other_dir, &["rev-parse", "HEAD"]));
    assert_eq!(std::fs::read_to_string(f.repo.path().join("a.txt")).unwrap(), "2\n");

    let fetched = f.repo.fetch("origin", &["main", "feature/9-shared"]).await.unwrap();
    assert_eq!(fetched.heads["feature/9-shared"], second.head);
    assert_eq!(fetched.heads.len(), 2);

    f.git_here(&["checkout", "--quiet", "feature/9-shared"]);
    f.commit_file("a.txt", "local\n", "feat: local").await;
    std::fs::write(other_dir.join("a.txt"), "3\n").unwrap();
    support::raw(&other_dir, &["commit", "--quiet", "-am", "feat: three"]);
    support::raw(&other_dir, &["push", "--quiet", "origin", "feature/9-shared"]);
    let diverged = f.repo.fetch_and_checkout("feature/9-shared", "origin").await.unwrap_err();
    assert!(matches!(&diverged, VcsError::GitFailed { hint, .. } if hint.contains("both moved")), "{diverged:?}");
    assert_eq!(std::fs::read_to_string(f.repo.path().join("a.txt")).unwrap(), "local\n");

    let configured = f.repo.fetch("origin", &[]).await.unwrap();
    assert!(configured.heads.is_empty() && configured.refs.is_empty());
    support::raw(&other_dir, &["tag", "v9"]);
    support::raw(&other_dir, &["push", "--quiet", "origin", "v9"]);
    f.repo.fetch("origin", &["refs/tags/v9:refs/tags/v9"]).await.unwrap();
    assert_eq!(f.rev("v9"), support::raw(&other_dir, &["rev-parse", "HEAD"]));

    let missing = f.repo.fetch_and_checkout("feature/404-gone", "origin").await.unwrap_err();
    let VcsError::GitFailed { hint, .. } = &missing else { panic!("{missing:?}") };
    assert!(hint.contains("does not exist on the remote"), "{missing}");
}

#[tokio::test]
async fn tags_annotated_and_lightweight_are_made_and_pushed() {
    let f = Fixture::new().await;
    let head = f.rev("HEAD");

    let annotated = f.repo.tag("v1.0.0", "main", Some("Release 1.0.0\n\n# with notes"), Some("origin")).await.unwrap();
    let light = f.repo.tag("deployed/staging/1", "HEAD", None, None).await.unwrap();

    assert!(annotated.annotated && !light.annotated);
    assert_eq!(annotated.target.as_str(), head);
    assert_eq!(f.git_remote(&["rev-parse", "v1.0.0^{commit}"]), head);
    assert_eq!(f.git_here(&["cat-file", "-t", "v1.0.0"]), "tag");
    assert_eq!(f.git_here(&["tag", "-l", "--format=%(contents)", "v1.0.0"]), "Release 1.0.0\n\n# with notes");
    assert_eq!(f.git_here(&["cat-file", "-t", "deployed/staging/1"]), "commit");
    assert_eq!(f.git_remote(&["tag", "-l", "deployed/*"]), "");

    let taken = f.repo.tag("v1.0.0", "main", None, None).await.unwrap_err();
    assert!(matches!(&taken, VcsError::GitFailed { hint, .. } if hint.contains("name is taken")), "{taken:?}");
}

#[tokio::test]
async fn cherry_pick_applies_a_commit_and_reports_a_conflict_without_leaving_traces() {
    let f = Fixture::new().await;
    f.git_here(&["checkout", "--quiet", "-b", "hotfix/5-patch"]);
    let fix = f.commit_file("fix.txt", "fixed\n", "fix: patch it").await;
    let clash = f.commit_file("README.md", "from hotfix\n", "fix: readme").await;
    f.git_here(&["checkout", "--quiet", "main"]);

    let applied = f.repo.cherry_pick("hotfix/5-patch~1").await.unwrap();
    let CherryPickOutcome::Applied { source, head, branch } = applied else { panic!("{applied:?}") };
    assert_eq!((source.as_str(), branch.as_str()), (fix.as_str(), "main"));
    assert_eq!(head.as_str(), f.rev("HEAD"));
    assert!(f.git_here(&["log", "-1", "--format=%B"]).contains(&format!("(cherry picked from commit {fix})")));

    f.commit_file("README.md", "from main\n", "docs: readme").await;
    let before = f.rev("HEAD");
    let empty = f.repo.cherry_pick("HEAD").await.unwrap_err();
    assert!(matches!(&empty, VcsError::GitFailed { hint, .. } if hint.contains("already on this branch")), "{empty:?}");
    assert!(f.is_clean() && !f.repo.path().join(".git/CHERRY_PICK_HEAD").exists());
    let conflict = f.repo.cherry_pick(&clash).await.unwrap();
    let CherryPickOutcome::Conflict(conflict) = conflict else { panic!("{conflict:?}") };
    assert_eq!(conflict.files, ["README.md"]);
    assert_eq!(f.rev("HEAD"), before);
    assert!(f.is_clean());
    assert!(!f.repo.path().join(".git/CHERRY_PICK_HEAD").exists());
}

#[tokio::test]
async fn delete_remote_branch_keeps_a_pushed_backup_of_its_head() {
    let f = Fixture::new().await;
    let branch: BranchName = "chore/77-cleanup".parse().unwrap();
    f.repo.create_branch(&branch, "main", None).await.unwrap();
    let head = f.commit_file("c.txt", "c\n", "chore: clean").await;
    f.repo.push("origin", "chore/77-cleanup").await.unwrap();

    let deleted = f.repo.delete_remote_branch("origin", "chore/77-cleanup").await.unwrap();

    assert_eq!(deleted.was_at.as_str(), head);
    assert_eq!(deleted.backup.name, BACKUP_NAME);
    assert_eq!(deleted.backup.of_branch, "chore/77-cleanup");
    assert_eq!(deleted.backup.pushed_to.as_deref(), Some("origin"));
    assert_eq!(f.git_remote(&["for-each-ref", "--format=%(refname)", "refs/heads/chore"]), "");
    assert_eq!(f.git_remote(&["rev-parse", &format!("refs/heads/{BACKUP_NAME}")]), head);
    assert_eq!(f.rev(&format!("refs/heads/{BACKUP_NAME}")), head);

    // The name is taken on the remote though no longer here: the next backup gets a suffix.
    f.git_here(&["branch", "--quiet", "-D", BACKUP_NAME]);
    f.git_here(&["push", "--quiet", "origin", "main:refs/heads/chore/78-more"]);
    let second = f.repo.delete_remote_branch("origin", "chore/78-more").await.unwrap();
    assert_eq!(second.backup.name, format!("{BACKUP_NAME}-2"));
    assert_eq!(f.git_remote(&["rev-parse", BACKUP_NAME]), head, "the first backup is untouched");

    let gone = f.repo.delete_remote_branch("origin", "chore/77-cleanup").await.unwrap_err();
    assert!(
        matches!(&gone, VcsError::GitFailed { hint, .. } if hint.contains("does not exist on the remote")),
        "{gone:?}"
    );
}

#[tokio::test]
async fn clone_into_reports_the_branch_and_head_it_checked_out() {
    let f = Fixture::new().await;
    let url = f.remote.to_str().unwrap();

    let (copy, cloned) = f.git.clone_into(&f.workspace, url, "nested/copy").await.unwrap();

    assert_eq!(copy.path(), f.workspace.root().join("nested/copy"));
    assert_eq!((cloned.url.as_str(), cloned.branch.as_deref()), (url, Some("main")));
    assert_eq!(cloned.head.map(|head| head.to_string()), Some(f.rev("main")));
    assert_eq!(copy.head().await.unwrap().as_str(), f.rev("main"));
    assert_eq!(copy.current_branch().await.unwrap().as_deref(), Some("main"));
    let again = f.git.clone_into(&f.workspace, url, "nested/copy").await.unwrap_err();
    assert!(matches!(&again, VcsError::GitFailed { hint, .. } if hint.contains("name is taken")), "{again:?}");
}

#[tokio::test]
async fn checkout_switches_to_a_local_branch_and_refuses_a_missing_one() {
    let f = Fixture::new().await;
    let branch: BranchName = "feature/7-side".parse().unwrap();
    f.repo.create_branch(&branch, "main", None).await.unwrap();
    let side = f.commit_file("side.txt", "side\n", "feat: side work").await;

    let head = f.repo.checkout("main").await.unwrap();
    assert_eq!(head.as_str(), f.rev("main"));
    assert_eq!(f.git_here(&["branch", "--show-current"]), "main");
    assert_eq!(f.repo.checkout("feature/7-side").await.unwrap().as_str(), side);

    let error = f.repo.checkout("feature/8-missing").await.unwrap_err();
    assert!(matches!(error, VcsError::InvalidArgument { what: "branch", .. }), "{error}");
    assert_eq!(f.git_here(&["branch", "--show-current"]), "feature/7-side");
}

#[tokio::test]
async fn a_patch_applies_to_the_working_tree_and_one_that_does_not_fit_changes_nothing() {
    let f = Fixture::new().await;
    f.commit_file("config.txt", "status=broken\n", "chore: config").await;
    let patch = "--- a/config.txt\n+++ b/config.txt\n@@ -1 +1 @@\n-status=broken\n+status=healthy\n";

    let applied = f.repo.apply_patch(patch).await.unwrap();

    assert_eq!(applied, vcs::ApplyOutcome::Applied { files: vec!["config.txt".to_owned()] });
    assert_eq!(std::fs::read_to_string(f.repo.path().join("config.txt")).unwrap(), "status=healthy\n");
    let again = f.repo.apply_patch(patch.trim_end()).await.unwrap();
    let vcs::ApplyOutcome::Rejected { reason } = again else { panic!("{again:?}") };
    assert!(reason.contains("config.txt"), "{reason}");
    assert_eq!(std::fs::read_to_string(f.repo.path().join("config.txt")).unwrap(), "status=healthy\n");
    let nonsense = f.repo.apply_patch("not a diff").await.unwrap();
    assert!(matches!(nonsense, vcs::ApplyOutcome::Rejected { .. }), "{nonsense:?}");
}
