use engine::testing::model::ProcessBuilder;
use engine::testing::ProcessTest;
use serde_json::json;

#[test]
fn straight_service_tasks_complete() {
    let mut test = ProcessTest::new();
    test.deploy(&ProcessBuilder::new("p").start("s").service_task("a", "inc").service_task("b", "inc").end("e").build());
    let pi = test.start("p", json!({"counter": 0}));
    let job = test.complete_job("inc", json!({"counter": 1}));
    assert_eq!(job.variables.get("counter"), Some(&json!(0)));
    test.complete_job("inc", json!({"counter": 2}));
    test.assert_completed(pi);
    assert_eq!(test.variable(pi, "counter"), Some(json!(2)));
    println!("{:#?}", test.element_log(pi));
}
