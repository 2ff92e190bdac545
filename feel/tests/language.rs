//! The language features Zeebe models use, each with the result the FEEL specification or the
//! Camunda documentation gives.

mod common;

use common::eval;
use serde_json::json;

#[test]
fn leading_equals_sign_is_optional() {
    assert_eq!(eval("=1 + 1"), json!(2));
    assert_eq!(eval("1 + 1"), json!(2));
    assert_eq!(eval("  = 1 + 1"), json!(2));
}

#[test]
fn whole_numbers_stay_integers_and_decimals_are_exact() {
    assert_eq!(eval("1 + 1").to_string(), "2");
    assert_eq!(eval("0.1 + 0.2"), json!(0.3));
    assert_eq!(eval("10 / 4"), json!(2.5));
    assert_eq!(eval("1.5 * 2").to_string(), "3");
    assert_eq!(eval("2 ** 10"), json!(1024));
    assert_eq!(eval("-i"), json!(-7));
    assert_eq!(eval("1 / 0"), json!(null));
}

#[test]
fn literals() {
    assert_eq!(eval("\"text\""), json!("text"));
    assert_eq!(eval("\"say \\\"hi\\\"\""), json!("say \"hi\""));
    assert_eq!(eval("true"), json!(true));
    assert_eq!(eval("null"), json!(null));
    assert_eq!(eval("[1, 2, 3]"), json!([1, 2, 3]));
    assert_eq!(eval("[]"), json!([]));
}

#[test]
fn context_literals_with_name_and_string_keys() {
    assert_eq!(eval("{a: 1, \"b c\": 2}"), json!({"a": 1, "b c": 2}));
    assert_eq!(eval("{a: {b: [1, 2]}}.a.b[2]"), json!(2));
    assert_eq!(eval("{}"), json!({}));
}

#[test]
fn backtick_names_read_hyphenated_variables() {
    assert_eq!(eval("`tracking-id`"), json!("T-17"));
    assert_eq!(eval("order.`total price`"), json!(99.5));
}

#[test]
fn hyphen_without_backticks_is_subtraction() {
    // `tracking` and `id` are unset, so `tracking - id` is null - null = null.
    assert_eq!(eval("tracking-id"), json!(null));
    assert_eq!(eval("i-2"), json!(5));
}

#[test]
fn paths_on_contexts_and_projection_over_lists() {
    assert_eq!(eval("order.customer.name"), json!("Grace"));
    assert_eq!(eval("order.missing"), json!(null));
    assert_eq!(eval("missing.deeper.still"), json!(null));
    assert_eq!(eval("items.id"), json!(["a", "b", "c"]));
}

#[test]
fn string_concatenation_with_plus() {
    assert_eq!(eval("\"Hello \" + name"), json!("Hello Ada"));
    assert_eq!(eval("\"a\" + 1"), json!(null));
}

#[test]
fn comparison_with_null_is_null_except_equality() {
    assert_eq!(eval("missing > 5"), json!(null));
    assert_eq!(eval("nothing < 5"), json!(null));
    assert_eq!(eval("missing = null"), json!(true));
    assert_eq!(eval("nothing = null"), json!(true));
    assert_eq!(eval("i = null"), json!(false));
    assert_eq!(eval("i != null"), json!(true));
    assert_eq!(eval("1 = \"1\""), json!(null));
}

#[test]
fn comparisons() {
    assert_eq!(eval("i < 20"), json!(true));
    assert_eq!(eval("i >= 7"), json!(true));
    assert_eq!(eval("i > 7"), json!(false));
    assert_eq!(eval("name = \"Ada\""), json!(true));
    assert_eq!(eval("\"a\" < \"b\""), json!(true));
    assert_eq!(eval("[1, 2] = [1, 2]"), json!(true));
    assert_eq!(eval("{a: 1} = {a: 1}"), json!(true));
    assert_eq!(eval("{a: 1} = {a: 2}"), json!(false));
    // From Camunda's boolean-expression page.
    assert_eq!(eval("duration(\"P1D\") > duration(\"P5D\")"), json!(false));
    assert_eq!(eval("duration(\"P1Y\") >= duration(\"P6M\")"), json!(true));
    assert_eq!(eval("date(\"2020-04-06\") between date(\"2020-04-05\") and date(\"2020-04-09\")"), json!(true));
    assert_eq!(eval("{x: null}.x = null"), json!(true));
    assert_eq!(eval("{x: 1}.y = null"), json!(true));
}

#[test]
fn three_valued_and_or() {
    assert_eq!(eval("false and null"), json!(false));
    assert_eq!(eval("true and null"), json!(null));
    assert_eq!(eval("true or null"), json!(true));
    assert_eq!(eval("false or null"), json!(null));
    assert_eq!(eval("null and false"), json!(false));
    assert_eq!(eval("true and true"), json!(true));
    assert_eq!(eval("false or false"), json!(false));
    assert_eq!(eval("amount != null and amount > 100"), json!(true));
    assert_eq!(eval("missing != null and missing > 100"), json!(false));
}

#[test]
fn not_is_a_function() {
    assert_eq!(eval("not(true)"), json!(false));
    assert_eq!(eval("not(i > 10)"), json!(true));
    assert_eq!(eval("not(null)"), json!(null));
}

#[test]
fn lists_are_one_indexed_with_negative_indexes_from_the_end() {
    assert_eq!(eval("numbers[1]"), json!(1));
    assert_eq!(eval("numbers[4]"), json!(4));
    assert_eq!(eval("numbers[-1]"), json!(4));
    assert_eq!(eval("numbers[-4]"), json!(1));
    assert_eq!(eval("numbers[5]"), json!(null));
    assert_eq!(eval("numbers[0]"), json!(null));
    assert_eq!(eval("numbers[-5]"), json!(null));
    assert_eq!(eval("numbers[n]"), json!(3));
}

#[test]
fn filters_keep_matching_items() {
    assert_eq!(eval("numbers[item > 2]"), json!([3, 4]));
    assert_eq!(eval("items[price > 10].id"), json!(["b", "c"]));
    assert_eq!(eval("items[price > 100]"), json!([]));
    assert_eq!(eval("[1,2,3,4][even(item)]"), json!([2, 4]));
    assert_eq!(eval("items[id = \"b\"][1].price"), json!(15));
}

#[test]
fn if_then_else() {
    assert_eq!(eval("if i > 5 then \"big\" else \"small\""), json!("big"));
    assert_eq!(eval("if i > 50 then \"big\" else \"small\""), json!("small"));
    // A null condition takes the else branch.
    assert_eq!(eval("if missing then 1 else 2"), json!(2));
}

#[test]
fn for_in_return() {
    assert_eq!(eval("for x in numbers return x * 2"), json!([2, 4, 6, 8]));
    assert_eq!(eval("for i in 1..n return i"), json!([1, 2, 3]));
    assert_eq!(eval("for i in 3..1 return i"), json!([3, 2, 1]));
    assert_eq!(eval("for x in [1, 2], y in [10, 20] return x + y"), json!([11, 21, 12, 22]));
    assert_eq!(eval("for item in items return item.price"), json!([5, 15, 25]));
}

#[test]
fn some_and_every() {
    assert_eq!(eval("some x in numbers satisfies x > 3"), json!(true));
    assert_eq!(eval("some x in numbers satisfies x > 4"), json!(false));
    assert_eq!(eval("every x in numbers satisfies x > 0"), json!(true));
    assert_eq!(eval("every x in numbers satisfies x > 1"), json!(false));
    assert_eq!(eval("every x in [] satisfies x > 1"), json!(true));
    // Camunda's list-expression page: two iterators, and conditions that are not true count as false.
    assert_eq!(eval("some x in [1,2], y in [2,3] satisfies x < y"), json!(true));
    assert_eq!(eval("every x in [1,2], y in [2,3] satisfies x < y"), json!(false));
    assert_eq!(eval("some x in [null, 1] satisfies x > 5"), json!(false));
    assert_eq!(eval("every x in [null, 10] satisfies x > 5"), json!(false));
}

#[test]
fn ranges_and_in() {
    assert_eq!(eval("i in [1..10]"), json!(true));
    assert_eq!(eval("10 in [1..10)"), json!(false));
    assert_eq!(eval("1 in (1..10]"), json!(false));
    assert_eq!(eval("i in [1, 7, 9]"), json!(true));
    assert_eq!(eval("i in [1, 2]"), json!(false));
    assert_eq!(eval("\"b\" in [\"a\", \"b\"]"), json!(true));
    assert_eq!(eval("i in [i - 1 .. i + 1]"), json!(true));
    // From Camunda's "What is FEEL?" page: a parenthesised list of values after `in`.
    assert_eq!(eval("if name in (\"Ada\", \"Grace\") then \"valid\" else \"not valid\""), json!("valid"));
    assert_eq!(eval("i in (1, 2)"), json!(false));
    assert_eq!(eval("i in (7)"), json!(true));
    assert_eq!(eval("i in (1..7)"), json!(false));
}

#[test]
fn between() {
    assert_eq!(eval("i between 1 and 10"), json!(true));
    assert_eq!(eval("i between 7 and 7"), json!(true));
    assert_eq!(eval("i between 8 and 10"), json!(false));
    assert_eq!(eval("missing between 1 and 10"), json!(null));
}

#[test]
fn instance_of() {
    assert_eq!(eval("i instance of number"), json!(true));
    assert_eq!(eval("name instance of string"), json!(true));
    assert_eq!(eval("name instance of number"), json!(false));
    assert_eq!(eval("order instance of context"), json!(true));
    assert_eq!(eval("numbers instance of list"), json!(true));
    assert_eq!(eval("true instance of boolean"), json!(true));
    assert_eq!(eval("@\"2024-01-31T10:00:00Z\" instance of date and time"), json!(true));
    assert_eq!(eval("missing instance of string"), json!(false));
}

#[test]
fn temporal_literals_and_arithmetic() {
    assert_eq!(eval("@\"2024-01-31\""), json!("2024-01-31"));
    // Camunda's temporal-expression page: an invalid calendar date is null.
    assert_eq!(eval("@\"2024-06-31\""), json!(null));
    assert_eq!(eval("date and time(\"2020-04-06T08:00:00\") + duration(\"P7D\")"), json!("2020-04-13T08:00:00"));
    assert_eq!(eval("@\"P1Y6M\""), json!("P1Y6M"));
    assert_eq!(eval("date(\"2024-01-31\") + duration(\"P1D\")"), json!("2024-02-01"));
    assert_eq!(eval("date(\"2024-01-31\") + duration(\"P1M\")"), json!("2024-02-29"));
    assert_eq!(eval("date and time(\"2024-01-31T10:00:00Z\") + duration(\"PT1H30M\")"), json!("2024-01-31T11:30:00Z"));
    assert_eq!(
        eval("date and time(\"2024-01-31T10:00:00Z\") - date and time(\"2024-01-30T08:00:00Z\")"),
        json!("P1DT2H")
    );
    assert_eq!(eval("duration(\"PT1H\") * 3"), json!("PT3H"));
    assert_eq!(eval("duration(\"P1Y2M\")"), json!("P1Y2M"));
    assert_eq!(eval("date(\"2024-01-31\") < date(\"2024-02-01\")"), json!(true));
    assert_eq!(eval("date(\"2024-01-31\").month"), json!(1));
    assert_eq!(eval("duration(\"P1DT2H\").hours"), json!(2));
}

#[test]
fn now_and_today_read_the_clock_of_the_variable_source() {
    assert_eq!(eval("now()"), json!("2024-01-31T10:00:00Z"));
    assert_eq!(eval("today()"), json!("2024-01-31"));
    assert_eq!(eval("string(now())"), json!("2024-01-31T10:00:00Z"));
    assert_eq!(eval("now() + duration(\"PT5M\")"), json!("2024-01-31T10:05:00Z"));
}

#[test]
fn comments_are_ignored() {
    assert_eq!(eval("1 + /* two */ 2 // three"), json!(3));
}

#[test]
fn context_entries_see_earlier_entries() {
    assert_eq!(eval("{a: 1, b: a + 1}"), json!({"a": 1, "b": 2}));
    assert_eq!(eval("{i: 1, j: i}.j"), json!(1));
}

/// The examples of Camunda's "FEEL error handling" page.
#[test]
fn camunda_error_handling_examples() {
    assert_eq!(eval("a.b > 10"), json!(null));
    assert_eq!(eval("[{a: 1}, {b: 2}].a"), json!([1, null]));
    assert_eq!(eval("[{a: 1}, {b: 2}][a < 10]"), json!([{"a": 1}]));
    assert_eq!(eval("a != null and a.b > 10"), json!(false));
    assert_eq!(eval("get or else(a, \"prio-99\")"), json!("prio-99"));
}
