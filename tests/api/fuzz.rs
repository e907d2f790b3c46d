//! A randomised test: requests generated from the published schema (`schema.graphql`, read
//! with async-graphql's own parser), with random root fields, arguments, nesting, aliases,
//! fragments, directives and variables. Argument values are valid, at the boundaries (i32
//! extremes, zero, negative, huge, empty and long strings, NUL bytes, deep and wide lists),
//! or of the wrong type (unknown enum values, strings for numbers, nested lists).
//!
//! Every answer keeps the rules of the hostile corpus: no 5xx but 503, no `INTERNAL` (a
//! panic caught by the server would show as one; an uncaught one fails the request's task),
//! every error coded with a short message, and a body under 20 MB.
//!
//! `SOUTHGRAPH_FUZZ_CASES` sets the number of requests (default 300),
//! `SOUTHGRAPH_FUZZ_SECONDS` a time bound (default 45), `SOUTHGRAPH_FUZZ_SEED` the seed
//! (default: from the clock; case `i` uses seed + `i`, so one failing case reruns alone
//! with its own seed and `SOUTHGRAPH_FUZZ_CASES=1`). A long campaign:
//! `SOUTHGRAPH_FUZZ_CASES=100000 cargo test --release --test api fuzz -- --nocapture`.

use std::{
    collections::HashMap,
    fmt::Write,
    time::{Duration, Instant},
};

use async_graphql::parser::{
    parse_schema,
    types::{BaseType, Type, TypeKind, TypeSystemDefinition},
};
use serde_json::{Map, Value, json};

use crate::{
    hostile_support::{Expect, Probe, check, encode, errors, excerpt, send, still_answers},
    support::TestDb,
};

/// The published schema.
const SCHEMA: &str = include_str!("../../schema.graphql");

/// Deepest selection set generated (the server's depth limit is 12; a few go beyond).
const MAX_SELECTION_DEPTH: usize = 14;

/// Widest list generated. A filter of some 850 `or` branches overflows a 2 MB stack today
/// in a debug build (see `hostile::aborting`), which would end the whole run, so the fuzzer
/// stays well below that; the corpus keeps the wide cases.
const MAX_LIST: usize = 100;

/// SplitMix64: a tiny, seedable generator, good enough to pick test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A field or an input field.
#[derive(Clone, Debug)]
struct Slot {
    name: String,
    ty: Type,
    arguments: Vec<Slot>,
    has_default: bool,
}

/// The schema as the generator needs it.
#[derive(Default)]
struct Model {
    /// Object and interface types, with their fields.
    outputs: HashMap<String, Vec<Slot>>,
    /// Input objects, with their fields.
    inputs: HashMap<String, Vec<Slot>>,
    enums: HashMap<String, Vec<String>>,
    /// The object types implementing each interface.
    implementations: HashMap<String, Vec<String>>,
}

impl Model {
    fn parse() -> Self {
        let document = parse_schema(SCHEMA).expect("schema.graphql parses");
        let mut model = Self::default();
        let slot = |name: &str, ty: &Type, arguments: Vec<Slot>, has_default: bool| Slot {
            name: name.to_owned(),
            ty: ty.clone(),
            arguments,
            has_default,
        };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else { continue };
            let definition = definition.node;
            let name = definition.name.node.to_string();
            match definition.kind {
                TypeKind::Object(object) => {
                    for interface in &object.implements {
                        model.implementations.entry(interface.node.to_string()).or_default().push(name.clone());
                    }
                    let fields = object.fields.iter().map(|f| {
                        let f = &f.node;
                        let arguments = f
                            .arguments
                            .iter()
                            .map(|a| {
                                slot(&a.node.name.node, &a.node.ty.node, Vec::new(), a.node.default_value.is_some())
                            })
                            .collect();
                        slot(&f.name.node, &f.ty.node, arguments, false)
                    });
                    model.outputs.insert(name, fields.collect());
                }
                TypeKind::Interface(interface) => {
                    let fields =
                        interface.fields.iter().map(|f| slot(&f.node.name.node, &f.node.ty.node, Vec::new(), false));
                    model.outputs.insert(name, fields.collect());
                }
                TypeKind::InputObject(input) => {
                    let fields = input
                        .fields
                        .iter()
                        .map(|f| slot(&f.node.name.node, &f.node.ty.node, Vec::new(), f.node.default_value.is_some()));
                    model.inputs.insert(name, fields.collect());
                }
                TypeKind::Enum(values) => {
                    model.enums.insert(name, values.values.iter().map(|v| v.node.value.node.to_string()).collect());
                }
                TypeKind::Scalar | TypeKind::Union(_) => {}
            }
        }
        model
    }
}

/// The named type at the bottom of a type.
fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// A generated input value, written both as GraphQL and as JSON.
#[derive(Clone, Debug)]
enum Input {
    /// A number, as written in GraphQL (JSON gets the nearest double, or a string when
    /// it has none).
    Number(String),
    Text(String),
    Boolean(bool),
    Null,
    Enum(String),
    List(Vec<Input>),
    Object(Vec<(String, Input)>),
}

impl Input {
    fn graphql(&self, out: &mut String) {
        match self {
            Self::Number(text) | Self::Enum(text) => out.push_str(text),
            Self::Text(text) => out.push_str(&Value::String(text.clone()).to_string()),
            Self::Boolean(value) => out.push_str(if *value { "true" } else { "false" }),
            Self::Null => out.push_str("null"),
            Self::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.graphql(out);
                }
                out.push(']');
            }
            Self::Object(fields) => {
                out.push('{');
                for (i, (name, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(name);
                    out.push_str(": ");
                    value.graphql(out);
                }
                out.push('}');
            }
        }
    }

    fn json(&self) -> Value {
        match self {
            Self::Number(text) => match (text.parse::<i64>(), text.parse::<f64>()) {
                (Ok(integer), _) => json!(integer),
                (_, Ok(float)) if float.is_finite() => json!(float),
                _ => Value::String(text.clone()),
            },
            Self::Text(text) | Self::Enum(text) => Value::String(text.clone()),
            Self::Boolean(value) => Value::Bool(*value),
            Self::Null => Value::Null,
            Self::List(items) => Value::Array(items.iter().map(Self::json).collect()),
            Self::Object(fields) => {
                Value::Object(fields.iter().map(|(k, v)| (k.clone(), v.json())).collect::<Map<_, _>>())
            }
        }
    }
}

/// Strings worth trying: real codes and keys, and the awkward ones.
const STRINGS: &[&str] = &[
    "KEN",
    "BRA",
    "CHN",
    "ZA",
    "G77",
    "AU",
    "120",
    "12220",
    "Africa",
    "Asia",
    "aiddata-gcof-1.0",
    "desta-2.02",
    "",
    " ",
    "\0",
    "KEN\0",
    "%",
    "_",
    "\\",
    "'; DROP TABLE flow; --",
    "\u{1F600}",
    "ü",
    "WyJDb3VudHJ5IiwiS0VOIl0",
    "WyJGbG93Il0",
    "cG9zaXRpb246MQ",
    "cG9zaXRpb246LTE",
    "cG9zaXRpb246OTk5OTk5OTk5OTk5OTk5OTk5OTk5",
    "null",
];

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "5",
    "10",
    "20",
    "99",
    "100",
    "101",
    "200",
    "201",
    "1000",
    "1001",
    "1990",
    "2000",
    "2014",
    "2147483647",
    "-2147483648",
    "2147483646",
    "-2147483647",
    "2147483648",
    "-2147483649",
    "99999999999999999999",
];

const FLOATS: &[&str] =
    &["0.0", "-0.5", "1.5", "1e30", "-1e30", "1.7976931348623157e308", "-1.7976931348623157e308", "5e-324", "1e999"];

/// Builds one request.
struct Generator<'a> {
    rng: Rng,
    model: &'a Model,
    fragments: Vec<String>,
    variables: Vec<(String, String, Value)>,
    /// Input values left to generate in this document; past it, values are minimal.
    budget: usize,
}

/// Input values generated per document at most, so that documents stay a few kilobytes
/// (beside the deliberately long strings and lists).
const VALUE_BUDGET: usize = 300;

impl<'a> Generator<'a> {
    fn new(seed: u64, model: &'a Model) -> Self {
        Self { rng: Rng(seed), model, fragments: Vec::new(), variables: Vec::new(), budget: VALUE_BUDGET }
    }

    /// A value for an input of this type; `depth` bounds the nesting of input objects.
    fn value(&mut self, ty: &Type, depth: usize) -> Input {
        self.budget = self.budget.saturating_sub(1);
        let roll = self.rng.below(100);
        if ty.nullable && roll < 5 {
            return Input::Null;
        }
        if roll < 2 {
            return self.wrong();
        }
        match &ty.base {
            BaseType::List(inner) => {
                let length = match self.rng.below(100) {
                    _ if self.budget == 0 => 0,
                    0..=84 => self.rng.below(3),
                    85..=96 => self.rng.below(10),
                    _ => self.rng.below(MAX_LIST + 1),
                };
                if self.rng.chance(10) {
                    // A single value where a list is expected is coerced to a list of one.
                    return self.value(inner, depth);
                }
                Input::List((0..length).map(|_| self.value(inner, depth)).collect())
            }
            BaseType::Named(name) => self.named_value(name.as_str(), depth),
        }
    }

    fn named_value(&mut self, name: &str, depth: usize) -> Input {
        match name {
            "Int" => Input::Number((*self.rng.pick(NUMBERS)).to_owned()),
            "Float" => Input::Number((*self.rng.pick(FLOATS)).to_owned()),
            "Boolean" => Input::Boolean(self.rng.chance(50)),
            "String" | "ID" => Input::Text(self.string()),
            _ => {
                if let Some(values) = self.model.enums.get(name) {
                    return Input::Enum(if self.rng.chance(95) {
                        self.rng.pick(values).clone()
                    } else {
                        "NOPE".to_owned()
                    });
                }
                let Some(fields) = self.model.inputs.get(name).cloned() else { return self.wrong() };
                if depth == 0 || self.budget == 0 {
                    return Input::Object(Vec::new());
                }
                if self.rng.chance(2) {
                    return self.chain(name, &fields);
                }
                let mut chosen = Vec::new();
                for field in &fields {
                    let required = !field.ty.nullable && !field.has_default;
                    if required || self.rng.chance(15) {
                        chosen.push((field.name.clone(), self.value(&field.ty, depth - 1)));
                    }
                }
                if self.rng.chance(3) {
                    chosen.push(("nope".to_owned(), Input::Number("1".to_owned())));
                }
                Input::Object(chosen)
            }
        }
    }

    /// A long chain through a self-referencing field (`not`, or a one-element `and`): 10 to
    /// 40 links. Some 80 `and` lists overflow the stack today (see `hostile::aborting`).
    fn chain(&mut self, name: &str, fields: &[Slot]) -> Input {
        let links: Vec<&Slot> = fields.iter().filter(|f| named(&f.ty) == name).collect();
        if links.is_empty() {
            return Input::Object(Vec::new());
        }
        let link = (*self.rng.pick(&links)).clone();
        let length = 10 + self.rng.below(31);
        (0..length).fold(Input::Object(Vec::new()), |inner, _| {
            let inner = if matches!(link.ty.base, BaseType::List(_)) { Input::List(vec![inner]) } else { inner };
            Input::Object(vec![(link.name.clone(), inner)])
        })
    }

    fn string(&mut self) -> String {
        match self.rng.below(100) {
            0..=79 => (*self.rng.pick(STRINGS)).to_owned(),
            80..=89 => "K".repeat(self.rng.below(2_000)),
            90..=95 => "\0".repeat(1 + self.rng.below(50)),
            _ => "x".repeat(10_000 + self.rng.below(100_000)),
        }
    }

    /// A value of some other type than expected.
    fn wrong(&mut self) -> Input {
        match self.rng.below(6) {
            0 => Input::Text("ten".to_owned()),
            1 => Input::Number("1.5".to_owned()),
            2 => Input::Boolean(true),
            3 => Input::Enum("NOPE".to_owned()),
            4 => Input::Object(vec![("a".to_owned(), Input::Number("1".to_owned()))]),
            _ => (0..1 + self.rng.below(60)).fold(Input::Number("1".to_owned()), |inner, _| Input::List(vec![inner])),
        }
    }

    /// The arguments of a field, as GraphQL, some through variables.
    fn arguments(&mut self, arguments: &[Slot]) -> String {
        let mut out = String::new();
        for argument in arguments {
            let required = !argument.ty.nullable && !argument.has_default;
            let give = if required { self.rng.chance(97) } else { self.rng.chance(40) };
            if !give {
                continue;
            }
            let value = self.value(&argument.ty, 3);
            out.push_str(if out.is_empty() { "(" } else { ", " });
            out.push_str(&argument.name);
            out.push_str(": ");
            if self.rng.chance(20) {
                let variable = format!("v{}", self.variables.len());
                let declared = if self.rng.chance(95) { argument.ty.to_string() } else { "String".to_owned() };
                let _ = write!(out, "${variable}");
                self.variables.push((variable, declared, value.json()));
            } else {
                value.graphql(&mut out);
            }
        }
        if !out.is_empty() {
            out.push(')');
        }
        out
    }

    /// A selection set on an output type.
    fn selection(&mut self, type_name: &str, depth: usize) -> String {
        let Some(fields) = self.model.outputs.get(type_name).cloned() else { return "{ __typename }".to_owned() };
        let mut out = String::from("{ ");
        if let Some(implementations) = self.model.implementations.get(type_name).cloned() {
            out.push_str("__typename ");
            if depth < MAX_SELECTION_DEPTH && self.rng.chance(70) {
                let object = self.rng.pick(&implementations).clone();
                let inner = self.selection(&object, depth + 1);
                let _ = write!(out, "... on {object} {inner} ");
            }
        }
        let count = 1 + self.rng.below(4);
        let mut chosen: Vec<String> = Vec::new();
        for _ in 0..count {
            let field = self.rng.pick(&fields).clone();
            let leaf = !self.model.outputs.contains_key(named(&field.ty));
            if !leaf && depth >= MAX_SELECTION_DEPTH {
                out.push_str("__typename ");
                continue;
            }
            // A field chosen twice gets an alias, so that the two do not conflict.
            let again = chosen.contains(&field.name);
            chosen.push(field.name.clone());
            let text = self.field(&field, depth, again);
            match self.rng.below(100) {
                0..=7 => {
                    let name = format!("F{}", self.fragments.len());
                    self.fragments.push(format!("fragment {name} on {type_name} {{ {text} }}"));
                    let _ = write!(out, "...{name} ");
                }
                8..=13 => {
                    let _ = write!(out, "... on {type_name} {{ {text} }} ");
                }
                _ => {
                    out.push_str(&text);
                    out.push(' ');
                }
            }
        }
        out.push('}');
        out
    }

    /// One field with its alias, arguments, directives and selection set.
    fn field(&mut self, field: &Slot, depth: usize, alias: bool) -> String {
        let mut out = String::new();
        if alias || self.rng.chance(20) {
            let _ = write!(out, "a{}: ", self.rng.next());
        }
        out.push_str(&field.name);
        out.push_str(&self.arguments(&field.arguments));
        match self.rng.below(1_000) {
            0..=29 => out.push_str(" @include(if: true)"),
            30..=49 => out.push_str(" @skip(if: false)"),
            50..=51 => out.push_str(&" @include(if: true)".repeat(2 + self.rng.below(200))),
            _ => {}
        }
        if self.model.outputs.contains_key(named(&field.ty)) {
            out.push(' ');
            out.push_str(&self.selection(named(&field.ty), depth + 1));
        }
        out
    }

    /// A whole document with its variables.
    fn document(&mut self) -> (String, Value) {
        self.budget = VALUE_BUDGET;
        let roots = self.model.outputs.get("Query").cloned().expect("a Query type");
        let mut body = String::from("{ ");
        for _ in 0..1 + self.rng.below(3) {
            match self.rng.below(100) {
                0..=2 => body
                    .push_str("__schema { types { name kind fields { name type { name kind ofType { name } } } } } "),
                3..=4 => {
                    let name = self.rng.pick(&["Country", "FlowFilter", "Query", "Nope"]).to_owned();
                    let _ =
                        write!(body, "__type(name: \"{name}\") {{ name fields {{ name }} inputFields {{ name }} }} ");
                }
                5 => body.push_str("__typename "),
                _ => {
                    let field = self.rng.pick(&roots).clone();
                    body.push_str(&self.field(&field, 1, true));
                    body.push(' ');
                }
            }
        }
        body.push('}');
        let declarations: Vec<String> = self.variables.iter().map(|(name, ty, _)| format!("${name}: {ty}")).collect();
        let head =
            if declarations.is_empty() { "query".to_owned() } else { format!("query({})", declarations.join(", ")) };
        let mut document = format!("{head} {body}");
        for fragment in &self.fragments {
            document.push('\n');
            document.push_str(fragment);
        }
        let variables: Map<String, Value> =
            self.variables.iter().map(|(name, _, value)| (name.clone(), value.clone())).collect();
        (document, Value::Object(variables))
    }

    /// A request: mostly a POST of one document, sometimes a GET or a small batch.
    fn probe(&mut self, name: String) -> Probe {
        let (query, variables) = self.document();
        // The `http` crate refuses URIs over 64 KB: longer GETs are sent as POSTs.
        let uri = format!("/graphql?query={}&variables={}", encode(&query), encode(&variables.to_string()));
        match self.rng.below(100) {
            0..=7 if uri.len() < 60_000 => Probe::get(name, uri),
            8..=14 => {
                let mut batch = vec![json!({ "query": query, "variables": variables })];
                for _ in 0..self.rng.below(3) {
                    self.fragments.clear();
                    self.variables.clear();
                    let (query, variables) = self.document();
                    batch.push(json!({ "query": query, "variables": variables }));
                }
                Probe::json(name, &Value::Array(batch))
            }
            _ => Probe::with_variables(name, query, variables),
        }
        .expecting(Expect::Either)
    }
}

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|value| value.trim().parse().ok())
}

#[tokio::test]
async fn fuzz_requests_from_the_schema() {
    let cases: usize = env("SOUTHGRAPH_FUZZ_CASES").unwrap_or(300);
    let budget = Duration::from_secs(env("SOUTHGRAPH_FUZZ_SECONDS").unwrap_or(45));
    let seed: u64 = env("SOUTHGRAPH_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() ^ u64::from(d.subsec_nanos()))
    });
    eprintln!("fuzz: SOUTHGRAPH_FUZZ_SEED={seed}, up to {cases} cases in {} s", budget.as_secs());
    let model = Model::parse();
    let test = TestDb::new().await;
    let api = test.api_without_rate_limit();
    let started = Instant::now();
    let mut failures: Vec<String> = Vec::new();
    let mut kinds: HashMap<String, usize> = HashMap::new();
    let mut answers: HashMap<String, usize> = HashMap::new();
    let verbose = std::env::var_os("SOUTHGRAPH_FUZZ_VERBOSE").is_some();
    let mut ran = 0;
    for case in 0..cases {
        if started.elapsed() > budget {
            break;
        }
        ran += 1;
        let case_seed = seed.wrapping_add(case as u64);
        let probe = Generator::new(case_seed, &model).probe(format!("case {case} (SOUTHGRAPH_FUZZ_SEED={case_seed})"));
        if verbose {
            eprintln!("{} sends {}", probe.name, probe.describe_at_most(20_000));
        }
        let sent = Instant::now();
        let outcome = match send(&api, &probe).await {
            Ok(reply) => {
                let body: Value = serde_json::from_str(&reply.body).unwrap_or_default();
                let first = errors(&body).first().and_then(|e| e["extensions"]["code"].as_str()).unwrap_or("none");
                *answers.entry(format!("{} {first}", reply.status.as_u16())).or_default() += 1;
                if verbose {
                    let elapsed = sent.elapsed().as_secs_f64();
                    let message = errors(&body).first().map(|e| e["message"].to_string()).unwrap_or_default();
                    eprintln!("{}: {} {first} in {elapsed:.2} s, {} bytes", probe.name, reply.status, reply.body.len());
                    eprintln!("    {}", excerpt(&message, 200));
                }
                check(&probe, &reply)
            }
            Err(err) => Err(err),
        };
        let Err(err) = outcome else { continue };
        let kind = excerpt(&err, 60);
        let seen = kinds.entry(kind).or_default();
        *seen += 1;
        if *seen <= 3 && failures.len() < 30 {
            failures.push(format!("- {}: {}\n    request: {}", probe.name, excerpt(&err, 400), probe.describe()));
        }
        if let Err(err) = still_answers(&api).await {
            failures.push(format!("- {}: {err}", probe.name));
            break;
        }
    }
    let mut statuses: Vec<String> = answers.iter().map(|(answer, n)| format!("{n} × {answer}")).collect();
    statuses.sort();
    eprintln!(
        "fuzz: {ran} cases in {:.1} s; status and first code: {}",
        started.elapsed().as_secs_f64(),
        statuses.join(", ")
    );
    let mut summary: Vec<String> = kinds.iter().map(|(kind, n)| format!("{n} × {kind}")).collect();
    summary.sort();
    assert!(
        failures.is_empty(),
        "fuzzing with SOUTHGRAPH_FUZZ_SEED={seed} found {} failing requests of {ran}; by kind:\n{}\nfirst ones \
         (rerun one with its seed and SOUTHGRAPH_FUZZ_CASES=1):\n{}",
        kinds.values().sum::<usize>(),
        summary.join("\n"),
        failures.join("\n")
    );
}
