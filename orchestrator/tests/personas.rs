//! `orchestrator personas ...` and `orchestrator audit`: every verb, its table and JSON, and its
//! errors (exit 2 for bad input, 1 for what does not exist), on the default SQLite store.

mod support;

use std::sync::Arc;

use serde_json::{Value, json};
use support::{Workdir, workspace};

/// A folder with the project's catalogue where `personas types` looks by default, loaded.
fn loaded() -> Workdir {
    let dir = Workdir::new();
    let target = dir.path().join("workflows/personas");
    std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(workspace().join("workflows/personas/types.yaml"), target.join("types.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    dir.run(&["personas", "types"]).expect_code(0);
    dir
}

fn names(list: &Value) -> Vec<String> {
    list["instances"]
        .as_array()
        .map_or_else(Vec::new, |all| all.iter().map(|i| i["name"].as_str().unwrap_or_default().to_owned()).collect())
}

#[test]
fn types_loads_the_catalogue_and_lists_the_types() {
    let dir = loaded();
    let again = dir.run(&["personas", "types"]).expect_code(0);
    assert!(again.stdout.contains("0 added, 0 updated, 25 unchanged"), "{}", again.stdout);
    assert!(again.stdout.lines().any(|l| l.starts_with("TYPE") && l.contains("MAX TASKS")), "{}", again.stdout);
    assert!(again.stdout.contains("senior-developer"), "{}", again.stdout);
    let json = dir.json(&["personas", "types"]);
    assert_eq!(json["types"].as_array().map(Vec::len), Some(25));
    let senior = json["types"].as_array().and_then(|t| t.iter().find(|t| t["id"] == "senior-developer")).cloned();
    assert_eq!(senior.map(|s| s["max_concurrent_tasks"].clone()), Some(json!(3)));

    let missing = dir.run(&["personas", "types", "--catalogue", "nope.yaml"]).expect_code(2);
    assert!(missing.stderr.contains("nope.yaml: cannot read the persona type catalogue"), "{}", missing.stderr);
    std::fs::write(dir.path().join("bad.yaml"), "persona_types:\n  - id: Bad Id\n    name: x\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let bad = dir.run(&["personas", "types", "--catalogue", "bad.yaml"]).expect_code(2);
    assert!(bad.stderr.contains("bad.yaml:2:") && bad.stderr.contains("not valid"), "{}", bad.stderr);
}

#[test]
fn create_list_and_show_in_tables_and_json() {
    let dir = loaded();
    let created = dir.json(&[
        "personas",
        "create",
        "ada",
        "--type",
        "software-architect",
        "--project",
        "acme/shop",
        "--provider",
        "anthropic:claude-sonnet-4",
        "--provider",
        "openai:gpt-4o",
        "--daily-limit",
        "25",
        "--monthly-limit",
        "400.50",
        "--setting",
        "tone=terse",
        "--setting",
        "depth=2",
    ]);
    let ada = &created["instance"];
    assert_eq!(ada["project"], json!({"organisation": "acme", "project": "shop", "repository": null}));
    assert_eq!((ada["daily_limit"].clone(), ada["monthly_limit"].clone()), (json!("25.00"), json!("400.50")));
    assert_eq!(ada["providers"][1], json!({"provider": "openai", "model": "gpt-4o"}));
    assert_eq!(ada["settings"], json!({"tone": "terse", "depth": 2}));
    assert_eq!((ada["max_concurrent_tasks"].clone(), ada["status"].clone()), (json!(5), json!("active")));

    let text = dir.run(&["personas", "create", "sam", "--type", "senior-developer", "--project", "acme/shop/api"]);
    let text = text.expect_code(0).stdout;
    assert!(text.contains("created instance 2 `sam` (senior-developer), working for acme/shop/api"), "{text}");
    assert!(text.contains("3 tasks at once") && text.contains("no daily limit"), "{text}");
    dir.run(&["personas", "create", "una", "--type", "technical-writer"]).expect_code(0);

    let table = dir.run(&["personas", "list"]).expect_code(0).stdout;
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("ID  NAME") && lines[0].contains("TASKS") && lines[0].contains("THIS MONTH"),
        "{table}"
    );
    assert!(lines[1].contains("ada") && lines[1].contains("0/5") && lines[1].contains("$0.00 / $25.00"), "{table}");
    assert_eq!(lines.len(), 4, "{table}");
    assert_eq!(names(&dir.json(&["personas", "list"])), ["ada", "sam", "una"]);
    assert_eq!(names(&dir.json(&["personas", "list", "--type", "senior-developer"])), ["sam"]);
    assert_eq!(names(&dir.json(&["personas", "list", "--project", "acme/shop"])), ["ada", "sam"]);
    assert_eq!(names(&dir.json(&["personas", "list", "--status", "paused"])), Vec::<String>::new());

    let shown = dir.run(&["personas", "show", "ada"]).expect_code(0).stdout;
    assert!(shown.starts_with("instance 1 `ada`: software-architect, active, working for acme/shop"), "{shown}");
    assert!(shown.contains("providers anthropic:claude-sonnet-4, openai:gpt-4o"), "{shown}");
    let by_id = dir.json(&["personas", "show", "1"]);
    assert_eq!((by_id["instance"]["name"].clone(), by_id["open_work"].clone()), (json!("ada"), json!([])));
    let unknown = dir.run(&["personas", "show", "nobody"]).expect_code(1);
    assert!(
        unknown.stderr.contains("no persona instance `nobody`: `orchestrator personas list`"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn show_lists_the_jobs_an_instance_holds() {
    let dir = loaded();
    dir.run(&["personas", "create", "bob", "--type", "backend-developer", "--project", "acme/shop"]).expect_code(0);
    // A runtime routes a job to bob through the library, in the same store.
    let store = dir.store().display().to_string();
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime").block_on(async {
        let registry = personas::Registry::open(&store, Arc::new(engine::SystemClock)).await.expect("opens");
        let request = personas::RouteRequest {
            job_key: 4242,
            persona_type: "backend-developer".into(),
            project: personas::Project::new("acme", "shop"),
            workflow_instance: Some(99),
            element_id: Some("implement".into()),
        };
        assert!(matches!(registry.route(&request).await.expect("routes"), personas::RouteDecision::Assigned(_)));
        registry.close().await;
    });
    let shown = dir.run(&["personas", "show", "bob"]).expect_code(0).stdout;
    assert!(shown.contains("1 of 5 tasks open"), "{shown}");
    assert!(shown.lines().any(|l| l.starts_with("4242") && l.contains("99") && l.contains("implement")), "{shown}");
    let json = dir.json(&["personas", "show", "bob"]);
    assert_eq!(json["open_work"][0]["job_key"], json!(4242));

    let audit = dir.run(&["audit", "--workflow-instance", "99"]).expect_code(0).stdout;
    assert!(audit.contains("routing") && audit.contains("bob") && audit.contains("implement"), "{audit}");
    assert!(audit.contains("assigned: the only instance that can take it"), "{audit}");
    assert_eq!(dir.json(&["audit", "--workflow-instance", "98"])["entries"], json!([]));
}

#[test]
fn update_pause_resume_retire_and_assign() {
    let dir = loaded();
    dir.run(&["personas", "create", "ada", "--type", "software-architect", "--daily-limit", "5"]).expect_code(0);
    let updated = dir.json(&[
        "personas",
        "update",
        "ada",
        "--name",
        "adah",
        "--no-daily-limit",
        "--max-tasks",
        "2",
        "--priority",
        "-1",
        "--provider",
        "openai:gpt-4o",
    ]);
    let adah = &updated["instance"];
    assert_eq!((adah["name"].clone(), adah["daily_limit"].clone()), (json!("adah"), Value::Null));
    assert_eq!((adah["max_concurrent_tasks"].clone(), adah["priority"].clone()), (json!(2), json!(-1)));
    let nothing = dir.run(&["personas", "update", "adah"]).expect_code(2);
    assert!(nothing.stderr.contains("nothing to change"), "{}", nothing.stderr);

    let assigned = dir.run(&["personas", "assign", "adah", "acme/shop"]).expect_code(0).stdout;
    assert!(assigned.contains("instance 1 `adah` works for acme/shop"), "{assigned}");
    let second = dir.run(&["personas", "assign", "adah", "acme/bank"]).expect_code(2);
    assert!(second.stderr.contains("already belongs to project acme/shop"), "{}", second.stderr);

    let status = |verb: &str| dir.json(&["personas", verb, "adah"])["instance"]["status"].clone();
    assert_eq!(status("pause"), json!("paused"));
    assert_eq!(status("resume"), json!("active"));
    assert_eq!(status("retire"), json!("retired"));
    let resumed = dir.run(&["personas", "resume", "adah"]).expect_code(2);
    assert!(resumed.stderr.contains("retired and cannot resume; create a new instance"), "{}", resumed.stderr);

    let changes: Vec<String> = dir.json(&["audit", "--instance", "adah", "--kind", "instance-change"])["entries"]
        .as_array()
        .map_or_else(Vec::new, |e| {
            e.iter().map(|e| e["details"]["action"].as_str().unwrap_or("").to_owned()).collect()
        });
    assert_eq!(changes, ["create", "update", "assign", "pause", "resume", "retire"]);
}

#[test]
fn bad_input_is_exit_2_with_what_to_do_and_changes_nothing() {
    let fresh = Workdir::new();
    let no_types = fresh.run(&["personas", "create", "ada", "--type", "software-architect"]).expect_code(2);
    assert!(no_types.stderr.contains("load the catalogue with `orchestrator personas types`"), "{}", no_types.stderr);

    let dir = loaded();
    dir.run(&["personas", "create", "ada", "--type", "software-architect", "--project", "acme/shop"]).expect_code(0);
    let before = (dir.json(&["personas", "list"]), dir.json(&["audit"]));
    let cases: [(&[&str], &str); 8] = [
        (&["personas", "create", "x", "--type", "software-architekt"], "did you mean `software-architect`?"),
        (
            &["personas", "create", "ada", "--type", "qa-test-engineer", "--project", "acme/shop"],
            "already has an instance named `ada`",
        ),
        (&["personas", "create", "x", "--type", "qa-test-engineer", "--monthly-limit", "-1"], "cannot be negative"),
        (
            &["personas", "create", "x", "--type", "qa-test-engineer", "--daily-limit", "ten"],
            "is not an amount of dollars",
        ),
        (&["personas", "create", "x", "--type", "qa-test-engineer", "--project", "acme"], "ORGANISATION/PROJECT"),
        (&["personas", "create", "x", "--type", "qa-test-engineer", "--provider", "gpt-4o"], "PROVIDER:MODEL"),
        (&["personas", "create", "x", "--type", "qa-test-engineer", "--max-tasks", "0"], "at least 1"),
        (&["personas", "create", "x", "--type", "qa-test-engineer", "--setting", "=1"], "write KEY=VALUE"),
    ];
    for (args, message) in cases {
        let refused = dir.run(args).expect_code(2);
        assert!(refused.stderr.contains(message), "{args:?}: {}", refused.stderr);
    }
    let bad_time = dir.run(&["audit", "--since", "yesterday"]).expect_code(2);
    assert!(bad_time.stderr.contains("--since 'yesterday' is not a time"), "{}", bad_time.stderr);
    let bad_kind = dir.run(&["audit", "--kind", "routed"]).expect_code(2);
    assert!(bad_kind.stderr.contains("use one of routing, approval"), "{}", bad_kind.stderr);
    assert_eq!((dir.json(&["personas", "list"]), dir.json(&["audit"])), before, "nothing changed");
}

#[test]
fn audit_filters_by_instance_kind_and_time() {
    let dir = loaded();
    dir.run(&["personas", "create", "ada", "--type", "software-architect", "--project", "acme/shop"]).expect_code(0);
    dir.run(&["personas", "create", "ada", "--type", "software-architect", "--project", "acme/bank"]).expect_code(0);
    dir.run(&["personas", "pause", "ada", "--project", "acme/bank"]).expect_code(0);
    let table = dir.run(&["audit"]).expect_code(0).stdout;
    assert!(table.lines().next().is_some_and(|l| l.starts_with("ID  TIME") && l.ends_with("WHAT")), "{table}");
    assert_eq!(table.lines().count(), 4, "{table}");
    let ambiguous = dir.run(&["audit", "--instance", "ada"]).expect_code(2);
    assert!(ambiguous.stderr.contains("--project ORG/PROJECT"), "{}", ambiguous.stderr);
    let bank = dir.json(&["audit", "--instance", "ada", "--project", "acme/bank"]);
    let actions: Vec<&str> = bank["entries"]
        .as_array()
        .map_or_else(Vec::new, |e| e.iter().filter_map(|e| e["details"]["action"].as_str()).collect());
    assert_eq!(actions, ["create", "pause"]);
    assert_eq!(dir.json(&["audit", "--since", "2999-01-01"])["entries"], json!([]));
    assert_eq!(dir.json(&["audit", "--until", "2000-01-01"])["entries"], json!([]));
    assert_eq!(dir.json(&["audit", "--since", "1h"])["entries"].as_array().map(Vec::len), Some(3));
    assert_eq!(dir.json(&["audit", "--kind", "spend"])["entries"], json!([]));
    assert_eq!(dir.json(&["audit", "--limit", "1"])["entries"][0]["details"]["action"], json!("pause"));
}

#[test]
fn reading_commands_work_beside_a_running_engine_and_a_second_engine_is_refused_by_pid() {
    let dir = loaded();
    dir.run(&["personas", "create", "ada", "--type", "software-architect", "--project", "acme/shop"]).expect_code(0);
    dir.run(&["deploy", support::model("approval.bpmn").to_str().unwrap_or_default()]).expect_code(0);
    let mut run = support::spawn(dir.command(&["run"]));
    let pid = run.id();
    // `run` prints its first progress line once it holds the store.
    let stdout = run.stdout.take().unwrap_or_else(|| panic!("no stdout pipe"));
    let mut first = String::new();
    let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut first);
    assert!(first.starts_with("instances:"), "{first}");
    let refused = dir.run(&["run", "--until-idle"]);
    let reads =
        [dir.run(&["personas", "list", "--json"]), dir.run(&["audit", "--json"]), dir.run(&["status", "--json"])];
    // A registry write beside the engine waits for SQLite's lock instead of failing.
    let paused = dir.run(&["personas", "pause", "ada", "--project", "acme/shop"]);
    let _ = run.kill();
    let _ = run.wait();
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains(&format!("another engine (process {pid})")), "{}", refused.stderr);
    for read in reads {
        assert_eq!(read.code, 0, "{}", read.stderr);
    }
    assert_eq!(paused.code, 0, "{}", paused.stderr);
    assert_eq!(names(&dir.json(&["personas", "list"])), ["ada"]);
}

#[test]
fn reading_commands_on_a_mistyped_store_fail_and_create_nothing() {
    let dir = Workdir::new();
    for args in [
        ["personas", "list", "--store", "typo.db"],
        ["audit", "--store", "typo.db", "--json"],
        ["status", "--store", "typo.db", "--json"],
    ] {
        let failed = dir.run(&args).expect_code(1);
        // With --json the error is JSON on stdout.
        let said = format!("{}{}", failed.stdout, failed.stderr);
        assert!(said.contains("no store at typo.db"), "{args:?}: {said}");
    }
    let model = support::model("approval.bpmn");
    let missing_folder = dir.run(&["deploy", "--store", "no-such-folder/state.db", model.to_str().unwrap_or_default()]);
    assert_eq!(missing_folder.code, 1, "{}", missing_folder.stderr);
    assert!(missing_folder.stderr.contains("the folder no-such-folder does not exist"), "{}", missing_folder.stderr);
    assert!(!dir.path().join("typo.db").exists(), "a read created the store");
    assert!(!dir.path().join("no-such-folder").exists(), "the folder of a mistyped store was created");
}
