//! Several processes opening one new SQLite file at the same moment: each either gets the
//! store or is refused with the message that another engine has it; nobody sees a damaged
//! file or a half-made schema, and what the winners wrote is all there.

use std::time::Duration;

use crate::workload::{ChildConfig, PROCESS_ID, fail, open_and_deploy};

/// What an open-once child prints.
pub const OUTCOME: &str = "open-once:";
/// How long a child that got the store keeps it, so that the others find it held.
const HOLD: Duration = Duration::from_millis(100);

/// The child: open, deploy if needed, start one instance, hold the store a moment, report.
pub fn child(config: &ChildConfig) {
    let store = match engine::store::open(&config.location) {
        Ok(store) => store,
        Err(refused) => {
            println!("{OUTCOME} refused {refused}");
            return;
        }
    };
    let mut core = open_and_deploy(store).unwrap_or_else(|e| fail("opening the engine on the store it got", e));
    let created = core
        .create_instance(PROCESS_ID, None, engine::testing::vars(serde_json::json!({"n": config.run})))
        .unwrap_or_else(|e| fail("starting an instance", e));
    std::thread::sleep(HOLD);
    println!("{OUTCOME} started {}", created.process_instance_key);
}
