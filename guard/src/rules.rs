//! The built-in deny rules, per program and per pipeline.

use crate::RuleId;
use crate::check::{Block, Checked, Checker, Command, element_programs, env_split_string, programs_of_text, resolve};
use crate::syntax::{Element, Pipeline, Word};

/// Shells: `-c` runs a script, and without a script file they read one from standard input.
const SHELLS: &[&str] = &["sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "csh", "tcsh", "su"];
/// Interpreters that run a script read from standard input when given none.
const INTERPRETERS: &[&str] = &["python", "python2", "python3", "perl", "ruby", "node", "php", "lua"];
/// Programs that fetch from the network.
const DOWNLOADERS: &[&str] = &["curl", "wget", "fetch", "aria2c", "http", "https"];
/// Programs that send data over the network.
const SENDERS: &[&str] =
    &["curl", "wget", "nc", "ncat", "netcat", "socat", "telnet", "scp", "sftp", "ftp", "rsync", "http", "https"];
/// Files that hold secrets.
const SECRET_FILES: &[&str] = &[
    ".ssh/",
    "/.ssh",
    "id_rsa",
    "id_ed25519",
    "id_ecdsa",
    "/etc/shadow",
    "/etc/gshadow",
    ".aws/credentials",
    ".netrc",
    ".kube/config",
    ".git-credentials",
    ".docker/config.json",
    ".pgpass",
    ".npmrc",
    ".pypirc",
];

fn is_shell(program: &str) -> bool {
    SHELLS.contains(&program)
}

fn is_interpreter(program: &str) -> bool {
    INTERPRETERS.contains(&program) || program.starts_with("python3.")
}

/// The deny rules for one resolved command.
pub fn command(checker: &mut Checker<'_>, command: &Command) -> Checked {
    let at = command.at();
    let block = |rule: RuleId, reason: String| Err(Block::new(rule, reason, at.clone()));
    let program = command.program.as_str();
    let operands = command.operands();
    let first = operands.first().map(|w| w.text.as_str());
    match program {
        "rm" | "rmdir" | "unlink" | "shred" => remove(checker, command)?,
        "mv" | "tee" | "touch" | "mkdir" | "truncate" => {
            for word in writable_operands(command) {
                checker.write_target(word, RuleId::WriteOutsideWorkspace, RuleId::WriteOutsideWorkspace, &at)?;
            }
            for word in command.option_values(&["-t", "--target-directory"]) {
                checker.write_target(
                    &option_path(word, "--target-directory="),
                    RuleId::WriteOutsideWorkspace,
                    RuleId::WriteOutsideWorkspace,
                    &at,
                )?;
            }
        }
        "cp" | "install" | "ln" => {
            let explicit = command.option_values(&["-t", "--target-directory"]);
            let destination = match explicit.first() {
                Some(word) => Some(option_path(word, "--target-directory=")),
                None => operands.last().filter(|_| operands.len() >= 2).map(|w| (*w).clone()),
            };
            if let Some(word) = destination {
                checker.write_target(&word, RuleId::WriteOutsideWorkspace, RuleId::WriteOutsideWorkspace, &at)?;
            }
        }
        "dd" => {
            for word in command.args().iter().filter(|w| w.text.starts_with("of=")) {
                checker.write_target(&word.tail(3), RuleId::WriteToDevice, RuleId::WriteOutsideWorkspace, &at)?;
            }
        }
        "chmod" | "chown" | "chgrp" => {
            let skip = usize::from(!command.has_long("--reference"));
            for word in operands.iter().skip(skip) {
                checker.write_target(word, RuleId::ChmodRoot, RuleId::WriteOutsideWorkspace, &at)?;
            }
        }
        "sed" if command.has_short('i') || command.has_long("--in-place") => {
            let scripts = command.option_values(&["-e", "--expression", "-f", "--file"]);
            let skip = usize::from(scripts.is_empty());
            for word in operands.iter().skip(skip).filter(|w| !scripts.iter().any(|s| std::ptr::eq(*s, **w))) {
                checker.write_target(word, RuleId::WriteOutsideWorkspace, RuleId::WriteOutsideWorkspace, &at)?;
            }
        }
        "find" => find(checker, command)?,
        "kubectl" | "oc" => kubectl(command)?,
        "az" if command.args().windows(2).any(|pair| pair[0].text == "group" && pair[1].text == "delete") => {
            block(RuleId::AzGroupDelete, "deletes an Azure resource group and everything in it".into())?;
        }
        "terraform" | "tofu" | "terragrunt"
            if first == Some("destroy")
                || (first == Some("apply") && (command.has_long("-destroy") || command.has_long("--destroy"))) =>
        {
            block(RuleId::TerraformDestroy, "destroys the infrastructure the configuration manages".into())?;
        }
        "git" => git_push(command)?,
        "mke2fs" | "mkswap" | "wipefs" => block(RuleId::Mkfs, format!("`{program}` formats or wipes a device"))?,
        _ if program.starts_with("mkfs") => block(RuleId::Mkfs, format!("`{program}` formats a device"))?,
        "shutdown" | "reboot" | "halt" | "poweroff" => {
            block(RuleId::Shutdown, format!("`{program}` stops the machine"))?;
        }
        "init" | "telinit" if matches!(first, Some("0" | "6")) => {
            block(RuleId::Shutdown, "changes the run level to halt or reboot".into())?;
        }
        "systemctl" if matches!(first, Some("poweroff" | "reboot" | "halt" | "kexec")) => {
            block(RuleId::Shutdown, "stops or restarts the machine".into())?;
        }
        "history" if command.has_short('c') => {
            block(RuleId::ClearHistory, "erases the shell history, hiding what was run".into())?;
        }
        "env" => {
            if let Some(script) = env_split_string(command.args()) {
                checker.source(&script.text)?;
            }
        }
        _ => {}
    }
    nested_scripts(checker, command)?;
    secrets(command)
}

/// The operands of a command that writes every one of them (skipping `truncate -s SIZE`).
fn writable_operands(command: &Command) -> Vec<&Word> {
    let values = command.option_values(&["-s", "--size", "-r", "--reference", "-m", "--mode"]);
    command.operands().into_iter().filter(|w| !values.iter().any(|v| std::ptr::eq(*v, *w))).collect()
}

/// The path of an option value word: `--target-directory=DIR` → `DIR`.
fn option_path(word: &Word, prefix: &str) -> Word {
    if word.text.starts_with(prefix) { word.tail(prefix.len()) } else { word.clone() }
}

/// `rm` and its kin: never `/` or home, never a recursive delete of a path known only at run
/// time, never outside the workspace.
fn remove(checker: &Checker<'_>, command: &Command) -> Checked {
    let at = command.at();
    if command.has_long("--no-preserve-root") {
        return Err(Block::new(RuleId::RmRoot, "`--no-preserve-root` lets rm delete the file system root", at));
    }
    let recursive = command.has_short('r') || command.has_short('R') || command.has_long("--recursive");
    if recursive && command.via_xargs {
        return Err(Block::new(RuleId::RmRecursiveDynamic, "a recursive rm of paths xargs reads at run time", at));
    }
    let dynamic_rule = if recursive { RuleId::RmRecursiveDynamic } else { RuleId::WriteOutsideWorkspace };
    command.operands().into_iter().try_for_each(|word| checker.write_target(word, RuleId::RmRoot, dynamic_rule, &at))
}

/// `find`: `-delete` removes under its start paths; `-exec` runs a command on each.
fn find(checker: &mut Checker<'_>, command: &Command) -> Checked {
    let args = command.args();
    let starts: Vec<Word> = args
        .iter()
        .skip_while(|w| matches!(w.text.as_str(), "-H" | "-L" | "-P"))
        .take_while(|w| !w.text.starts_with('-') && w.text != "(" && w.text != "!")
        .cloned()
        .collect();
    let starts = if starts.is_empty() { vec![Word::plain(".")] } else { starts };
    let at = command.at();
    if args.iter().any(|w| w.text == "-delete") {
        for start in &starts {
            checker.write_target(start, RuleId::RmRoot, RuleId::RmRecursiveDynamic, &at)?;
        }
    }
    for (i, word) in args.iter().enumerate() {
        if !["-exec", "-execdir", "-ok", "-okdir"].contains(&word.text.as_str()) {
            continue;
        }
        let inner: Vec<&Word> = args[i + 1..].iter().take_while(|w| w.text != ";" && w.text != "+").collect();
        for start in &starts {
            let words =
                inner
                    .iter()
                    .map(|w| {
                        if w.text.contains("{}") {
                            Word::plain(&w.text.replace("{}", &start.text))
                        } else {
                            (*w).clone()
                        }
                    })
                    .collect();
            checker.made_up(words)?;
        }
    }
    Ok(())
}

/// `kubectl delete namespace|ns …` and `kubectl delete --all` / across all namespaces.
fn kubectl(command: &Command) -> Checked {
    const VALUE_FLAGS: &[&str] = &[
        "-n",
        "--namespace",
        "--context",
        "--cluster",
        "--user",
        "--kubeconfig",
        "-l",
        "--selector",
        "-f",
        "--filename",
        "-o",
        "--output",
        "-c",
        "--container",
        "--field-selector",
        "-s",
        "--server",
        "--token",
        "--as",
        "--timeout",
        "--grace-period",
        "-k",
        "--kustomize",
    ];
    let mut positionals = Vec::new();
    let mut args = command.args().iter().map(|w| w.text.as_str());
    while let Some(arg) = args.next() {
        if VALUE_FLAGS.contains(&arg) {
            args.next();
        } else if !arg.starts_with('-') {
            positionals.push(arg);
        }
    }
    if positionals.first() != Some(&"delete") {
        return Ok(());
    }
    let at = command.at();
    if command.has_long("--all") || command.has_long("--all-namespaces") || command.has_short('A') {
        return Err(Block::new(
            RuleId::KubectlDeleteAll,
            "deletes every resource of a kind, or in every namespace",
            at,
        ));
    }
    let namespaces = ["namespace", "namespaces", "ns"];
    let kind = positionals.get(1).copied().unwrap_or_default();
    if kind.split(',').any(|k| namespaces.contains(&k.split('/').next().unwrap_or_default())) {
        return Err(Block::new(RuleId::KubectlDeleteNamespace, "deletes a namespace and everything in it", at));
    }
    Ok(())
}

/// `git push` that forces (or deletes) main or master, or forces an unnamed branch.
fn git_push(command: &Command) -> Checked {
    let args = command.args();
    let mut i = 0;
    while let Some(word) = args.get(i) {
        match word.text.as_str() {
            "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace" => i += 2,
            text if text.starts_with('-') => i += 1,
            _ => break,
        }
    }
    if args.get(i).map(|w| w.text.as_str()) != Some("push") {
        return Ok(());
    }
    let rest = &args[i + 1..];
    let mut operands = Vec::new();
    let mut force = false;
    let mut j = 0;
    while let Some(word) = rest.get(j) {
        let text = word.text.as_str();
        match text {
            "-o" | "--push-option" | "--repo" | "--receive-pack" | "--exec" => j += 1,
            "--force" | "--mirror" | "--delete" | "--all" => force |= text != "--all",
            _ if text.starts_with("--force") => force = true,
            _ if text.starts_with("--") => {}
            _ if text.starts_with('-') => force |= text.contains('f') || text.contains('d'),
            _ => operands.push(text),
        }
        j += 1;
    }
    let refspecs = operands.get(1..).unwrap_or_default();
    let at = command.at();
    let destructive = |spec: &str| force || spec.starts_with('+') || spec.starts_with(':');
    if force && (refspecs.is_empty() || rest.iter().any(|w| w.text == "--all" || w.text == "--mirror")) {
        return Err(Block::new(
            RuleId::GitForcePushMain,
            "a forced push without a named branch may rewrite main or master",
            at,
        ));
    }
    for spec in refspecs {
        let destination = spec.rsplit(':').next().unwrap_or(spec).trim_start_matches('+');
        let destination = destination.strip_prefix("refs/heads/").unwrap_or(destination);
        if destructive(spec) && ["main", "master", "HEAD"].contains(&destination) {
            return Err(Block::new(
                RuleId::GitForcePushMain,
                format!("a forced push or delete rewrites `{destination}`"),
                at,
            ));
        }
    }
    Ok(())
}

/// Whether one of the substitutions in `words` downloads something.
fn substitutes_download(words: &[&Word]) -> bool {
    words
        .iter()
        .flat_map(|w| &w.substitutions)
        .any(|body| programs_of_text(body).iter().any(|p| DOWNLOADERS.contains(&p.as_str())))
}

/// `sh -c SCRIPT`, `eval ARGS`, and shells fed a download through `<(…)`, `$(…)` or `<<<`.
fn nested_scripts(checker: &mut Checker<'_>, command: &Command) -> Checked {
    let program = command.program.as_str();
    let runs_code = is_shell(program) || is_interpreter(program) || ["eval", "source", "."].contains(&program);
    if !runs_code {
        return Ok(());
    }
    let at = command.at();
    let mut fed: Vec<&Word> = command.args().iter().collect();
    fed.extend(command.redirects.iter().filter(|r| !r.writes()).map(|r| &r.target));
    if substitutes_download(&fed) {
        return Err(Block::new(RuleId::DownloadToShell, "runs code downloaded from the network", at));
    }
    let script = if program == "eval" {
        let joined: Vec<&str> = command.args().iter().map(|w| w.text.as_str()).collect();
        (!command.args().is_empty()).then(|| (joined.join(" "), command.args().iter().all(Word::is_static)))
    } else if is_shell(program) {
        dash_c_script(command).map(|w| (w.text.clone(), w.is_static()))
    } else {
        None
    };
    match script {
        Some((_, false)) => Err(Block::new(RuleId::DynamicProgram, "runs a script only known at run time", at)),
        Some((text, true)) => checker.source(&text),
        None => Ok(()),
    }
}

/// The script of `sh -c SCRIPT` (also `-ec`, `-lc`, `su --command=…`).
fn dash_c_script(command: &Command) -> Option<&Word> {
    let args = command.args();
    let at = args.iter().position(|w| {
        let t = w.text.as_str();
        (t.starts_with('-') && !t.starts_with("--") && t.contains('c')) || t == "--command"
    })?;
    args[at + 1..].iter().find(|w| !w.text.starts_with('-') || w.text == "-")
}

/// Whether a shell or interpreter reads its script from standard input.
fn reads_script_from_stdin(command: &Command) -> bool {
    let program = command.program.as_str();
    let operands = command.operands();
    let stdin_file = operands.first().is_none_or(|w| w.text == "-" || w.text == "/dev/stdin");
    if is_shell(program) {
        dash_c_script(command).is_none() && (stdin_file || command.has_short('s'))
    } else if is_interpreter(program) {
        !command.has_short('c') && !command.has_short('e') && stdin_file
    } else {
        ["source", "."].contains(&program) && operands.first().is_some_and(|w| w.text == "/dev/stdin")
    }
}

/// Whether a secret name: `GITHUB_TOKEN`, `API_KEY`, `DB_PASSWORD`, `AZURE_DEVOPS_PAT`, ….
fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL"].iter().any(|s| upper.contains(s))
        || upper.split('_').any(|part| part == "PAT" || part == "PASS")
}

/// The secret file `text` names, if any.
fn secret_file(text: &str) -> Option<&'static str> {
    if let Some(found) = SECRET_FILES.iter().find(|f| text.contains(*f)) {
        return Some(found);
    }
    text.split(['/', '@', '=', ' ', ':', '<', '\'', '"'])
        .any(|part| {
            part == ".env"
                || (part.starts_with(".env.") && !["example", "sample", "template"].iter().any(|e| part.ends_with(e)))
        })
        .then_some(".env")
}

/// The secret a word carries: a secret variable, a secret file, or a substitution that reads
/// one or dumps the environment.
fn secret_in(word: &Word) -> Option<String> {
    if let Some(name) = word.parameters.iter().find(|p| is_secret_name(p)) {
        return Some(format!("${name}"));
    }
    if let Some(file) = secret_file(&word.text) {
        return Some(file.to_owned());
    }
    word.substitutions.iter().find_map(|body| {
        secret_file(body).map(str::to_owned).or_else(|| {
            programs_of_text(body).iter().any(|p| p == "env" || p == "printenv").then(|| "the environment".to_owned())
        })
    })
}

/// Secrets in what a network command sends: its data and upload options, its URLs, and its
/// standard input.
fn secrets(command: &Command) -> Checked {
    let program = command.program.as_str();
    if !SENDERS.contains(&program) {
        return Ok(());
    }
    let mut sent: Vec<&Word> = match program {
        "curl" => command.option_values(&[
            "-d",
            "--data",
            "--data-raw",
            "--data-binary",
            "--data-urlencode",
            "--data-ascii",
            "--json",
            "-F",
            "--form",
            "--form-string",
            "-T",
            "--upload-file",
        ]),
        "wget" => command.option_values(&["--post-data", "--post-file", "--body-data", "--body-file"]),
        _ => command.args().iter().collect(),
    };
    sent.extend(command.operands());
    sent.extend(command.redirects.iter().filter(|r| !r.writes()).map(|r| &r.target));
    match sent.iter().find_map(|w| secret_in(w)) {
        Some(secret) => Err(Block::new(
            RuleId::SecretExfiltration,
            format!("sends {secret} over the network with `{program}`"),
            command.at(),
        )),
        None => Ok(()),
    }
}

/// What one pipeline element does, as far as the pipeline rules care.
#[derive(Default)]
struct Stage {
    downloads: bool,
    runs_stdin: bool,
    sends: bool,
    reads_secret: Option<String>,
    at: String,
}

fn stage(element: &Element) -> Stage {
    match element {
        Element::Simple(simple) => {
            let Some(command) = resolve(simple) else { return Stage::default() };
            let program = command.program.as_str();
            let mut read: Vec<&Word> = command.args().iter().collect();
            read.extend(command.redirects.iter().filter(|r| !r.writes()).map(|r| &r.target));
            let dumps_environment = ["env", "printenv"].contains(&program) && command.operands().is_empty();
            Stage {
                downloads: DOWNLOADERS.contains(&program),
                runs_stdin: reads_script_from_stdin(&command),
                sends: SENDERS.contains(&program),
                reads_secret: if dumps_environment {
                    Some("the environment".into())
                } else {
                    read.iter().find_map(|w| secret_in(w))
                },
                at: command.at(),
            }
        }
        Element::Group(..) | Element::Function { .. } => {
            let programs = element_programs(element);
            Stage {
                downloads: programs.iter().any(|p| DOWNLOADERS.contains(&p.as_str())),
                runs_stdin: programs.iter().any(|p| is_shell(p)),
                at: programs.join("; "),
                ..Stage::default()
            }
        }
    }
}

/// `curl … | sh` and `cat ~/.ssh/id_rsa | nc …`: what flows down a pipeline.
pub fn pipeline(pipeline: &Pipeline) -> Checked {
    let stages: Vec<Stage> = pipeline.elements.iter().map(stage).collect();
    for (j, later) in stages.iter().enumerate() {
        let earlier = &stages[..j];
        if later.runs_stdin && earlier.iter().any(|s| s.downloads) {
            return Err(Block::new(
                RuleId::DownloadToShell,
                "pipes a download into a shell or interpreter",
                later.at.clone(),
            ));
        }
        if later.sends
            && let Some(secret) = earlier.iter().find_map(|s| s.reads_secret.clone())
        {
            return Err(Block::new(
                RuleId::SecretExfiltration,
                format!("pipes {secret} into a network command"),
                later.at.clone(),
            ));
        }
    }
    Ok(())
}
