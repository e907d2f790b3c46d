//! Query cost, known before any SQL runs.
//!
//! A request's cost bounds the values its response can hold: every field counts one, and
//! a field that returns many items multiplies the cost of its selection by how many it can
//! return (`first`, `last` or the default page size of a connection; `first` of an
//! aggregate, its years, or its matrix's cells; the IDs given to `nodes`). Fragments are
//! expanded and aliases counted, so neither hides work; the walk itself is bounded by
//! the number of selections it may visit.
//!
//! The multipliers come from the schema's own conventions (a `…Connection` type, a list
//! with `first`, `from`/`to`, `top` or `ids`), read once from its SDL, so a new field is
//! costed without being listed here.
//!
//! Introspection has a rule of its own instead of the depth limit, which would refuse the
//! standard query of graphql-js: at most [`MAX_INTROSPECTION_ROOTS`] `__schema`/`__type`
//! fields per request, `ofType` chains at most [`MAX_OF_TYPE`] deep, and each list of a
//! type's members (`fields`, `types` …) at most once on any path, so the answer stays the
//! size of the schema.

use std::collections::HashMap;

use async_graphql::{
    Name, Positioned, Value as ConstValue, Variables,
    parser::types::{
        BaseType, ExecutableDocument, Field, InputValueDefinition, OperationType, Selection, SelectionSet, Type,
        TypeKind, TypeSystemDefinition,
    },
};

use super::input::InputBudget;
use crate::error::{ApiError, ApiResult};

/// Most `__schema` and `__type` fields in one request (aliases and fragments counted).
pub const MAX_INTROSPECTION_ROOTS: usize = 4;
/// Deepest `ofType` chain: graphql-js's `getIntrospectionQuery()` asks for 9 (its default
/// `typeDepth`), and no type of this schema wraps deeper than 3.
pub const MAX_OF_TYPE: usize = 9;
/// Most selections a request may expand to (fragments expanded, aliases counted).
pub const MAX_SELECTIONS: usize = 10_000;
/// The introspection fields that list a type's or a schema's members.
const MEMBER_LISTS: [&str; 8] =
    ["types", "fields", "inputFields", "interfaces", "possibleTypes", "enumValues", "args", "directives"];

/// How many items a field can return, read from its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Multiplier {
    /// One value (or a list whose size its parent's multiplier already counts).
    One,
    /// A Relay connection: `first`, or `last`, or the default page size.
    Page,
    /// A list with `first`, and its default when not given.
    First(u64),
    /// One item per year from `from` to `to`.
    Years,
    /// A matrix of `top` (plus "Other") squared cells.
    Top(u64),
    /// One item per ID given.
    Ids,
}

/// What the schema says of one field.
#[derive(Clone, Debug)]
struct FieldShape {
    /// The named type it returns, wrappers removed.
    returns: String,
    multiplier: Multiplier,
}

/// The fields of every object and interface, with their multipliers.
#[derive(Debug, Default)]
pub struct CostModel {
    fields: HashMap<(String, String), FieldShape>,
}

/// The named type under a type's list and non-null wrappers, and whether it is a list.
fn unwrap(ty: &Type) -> (&str, bool) {
    match &ty.base {
        BaseType::Named(name) => (name.as_str(), false),
        BaseType::List(inner) => (unwrap(inner).0, true),
    }
}

/// An integer default of an argument, as the SDL gives it.
fn default_of(arguments: &[Positioned<InputValueDefinition>], name: &str) -> Option<u64> {
    arguments.iter().find(|argument| argument.node.name.node == name).and_then(|argument| {
        match argument.node.default_value.as_ref().map(|value| &value.node) {
            Some(ConstValue::Number(number)) => number.as_u64(),
            _ => None,
        }
    })
}

/// Groups an aggregate returns when its `first` is not given.
const DEFAULT_GROUPS: u64 = 100;

impl CostModel {
    /// Reads the model from the schema's SDL.
    pub fn from_sdl(sdl: &str) -> Self {
        let mut fields = HashMap::new();
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
            tracing::error!("cannot parse the schema's own SDL: every field costs one");
            return Self::default();
        };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else { continue };
            let definition = definition.node;
            let field_definitions = match definition.kind {
                TypeKind::Object(object) => object.fields,
                TypeKind::Interface(interface) => interface.fields,
                _ => continue,
            };
            for field in field_definitions {
                let field = field.node;
                let (returns, list) = unwrap(&field.ty.node);
                let has = |name: &str| field.arguments.iter().any(|argument| argument.node.name.node == name);
                let multiplier = if returns.ends_with("Connection") {
                    Multiplier::Page
                } else if has("top") {
                    Multiplier::Top(default_of(&field.arguments, "top").unwrap_or(10))
                } else if list && has("from") && has("to") {
                    Multiplier::Years
                } else if list && has("ids") {
                    Multiplier::Ids
                } else if list && has("first") {
                    Multiplier::First(default_of(&field.arguments, "first").unwrap_or(DEFAULT_GROUPS))
                } else {
                    Multiplier::One
                };
                fields.insert(
                    (definition.name.node.to_string(), field.name.node.to_string()),
                    FieldShape { returns: returns.to_owned(), multiplier },
                );
            }
        }
        Self { fields }
    }
}

/// The limits the walk enforces besides cost.
#[derive(Debug)]
pub struct WalkLimits {
    /// Deepest selection, introspection not counted.
    pub max_depth: usize,
    /// Default page size of a connection.
    pub default_page_size: u64,
}

/// Where the walk is inside an introspection field.
#[derive(Clone, Copy, Debug, Default)]
struct Introspection {
    /// The member lists already on the path, as bits of [`MEMBER_LISTS`].
    lists: u16,
    /// `ofType` fields on the path.
    of_type: usize,
}

/// The walk over one request's document.
pub struct Walk<'a> {
    model: &'a CostModel,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    limits: &'a WalkLimits,
    inputs: &'a mut InputBudget,
    selections: usize,
    introspection_roots: usize,
    spreads: Vec<&'a Name>,
}

impl<'a> Walk<'a> {
    /// A walk over `document` with its variables, charging inputs to `inputs`.
    pub fn new(
        model: &'a CostModel,
        document: &'a ExecutableDocument,
        variables: &'a Variables,
        limits: &'a WalkLimits,
        inputs: &'a mut InputBudget,
    ) -> Self {
        Self { model, document, variables, limits, inputs, selections: 0, introspection_roots: 0, spreads: Vec::new() }
    }

    /// The cost of the operation that will run: the named one, or the most expensive when
    /// none is named (only one runs).
    pub fn cost(mut self, operation_name: Option<&str>) -> ApiResult<u64> {
        let mut cost = 0u64;
        let document = self.document;
        for (name, operation) in document.operations.iter() {
            if let (Some(wanted), Some(name)) = (operation_name, name)
                && wanted != name.as_str()
            {
                continue;
            }
            let root = match operation.node.ty {
                OperationType::Query => "Query",
                OperationType::Mutation => "Mutation",
                OperationType::Subscription => "Subscription",
            };
            let this = self.selection_set(root, &operation.node.selection_set.node, 0, None)?;
            cost = cost.max(this);
        }
        Ok(cost)
    }

    fn selection_set(
        &mut self,
        parent: &str,
        set: &'a SelectionSet,
        depth: usize,
        introspection: Option<Introspection>,
    ) -> ApiResult<u64> {
        let mut cost = 0u64;
        for selection in &set.items {
            self.selections += 1;
            if self.selections > MAX_SELECTIONS {
                return Err(ApiError::limit_exceeded(format!(
                    "the query has more than {MAX_SELECTIONS} selections once its fragments are expanded"
                )));
            }
            let this = match &selection.node {
                Selection::Field(field) => self.field(parent, &field.node, depth, introspection)?,
                Selection::InlineFragment(fragment) => {
                    let parent = fragment.node.type_condition.as_ref().map_or(parent, |on| on.node.on.node.as_str());
                    self.selection_set(parent, &fragment.node.selection_set.node, depth, introspection)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let Some(fragment) = self.document.fragments.get(name) else { continue };
                    if self.spreads.contains(&name) {
                        return Err(ApiError::validation(format!("fragment `{name}` spreads itself")));
                    }
                    self.spreads.push(name);
                    let parent = fragment.node.type_condition.node.on.node.as_str();
                    let this = self.selection_set(parent, &fragment.node.selection_set.node, depth, introspection);
                    self.spreads.pop();
                    this?
                }
            };
            cost = cost.saturating_add(this);
        }
        Ok(cost)
    }

    fn field(
        &mut self,
        parent: &str,
        field: &'a Field,
        depth: usize,
        introspection: Option<Introspection>,
    ) -> ApiResult<u64> {
        let name = field.name.node.as_str();
        let arguments = self.arguments(field)?;
        if name == "__typename" {
            return Ok(1);
        }
        if let Some(inside) = introspection {
            return self.introspection_field(name, field, depth, inside);
        }
        if name == "__schema" || name == "__type" {
            self.introspection_roots += 1;
            if self.introspection_roots > MAX_INTROSPECTION_ROOTS {
                return Err(ApiError::limit_exceeded(format!(
                    "a request may hold at most {MAX_INTROSPECTION_ROOTS} `__schema` or `__type` fields"
                )));
            }
            let children =
                self.selection_set("", &field.selection_set.node, depth + 1, Some(Introspection::default()))?;
            return Ok(children.saturating_add(1));
        }
        if depth + 1 > self.limits.max_depth {
            return Err(ApiError::limit_exceeded(format!(
                "the query is nested more than {} deep (at `{name}`)",
                self.limits.max_depth
            )));
        }
        let Some(shape) = self.model.fields.get(&(parent.to_owned(), name.to_owned())) else {
            // Unknown here: validation names it. Its selection is not walked.
            return Ok(1);
        };
        let children = self.selection_set(&shape.returns, &field.selection_set.node, depth + 1, None)?;
        let items = self.items(shape.multiplier, &arguments);
        let per_item = children.saturating_add(group_dimensions(&arguments));
        Ok(items.saturating_mul(per_item).saturating_add(1))
    }

    fn introspection_field(
        &mut self,
        name: &str,
        field: &'a Field,
        depth: usize,
        mut inside: Introspection,
    ) -> ApiResult<u64> {
        if let Some(bit) = MEMBER_LISTS.iter().position(|list| *list == name) {
            let bit = 1u16 << bit;
            if inside.lists & bit != 0 {
                return Err(ApiError::limit_exceeded(format!(
                    "introspection lists `{name}` inside `{name}`: ask for one level of members at a time"
                )));
            }
            inside.lists |= bit;
        }
        if name == "ofType" {
            inside.of_type += 1;
            if inside.of_type > MAX_OF_TYPE {
                return Err(ApiError::limit_exceeded(format!(
                    "introspection nests `ofType` more than {MAX_OF_TYPE} deep; no type here wraps deeper than 3"
                )));
            }
        }
        let children = self.selection_set("", &field.selection_set.node, depth + 1, Some(inside))?;
        Ok(children.saturating_add(1))
    }

    /// The field's arguments with variables substituted, charged to the input budget.
    fn arguments(&mut self, field: &'a Field) -> ApiResult<HashMap<&'a str, ConstValue>> {
        let mut values = HashMap::with_capacity(field.arguments.len());
        for (name, value) in &field.arguments {
            // Variables are charged once, where the request gives them: here they count one.
            let literal = value.node.clone().into_const_with(|_| Ok::<_, ()>(ConstValue::Null)).unwrap_or_default();
            self.inputs.charge(name.node.as_str(), &literal)?;
            let value = value
                .node
                .clone()
                .into_const_with(|variable| Ok::<_, ()>(self.variables.get(&variable).cloned().unwrap_or_default()))
                .unwrap_or_default();
            values.insert(name.node.as_str(), value);
        }
        Ok(values)
    }

    /// How many items a field with this multiplier and these arguments can return.
    fn items(&self, multiplier: Multiplier, arguments: &HashMap<&str, ConstValue>) -> u64 {
        let number = |name: &str| match arguments.get(name) {
            Some(ConstValue::Number(number)) => number.as_i64(),
            _ => None,
        };
        let count = |value: Option<i64>, default: u64| value.map_or(default, |value| u64::try_from(value).unwrap_or(0));
        match multiplier {
            Multiplier::One => 1,
            Multiplier::Page => count(number("first").or(number("last")), self.limits.default_page_size),
            // With its ties, a ranking may return up to `MAX_WITH_TIES` groups, whatever `first`.
            Multiplier::First(_) if matches!(arguments.get("withTies"), Some(ConstValue::Boolean(true))) => {
                crate::repo::aggregate::MAX_WITH_TIES
            }
            Multiplier::First(default) => count(number("first"), default),
            Multiplier::Years => match (number("from"), number("to")) {
                (Some(from), Some(to)) if to >= from => {
                    to.checked_sub(from).and_then(|span| u64::try_from(span).ok()).unwrap_or(u64::MAX).saturating_add(1)
                }
                _ => 1,
            },
            Multiplier::Top(default) => {
                let top = count(number("top"), default).saturating_add(1);
                top.saturating_mul(top)
            }
            Multiplier::Ids => match arguments.get("ids") {
                Some(ConstValue::List(ids)) => ids.len() as u64,
                _ => 1,
            },
        }
    }
}

/// The dimensions an aggregate groups by: each adds a key to every group.
fn group_dimensions(arguments: &HashMap<&str, ConstValue>) -> u64 {
    match arguments.get("groupBy") {
        Some(ConstValue::List(dimensions)) => dimensions.len() as u64,
        _ => 0,
    }
}
