//! Payload templates (`Parameters`, `ItemSelector`, `ResultSelector`): `.$` keys filled from paths,
//! the context object, or intrinsic functions.

use serde_json::{Map, Value};

use super::error::AslError;
use super::intrinsics::{self, Call};
use super::jsonpath::JsonPath;

/// A compiled payload template.
#[derive(Debug, Clone, PartialEq)]
pub enum Template {
    /// A value copied as is.
    Literal(Value),
    /// An object whose fields are templates (keys already stripped of `.$`).
    Object(Vec<(String, Template)>),
    /// An array of templates.
    Array(Vec<Template>),
    /// A `key.$` field selected by a path; `field` is the key as written, for messages.
    Path {
        /// The path.
        path: JsonPath,
        /// The key as written in the definition.
        field: String,
    },
    /// A `key.$` field computed by an intrinsic function.
    Intrinsic(Call),
}

impl Template {
    /// Compiles a template, checking every `.$` value at load time.
    pub fn compile(value: &Value, location: &str) -> Result<Self, AslError> {
        Ok(match value {
            Value::Object(obj) => {
                let mut fields = Vec::with_capacity(obj.len());
                let mut seen = std::collections::HashSet::new();
                for (key, v) in obj {
                    let (name, t) = if let Some(name) = key.strip_suffix(".$") {
                        let Value::String(text) = v else {
                            return Err(AslError::invalid(
                                location,
                                format!(
                                    "the value of '{key}' must be a string (a path or an intrinsic function)"
                                ),
                            ));
                        };
                        let t = if intrinsics::is_intrinsic(text) {
                            Template::Intrinsic(intrinsics::parse(text).map_err(|e| {
                                AslError::invalid(location, format!("field '{key}': {e}"))
                            })?)
                        } else {
                            Template::Path {
                                path: JsonPath::parse(text).map_err(|e| {
                                    AslError::invalid(location, format!("field '{key}': {e}"))
                                })?,
                                field: key.clone(),
                            }
                        };
                        (name.to_string(), t)
                    } else {
                        (key.clone(), Self::compile(v, location)?)
                    };
                    if !seen.insert(name.clone()) {
                        return Err(AslError::invalid(
                            location,
                            format!("field '{name}' is given twice (with and without '.$')"),
                        ));
                    }
                    fields.push((name, t));
                }
                Template::Object(fields)
            }
            Value::Array(items) => Template::Array(
                items
                    .iter()
                    .map(|v| Self::compile(v, location))
                    .collect::<Result<_, _>>()?,
            ),
            other => Template::Literal(other.clone()),
        })
    }

    /// Fills the template from the state's `input` and the `context` object.
    pub fn render(&self, input: &Value, context: &Value) -> Result<Value, AslError> {
        Ok(match self {
            Template::Literal(v) => v.clone(),
            Template::Object(fields) => {
                let mut out = Map::with_capacity(fields.len());
                for (k, t) in fields {
                    out.insert(k.clone(), t.render(input, context)?);
                }
                Value::Object(out)
            }
            Template::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|t| t.render(input, context))
                    .collect::<Result<_, _>>()?,
            ),
            Template::Path { path, field } => {
                let root = if path.is_context() { context } else { input };
                path.select(root).ok_or_else(|| {
                    AslError::states_runtime(format!(
                        "The JSONPath '{}' specified for the field '{}' could not be found in the {}",
                        path.text(),
                        field,
                        if path.is_context() { "context object" } else { "input" }
                    ))
                })?
            }
            Template::Intrinsic(call) => intrinsics::eval(call, input, context)?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_parameters_example() {
        let input = json!({
            "comment": "Example for Parameters.",
            "product": {
                "details": {"color": "blue", "size": "small", "material": "cotton"},
                "availability": "in stock", "sku": "2317", "cost": "$23"
            }
        });
        let t = Template::compile(
            &json!({
                "comment": "Selecting what I care about.",
                "MyDetails": {"size.$": "$.product.details.size", "exists.$": "$.product.availability", "StaticValue": "foo"}
            }),
            "test",
        )
        .unwrap();
        assert_eq!(
            t.render(&input, &json!({})).unwrap(),
            json!({"comment": "Selecting what I care about.", "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"}})
        );
    }

    #[test]
    fn context_intrinsics_and_arrays() {
        let t = Template::compile(
            &json!({"name.$": "$$.Execution.Name", "list": [{"v.$": "$.a"}, 2], "n.$": "States.ArrayLength($.l)", "all.$": "$.l[*]"}),
            "test",
        )
        .unwrap();
        let out = t
            .render(
                &json!({"a": 1, "l": [5, 6]}),
                &json!({"Execution": {"Name": "e"}}),
            )
            .unwrap();
        assert_eq!(
            out,
            json!({"name": "e", "list": [{"v": 1}, 2], "n": 2, "all": [5, 6]})
        );
    }

    #[test]
    fn bad_templates_are_refused_at_load() {
        assert!(Template::compile(&json!({"a.$": 3}), "t").is_err());
        assert!(Template::compile(&json!({"a.$": "nope"}), "t").is_err());
        assert!(Template::compile(&json!({"a.$": "States.Bogus()"}), "t").is_err());
        assert!(Template::compile(&json!({"a.$": "$.x", "a": 1}), "t").is_err());
    }

    #[test]
    fn missing_path_is_states_runtime() {
        let t = Template::compile(&json!({"a.$": "$.missing"}), "t").unwrap();
        let err = t.render(&json!({}), &json!({})).unwrap_err();
        assert_eq!(err.error_name(), "States.Runtime");
        assert!(err.cause().contains("a.$"), "{err}");
    }
}
