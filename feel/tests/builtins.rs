//! Built-in functions, with results from the FEEL specification and the Camunda FEEL reference.

mod common;

use common::eval;
use serde_json::json;

#[test]
fn conversion_functions() {
    assert_eq!(eval("string(12)"), json!("12"));
    assert_eq!(eval("string(1.50)"), json!("1.5"));
    assert_eq!(eval("string(true)"), json!("true"));
    assert_eq!(eval("string(null)"), json!(null));
    assert_eq!(eval("number(\"12\")"), json!(12));
    assert_eq!(eval("number(\"1.5\")"), json!(1.5));
    assert_eq!(eval("number(\"1,000.5\", \",\", \".\")"), json!(1000.5));
    assert_eq!(eval("number(\"abc\")"), json!(null));
}

#[test]
fn count_sum_min_max_mean() {
    assert_eq!(eval("count(numbers)"), json!(4));
    assert_eq!(eval("count([])"), json!(0));
    assert_eq!(eval("sum(numbers)"), json!(10));
    assert_eq!(eval("sum(1, 2, 3)"), json!(6));
    assert_eq!(eval("min([3, 1, 2])"), json!(1));
    assert_eq!(eval("max(3, 1, 2)"), json!(3));
    assert_eq!(eval("max([\"a\", \"c\", \"b\"])"), json!("c"));
    assert_eq!(eval("mean([1, 2, 3])"), json!(2));
    assert_eq!(eval("sum([1, \"a\"])"), json!(null));
    // DMN specification examples.
    assert_eq!(eval("sum([])"), json!(null));
    assert_eq!(eval("sum(1)"), json!(1));
    assert_eq!(eval("max([])"), json!(null));
    assert_eq!(eval("min(1)"), json!(1));
    assert_eq!(eval("count([1,[2,3]])"), json!(2));
    assert_eq!(eval("mean([])"), json!(null));
    // Camunda list-function page.
    assert_eq!(eval("product([2, 3, 4])"), json!(24));
    assert_eq!(eval("product(2, 3, 4)"), json!(24));
}

#[test]
fn all_and_any() {
    assert_eq!(eval("all([true, false])"), json!(false));
    assert_eq!(eval("all([true, true])"), json!(true));
    assert_eq!(eval("any([false, true])"), json!(true));
    assert_eq!(eval("any([false, null])"), json!(null));
    assert_eq!(eval("all([false,null,true])"), json!(false));
    assert_eq!(eval("any([false,null,true])"), json!(true));
    assert_eq!(eval("all([])"), json!(true));
    assert_eq!(eval("all(0)"), json!(null));
}

#[test]
fn string_functions() {
    assert_eq!(eval("contains(\"foobar\", \"of\")"), json!(false));
    assert_eq!(eval("contains(\"foobar\", \"bar\")"), json!(true));
    assert_eq!(eval("starts with(\"foobar\", \"fo\")"), json!(true));
    assert_eq!(eval("ends with(\"foobar\", \"r\")"), json!(true));
    assert_eq!(eval("upper case(\"aBc4\")"), json!("ABC4"));
    assert_eq!(eval("lower case(\"aBc4\")"), json!("abc4"));
    assert_eq!(eval("substring(\"foobar\", 3)"), json!("obar"));
    assert_eq!(eval("substring(\"foobar\", 3, 3)"), json!("oba"));
    assert_eq!(eval("substring(\"foobar\", -2, 1)"), json!("a"));
    assert_eq!(eval("substring before(\"foobar\", \"bar\")"), json!("foo"));
    assert_eq!(eval("substring after(\"foobar\", \"ob\")"), json!("ar"));
    assert_eq!(eval("string length(\"foo\")"), json!(3));
    assert_eq!(eval("string length(\"äöü\")"), json!(3));
    assert_eq!(eval("split(\"John Doe\", \" \")"), json!(["John", "Doe"]));
    assert_eq!(eval("split(\"a;b;c\", \";\")"), json!(["a", "b", "c"]));
    assert_eq!(eval("string join([\"a\", \"b\", \"c\"], \", \")"), json!("a, b, c"));
    assert_eq!(eval("string join([\"a\", null, \"c\"])"), json!("ac"));
    assert_eq!(eval("trim(\"  hello  \")"), json!("hello"));
    assert_eq!(eval("contains(missing, \"a\")"), json!(null));
}

#[test]
fn regular_expression_functions() {
    // Examples of the DMN specification and Camunda's string-function page.
    assert_eq!(eval("matches(\"foobar\", \"^fo*b\")"), json!(true));
    assert_eq!(eval("matches(\"FooBar\", \"foo\", \"i\")"), json!(true));
    assert_eq!(eval("matches(\"foobar\", \"^bar\")"), json!(false));
    assert_eq!(eval("replace(\"abcd\", \"(ab)|(a)\", \"[1=$1][2=$2]\")"), json!("[1=ab][2=]cd"));
    assert_eq!(
        eval("replace(\"0123456789\", \"(\\\\d{3})(\\\\d{3})(\\\\d{4})\", \"($1) $2-$3\")"),
        json!("(012) 345-6789")
    );
    assert_eq!(eval("split(\"a1b22c\", \"[0-9]+\")"), json!(["a", "b", "c"]));
    assert_eq!(eval("split(\"a , b,c\", \"\\\\s*,\\\\s*\")"), json!(["a", "b", "c"]));
    // Invalid patterns and flags are failed calls: null.
    assert_eq!(eval("matches(\"a\", \"(\")"), json!(null));
    assert_eq!(eval("matches(\"a\", \"a\", \"q\")"), json!(null));
}

#[test]
fn list_functions() {
    assert_eq!(eval("list contains([1, 2, 3], 2)"), json!(true));
    assert_eq!(eval("list contains([1, 2, 3], 5)"), json!(false));
    assert_eq!(eval("list contains([1, null], null)"), json!(true));
    assert_eq!(eval("append([1], 2, 3)"), json!([1, 2, 3]));
    assert_eq!(eval("concatenate([1, 2], [3])"), json!([1, 2, 3]));
    assert_eq!(eval("distinct values([1, 2, 3, 2, 1])"), json!([1, 2, 3]));
    assert_eq!(eval("flatten([[1, 2], [[3]], 4])"), json!([1, 2, 3, 4]));
    assert_eq!(eval("index of([1, 2, 3, 2], 2)"), json!([2, 4]));
    assert_eq!(eval("reverse([1, 2, 3])"), json!([3, 2, 1]));
    assert_eq!(eval("sort([3, 1, 4, 2])"), json!([1, 2, 3, 4]));
    assert_eq!(eval("sublist([4, 5, 6], 1, 2)"), json!([4, 5]));
    assert_eq!(eval("insert before([1, 3], 1, 2)"), json!([2, 1, 3]));
    assert_eq!(eval("remove([1, 2, 3], 2)"), json!([1, 3]));
    assert_eq!(eval("union([1, 2], [2, 3])"), json!([1, 2, 3]));
    assert_eq!(eval("is empty([])"), json!(true));
}

#[test]
fn context_functions() {
    assert_eq!(eval("get value({a: 1}, \"a\")"), json!(1));
    assert_eq!(eval("get value(order, \"total price\")"), json!(99.5));
    assert_eq!(eval("get value({a: 1}, \"b\")"), json!(null));
    assert_eq!(eval("get entries({a: 1, b: 2})"), json!([{"key": "a", "value": 1}, {"key": "b", "value": 2}]));
    assert_eq!(eval("context put({x: 1}, \"y\", 2)"), json!({"x": 1, "y": 2}));
    assert_eq!(eval("context put({x: 1}, \"x\", 3)"), json!({"x": 3}));
    assert_eq!(eval("context put({x: {y: 1}}, [\"x\", \"z\"], 2)"), json!({"x": {"y": 1, "z": 2}}));
    assert_eq!(eval("context merge([{x: 1}, {y: 2}])"), json!({"x": 1, "y": 2}));
    assert_eq!(eval("context merge([{x: 1}, {x: 2}])"), json!({"x": 2}));
}

#[test]
fn is_defined_tells_absent_from_null() {
    assert_eq!(eval("is defined(i)"), json!(true));
    assert_eq!(eval("is defined(nothing)"), json!(true));
    assert_eq!(eval("is defined(missing)"), json!(false));
    assert_eq!(eval("is defined(order.status)"), json!(true));
    assert_eq!(eval("is defined(order.missing)"), json!(false));
    assert_eq!(eval("get or else(missing, 0) > 100"), json!(false));
    assert_eq!(eval("get or else(amount, 0) > 100"), json!(true));
}

#[test]
fn temporal_constructors() {
    assert_eq!(eval("date(\"2024-01-31\")"), json!("2024-01-31"));
    assert_eq!(eval("date(2024, 2, 29)"), json!("2024-02-29"));
    assert_eq!(eval("date(2023, 2, 29)"), json!(null));
    assert_eq!(eval("date(date and time(\"2024-01-31T10:00:00Z\"))"), json!("2024-01-31"));
    assert_eq!(eval("date and time(\"2024-01-31T10:00:00+02:00\")"), json!("2024-01-31T10:00:00+02:00"));
    assert_eq!(eval("date and time(\"2024-01-31T10:00:00\")"), json!("2024-01-31T10:00:00"));
    assert_eq!(eval("duration(\"P1DT2H\")"), json!("P1DT2H"));
    assert_eq!(eval("duration(\"PT90M\")"), json!("PT1H30M"));
    assert_eq!(eval("duration(\"P2W\")"), json!("P14D"));
    assert_eq!(eval("duration(\"nonsense\")"), json!(null));
    assert_eq!(eval("duration(\"-PT1H\")"), json!("-PT1H"));
    assert_eq!(eval("duration(\"PT1.5S\")"), json!("PT1.5S"));
    assert_eq!(eval("duration(\"PT1H\") - duration(\"PT1H\")"), json!("PT0S"));
    assert_eq!(eval("duration(\"P1Y\") + duration(\"P3M\")"), json!("P1Y3M"));
    assert_eq!(eval("duration(\"P1Y2D\")"), json!(null));
    assert_eq!(eval("duration(\"P1MT0S\")"), json!(null), "a zero amount still makes it a mix");
    assert_eq!(eval("duration(\"P0Y\")"), json!("P0M"), "a zero years-and-months duration");
    assert_eq!(eval("duration(\"P0D\")"), json!("PT0S"));
    assert_eq!(eval("duration(\"P13M\").years"), json!(1));
    assert_eq!(eval("duration(\"P1DT1.5H\")"), json!("P1DT1H30M"));
    assert_eq!(eval("duration(\"P1.5DT1H\")"), json!(null), "only the last unit has a fraction");
    assert_eq!(eval("day of week(date(\"2024-01-31\"))"), json!("Wednesday"));
    assert_eq!(eval("month of year(date(\"2024-01-31\"))"), json!("January"));
}

#[test]
fn numeric_functions() {
    assert_eq!(eval("abs(-10)"), json!(10));
    assert_eq!(eval("floor(1.5)"), json!(1));
    assert_eq!(eval("floor(-1.5)"), json!(-2));
    assert_eq!(eval("ceiling(1.5)"), json!(2));
    assert_eq!(eval("ceiling(-1.5)"), json!(-1));
    assert_eq!(eval("decimal(1/3, 2)"), json!(0.33));
    assert_eq!(eval("decimal(2.5, 0)"), json!(2));
    assert_eq!(eval("round half up(2.5, 0)"), json!(3));
    assert_eq!(eval("round half down(2.5, 0)"), json!(2));
    assert_eq!(eval("round up(5.1, 0)"), json!(6));
    assert_eq!(eval("round down(5.9, 0)"), json!(5));
    assert_eq!(eval("modulo(12, 5)"), json!(2));
    assert_eq!(eval("modulo(-12, 5)"), json!(3));
    assert_eq!(eval("modulo(12, -5)"), json!(-3));
    assert_eq!(eval("modulo(10, 0)"), json!(null));
    assert_eq!(eval("odd(5)"), json!(true));
    assert_eq!(eval("even(5)"), json!(false));
}

#[test]
fn multi_word_function_names_next_to_keywords() {
    assert_eq!(eval("i > 1 and date and time(\"2024-01-31T10:00:00Z\") < now() + duration(\"PT1S\")"), json!(true));
    assert_eq!(eval("if is defined(i) then string length(name) else 0"), json!(3));
}

#[test]
fn camunda_extension_functions() {
    assert_eq!(eval("duplicate values([1, 2, 3, 2, 1])"), json!([1, 2]));
    assert_eq!(eval("partition([1, 2, 3, 4, 5], 2)"), json!([[1, 2], [3, 4], [5]]));
    assert_eq!(eval("last day of month(date(\"2024-02-10\"))"), json!("2024-02-29"));
    assert_eq!(eval("last day of month(date(\"2023-12-01\"))"), json!("2023-12-31"));
    assert_eq!(eval("assert(i, i > 0)"), json!(7));
}

#[test]
fn zeebe_cycle_function() {
    assert_eq!(eval("cycle(3, duration(\"PT1H\"))"), json!("R3/PT1H"));
    assert_eq!(eval("cycle(duration(\"P7D\"))"), json!("R/P7D"));
    assert_eq!(eval("cycle(\"PT1H\")"), json!(null));
}
