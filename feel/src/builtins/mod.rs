//! The built-in functions: a table of names, arities and implementations.
//!
//! A call with arguments of the wrong type evaluates to `null`, as in Zeebe's FEEL 1.17+.

pub(crate) mod contexts;
pub(crate) mod conversion;
pub(crate) mod lists;
pub(crate) mod numbers;
pub(crate) mod strings;

use crate::lookup::VariableLookup;
use crate::value::Value;

/// The implementation of a built-in: evaluated arguments and the variable source (for the clock).
type Function = fn(&[Value], &dyn VariableLookup) -> Value;

/// Any number of arguments.
const MANY: usize = usize::MAX;

struct Spec {
    name: &'static str,
    min: usize,
    max: usize,
    function: Function,
}

const fn spec(name: &'static str, min: usize, max: usize, function: Function) -> Spec {
    Spec { name, min, max, function }
}

static TABLE: &[Spec] = &[
    // conversion and temporal
    spec("string", 1, 1, conversion::string),
    spec("number", 1, 3, conversion::number),
    spec("date", 1, 3, conversion::date),
    spec("date and time", 1, 1, conversion::date_and_time),
    spec("duration", 1, 1, conversion::duration),
    spec("now", 0, 0, conversion::now),
    spec("today", 0, 0, conversion::today),
    spec("day of week", 1, 1, conversion::day_of_week),
    spec("month of year", 1, 1, conversion::month_of_year),
    spec("last day of month", 1, 1, conversion::last_day_of_month),
    spec("cycle", 1, 2, conversion::cycle),
    // booleans and null
    spec("not", 1, 1, contexts::not),
    spec("get or else", 2, 2, contexts::get_or_else),
    // strings
    spec("contains", 2, 2, strings::contains),
    spec("starts with", 2, 2, strings::starts_with),
    spec("ends with", 2, 2, strings::ends_with),
    spec("upper case", 1, 1, strings::upper_case),
    spec("lower case", 1, 1, strings::lower_case),
    spec("substring", 2, 3, strings::substring),
    spec("substring before", 2, 2, strings::substring_before),
    spec("substring after", 2, 2, strings::substring_after),
    spec("string length", 1, 1, strings::string_length),
    spec("split", 2, 2, strings::split),
    spec("matches", 2, 3, strings::matches),
    spec("replace", 3, 4, strings::replace),
    spec("string join", 1, 2, strings::string_join),
    spec("trim", 1, 1, strings::trim),
    spec("is blank", 1, 1, strings::is_blank),
    // lists
    spec("list contains", 2, 2, lists::list_contains),
    spec("count", 1, 1, lists::count),
    spec("sum", 1, MANY, lists::sum),
    spec("min", 1, MANY, lists::min),
    spec("max", 1, MANY, lists::max),
    spec("mean", 1, MANY, lists::mean),
    spec("product", 1, MANY, lists::product),
    spec("all", 1, MANY, lists::all),
    spec("any", 1, MANY, lists::any),
    spec("append", 1, MANY, lists::append),
    spec("concatenate", 0, MANY, lists::concatenate),
    spec("distinct values", 1, 1, lists::distinct_values),
    spec("flatten", 1, 1, lists::flatten),
    spec("index of", 2, 2, lists::index_of),
    spec("reverse", 1, 1, lists::reverse),
    spec("sort", 1, 1, lists::sort),
    spec("sublist", 2, 3, lists::sublist),
    spec("insert before", 3, 3, lists::insert_before),
    spec("remove", 2, 2, lists::remove),
    spec("union", 0, MANY, lists::union),
    spec("duplicate values", 1, 1, lists::duplicate_values),
    spec("partition", 2, 2, lists::partition),
    spec("is empty", 1, 1, lists::is_empty),
    // contexts
    spec("get value", 2, 2, contexts::get_value),
    spec("get entries", 1, 1, contexts::get_entries),
    spec("context put", 3, 3, contexts::context_put),
    spec("context merge", 1, 1, contexts::context_merge),
    // numbers
    spec("abs", 1, 1, numbers::abs),
    spec("floor", 1, 2, numbers::floor),
    spec("ceiling", 1, 2, numbers::ceiling),
    spec("decimal", 2, 2, numbers::decimal),
    spec("round half up", 2, 2, numbers::round_half_up),
    spec("round half down", 2, 2, numbers::round_half_down),
    spec("round up", 2, 2, numbers::round_up),
    spec("round down", 2, 2, numbers::round_down),
    spec("modulo", 2, 2, numbers::modulo),
    spec("odd", 1, 1, numbers::odd),
    spec("even", 1, 1, numbers::even),
];

/// A resolved built-in function (an index into the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Builtin(usize);

/// Finds the built-in called `name` (words separated by single spaces).
pub(crate) fn lookup(name: &str) -> Option<Builtin> {
    TABLE.iter().position(|spec| spec.name == name).map(Builtin)
}

impl Builtin {
    fn spec(self) -> &'static Spec {
        // The index comes from `lookup`, so it is always in range; fall back to the first entry anyway.
        TABLE.get(self.0).unwrap_or(&TABLE[0])
    }

    /// True when the function takes `count` arguments.
    pub(crate) fn accepts(self, count: usize) -> bool {
        let spec = self.spec();
        (spec.min..=spec.max).contains(&count)
    }

    /// The accepted argument counts in words, for error messages.
    pub(crate) fn arity_text(self) -> String {
        let spec = self.spec();
        let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
        match (spec.min, spec.max) {
            (min, MANY) => format!("at least {min} {}", plural(min)),
            (min, max) if min == max => format!("exactly {min} {}", plural(min)),
            (min, max) => format!("{min} to {max} arguments"),
        }
    }

    /// Calls the function.
    pub(crate) fn call(self, arguments: &[Value], variables: &dyn VariableLookup) -> Value {
        (self.spec().function)(arguments, variables)
    }
}

/// The items of a variadic aggregate: `sum([1, 2])` and `sum(1, 2)` both mean the list `[1, 2]`.
fn items_of(arguments: &[Value]) -> Option<&[Value]> {
    match arguments {
        [Value::List(items)] => Some(items),
        [Value::Null] => None,
        other => Some(other),
    }
}
