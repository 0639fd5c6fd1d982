//! Unit tests of `intrinsics.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use serde_json::json;

fn run(text: &str, input: Value) -> Result<Value, AslError> {
    eval(
        &parse(text).unwrap(),
        &input,
        &json!({"Execution": {"Name": "exec-1"}}),
    )
}

fn ok(text: &str, input: Value) -> Value {
    run(text, input).unwrap()
}

#[test]
fn format_documented_examples() {
    let input = json!({"name": "Arnav", "template": "Hello, my name is {}."});
    assert_eq!(
        ok(
            "States.Format('Hello, my name is {}.', $.name)",
            input.clone()
        ),
        json!("Hello, my name is Arnav.")
    );
    assert_eq!(
        ok("States.Format($.template, $.name)", input),
        json!("Hello, my name is Arnav.")
    );
    assert_eq!(
        ok("States.Format('{} {} {}', 1, true, null)", json!({})),
        json!("1 true null")
    );
    assert_eq!(
        ok(r"States.Format('a \{\} b \' c \\ {}', 'x')", json!({})),
        json!(r"a {} b ' c \ x")
    );
    assert_eq!(
        ok("States.Format('run {}', $$.Execution.Name)", json!({})),
        json!("run exec-1")
    );
    assert!(run("States.Format('{} {}', 'one')", json!({})).is_err());
    assert!(run("States.Format('{}', 'one', 'two')", json!({})).is_err());
}

#[test]
fn json_string_round_trip() {
    let input = json!({"escapedJsonString": "{\"foo\": \"bar\"}", "unescapedJson": {"foo": "bar"}});
    assert_eq!(
        ok("States.StringToJson($.escapedJsonString)", input.clone()),
        json!({"foo": "bar"})
    );
    assert_eq!(
        ok("States.JsonToString($.unescapedJson)", input),
        json!("{\"foo\":\"bar\"}")
    );
    assert!(run("States.StringToJson('{nope')", json!({})).is_err());
}

#[test]
fn array_functions() {
    assert_eq!(
        ok("States.Array($.Id)", json!({"Id": 123456})),
        json!([123456])
    );
    assert_eq!(ok("States.Array()", json!({})), json!([]));
    assert_eq!(
        ok(
            "States.ArrayPartition($.a, 4)",
            json!({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]})
        ),
        json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]])
    );
    assert!(run("States.ArrayPartition($.a, 0)", json!({"a": [1]})).is_err());
    assert_eq!(
        ok(
            "States.ArrayContains($.a, $.v)",
            json!({"a": [1, 2, 3], "v": 2})
        ),
        json!(true)
    );
    assert_eq!(
        ok("States.ArrayContains($.a, 'x')", json!({"a": [1, 2, 3]})),
        json!(false)
    );
    assert_eq!(
        ok("States.ArrayRange(1, 9, 2)", json!({})),
        json!([1, 3, 5, 7, 9])
    );
    assert_eq!(
        ok("States.ArrayRange(5, 1, -2)", json!({})),
        json!([5, 3, 1])
    );
    assert!(run("States.ArrayRange(1, 5000, 1)", json!({})).is_err());
    assert!(run("States.ArrayRange(1, 5, 0)", json!({})).is_err());
    assert_eq!(
        ok("States.ArrayGetItem($.a, 1)", json!({"a": [1, 2, 3]})),
        json!(2)
    );
    assert!(run("States.ArrayGetItem($.a, 3)", json!({"a": [1, 2, 3]})).is_err());
    assert_eq!(
        ok("States.ArrayLength($.a)", json!({"a": [1, 2, 3]})),
        json!(3)
    );
    assert_eq!(
        ok(
            "States.ArrayUnique($.a)",
            json!({"a": [1, 2, 3, 3, 3, 3, 3, 3, 4]})
        ),
        json!([1, 2, 3, 4])
    );
    assert!(run("States.ArrayLength($.a)", json!({"a": "x"})).is_err());
}

#[test]
fn encoding_and_hash() {
    let input = json!({"input": "Data to encode"});
    assert_eq!(
        ok("States.Base64Encode($.input)", input),
        json!("RGF0YSB0byBlbmNvZGU=")
    );
    assert_eq!(
        ok("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", json!({})),
        json!("Data to encode")
    );
    assert!(run("States.Base64Decode('***')", json!({})).is_err());
    let long = "x".repeat(10_001);
    assert!(run("States.Base64Encode($.s)", json!({ "s": long })).is_err());
    assert_eq!(
        ok("States.Hash('abc', 'MD5')", json!({})),
        json!("900150983cd24fb0d6963f7d28e17f72")
    );
    assert_eq!(
        ok("States.Hash('abc', 'SHA-1')", json!({})),
        json!("a9993e364706816aba3e25717850c26c9cd0d89d")
    );
    assert_eq!(
        ok("States.Hash('abc', 'SHA-256')", json!({})),
        json!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    assert_eq!(
        ok("States.Hash('abc', 'SHA-384')", json!({}))
            .as_str()
            .unwrap()
            .len(),
        96
    );
    assert_eq!(
        ok("States.Hash('abc', 'SHA-512')", json!({}))
            .as_str()
            .unwrap()
            .len(),
        128
    );
    assert!(run("States.Hash('abc', 'CRC32')", json!({})).is_err());
}

#[test]
fn json_merge_math_split_uuid() {
    let input = json!({"a": {"x": 1, "n": {"p": 1}}, "b": {"y": 2, "n": {"q": 2}}});
    assert_eq!(
        ok("States.JsonMerge($.a, $.b, false)", input.clone()),
        json!({"x": 1, "y": 2, "n": {"q": 2}})
    );
    assert!(run("States.JsonMerge($.a, $.b, true)", input).is_err());
    assert_eq!(ok("States.MathAdd($.v, -1)", json!({"v": 111})), json!(110));
    assert!(run("States.MathAdd(1.5, 1)", json!({})).is_err());
    for _ in 0..50 {
        let r = ok("States.MathRandom(1, 5)", json!({})).as_i64().unwrap();
        assert!((1..5).contains(&r));
    }
    assert_eq!(
        ok("States.MathRandom(1, 1000, 7)", json!({})),
        ok("States.MathRandom(1, 1000, 7)", json!({}))
    );
    assert_eq!(
        ok("States.StringSplit('1,2,3,4,5', ',')", json!({})),
        json!(["1", "2", "3", "4", "5"])
    );
    assert_eq!(
        ok(
            "States.StringSplit('This.is+a,test=string', '.+,=')",
            json!({})
        ),
        json!(["This", "is", "a", "test", "string"])
    );
    let id = ok("States.UUID()", json!({}));
    let id = id.as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4");
    assert_ne!(
        ok("States.UUID()", json!({})),
        ok("States.UUID()", json!({}))
    );
}

#[test]
fn nested_calls_and_documented_arn_example() {
    let input = json!({"ImageRecipe": {"Arn": "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my.recipe/1.0.0"}});
    // The guide's example has three {} for two arguments; with two it is well formed.
    let text = "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))";
    assert_eq!(ok(text, input), json!("1.0"));
    assert_eq!(
        ok(
            "States.ArrayLength(States.Array(1, 'a,b', $['k,v']))",
            json!({"k,v": 3})
        ),
        json!(3)
    );
}

#[test]
fn parse_errors() {
    for bad in [
        "States.Nope(1)",
        "States.Format(",
        "States.Format('x'",
        "States.UUID(1)",
        "States.ArrayLength()",
        "States.Format('bad \\n escape')",
        "States.Array(foo)",
        "States.Array(1) trailing",
        "States.Array($.a[?(@.x)])",
    ] {
        assert!(parse(bad).is_err(), "{bad} should not parse");
    }
    let deep = format!("{}1{}", "States.Array(".repeat(11), ")".repeat(11));
    assert!(parse(&deep).is_err());
    let ok10 = format!("{}1{}", "States.Array(".repeat(10), ")".repeat(10));
    assert!(parse(&ok10).is_ok());
}

#[test]
fn missing_path_argument_is_runtime_error() {
    let err = run("States.Array($.nope)", json!({})).unwrap_err();
    assert_eq!(err.error_name(), "States.Runtime");
}
