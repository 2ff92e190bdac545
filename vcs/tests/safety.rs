//! Confinement, the scrubbed environment, the timeout, unusable inputs and redacted credentials.

mod support;

use std::time::{Duration, Instant};

use support::{Fixture, feat};
use tempfile::TempDir;
use vcs::{Git, Identity, Operation, Staging, VcsError, Workspace};

fn identity() -> Identity {
    Identity::new("Test Bot", "bot@example.test").unwrap()
}

#[tokio::test]
async fn paths_outside_the_workspace_are_refused_by_dots_symlinks_or_the_enclosing_repository() {
    let f = Fixture::new().await;
    let outside = f.dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, f.workspace.root().join("link")).unwrap();

    for path in
        [outside.clone(), "app/../../outside".into(), "link".into(), "link/new/dir".into(), "missing/../..".into()]
    {
        let error = f.git.open(&f.workspace, &path).await.unwrap_err();
        let VcsError::OutsideWorkspace { resolved, operation, .. } = &error else { panic!("{path:?}: {error:?}") };
        assert_eq!(*operation, Operation::Open);
        let escapes = !resolved.starts_with(f.workspace.root());
        let unresolvable = resolved.components().any(|part| part == std::path::Component::ParentDir);
        assert!(escapes || unresolvable, "{path:?} resolved to {resolved:?}");
        assert!(error.to_string().contains("use a path inside the workspace"), "{error}");
    }
    let clone = f.git.clone_into(&f.workspace, f.remote.to_str().unwrap(), "link/copy").await.unwrap_err();
    assert!(matches!(clone, VcsError::OutsideWorkspace { operation: Operation::Clone, .. }), "{clone:?}");
    assert!(!outside.join("copy").exists());

    // A folder of the workspace that is not a working copy, inside a repository that is not in
    // the workspace: git would find the outer one, which is refused.
    let outer = TempDir::with_prefix("vcs-outer-").unwrap();
    support::raw(outer.path(), &["init", "--quiet"]);
    std::fs::create_dir_all(outer.path().join("ws/plain")).unwrap();
    let nested = Workspace::new(outer.path().join("ws")).unwrap();
    let enclosing = f.git.open(&nested, "plain").await.unwrap_err();
    assert!(matches!(enclosing, VcsError::OutsideWorkspace { .. }), "{enclosing:?}");

    let inside = f.git.open(&f.workspace, "app/.").await.unwrap();
    assert_eq!(inside.path(), f.repo.path());
    let plain = f.workspace.root().join("plain");
    std::fs::create_dir(&plain).unwrap();
    let not_a_repo = f.git.open(&f.workspace, "plain").await.unwrap_err();
    assert!(
        matches!(&not_a_repo, VcsError::GitFailed { hint, .. } if hint.contains("clone it first")),
        "{not_a_repo:?}"
    );
    let missing = f.git.open(&f.workspace, "nowhere").await.unwrap_err();
    assert!(matches!(missing, VcsError::DirectoryUnavailable { what: "working copy", .. }), "{missing:?}");
    let no_root = Workspace::new(f.dir.path().join("no-such-root")).unwrap_err();
    assert!(no_root.to_string().contains("workspace root"), "{no_root}");
}

#[tokio::test]
async fn git_reads_configuration_only_from_the_home_it_is_given() {
    let f = Fixture::new().await;
    let home = TempDir::with_prefix("vcs-home-").unwrap();
    let hooks = home.path().join("hooks");
    std::fs::create_dir(&hooks).unwrap();
    let hook = hooks.join("pre-commit");
    std::fs::write(&hook, "#!/bin/sh\necho refused by the home hook >&2\nexit 1\n").unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(home.path().join(".gitconfig"), format!("[core]\n\thooksPath = {}\n", hooks.display())).unwrap();

    let with_home = f.git.clone().with_home(home.path()).unwrap();
    let repo = with_home.open(&f.workspace, "app").await.unwrap();
    f.write("x.txt", "x\n");
    let refused = repo.commit(&feat("hooked"), &Staging::All).await.unwrap_err();
    assert!(refused.to_string().contains("refused by the home hook"), "{refused}");

    // The fixture's git has a private home: the same commit goes through.
    assert!(matches!(
        f.repo.commit(&feat("not hooked"), &Staging::All).await,
        Ok(vcs::CommitOutcome::Committed { .. })
    ));
    let missing = Git::new(identity()).unwrap().with_home(home.path().join("missing")).unwrap_err();
    assert!(matches!(missing, VcsError::DirectoryUnavailable { what: "git home", .. }), "{missing:?}");
}

#[tokio::test]
async fn a_git_that_hangs_is_killed_at_the_timeout_and_a_missing_git_is_named() {
    let f = Fixture::new().await;
    let bin = TempDir::with_prefix("vcs-bin-").unwrap();
    let slow = bin.path().join("slow-git");
    std::fs::write(&slow, "#!/bin/sh\nsleep 30\n").unwrap();
    std::fs::set_permissions(&slow, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();

    let hanging = f.git.clone().with_program(&slow).with_timeout(Duration::from_millis(300));
    let started = Instant::now();
    let error = hanging.open(&f.workspace, "app").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    let VcsError::TimedOut { after, command, .. } = &error else { panic!("{error:?}") };
    assert_eq!((*after, command.as_str()), (Duration::from_millis(300), "git rev-parse --show-toplevel"));
    assert!(error.to_string().contains("Git::with_timeout"), "{error}");

    let absent = f.git.clone().with_program(bin.path().join("no-git-here"));
    let error = absent.open(&f.workspace, "app").await.unwrap_err();
    assert!(matches!(error, VcsError::GitUnavailable { .. }), "{error:?}");
    assert!(error.to_string().contains("install git"), "{error}");
}

#[tokio::test]
async fn inputs_git_could_read_as_options_or_ranges_never_reach_it() {
    let f = Fixture::new().await;
    let head = f.rev("HEAD");
    let cases = [
        ("remote", f.repo.fetch("--upload-pack=touch /tmp/pwned", &[]).await.unwrap_err()),
        ("ref", f.repo.fetch("origin", &["--all"]).await.unwrap_err()),
        ("branch", f.repo.push("origin", "-f").await.unwrap_err()),
        ("tag", f.repo.tag("v1 bad", "HEAD", None, None).await.unwrap_err()),
        ("commit", f.repo.cherry_pick("HEAD~1..HEAD").await.unwrap_err()),
        ("branch", f.repo.delete_remote_branch("origin", "").await.unwrap_err()),
        ("remote", f.repo.create_branch(&"chore/1-x".parse().unwrap(), "main", Some("-o")).await.unwrap_err()),
        ("url", f.git.clone_into(&f.workspace, "--upload-pack=touch /tmp/pwned", "evil").await.unwrap_err()),
    ];
    for (expected, error) in cases {
        let VcsError::InvalidArgument { what, .. } = &error else { panic!("{expected}: {error:?}") };
        assert_eq!(*what, expected, "{error}");
        assert!(error.to_string().contains("cannot be used"), "{error}");
    }
    assert!(!f.workspace.root().join("evil").exists());
    assert_eq!(f.git_here(&["branch", "--list", "chore/*"]), "", "nothing was created");
    assert_eq!(f.rev("HEAD"), head);
}

#[tokio::test]
async fn credentials_in_a_remote_url_appear_in_no_error() {
    let f = Fixture::new().await;
    let url = "http://deploy-bot:s3cr3t-token@127.0.0.1:1/org/repo.git";

    let error = f.git.clone_into(&f.workspace, url, "private").await.unwrap_err();

    let (shown, debugged) = (error.to_string(), format!("{error:?}"));
    assert!(matches!(error, VcsError::GitFailed { operation: Operation::Clone, .. }), "{debugged}");
    assert!(shown.contains("http://***@127.0.0.1:1/org/repo.git"), "{shown}");
    for text in [&shown, &debugged] {
        assert!(!text.contains("s3cr3t-token") && !text.contains("deploy-bot"), "{text}");
    }
    let bad = f.git.clone_into(&f.workspace, "-x http://a:s3cr3t@h/r", "x").await.unwrap_err();
    assert!(matches!(&bad, VcsError::InvalidArgument { what: "url", .. }), "{bad:?}");
    assert!(!format!("{bad} {bad:?}").contains("s3cr3t"), "{bad:?}");
}

#[test]
fn an_identity_needs_a_plain_name_and_address() {
    for (name, email) in [("", "a@b"), ("Bot", " "), ("Bot <x>", "a@b"), ("Bot", "a@b\nX-Header: 1")] {
        let error = Identity::new(name, email).unwrap_err();
        assert!(matches!(error, VcsError::InvalidIdentity { .. }), "{name:?} {email:?}");
        assert!(error.to_string().contains("give a non-empty name"), "{error}");
    }
}
