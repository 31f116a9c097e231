//! Cost: a non-negative decimal amount in an ISO 4217 currency.
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::{AppError, AppResult};

/// Active ISO 4217 alphabetic codes (fund codes and the test/none codes left out).
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
    "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP",
    "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD",
    "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY",
    "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD",
    "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK",
    "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG",
    "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS",
    "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// The largest amount accepted: costs are budgets, not national debts, and the bound keeps
/// the text column and arithmetic safe.
const AMOUNT_MAX: i64 = 1_000_000_000_000;
/// Decimal places accepted (the most any ISO 4217 currency uses).
const SCALE_MAX: u32 = 4;

/// A validated cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub amount: Decimal,
    pub currency: String,
}

impl Money {
    /// `field` names the input object (`cost`); errors name `cost.amount` / `cost.currency`.
    pub fn parse(field: &str, amount: &str, currency: &str) -> AppResult<Self> {
        let amount_field = format!("{field}.amount");
        let parsed = Decimal::from_str(amount.trim())
            .map_err(|_| AppError::bad_input(&amount_field, "amount is not a decimal number"))?;
        if parsed.is_sign_negative() && !parsed.is_zero() {
            return Err(AppError::bad_input(
                &amount_field,
                "amount must not be negative",
            ));
        }
        if parsed > Decimal::from(AMOUNT_MAX) {
            return Err(AppError::bad_input(&amount_field, "amount is too large"));
        }
        let normalized = parsed.normalize();
        if normalized.scale() > SCALE_MAX {
            return Err(AppError::bad_input(
                &amount_field,
                format!("amount has more than {SCALE_MAX} decimal places"),
            ));
        }
        let code = currency.trim().to_ascii_uppercase();
        if !ISO_4217.contains(&code.as_str()) {
            return Err(AppError::bad_input(
                format!("{field}.currency"),
                "currency is not an ISO 4217 code",
            ));
        }
        Ok(Self {
            amount: normalized.abs(),
            currency: code,
        })
    }

    /// The canonical text stored in the database (`12.5`, not `12.50`).
    pub fn amount_text(&self) -> String {
        self.amount.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        let m = Money::parse("cost", "12.50", "eur").ok();
        assert_eq!(
            m.map(|m| (m.amount_text(), m.currency)),
            Some(("12.5".into(), "EUR".into()))
        );
    }

    #[test]
    fn rejects_bad_values() {
        let field = |r: AppResult<Money>| r.err().and_then(|e| e.field().map(str::to_owned));
        assert_eq!(
            field(Money::parse("cost", "-1", "EUR")),
            Some("cost.amount".into())
        );
        assert_eq!(
            field(Money::parse("cost", "abc", "EUR")),
            Some("cost.amount".into())
        );
        assert_eq!(
            field(Money::parse("cost", "1", "EUX")),
            Some("cost.currency".into())
        );
        assert_eq!(
            field(Money::parse("cost", "0.00001", "EUR")),
            Some("cost.amount".into())
        );
        assert!(Money::parse("cost", "0", "JPY").is_ok());
    }
}
