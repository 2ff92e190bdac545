//! Walking a parsed command line: every simple command, through wrappers, nested shells and
//! substitutions, with the directory it would run in.

use crate::paths::{self, Cwd, Place};
use crate::syntax::{self, Element, Pipeline, Redirect, Script, Simple, Word};
use crate::{AllowEntry, RuleId, rules};

/// Why a command is blocked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The rule.
    pub rule: RuleId,
    /// Why, for the operator.
    pub reason: String,
    /// The offending part.
    pub at: String,
}

impl Block {
    /// A block by `rule`.
    pub fn new(rule: RuleId, reason: impl Into<String>, at: impl Into<String>) -> Self {
        Block { rule, reason: reason.into(), at: at.into() }
    }
}

/// The result of checking a part of a command.
pub type Checked = Result<(), Block>;

/// How deep `sh -c`, `eval` and substitutions may nest before the guard gives up.
const MAX_DEPTH: usize = 8;

/// Shell keywords that only start or end a compound command; the command after them runs.
const KEYWORDS: &[&str] = &["if", "then", "elif", "else", "fi", "do", "done", "while", "until", "!", "{", "}"];

/// Shell builtins that change nothing outside the shell; allowed without an allow-list entry.
const HARMLESS_BUILTINS: &[&str] =
    &["cd", "pushd", "popd", "pwd", "true", "false", ":", "test", "[", "[[", "echo", "printf", "set", "exit"];

/// A program that runs the rest of its arguments as a command: its options that take a value,
/// and how many plain arguments it takes before the command.
struct Wrapper {
    name: &'static str,
    value_options: &'static [&'static str],
    positionals: usize,
}

const WRAPPERS: &[Wrapper] = &[
    Wrapper { name: "env", value_options: &["-u", "--unset", "-C", "--chdir", "-S", "--split-string"], positionals: 0 },
    Wrapper {
        name: "sudo",
        value_options: &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "--user", "--group"],
        positionals: 0,
    },
    Wrapper { name: "doas", value_options: &["-u", "-C"], positionals: 0 },
    Wrapper { name: "nohup", value_options: &[], positionals: 0 },
    Wrapper { name: "setsid", value_options: &[], positionals: 0 },
    Wrapper { name: "time", value_options: &["-f", "-o"], positionals: 0 },
    Wrapper { name: "command", value_options: &[], positionals: 0 },
    Wrapper { name: "builtin", value_options: &[], positionals: 0 },
    Wrapper { name: "exec", value_options: &["-a"], positionals: 0 },
    Wrapper { name: "nice", value_options: &["-n", "--adjustment"], positionals: 0 },
    Wrapper { name: "ionice", value_options: &["-c", "-n", "-p"], positionals: 0 },
    Wrapper { name: "stdbuf", value_options: &["-i", "-o", "-e"], positionals: 0 },
    Wrapper { name: "busybox", value_options: &[], positionals: 0 },
    Wrapper { name: "timeout", value_options: &["-s", "-k", "--signal", "--kill-after"], positionals: 1 },
    Wrapper {
        name: "xargs",
        value_options: &["-I", "-n", "-P", "-d", "-a", "-E", "-L", "-s", "--max-args", "--max-procs", "--delimiter"],
        positionals: 0,
    },
];

/// A simple command with its assignments, keywords and wrappers stripped.
#[derive(Debug, Clone)]
pub struct Command {
    /// The program's name: the last part of its path (`/usr/bin/rm` → `rm`).
    pub program: String,
    /// The program's word, then its arguments.
    pub words: Vec<Word>,
    /// The redirections of the simple command.
    pub redirects: Vec<Redirect>,
    /// `sudo` or `doas` on the way: privilege the allow-list must grant too.
    pub elevated_by: Vec<String>,
    /// Whether `xargs` appends arguments only known at run time.
    pub via_xargs: bool,
}

impl Command {
    /// The arguments after the program.
    pub fn args(&self) -> &[Word] {
        &self.words[1..]
    }

    /// The command as the guard read it, for messages.
    pub fn at(&self) -> String {
        let words: Vec<&str> = self.words.iter().map(|w| w.text.as_str()).collect();
        words.join(" ")
    }

    /// The arguments that are not options (everything after `--`).
    pub fn operands(&self) -> Vec<&Word> {
        let mut operands = Vec::new();
        let mut options_end = false;
        for word in self.args() {
            if !options_end && word.text == "--" {
                options_end = true;
            } else if options_end || !word.text.starts_with('-') || word.text == "-" {
                operands.push(word);
            }
        }
        operands
    }

    /// The options before `--`.
    fn options(&self) -> impl Iterator<Item = &str> {
        self.args()
            .iter()
            .map(|w| w.text.as_str())
            .take_while(|t| *t != "--")
            .filter(|t| t.starts_with('-') && *t != "-")
    }

    /// Whether a short option cluster holds `letter` (`-rf` holds `r`).
    pub fn has_short(&self, letter: char) -> bool {
        self.options().any(|o| !o.starts_with("--") && o[1..].contains(letter))
    }

    /// Whether the long option `name` is given (also as `name=value`).
    pub fn has_long(&self, name: &str) -> bool {
        self.options().any(|o| o == name || o.strip_prefix(name).is_some_and(|rest| rest.starts_with('=')))
    }

    /// The words holding the values of these options: the next word after `-d` or `--data`,
    /// or the word itself for `-dVALUE` and `--data=VALUE`.
    pub fn option_values(&self, names: &[&str]) -> Vec<&Word> {
        let args = self.args();
        let mut values = Vec::new();
        for (i, word) in args.iter().enumerate() {
            let text = word.text.as_str();
            for name in names {
                if text == *name {
                    values.extend(args.get(i + 1));
                } else if let Some(rest) = text.strip_prefix(name) {
                    let attached = if name.starts_with("--") { rest.starts_with('=') } else { !rest.is_empty() };
                    if attached {
                        values.push(word);
                    }
                }
            }
        }
        values
    }
}

/// The last part of a path: `/usr/bin/rm` → `rm`.
fn basename(text: &str) -> &str {
    text.rsplit('/').find(|part| !part.is_empty()).unwrap_or(text)
}

/// `simple` with its assignments, keywords and wrappers stripped; `None` when nothing runs
/// (only assignments, `command -v`, a `for` header).
pub fn resolve(simple: &Simple) -> Option<Command> {
    let words = &simple.words;
    let mut i = 0;
    let mut elevated_by = Vec::new();
    let mut via_xargs = false;
    let mut last_wrapper = None;
    loop {
        let Some(word) = words.get(i) else {
            // A wrapper with nothing after it runs itself (`env` prints the environment).
            let start = last_wrapper?;
            return Some(command_at(simple, start, elevated_by, via_xargs));
        };
        if KEYWORDS.iter().any(|k| word.is_plain_text(k)) || word.is_assignment() {
            i += 1;
            continue;
        }
        if ["for", "select", "case", "function"].iter().any(|k| word.is_plain_text(k)) {
            return None;
        }
        let Some(wrapper) = WRAPPERS.iter().find(|w| w.name == basename(&word.text)) else {
            return Some(command_at(simple, i, elevated_by, via_xargs));
        };
        if ["sudo", "doas"].contains(&wrapper.name) {
            elevated_by.push(wrapper.name.to_owned());
        }
        via_xargs |= wrapper.name == "xargs";
        if wrapper.name == "env" && env_split_string(&words[i + 1..]).is_some() {
            // `env -S 'a b'` runs the words of its string: read it as a shell would.
            return Some(command_at(simple, i, elevated_by, via_xargs));
        }
        last_wrapper = Some(i);
        i += 1;
        while let Some(option) = words.get(i).map(|w| w.text.as_str()) {
            if option == "--" {
                i += 1;
                break;
            }
            if !option.starts_with('-') || option == "-" {
                break;
            }
            if wrapper.name == "command" && (option == "-v" || option == "-V") {
                return None;
            }
            i += if wrapper.value_options.contains(&option) { 2 } else { 1 };
        }
        i += wrapper.positionals;
    }
}

fn command_at(simple: &Simple, start: usize, elevated_by: Vec<String>, via_xargs: bool) -> Command {
    let words = simple.words[start..].to_vec();
    Command {
        program: basename(&words[0].text).to_owned(),
        words,
        redirects: simple.redirects.clone(),
        elevated_by,
        via_xargs,
    }
}

/// The string of `env -S STRING` / `env --split-string=STRING` in `env`'s arguments.
pub fn env_split_string(args: &[Word]) -> Option<Word> {
    for (i, word) in args.iter().enumerate() {
        let text = word.text.as_str();
        if text == "-S" || text == "--split-string" {
            return args.get(i + 1).cloned();
        }
        if let Some(rest) = text.strip_prefix("--split-string=") {
            return Some(word.tail(text.len() - rest.len()));
        }
        if text.starts_with("-S") {
            return Some(word.tail(2));
        }
        if !text.starts_with('-') {
            return None;
        }
    }
    None
}

/// The programs a script runs directly (through groups and pipelines, not substitutions).
pub fn programs(script: &Script) -> Vec<String> {
    let mut names = Vec::new();
    for pipeline in &script.pipelines {
        for element in &pipeline.elements {
            names.extend(element_programs(element));
        }
    }
    names
}

/// The programs one pipeline element runs directly.
pub fn element_programs(element: &Element) -> Vec<String> {
    match element {
        Element::Simple(simple) => resolve(simple).map(|c| c.program).into_iter().collect(),
        Element::Group(script, _) | Element::Function { body: script, .. } => programs(script),
    }
}

/// The programs `text` runs directly; none when it does not parse (the guard blocks it then).
pub fn programs_of_text(text: &str) -> Vec<String> {
    syntax::parse(text).map(|script| programs(&script)).unwrap_or_default()
}

/// The state of one check: the workspace, the allow-list, where the command would be, how deep.
pub struct Checker<'p> {
    root: &'p str,
    allow: Option<(&'p str, &'p [AllowEntry])>,
    cwd: Cwd,
    depth: usize,
}

impl<'p> Checker<'p> {
    /// A check of a command that starts in `root`; `allow` is the persona type and its list.
    pub fn new(root: &'p str, allow: Option<(&'p str, &'p [AllowEntry])>) -> Self {
        Checker { root, allow, cwd: Cwd::Known(root.to_owned()), depth: 0 }
    }

    /// Checks a command line (or the script of `sh -c`, `eval`, a substitution).
    pub fn source(&mut self, text: &str) -> Checked {
        if self.depth >= MAX_DEPTH {
            return Err(Block::new(
                RuleId::NestingTooDeep,
                format!("shells, evals and substitutions nest more than {MAX_DEPTH} deep"),
                text.trim(),
            ));
        }
        let script = syntax::parse(text).map_err(|e| {
            Block::new(
                RuleId::Unparsable,
                format!("the command cannot be parsed ({e}), so what it would run is unknown"),
                text.trim(),
            )
        })?;
        self.depth += 1;
        let checked = self.script(&script);
        self.depth -= 1;
        checked
    }

    /// A substitution runs in a subshell: a `cd` inside does not move the command outside.
    fn substitution(&mut self, body: &str) -> Checked {
        let saved = self.cwd.clone();
        let checked = self.source(body);
        self.cwd = saved;
        checked
    }

    fn script(&mut self, script: &Script) -> Checked {
        script.pipelines.iter().try_for_each(|pipeline| self.pipeline(pipeline))
    }

    fn pipeline(&mut self, pipeline: &Pipeline) -> Checked {
        pipeline.elements.iter().try_for_each(|element| self.element(element))?;
        rules::pipeline(pipeline)
    }

    fn element(&mut self, element: &Element) -> Checked {
        match element {
            Element::Simple(simple) => self.simple(simple),
            Element::Group(script, redirects) => {
                self.script(script)?;
                self.redirects(redirects)
            }
            Element::Function { name, body } => {
                if programs(body).contains(name) {
                    return Err(Block::new(
                        RuleId::ForkBomb,
                        format!("the function `{name}` calls itself: the shape of a fork bomb"),
                        name.as_str(),
                    ));
                }
                self.script(body)
            }
        }
    }

    fn redirects(&mut self, redirects: &[Redirect]) -> Checked {
        for redirect in redirects {
            redirect.target.substitutions.iter().try_for_each(|body| self.substitution(body))?;
            if redirect.writes() {
                let at = format!("{} {}", redirect.op, redirect.target.text);
                self.write_target(&redirect.target, RuleId::WriteOutsideWorkspace, RuleId::WriteOutsideWorkspace, &at)?;
            }
        }
        Ok(())
    }

    /// Checks a simple command: its substitutions, redirections, then what it runs.
    pub fn simple(&mut self, simple: &Simple) -> Checked {
        for word in &simple.words {
            word.substitutions.iter().try_for_each(|body| self.substitution(body))?;
        }
        self.redirects(&simple.redirects)?;
        let Some(command) = resolve(simple) else { return Ok(()) };
        let at = command.at();
        if !command.program.is_ascii() || command.options().any(|o| !o.is_ascii()) {
            return Err(Block::new(
                RuleId::UnicodeLookalike,
                "a program name or an option holds non-ASCII letters that only look like ASCII",
                at,
            ));
        }
        if !command.words[0].is_static() {
            return Err(Block::new(
                RuleId::DynamicProgram,
                format!("the program `{}` is only known at run time", command.words[0].text),
                at,
            ));
        }
        self.allowed(&command)?;
        rules::command(self, &command)?;
        self.track_cd(&command);
        Ok(())
    }

    /// The allow-list check: every program (and `sudo`) must be on the persona's list.
    fn allowed(&self, command: &Command) -> Checked {
        let Some((persona, list)) = self.allow else { return Ok(()) };
        let operands: Vec<&str> = command.operands().iter().map(|w| w.text.as_str()).collect();
        let refused =
            command.elevated_by.iter().find(|gate| !list.iter().any(|entry| entry.allows(gate, &[]))).or_else(|| {
                let listed = HARMLESS_BUILTINS.contains(&command.program.as_str())
                    || list.iter().any(|entry| entry.allows(&command.program, &operands));
                (!listed).then_some(&command.program)
            });
        match refused {
            Some(program) => Err(Block::new(
                RuleId::NotAllowedForPersona,
                format!("`{program}` is not on the allow-list of the persona type `{persona}`"),
                command.at(),
            )),
            None => Ok(()),
        }
    }

    /// A `cd` moves where later commands of the line run.
    fn track_cd(&mut self, command: &Command) {
        match command.program.as_str() {
            "cd" | "pushd" => {
                let target = command.operands().first().copied().cloned();
                self.cwd = match (target, &self.cwd) {
                    (Some(word), _) if !word.is_static() || word.starts_with_tilde() || word.text == "-" => {
                        Cwd::Unknown
                    }
                    (Some(word), _) if word.text.starts_with('/') => Cwd::Known(paths::resolve("/", &word.text)),
                    (Some(word), Cwd::Known(dir)) => Cwd::Known(paths::resolve(dir, &word.text)),
                    _ => Cwd::Unknown,
                };
            }
            "popd" => self.cwd = Cwd::Unknown,
            _ => {}
        }
    }

    /// Checks a path a command writes: `root_rule` blocks `/` and home, `dynamic_rule` a path
    /// only known at run time.
    pub fn write_target(&self, word: &Word, root_rule: RuleId, dynamic_rule: RuleId, at: &str) -> Checked {
        let (rule, reason) = match paths::place(word, &self.cwd, self.root) {
            Place::Inside | Place::Sink => return Ok(()),
            Place::Root => (root_rule, "targets the file system root".to_owned()),
            Place::Home => (root_rule, "targets the home directory".to_owned()),
            Place::Etc => (RuleId::OverwriteEtc, format!("writes `{}` under /etc", word.text)),
            Place::Device => (RuleId::WriteToDevice, format!("writes the device `{}`", word.text)),
            Place::Outside(path) => {
                (RuleId::WriteOutsideWorkspace, format!("writes {path}, outside the workspace {}", self.root))
            }
            Place::Dynamic => (dynamic_rule, format!("writes `{}`, a path only known at run time", word.text)),
        };
        Err(Block::new(rule, reason, at))
    }

    /// Checks a command made up by a rule (`find -exec` with `{}` filled in).
    pub fn made_up(&mut self, words: Vec<Word>) -> Checked {
        self.simple(&Simple { words, redirects: Vec::new() })
    }
}
