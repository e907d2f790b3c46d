//! Bounds on input values: how deep they nest, how many values they hold, how long their
//! strings are. Checked on every argument (variables substituted) before any resolver
//! parses it, and on the JSON parameters of the exports.

use async_graphql::Value as ConstValue;

use crate::{
    config::ApiConfig,
    error::{ApiError, ApiResult},
};

/// The limits, and what a request has used of them so far.
#[derive(Debug)]
pub struct InputBudget {
    max_depth: usize,
    max_values: usize,
    max_string_length: usize,
    values: usize,
}

impl InputBudget {
    /// A fresh budget.
    pub fn new(max_depth: usize, max_values: usize, max_string_length: usize) -> Self {
        Self { max_depth, max_values, max_string_length, values: 0 }
    }

    /// A fresh budget with the limits of `config`.
    pub fn from_config(config: &ApiConfig) -> Self {
        Self::new(config.max_input_depth, config.max_input_values, config.max_string_length)
    }

    /// Charges `value`, named `what` in errors (an argument or a parameter), to the budget.
    pub fn charge(&mut self, what: &str, value: &ConstValue) -> ApiResult<()> {
        let mut stack = vec![(value, 1usize)];
        while let Some((value, depth)) = stack.pop() {
            if depth > self.max_depth {
                return Err(ApiError::limit_exceeded(format!(
                    "`{what}` nests input values more than {} deep",
                    self.max_depth
                )));
            }
            self.values += 1;
            if self.values > self.max_values {
                return Err(ApiError::limit_exceeded(format!(
                    "the request holds more than {} input values (at `{what}`)",
                    self.max_values
                )));
            }
            match value {
                ConstValue::String(text) if text.chars().count() > self.max_string_length => {
                    return Err(ApiError::limit_exceeded(format!(
                        "a string in `{what}` is longer than {} characters",
                        self.max_string_length
                    )));
                }
                // PostgreSQL's text cannot hold NUL, and no published name or code has one.
                ConstValue::String(text) if text.contains('\0') => {
                    return Err(ApiError::bad_input(format!("a string in `{what}` holds a NUL character")));
                }
                ConstValue::List(items) => stack.extend(items.iter().map(|item| (item, depth + 1))),
                ConstValue::Object(fields) => stack.extend(fields.values().map(|item| (item, depth + 1))),
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{Name, indexmap::IndexMap};

    use super::*;

    fn nested_not(depth: usize) -> ConstValue {
        (0..depth).fold(ConstValue::Object(IndexMap::new()), |inner, _| {
            ConstValue::Object(IndexMap::from([(Name::new("not"), inner)]))
        })
    }

    #[test]
    fn depth_count_and_length_are_bounded() {
        let mut budget = InputBudget::new(16, 1_000, 10);
        assert!(budget.charge("filter", &nested_not(10)).is_ok());
        let error = budget.charge("filter", &nested_not(600)).expect_err("refused");
        assert!(error.message().contains("16 deep"), "{}", error.message());

        let mut budget = InputBudget::new(16, 100, 10);
        let list = ConstValue::List(vec![ConstValue::Number(1.into()); 200]);
        assert!(budget.charge("code", &list).expect_err("refused").message().contains("100 input values"));

        let mut budget = InputBudget::new(16, 100, 10);
        let long = ConstValue::String("x".repeat(11));
        assert!(budget.charge("after", &long).expect_err("refused").message().contains("10 characters"));
    }
}
