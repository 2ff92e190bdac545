//! Conventional commit messages: `<type>[(scope)][!]: <subject>`, an optional body and an
//! optional Azure Boards footer `AB#<id>`.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// The longest subject allowed, in characters.
pub const MAX_SUBJECT_CHARS: usize = 72;

/// The kind of change a commit makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommitType {
    /// A new feature.
    Feat,
    /// A bug fix.
    Fix,
    /// Documentation only.
    Docs,
    /// Formatting, no change in behaviour.
    Style,
    /// Restructuring, no change in behaviour.
    Refactor,
    /// Tests only.
    Test,
    /// Maintenance.
    Chore,
    /// An urgent production fix.
    Hotfix,
    /// Performance.
    Perf,
    /// The build system or dependencies.
    Build,
    /// Continuous integration.
    Ci,
    /// Undoes an earlier commit.
    Revert,
}

impl CommitType {
    /// Every commit type.
    pub const ALL: [CommitType; 12] = [
        CommitType::Feat,
        CommitType::Fix,
        CommitType::Docs,
        CommitType::Style,
        CommitType::Refactor,
        CommitType::Test,
        CommitType::Chore,
        CommitType::Hotfix,
        CommitType::Perf,
        CommitType::Build,
        CommitType::Ci,
        CommitType::Revert,
    ];

    /// The type as written in a message.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitType::Feat => "feat",
            CommitType::Fix => "fix",
            CommitType::Docs => "docs",
            CommitType::Style => "style",
            CommitType::Refactor => "refactor",
            CommitType::Test => "test",
            CommitType::Chore => "chore",
            CommitType::Hotfix => "hotfix",
            CommitType::Perf => "perf",
            CommitType::Build => "build",
            CommitType::Ci => "ci",
            CommitType::Revert => "revert",
        }
    }

    /// The type written `text`, if there is one.
    pub fn from_name(text: &str) -> Option<CommitType> {
        CommitType::ALL.into_iter().find(|candidate| candidate.as_str() == text)
    }
}

/// A valid conventional commit message.
///
/// ```
/// use vcs::{CommitType, ConventionalCommit};
///
/// let commit = ConventionalCommit::new(CommitType::Feat, "export invoices as CSV")
///     .unwrap()
///     .with_scope("billing")
///     .unwrap()
///     .with_body("Accounting asked for it.")
///     .with_work_item("1234")
///     .unwrap();
/// let message = commit.to_string();
/// assert_eq!(message, "feat(billing): export invoices as CSV\n\nAccounting asked for it.\n\nAB#1234");
/// assert_eq!(message.parse::<ConventionalCommit>().unwrap(), commit);
/// assert!("feat: ends with a period.".parse::<ConventionalCommit>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConventionalCommit {
    commit_type: CommitType,
    scope: Option<String>,
    breaking: bool,
    subject: String,
    body: Option<String>,
    work_item: Option<u64>,
}

impl ConventionalCommit {
    /// A message with a type and a subject (checked: not empty, at most 72 characters, one
    /// line, no trailing period).
    pub fn new(commit_type: CommitType, subject: &str) -> Result<Self, CommitMessageError> {
        let column = commit_type.as_str().len() + 3;
        check_subject(subject).map_err(|(offset, problem)| CommitMessageError::at(1, column + offset, problem))?;
        Ok(ConventionalCommit {
            commit_type,
            scope: None,
            breaking: false,
            subject: subject.to_owned(),
            body: None,
            work_item: None,
        })
    }

    /// The message with a scope (`[A-Za-z0-9_./-]+`).
    pub fn with_scope(mut self, scope: &str) -> Result<Self, CommitMessageError> {
        let column = self.commit_type.as_str().len() + 2;
        check_scope(scope).map_err(|(offset, problem)| CommitMessageError::at(1, column + offset, problem))?;
        self.scope = Some(scope.to_owned());
        Ok(self)
    }

    /// The message marked as a breaking change (`!` after the type).
    pub fn breaking(mut self) -> Self {
        self.breaking = true;
        self
    }

    /// The message with a body (surrounding blank lines dropped; an empty body is none).
    pub fn with_body(mut self, body: &str) -> Self {
        let body = body.trim_matches(|c| c == '\n' || c == '\r').trim_end();
        self.body = (!body.is_empty()).then(|| body.to_owned());
        self
    }

    /// The message with the footer `AB#<id>`; `id` is the number, with or without `AB#`.
    pub fn with_work_item(mut self, id: &str) -> Result<Self, CommitMessageError> {
        let number = id.strip_prefix("AB#").unwrap_or(id);
        self.work_item = Some(parse_work_item(number).map_err(|problem| CommitMessageError::at(0, 1, problem))?);
        Ok(self)
    }

    /// Checks a whole message: the header, a blank line before the body, and an `AB#<id>`
    /// footer as its last paragraph if there is one.
    pub fn parse(message: &str) -> Result<Self, CommitMessageError> {
        let lines: Vec<&str> = message.trim_end().lines().collect();
        let Some(header) = lines.first().filter(|header| !header.trim().is_empty()) else {
            return Err(CommitMessageError::at(1, 1, CommitProblem::Empty));
        };
        let mut commit = parse_header(header)?;
        if lines.get(1).is_some_and(|line| !line.trim().is_empty()) {
            return Err(CommitMessageError::at(2, 1, CommitProblem::NoBlankLineAfterHeader));
        }
        let mut rest: &[&str] = lines.get(2..).unwrap_or_default();
        if let [before @ .., last] = rest
            && let Some(number) = last.trim().strip_prefix("AB#")
            && before.last().is_none_or(|line| line.trim().is_empty())
        {
            let line = lines.len();
            commit.work_item =
                Some(parse_work_item(number).map_err(|problem| CommitMessageError::at(line, 4, problem))?);
            rest = before;
        }
        Ok(commit.with_body(&rest.join("\n")))
    }

    /// The type.
    pub fn commit_type(&self) -> CommitType {
        self.commit_type
    }

    /// The scope, if any.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// Whether the type is followed by `!`.
    pub fn is_breaking(&self) -> bool {
        self.breaking
    }

    /// The subject.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The body, if any.
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }

    /// The Azure Boards work item of the footer, if any.
    pub fn work_item(&self) -> Option<u64> {
        self.work_item
    }

    /// The first line: `<type>[(scope)][!]: <subject>`.
    pub fn header(&self) -> String {
        let scope = self.scope.as_ref().map(|scope| format!("({scope})")).unwrap_or_default();
        let bang = if self.breaking { "!" } else { "" };
        format!("{}{scope}{bang}: {}", self.commit_type.as_str(), self.subject)
    }
}

impl fmt::Display for ConventionalCommit {
    /// The whole message, as it is committed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header())?;
        if let Some(body) = &self.body {
            write!(f, "\n\n{body}")?;
        }
        if let Some(id) = self.work_item {
            write!(f, "\n\nAB#{id}")?;
        }
        Ok(())
    }
}

impl FromStr for ConventionalCommit {
    type Err = CommitMessageError;

    fn from_str(message: &str) -> Result<Self, Self::Err> {
        ConventionalCommit::parse(message)
    }
}

/// `<type>[(scope)][!]: <subject>`
fn parse_header(header: &str) -> Result<ConventionalCommit, CommitMessageError> {
    let at = |column: usize, problem: CommitProblem| CommitMessageError::at(1, column, problem);
    let type_end = header.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(header.len());
    let type_text = &header[..type_end];
    let commit_type =
        CommitType::from_name(type_text).ok_or_else(|| at(1, CommitProblem::UnknownType(type_text.into())))?;
    let mut rest = &header[type_end..];
    let mut scope = None;
    if let Some(after_paren) = rest.strip_prefix('(') {
        let Some(close) = after_paren.find(')') else {
            return Err(at(type_end + 1, CommitProblem::UnclosedScope));
        };
        let text = &after_paren[..close];
        check_scope(text).map_err(|(offset, problem)| at(type_end + 2 + offset, problem))?;
        scope = Some(text.to_owned());
        rest = &after_paren[close + 1..];
    }
    let breaking = rest.starts_with('!');
    let rest_column = header.len() - rest.len() + usize::from(breaking) + 1;
    let after_type = &rest[usize::from(breaking)..];
    // A header ending in `:` has lost its space to trimming: its subject is empty.
    let Some(subject) = after_type.strip_prefix(": ").or((after_type == ":").then_some("")) else {
        return Err(at(rest_column, CommitProblem::MissingColon));
    };
    let subject_column = rest_column + 2;
    check_subject(subject).map_err(|(offset, problem)| at(subject_column + offset, problem))?;
    Ok(ConventionalCommit { commit_type, scope, breaking, subject: subject.to_owned(), body: None, work_item: None })
}

/// The character offset and problem of a bad subject.
fn check_subject(subject: &str) -> Result<(), (usize, CommitProblem)> {
    let length = subject.chars().count();
    if subject.trim().is_empty() {
        return Err((0, CommitProblem::EmptySubject));
    }
    if subject.starts_with(char::is_whitespace) {
        return Err((0, CommitProblem::SubjectStartsWithSpace));
    }
    if let Some(index) = subject.chars().position(|c| c == '\n' || c == '\r') {
        return Err((index, CommitProblem::MultiLineSubject));
    }
    if length > MAX_SUBJECT_CHARS {
        return Err((MAX_SUBJECT_CHARS, CommitProblem::SubjectTooLong { length }));
    }
    if subject.trim_end().ends_with('.') {
        return Err((length - 1, CommitProblem::TrailingPeriod));
    }
    Ok(())
}

/// The character offset and problem of a bad scope.
fn check_scope(scope: &str) -> Result<(), (usize, CommitProblem)> {
    if scope.is_empty() {
        return Err((0, CommitProblem::EmptyScope));
    }
    match scope.chars().enumerate().find(|(_, c)| !(c.is_ascii_alphanumeric() || "_./-".contains(*c))) {
        Some((offset, found)) => Err((offset, CommitProblem::BadScopeCharacter(found))),
        None => Ok(()),
    }
}

/// The number of an `AB#<id>` footer.
fn parse_work_item(number: &str) -> Result<u64, CommitProblem> {
    number
        .parse::<u64>()
        .ok()
        .filter(|_| number.chars().all(|c| c.is_ascii_digit()))
        .ok_or_else(|| CommitProblem::BadWorkItem(number.to_owned()))
}

/// What is wrong with a commit message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitProblem {
    /// The message is empty.
    Empty,
    /// The header does not start with a known type.
    UnknownType(String),
    /// `(` with no `)`.
    UnclosedScope,
    /// `()`.
    EmptyScope,
    /// A scope character outside `[A-Za-z0-9_./-]`.
    BadScopeCharacter(char),
    /// No `: ` between the type (and scope) and the subject.
    MissingColon,
    /// Nothing after `: `.
    EmptySubject,
    /// The subject starts with white space.
    SubjectStartsWithSpace,
    /// A line break in the subject.
    MultiLineSubject,
    /// More than 72 characters.
    SubjectTooLong {
        /// The subject's length in characters.
        length: usize,
    },
    /// The subject ends with `.`.
    TrailingPeriod,
    /// The second line is not blank.
    NoBlankLineAfterHeader,
    /// The `AB#` footer is not followed by a number.
    BadWorkItem(String),
}

/// A commit message that is not a valid conventional commit, with the 1-based line and column
/// of the problem (line 0 for a work item given on its own).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "commit message line {line}, column {column}: {}; write `<type>[(scope)][!]: <subject>` with type feat|fix|docs|style|refactor|test|chore|hotfix|perf|build|ci|revert and a subject of at most 72 characters without a final period, then a blank line, an optional body and an optional `AB#<id>` footer",
    describe(problem)
)]
pub struct CommitMessageError {
    /// The line of the problem.
    pub line: usize,
    /// The column of the problem (in characters).
    pub column: usize,
    /// What is wrong.
    pub problem: CommitProblem,
}

impl CommitMessageError {
    fn at(line: usize, column: usize, problem: CommitProblem) -> Self {
        CommitMessageError { line, column, problem }
    }
}

/// The problem in words.
fn describe(problem: &CommitProblem) -> String {
    match problem {
        CommitProblem::Empty => "the message is empty".into(),
        CommitProblem::UnknownType(found) => format!("`{found}` is not a commit type"),
        CommitProblem::UnclosedScope => "the scope's `(` is not closed".into(),
        CommitProblem::EmptyScope => "the scope is empty".into(),
        CommitProblem::BadScopeCharacter(found) => format!("the scope may not hold {found:?}"),
        CommitProblem::MissingColon => "`: ` must follow the type and scope".into(),
        CommitProblem::EmptySubject => "the subject is empty".into(),
        CommitProblem::SubjectStartsWithSpace => "the subject starts with white space".into(),
        CommitProblem::MultiLineSubject => "the subject holds a line break".into(),
        CommitProblem::SubjectTooLong { length } => {
            format!("the subject is {length} characters long, more than {MAX_SUBJECT_CHARS}")
        }
        CommitProblem::TrailingPeriod => "the subject ends with a period".into(),
        CommitProblem::NoBlankLineAfterHeader => "the second line must be blank".into(),
        CommitProblem::BadWorkItem(found) => format!("`AB#{found}` is not a work item: the id must be a number"),
    }
}
