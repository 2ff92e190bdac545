//! Money as whole micro-dollars ([`Money`]), model prices ([`PriceTable`]) and what a call costs
//! ([`Cost`]).
//!
//! Amounts are integers: a limit of `25.50` is 25,500,000 micro-dollars, and a sum of charges is
//! exact however many there are. Text in and out is a decimal with at most six places; binary
//! floating point never touches an amount (a price file that writes `0.1` as a YAML number is
//! refused and asks for text).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{RegistryError, Result};

/// Micro-dollars in a dollar.
const MICROS: i64 = 1_000_000;

/// An amount of US dollars, held as whole micro-dollars (1 = $0.000001).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Money {
    /// Nothing.
    pub const ZERO: Money = Money(0);

    /// An amount of `micros` micro-dollars.
    pub const fn from_micros(micros: i64) -> Self {
        Self(micros)
    }

    /// An amount of whole `dollars`.
    pub const fn from_dollars(dollars: i64) -> Self {
        Self(dollars * MICROS)
    }

    /// The amount in micro-dollars.
    pub const fn micros(self) -> i64 {
        self.0
    }

    /// True below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The sum, or `None` when it does not fit.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// The amount as a plain decimal for scripts: `25.50`, `0.0025`, `-3.00` (two to six places).
    pub fn decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        let whole = magnitude / MICROS.unsigned_abs();
        let fraction = format!("{:06}", magnitude % MICROS.unsigned_abs());
        let fraction = fraction.trim_end_matches('0');
        format!("{sign}{whole}.{fraction:0<2}")
    }
}

impl fmt::Display for Money {
    /// `$25.50`, `-$3.00`, `$0.0025`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.decimal();
        match text.strip_prefix('-') {
            Some(positive) => write!(f, "-${positive}"),
            None => write!(f, "${text}"),
        }
    }
}

impl FromStr for Money {
    type Err = RegistryError;

    /// Reads `25`, `25.5`, `$25.50`, `-1`, `0.000001`; more than six decimal places, anything
    /// but digits, or an amount beyond ±9 trillion dollars is refused.
    fn from_str(text: &str) -> Result<Self> {
        let invalid = || {
            RegistryError::Invalid(format!(
                "`{text}` is not an amount of dollars; write it like 25, 25.50 or 0.0025 (at most six decimal places)"
            ))
        };
        let trimmed = text.trim();
        let (negative, rest) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let rest = rest.strip_prefix('$').unwrap_or(rest);
        let (whole, fraction) = rest.split_once('.').unwrap_or((rest, ""));
        let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) || fraction.len() > 6 {
            return Err(invalid());
        }
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| invalid())? };
        let fraction: i64 =
            if fraction.is_empty() { 0 } else { format!("{fraction:0<6}").parse().map_err(|_| invalid())? };
        let micros = whole.checked_mul(MICROS).and_then(|m| m.checked_add(fraction)).ok_or_else(invalid)?;
        Ok(Money(if negative { -micros } else { micros }))
    }
}

impl Serialize for Money {
    /// As a decimal string (`"25.50"`), so scripts read the exact amount.
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.decimal())
    }
}

impl<'de> Deserialize<'de> for Money {
    /// From a decimal string (`"0.0025"`) or a whole number of dollars; a number with a
    /// fraction is refused, since it has already been rounded to binary.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Text(String),
            Whole(i64),
            Fraction(f64),
        }
        match Written::deserialize(deserializer)? {
            Written::Text(text) => text.parse().map_err(serde::de::Error::custom),
            Written::Whole(dollars) => dollars
                .checked_mul(MICROS)
                .map(Money)
                .ok_or_else(|| serde::de::Error::custom(format!("{dollars} dollars is too large an amount"))),
            Written::Fraction(number) => Err(serde::de::Error::custom(format!(
                "write the amount {number} as text (\"{number}\"), so it is read exactly"
            ))),
        }
    }
}

/// The price of one model: dollars per 1,000 input and per 1,000 output tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPrice {
    /// Per 1,000 prompt tokens.
    pub input_per_1k: Money,
    /// Per 1,000 completion tokens.
    pub output_per_1k: Money,
}

/// Model prices, by model name: the config's price table.
///
/// ```
/// use personas::{Cost, Money, PriceTable};
///
/// let prices: PriceTable = serde_json::from_str(
///     r#"{"gpt-4o": {"input_per_1k": "0.0025", "output_per_1k": "0.01"}}"#,
/// ).expect("a price table");
/// let cost = Cost::tokens("gpt-4o", 2_000, 500);
/// assert_eq!(prices.price(&cost).expect("priced"), "0.01".parse::<Money>().expect("an amount"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PriceTable {
    models: BTreeMap<String, ModelPrice>,
}

impl PriceTable {
    /// Sets the price of `model`.
    pub fn insert(&mut self, model: impl Into<String>, price: ModelPrice) -> &mut Self {
        self.models.insert(model.into(), price);
        self
    }

    /// The price of `model`, if the table has one.
    pub fn get(&self, model: &str) -> Option<&ModelPrice> {
        self.models.get(model)
    }

    /// What `cost` comes to: an amount as it is, tokens at the model's price, rounded up to the
    /// next micro-dollar (a charge never comes out below the provider's bill).
    pub fn price(&self, cost: &Cost) -> Result<Money> {
        let (model, input, output) = match cost {
            Cost::Amount(amount) if amount.is_negative() => {
                return Err(RegistryError::Invalid(format!("a cost cannot be negative ({amount} was given)")));
            }
            Cost::Amount(amount) => return Ok(*amount),
            Cost::Tokens { model, input_tokens, output_tokens } => (model, *input_tokens, *output_tokens),
        };
        let price = self.get(model).ok_or_else(|| RegistryError::NoPrice { model: model.clone() })?;
        let thousandths = i128::from(input) * i128::from(price.input_per_1k.micros())
            + i128::from(output) * i128::from(price.output_per_1k.micros());
        let micros = (thousandths + 999).div_euclid(1000);
        i64::try_from(micros).map(Money).map_err(|_| {
            RegistryError::Invalid(format!(
                "{input} input and {output} output tokens of `{model}` cost more than can be counted"
            ))
        })
    }
}

/// What a call costs, or is estimated to cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cost {
    /// A known amount.
    Amount(Money),
    /// Tokens of a model, priced from the [`PriceTable`].
    Tokens {
        /// The model, as the price table names it.
        model: String,
        /// Prompt tokens.
        input_tokens: u64,
        /// Completion tokens (for an estimate: the most the call may produce).
        output_tokens: u64,
    },
}

impl Cost {
    /// `input_tokens` and `output_tokens` of `model`.
    pub fn tokens(model: impl Into<String>, input_tokens: u64, output_tokens: u64) -> Self {
        Self::Tokens { model: model.into(), input_tokens, output_tokens }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_and_print_exactly() {
        for (text, micros, shown) in [
            ("25", 25_000_000, "25.00"),
            ("$25.5", 25_500_000, "25.50"),
            ("0.000001", 1, "0.000001"),
            ("-3", -3_000_000, "-3.00"),
            (".25", 250_000, "0.25"),
            ("0.0025", 2_500, "0.0025"),
        ] {
            let money: Money = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((money.micros(), money.decimal().as_str()), (micros, shown), "{text}");
        }
        assert_eq!(Money::from_micros(-3_000_000).to_string(), "-$3.00");
        assert_eq!(Money::from_dollars(7).to_string(), "$7.00");
    }

    #[test]
    fn bad_amounts_are_refused_with_the_form_to_use() {
        for text in ["", "abc", "1.2.3", "0.0000001", "1e3", "99999999999999999999", "$", "-"] {
            let error = text.parse::<Money>().expect_err(text);
            assert!(error.to_string().contains("at most six decimal places"), "{text}: {error}");
        }
    }

    #[test]
    fn a_sum_of_a_million_tenths_of_a_cent_is_exact() {
        let tenth_of_a_cent: Money = "0.001".parse().expect("an amount");
        let total = (0..1_000_000).try_fold(Money::ZERO, |sum, _| sum.checked_add(tenth_of_a_cent)).expect("fits");
        assert_eq!(total, Money::from_dollars(1000));
    }

    #[test]
    fn tokens_are_priced_per_thousand_and_rounded_up() {
        let mut prices = PriceTable::default();
        prices.insert(
            "small",
            ModelPrice {
                input_per_1k: "0.00015".parse().expect("price"),
                output_per_1k: "0.0006".parse().expect("price"),
            },
        );
        // 1 input token costs 0.15 micro-dollars: charged as 1.
        assert_eq!(prices.price(&Cost::tokens("small", 1, 0)), Ok(Money::from_micros(1)));
        // 10,000 in + 2,000 out = 1,500 + 1,200 micro-dollars.
        assert_eq!(prices.price(&Cost::tokens("small", 10_000, 2_000)), Ok(Money::from_micros(2_700)));
        assert_eq!(prices.price(&Cost::tokens("big", 1, 1)), Err(RegistryError::NoPrice { model: "big".into() }));
        assert!(prices.price(&Cost::Amount(Money::from_micros(-1))).is_err());
    }

    #[test]
    fn price_tables_take_text_or_whole_numbers_but_not_fractions() {
        let table: PriceTable =
            serde_json::from_str(r#"{"m": {"input_per_1k": 1, "output_per_1k": "0.5"}}"#).expect("a table");
        assert_eq!(table.get("m").map(|p| p.output_per_1k), Some(Money::from_micros(500_000)));
        let error = serde_json::from_str::<PriceTable>(r#"{"m": {"input_per_1k": 0.1, "output_per_1k": "1"}}"#)
            .expect_err("a fraction as a number");
        assert!(error.to_string().contains("as text"), "{error}");
    }
}
