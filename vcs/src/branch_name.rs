//! The project's branch naming rule: `<type>/<work item>-<slug>`.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// The kind of work a branch holds: the first part of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BranchType {
    /// `feature/…`
    Feature,
    /// `bugfix/…`
    Bugfix,
    /// `hotfix/…`
    Hotfix,
    /// `chore/…`
    Chore,
}

impl BranchType {
    /// Every branch type, in the order the rule lists them.
    pub const ALL: [BranchType; 4] = [BranchType::Feature, BranchType::Bugfix, BranchType::Hotfix, BranchType::Chore];

    /// The type as it appears in a branch name.
    pub fn as_str(self) -> &'static str {
        match self {
            BranchType::Feature => "feature",
            BranchType::Bugfix => "bugfix",
            BranchType::Hotfix => "hotfix",
            BranchType::Chore => "chore",
        }
    }
}

/// A branch name that follows `<type>/<work item>-<slug>`: type `feature`, `bugfix`, `hotfix`
/// or `chore`; work item `[A-Za-z0-9-]+`; slug `[a-z0-9-]+`.
///
/// ```
/// use vcs::{BranchName, BranchType};
///
/// let name: BranchName = "feature/1234-export-invoices".parse().unwrap();
/// assert_eq!(name.branch_type(), BranchType::Feature);
/// assert_eq!(BranchName::new(BranchType::Bugfix, "AB-12", "fix-login").unwrap().as_str(), "bugfix/AB-12-fix-login");
/// assert!("feature/1234-Export".parse::<BranchName>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct BranchName {
    branch_type: BranchType,
    name: String,
}

impl BranchName {
    /// The name made of its parts, each checked on its own (use this when the work item holds
    /// a `-`, which a whole name cannot tell apart from the slug's).
    pub fn new(branch_type: BranchType, work_item: &str, slug: &str) -> Result<Self, BranchNameError> {
        let name = format!("{}/{work_item}-{slug}", branch_type.as_str());
        let fail = |column: usize, problem: BranchNameProblem| BranchNameError { name: name.clone(), column, problem };
        let work_item_column = branch_type.as_str().len() + 2;
        check_part(work_item, work_item_column, Part::WorkItem).map_err(|(column, problem)| fail(column, problem))?;
        check_part(slug, work_item_column + work_item.len() + 1, Part::Slug)
            .map_err(|(column, problem)| fail(column, problem))?;
        Ok(BranchName { branch_type, name })
    }

    /// Checks a whole name.
    pub fn parse(name: &str) -> Result<Self, BranchNameError> {
        let fail =
            |column: usize, problem: BranchNameProblem| BranchNameError { name: name.to_owned(), column, problem };
        let Some((prefix, tail)) = name.split_once('/') else {
            return Err(fail(1, BranchNameProblem::MissingType));
        };
        let branch_type = BranchType::ALL
            .into_iter()
            .find(|candidate| candidate.as_str() == prefix)
            .ok_or_else(|| fail(1, BranchNameProblem::UnknownType(prefix.to_owned())))?;
        let tail_column = prefix.len() + 2;
        if tail.is_empty() {
            return Err(fail(tail_column, BranchNameProblem::EmptyPart(Part::WorkItem)));
        }
        // The slug is what follows the last `-` that has text on both sides; it is lower-case.
        let split = tail.char_indices().rev().find(|(index, c)| *c == '-' && *index >= 1 && index + 1 < tail.len());
        let split = split.map(|(index, _)| index);
        let part_at = |index: usize| match split {
            Some(split) if index > split => Part::Slug,
            _ => Part::WorkItem,
        };
        if let Some((index, found)) = tail.char_indices().find(|(_, c)| !is_work_item_char(*c)) {
            return Err(fail(tail_column + index, BranchNameProblem::BadCharacter { found, part: part_at(index) }));
        }
        let Some(split) = split else {
            return Err(fail(tail_column + tail.len(), BranchNameProblem::MissingSlug));
        };
        check_part(&tail[split + 1..], tail_column + split + 1, Part::Slug)
            .map_err(|(column, problem)| fail(column, problem))?;
        Ok(BranchName { branch_type, name: name.to_owned() })
    }

    /// The branch's type.
    pub fn branch_type(&self) -> BranchType {
        self.branch_type
    }

    /// The whole name.
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

impl FromStr for BranchName {
    type Err = BranchNameError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        BranchName::parse(name)
    }
}

impl fmt::Display for BranchName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl From<BranchName> for String {
    fn from(name: BranchName) -> String {
        name.name
    }
}

/// The part of a branch name a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The work item: `[A-Za-z0-9-]+`.
    WorkItem,
    /// The slug: `[a-z0-9-]+`.
    Slug,
}

/// What is wrong with a branch name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchNameProblem {
    /// No `/` after the type.
    MissingType,
    /// The type is not `feature`, `bugfix`, `hotfix` or `chore`.
    UnknownType(String),
    /// A part is empty.
    EmptyPart(Part),
    /// A character a part may not hold.
    BadCharacter {
        /// The character.
        found: char,
        /// The part it is in.
        part: Part,
    },
    /// No `-<slug>` after the work item.
    MissingSlug,
}

/// A branch name that breaks the rule, with the 1-based column of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "branch name `{name}`, column {column}: {}; name branches `<type>/<work item>-<slug>` with type feature|bugfix|hotfix|chore, work item [A-Za-z0-9-]+ and slug [a-z0-9-]+, e.g. `feature/1234-export-invoices`",
    describe(problem)
)]
pub struct BranchNameError {
    /// The name as given.
    pub name: String,
    /// Where the problem is (1-based, in characters).
    pub column: usize,
    /// What is wrong.
    pub problem: BranchNameProblem,
}

/// The problem in words.
fn describe(problem: &BranchNameProblem) -> String {
    let part_name = |part: &Part| match part {
        Part::WorkItem => "the work item",
        Part::Slug => "the slug",
    };
    match problem {
        BranchNameProblem::MissingType => "it does not start with `<type>/`".to_owned(),
        BranchNameProblem::UnknownType(found) => format!("`{found}` is not a branch type"),
        BranchNameProblem::EmptyPart(part) => format!("{} is empty", part_name(part)),
        BranchNameProblem::BadCharacter { found, part } => format!("{} may not hold {found:?}", part_name(part)),
        BranchNameProblem::MissingSlug => "there is no `-<slug>` (lower-case) after the work item".to_owned(),
    }
}

/// `[A-Za-z0-9-]`
fn is_work_item_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// `[a-z0-9-]`
fn is_slug_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

/// Checks one part starting at `column`; the column and problem of the first fault.
fn check_part(text: &str, column: usize, part: Part) -> Result<(), (usize, BranchNameProblem)> {
    let allowed = match part {
        Part::WorkItem => is_work_item_char,
        Part::Slug => is_slug_char,
    };
    if text.is_empty() {
        return Err((column, BranchNameProblem::EmptyPart(part)));
    }
    match text.char_indices().find(|(_, c)| !allowed(*c)) {
        Some((index, found)) => Err((column + index, BranchNameProblem::BadCharacter { found, part })),
        None => Ok(()),
    }
}
