//! Puts the fields of every response object in the order the query asks for them.
//!
//! GraphQL serialises an object's fields in the order of the query's selection set. Since
//! 7.x, async-graphql resolves the fields of an object concurrently and inserts each into
//! the result map when its future completes (`do_resolve_container` polls them through a
//! `FuturesUnordered`), so a field that waits for a batch loader (`provider`, `recipient`,
//! `sector` of a flow) lands wherever its batch happened to finish. Responses then differ
//! from one request to the next, which breaks the specification, byte-for-byte caching
//! and `ETag`s.
//!
//! [`sort`], called after execution ([`super::execute`]), sorts every object of `data` by
//! the selection set that produced it: the same `CollectFields`
//! procedure as the specification (fragments whose type condition applies, `@skip` and
//! `@include` with the request's variables, aliases as response keys). The order is then a
//! function of the document alone, whatever the timing. Under an abstract type (`Node`)
//! the concrete type is the first possible type whose selection yields exactly the
//! object's keys.

use std::{cell::RefCell, collections::HashMap, rc::Rc, sync::LazyLock};

use async_graphql::{
    Name, OutputType, Response, Value, Variables,
    indexmap::IndexMap,
    parser::types::{
        Directive, DocumentOperations, ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet,
    },
    registry::{MetaTypeName, Registry},
};

/// The schema's types as async-graphql registers them, built once from the query root's
/// type: the sorting follows each field to its type. (A schema does not lend its own
/// registry, and an extension that could see it would send every field through
/// async-graphql's slower, extension-aware path.)
static TYPES: LazyLock<Registry> = LazyLock::new(|| {
    let mut registry = Registry {
        types: Default::default(),
        directives: Default::default(),
        implements: Default::default(),
        query_type: <super::Query as OutputType>::type_name().into_owned(),
        mutation_type: None,
        subscription_type: None,
        introspection_mode: Default::default(),
        enable_federation: false,
        federation_subscription: false,
        ignore_name_conflicts: Default::default(),
        enable_suggestions: false,
    };
    <super::Query as OutputType>::create_type_info(&mut registry);
    registry
});

/// Sorts the fields of every object of `response.data` into the order `document`, the
/// request's parsed query, asks for.
pub fn sort(
    response: &mut Response,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) {
    let Some(operation) = operation(document, operation_name) else { return };
    let order = Order { registry: &TYPES, document, variables, plans: RefCell::default() };
    order.sort(&mut response.data, &TYPES.query_type, &[&operation.selection_set.node]);
}

fn operation<'a>(document: &'a ExecutableDocument, name: Option<&str>) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|op| &op.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// The fields of one object, by response key, in the order the query asks for them.
type Collected<'a> = IndexMap<&'a str, Vec<&'a Field>>;

/// How to sort the objects of one type that answer the same selection sets: worked out once
/// per request, then applied to each of them (a page of 50 flows has 50 recipients).
struct Plan<'a> {
    /// The collected fields, in order.
    fields: Collected<'a>,
    /// The fields whose values may hold objects, by position in `fields`.
    nested: Vec<(usize, Nested<'a>)>,
}

/// How to sort the value of a field that may hold objects.
enum Nested<'a> {
    /// The field's type is an object type: every object in its value follows this plan,
    /// made with the plan of the field's parent.
    Concrete(Rc<Plan<'a>>),
    /// The field's type is abstract (`Node`): each object's plan depends on its keys. The
    /// field's type, and the selection sets that apply to its value.
    Abstract(&'a str, Vec<&'a SelectionSet>),
}

/// Which plan: the object type's name and the selection sets, by address (they live in the
/// request's document).
type PlanKey = (usize, usize, Vec<usize>);

struct Order<'a> {
    registry: &'a Registry,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    plans: RefCell<HashMap<PlanKey, Rc<Plan<'a>>>>,
}

impl<'a> Order<'a> {
    /// Sorts `value`, the answer to `selections` on a field of type `type_name` (a list's
    /// items each in turn).
    fn sort(&self, value: &mut Value, type_name: &'a str, selections: &[&'a SelectionSet]) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.sort(item, type_name, selections);
                }
            }
            Value::Object(object) => {
                if let Some(plan) = self.plan_of(type_name, object, selections) {
                    self.sort_object(object, &plan);
                }
            }
            _ => {}
        }
    }

    /// Sorts `value`, whose objects all follow `plan` (a list's items each in turn).
    fn sort_by(&self, value: &mut Value, plan: &Plan<'a>) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.sort_by(item, plan);
                }
            }
            Value::Object(object) => self.sort_object(object, plan),
            _ => {}
        }
    }

    /// Sorts an object into the order of its plan's fields, then the objects it holds.
    fn sort_object(&self, object: &mut IndexMap<Name, Value>, plan: &Plan<'a>) {
        let fields = &plan.fields;
        // Most objects are in order already: compare the keys in place before hashing any.
        let same = object.len() == fields.len() && object.keys().zip(fields.keys()).all(|(key, field)| key == field);
        if !same {
            // Keys the selection does not name (none, in practice) go last, by name.
            object.sort_by_cached_key(|key, _| (fields.get_index_of(key.as_str()).unwrap_or(usize::MAX), key.clone()));
        }
        for (index, nested) in &plan.nested {
            let value = if same {
                object.get_index_mut(*index).map(|(_, value)| value)
            } else {
                fields.get_index(*index).and_then(|(key, _)| object.get_mut(*key))
            };
            match (value, nested) {
                (Some(value), Nested::Concrete(plan)) => self.sort_by(value, plan),
                (Some(value), Nested::Abstract(type_name, inner)) => self.sort(value, type_name, inner),
                (None, _) => {}
            }
        }
    }

    /// The plan for an object answering `selections` on a field of type `type_name`: for an
    /// abstract type, that of the first possible type whose fields are exactly the object's
    /// keys.
    fn plan_of(
        &self,
        type_name: &'a str,
        object: &IndexMap<Name, Value>,
        selections: &[&'a SelectionSet],
    ) -> Option<Rc<Plan<'a>>> {
        let meta = self.registry.types.get(type_name)?;
        let Some(possible) = meta.possible_types() else {
            return Some(self.plan(type_name, selections));
        };
        let exact = possible.iter().find_map(|candidate| {
            let plan = self.plan(candidate, selections);
            let fields = &plan.fields;
            let same_keys = fields.len() == object.len() && object.keys().all(|key| fields.contains_key(key.as_str()));
            same_keys.then_some(plan)
        });
        // No possible type matches (cannot happen for a response of this schema): the
        // abstract type's own fields still give an order.
        exact.or_else(|| Some(self.plan(type_name, selections)))
    }

    /// The plan of the concrete type `concrete` for `selections`, made once per request,
    /// with those of the object types below it.
    fn plan(&self, concrete: &'a str, selections: &[&'a SelectionSet]) -> Rc<Plan<'a>> {
        let key = (
            concrete.as_ptr() as usize,
            concrete.len(),
            selections.iter().map(|set| std::ptr::from_ref(*set) as usize).collect(),
        );
        if let Some(plan) = self.plans.borrow().get(&key) {
            return plan.clone();
        }
        let fields = self.collect(concrete, selections);
        let meta = self.registry.types.get(concrete);
        let nested = fields
            .values()
            .enumerate()
            .filter_map(|(index, occurrences)| {
                // `__typename` and introspection fields have no entry: resolved in order already.
                let field = meta?.field_by_name(occurrences.first()?.name.node.as_str())?;
                let inner: Vec<&SelectionSet> = occurrences
                    .iter()
                    .map(|field| &field.selection_set.node)
                    .filter(|set| !set.items.is_empty())
                    .collect();
                if inner.is_empty() {
                    return None;
                }
                let type_name = MetaTypeName::concrete_typename(&field.ty);
                let concrete = self.registry.types.get(type_name).is_some_and(|meta| meta.possible_types().is_none());
                let nested = if concrete {
                    Nested::Concrete(self.plan(type_name, &inner))
                } else {
                    Nested::Abstract(type_name, inner)
                };
                Some((index, nested))
            })
            .collect();
        let plan = Rc::new(Plan { fields, nested });
        self.plans.borrow_mut().insert(key, plan.clone());
        plan
    }

    /// `CollectFields` of the specification, for an object of type `concrete`.
    fn collect(&self, concrete: &str, selections: &[&'a SelectionSet]) -> Collected<'a> {
        let mut fields = Collected::new();
        for set in selections {
            self.collect_into(concrete, set, &mut fields);
        }
        fields
    }

    fn collect_into(&self, concrete: &str, set: &'a SelectionSet, fields: &mut Collected<'a>) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) if self.included(&field.node.directives) => {
                    fields.entry(field.node.response_key().node.as_str()).or_default().push(&field.node);
                }
                Selection::FragmentSpread(spread) if self.included(&spread.node.directives) => {
                    if let Some(fragment) = self.document.fragments.get(&spread.node.fragment_name.node)
                        && self.applies(&fragment.node.type_condition.node.on.node, concrete)
                    {
                        self.collect_into(concrete, &fragment.node.selection_set.node, fields);
                    }
                }
                Selection::InlineFragment(inline) if self.included(&inline.node.directives) => {
                    let condition =
                        inline.node.type_condition.as_ref().map(|condition| condition.node.on.node.as_str());
                    if condition.is_none_or(|condition| self.applies(condition, concrete)) {
                        self.collect_into(concrete, &inline.node.selection_set.node, fields);
                    }
                }
                _ => {}
            }
        }
    }

    fn applies(&self, condition: &str, concrete: &str) -> bool {
        condition == concrete || self.registry.types.get(condition).is_some_and(|meta| meta.is_possible_type(concrete))
    }

    /// Whether `@skip` and `@include` keep a selection, decided as async-graphql decides
    /// (`remove_skipped_selection`): from the request's variables, a missing one counting
    /// as `false`.
    fn included(&self, directives: &[async_graphql::Positioned<Directive>]) -> bool {
        directives.iter().all(|directive| match directive.node.name.node.as_str() {
            "skip" => !self.condition(&directive.node),
            "include" => self.condition(&directive.node),
            _ => true,
        })
    }

    fn condition(&self, directive: &Directive) -> bool {
        let Some(value) = directive.get_argument("if") else {
            return false;
        };
        let value = value.node.clone().into_const_with(|name| self.variables.get(&name).cloned().ok_or(()));
        matches!(value, Ok(Value::Boolean(true)))
    }
}
