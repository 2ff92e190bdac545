//! Numeric functions on decimals.

use crate::lookup::VariableLookup;
use crate::value::Value;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

fn number(arguments: &[Value]) -> Option<Decimal> {
    match arguments.first() {
        Some(Value::Number(n)) => Some(*n),
        _ => None,
    }
}

/// Rounds `arguments[0]` to `arguments[1]` decimal places (0 when absent) with `strategy`.
fn round(arguments: &[Value], strategy: RoundingStrategy) -> Value {
    let scale = match arguments.get(1) {
        None => Some(0),
        Some(Value::Number(scale)) => scale.to_u32().filter(|scale| *scale <= 28),
        Some(_) => None,
    };
    match (number(arguments), scale) {
        (Some(n), Some(scale)) => Value::Number(n.round_dp_with_strategy(scale, strategy)),
        _ => Value::Null,
    }
}

/// `abs(n)`.
pub(crate) fn abs(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    number(arguments).map_or(Value::Null, |n| Value::Number(n.abs()))
}

/// `floor(n, scale?)`: towards negative infinity.
pub(crate) fn floor(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    round(arguments, RoundingStrategy::ToNegativeInfinity)
}

/// `ceiling(n, scale?)`: towards positive infinity.
pub(crate) fn ceiling(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    round(arguments, RoundingStrategy::ToPositiveInfinity)
}

/// `decimal(n, scale)`: half to even ("banker's rounding").
pub(crate) fn decimal(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    round(arguments, RoundingStrategy::MidpointNearestEven)
}

/// `round half up(n, scale)`: halves away from zero.
pub(crate) fn round_half_up(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    round(arguments, RoundingStrategy::MidpointAwayFromZero)
}

/// `round half down(n, scale)`: halves towards zero.
pub(crate) fn round_half_down(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    round(arguments, RoundingStrategy::MidpointTowardZero)
}

/// `round up(n, scale)`: away from zero.
pub(crate) fn round_up(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    round(arguments, RoundingStrategy::AwayFromZero)
}

/// `round down(n, scale)`: towards zero.
pub(crate) fn round_down(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    round(arguments, RoundingStrategy::ToZero)
}

/// `modulo(dividend, divisor)`: the result takes the sign of the divisor; `null` for divisor 0.
pub(crate) fn modulo(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    let [Value::Number(dividend), Value::Number(divisor)] = arguments else { return Value::Null };
    let remainder = dividend.checked_rem(*divisor);
    match remainder {
        Some(r) if !r.is_zero() && r.is_sign_negative() != divisor.is_sign_negative() => {
            r.checked_add(*divisor).map_or(Value::Null, Value::Number)
        }
        Some(r) => Value::Number(r),
        None => Value::Null,
    }
}

fn parity(arguments: &[Value], odd: bool) -> Value {
    match number(arguments) {
        Some(n) if n.fract().is_zero() => {
            let is_odd = !(n % Decimal::TWO).is_zero();
            Value::Bool(is_odd == odd)
        }
        _ => Value::Null,
    }
}

/// `odd(n)`: `null` for a non-integer.
pub(crate) fn odd(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    parity(arguments, true)
}

/// `even(n)`: `null` for a non-integer.
pub(crate) fn even(arguments: &[Value], _: &dyn VariableLookup) -> Value {
    parity(arguments, false)
}
