//! Branch names and conventional commit messages: what passes, and every way to fail.

use vcs::{
    BranchName, BranchNameProblem, BranchType, CommitProblem, CommitType, ConventionalCommit, MAX_SUBJECT_CHARS, Part,
};

#[test]
fn branch_names_that_follow_the_rule_parse() {
    for (name, branch_type) in [
        ("feature/1234-export-invoices", BranchType::Feature),
        ("bugfix/AB-12-fix-login", BranchType::Bugfix),
        ("hotfix/INC0042-db-failover", BranchType::Hotfix),
        ("chore/7-x", BranchType::Chore),
    ] {
        let parsed = BranchName::parse(name).unwrap();
        assert_eq!((parsed.as_str(), parsed.branch_type()), (name, branch_type));
        assert_eq!(parsed.to_string(), name);
    }
    let built = BranchName::new(BranchType::Feature, "PROJ-9", "new-report").unwrap();
    assert_eq!(built.as_str(), "feature/PROJ-9-new-report");
    assert_eq!(BranchName::parse(built.as_str()).unwrap(), built);
}

#[test]
fn each_broken_branch_name_gets_its_problem_and_column() {
    let cases: [(&str, usize, BranchNameProblem); 10] = [
        ("feature/ab-é", 12, BranchNameProblem::BadCharacter { found: 'é', part: Part::Slug }),
        ("feature/é", 9, BranchNameProblem::BadCharacter { found: 'é', part: Part::WorkItem }),
        ("1234-export", 1, BranchNameProblem::MissingType),
        ("feat/1234-export", 1, BranchNameProblem::UnknownType("feat".into())),
        ("feature/", 9, BranchNameProblem::EmptyPart(Part::WorkItem)),
        ("feature/12_3-export", 11, BranchNameProblem::BadCharacter { found: '_', part: Part::WorkItem }),
        ("feature/123-ex port", 15, BranchNameProblem::BadCharacter { found: ' ', part: Part::Slug }),
        ("feature/1234-Export", 14, BranchNameProblem::BadCharacter { found: 'E', part: Part::Slug }),
        ("feature/1234", 13, BranchNameProblem::MissingSlug),
        ("feature/-", 10, BranchNameProblem::MissingSlug),
    ];
    for (name, column, problem) in cases {
        let error = BranchName::parse(name).unwrap_err();
        assert_eq!((error.column, &error.problem), (column, &problem), "{name}");
        let text = error.to_string();
        assert!(text.contains(&format!("`{name}`, column {column}")), "{text}");
        assert!(text.contains("<type>/<work item>-<slug>"), "{text}");
    }
}

#[test]
fn branch_name_parts_are_checked_on_their_own() {
    let empty = BranchName::new(BranchType::Chore, "", "tidy").unwrap_err();
    assert_eq!((empty.column, empty.problem), (7, BranchNameProblem::EmptyPart(Part::WorkItem)));
    let upper = BranchName::new(BranchType::Chore, "12", "Tidy").unwrap_err();
    assert_eq!((upper.column, upper.problem), (10, BranchNameProblem::BadCharacter { found: 'T', part: Part::Slug }));
    let slash = BranchName::new(BranchType::Hotfix, "1/2", "x").unwrap_err();
    assert_eq!(slash.problem, BranchNameProblem::BadCharacter { found: '/', part: Part::WorkItem });
    let no_slug = BranchName::new(BranchType::Bugfix, "12", "").unwrap_err();
    assert_eq!(no_slug.problem, BranchNameProblem::EmptyPart(Part::Slug));
}

#[test]
fn conventional_commits_parse_with_every_optional_part_and_round_trip() {
    let message =
        "feat(api/v2)!: drop the old export\n\nClients must move to /v2.\n\nSee the migration notes.\n\nAB#4321\n";
    let commit = ConventionalCommit::parse(message).unwrap();
    assert_eq!(commit.commit_type(), CommitType::Feat);
    assert_eq!(commit.scope(), Some("api/v2"));
    assert!(commit.is_breaking());
    assert_eq!(commit.subject(), "drop the old export");
    assert_eq!(commit.body(), Some("Clients must move to /v2.\n\nSee the migration notes."));
    assert_eq!(commit.work_item(), Some(4321));
    assert_eq!(commit.to_string(), message.trim_end());
    assert_eq!(ConventionalCommit::parse(&commit.to_string()).unwrap(), commit);

    for kind in CommitType::ALL {
        let plain = ConventionalCommit::parse(&format!("{}: do it", kind.as_str())).unwrap();
        assert_eq!((plain.commit_type(), plain.body(), plain.work_item()), (kind, None, None));
    }
    let longest = "x".repeat(MAX_SUBJECT_CHARS);
    assert!(ConventionalCommit::new(CommitType::Fix, &longest).is_ok());
    let built =
        ConventionalCommit::new(CommitType::Fix, "stop the crash").unwrap().breaking().with_work_item("AB#77").unwrap();
    assert_eq!(built.to_string(), "fix!: stop the crash\n\nAB#77");
}

#[test]
fn each_broken_commit_message_gets_its_problem_line_and_column() {
    let too_long = format!("fix: {}", "y".repeat(MAX_SUBJECT_CHARS + 1));
    let cases: Vec<(&str, usize, usize, CommitProblem)> = vec![
        ("", 1, 1, CommitProblem::Empty),
        ("feature: add it", 1, 1, CommitProblem::UnknownType("feature".into())),
        ("Add it", 1, 1, CommitProblem::UnknownType("Add".into())),
        ("feat(api: add it", 1, 5, CommitProblem::UnclosedScope),
        ("feat(): add it", 1, 6, CommitProblem::EmptyScope),
        ("feat(a b): add it", 1, 7, CommitProblem::BadScopeCharacter(' ')),
        ("feat add it", 1, 5, CommitProblem::MissingColon),
        ("feat:add it", 1, 5, CommitProblem::MissingColon),
        ("feat!add it", 1, 6, CommitProblem::MissingColon),
        ("feat: ", 1, 7, CommitProblem::EmptySubject),
        ("feat:  add it", 1, 7, CommitProblem::SubjectStartsWithSpace),
        (&too_long, 1, 6 + MAX_SUBJECT_CHARS, CommitProblem::SubjectTooLong { length: MAX_SUBJECT_CHARS + 1 }),
        ("fix: stop the crash.", 1, 20, CommitProblem::TrailingPeriod),
        ("fix: stop the crash\nmore text", 2, 1, CommitProblem::NoBlankLineAfterHeader),
        ("fix: stop the crash\n\nAB#12a", 3, 4, CommitProblem::BadWorkItem("12a".into())),
        ("fix: stop the crash\n\nWhy.\n\nAB#", 5, 4, CommitProblem::BadWorkItem(String::new())),
    ];
    for (message, line, column, problem) in cases {
        let error = ConventionalCommit::parse(message).unwrap_err();
        assert_eq!((error.line, error.column, &error.problem), (line, column, &problem), "{message:?}");
        let text = error.to_string();
        assert!(text.contains(&format!("line {line}, column {column}")), "{text}");
        assert!(text.contains("feat|fix|docs|style|refactor|test|chore|hotfix|perf|build|ci|revert"), "{text}");
    }
}

#[test]
fn building_a_commit_checks_each_part() {
    let two_lines = ConventionalCommit::new(CommitType::Docs, "one\ntwo").unwrap_err();
    assert_eq!((two_lines.column, two_lines.problem), (10, CommitProblem::MultiLineSubject));
    let accented = ConventionalCommit::new(CommitType::Docs, "déjà\nvu").unwrap_err();
    assert_eq!(accented.column, 11, "columns count characters");
    let period = ConventionalCommit::new(CommitType::Docs, "done.").unwrap_err();
    assert_eq!(period.problem, CommitProblem::TrailingPeriod);
    let base = ConventionalCommit::new(CommitType::Docs, "explain it").unwrap();
    let scope = base.clone().with_scope("read me").unwrap_err();
    assert_eq!((scope.column, scope.problem), (10, CommitProblem::BadScopeCharacter(' ')));
    let item = base.clone().with_work_item("ABC-12").unwrap_err();
    assert_eq!(item.problem, CommitProblem::BadWorkItem("ABC-12".into()));
    assert!(item.to_string().contains("the id must be a number"), "{item}");
    assert_eq!(base.with_body("\n\n  \n").body(), None);
}
