//! A JSON-LD context (as written) that is cheap to clone, for the `json-ld` processor.
//!
//! The processor keeps, in each term definition of an active context, the term's scoped
//! context as written, and clones the whole active context each time it applies a type-scoped
//! context (an Open Badges credential has one per typed node: `Profile`, `AchievementSubject`,
//! `Achievement`, …) or reverts one. With the crate's own context type every such clone copied
//! every scoped context of the Open Badges and VC contexts, term by term: once the contexts
//! were processed once, that was 60 % of a verification (issue 17, bench/RESULTS.md). Here a
//! context is behind an `Arc`, so cloning an active context copies the term definitions only.
//! The processor reads it through the same traits as its own type (`AnyValue`,
//! `AnyDefinition`), so what it computes is unchanged.

use super::Loc;
use iref::IriRef;
use json_ld::syntax::context::definition::{
    AnyDefinition, BindingsIter, Key, TermBinding, TermBindingRef, Type, Version, VocabRef,
};
use json_ld::syntax::context::{
    AnyValue, ArrayIter, Definition, TermDefinition, Value as ContextValue, ValueRef,
};
use json_ld::syntax::{Context, Direction, Entry, IntoJsonMeta, LenientLanguageTag, Nullable};
use locspan::{Meta, StrippedPartialEq};
use std::sync::Arc;

/// A context value (one context, or an array of them), shared.
#[derive(Clone)]
pub(super) struct Shared(Arc<Node>);

#[derive(Clone)]
enum Node {
    One(Meta<Context<SharedDefinition>, Loc>),
    Many(Vec<Meta<Context<SharedDefinition>, Loc>>),
}

/// A context definition whose scoped contexts are [`Shared`].
#[derive(Clone)]
pub(super) struct SharedDefinition(Definition<Loc, Shared>);

impl From<ContextValue<Loc>> for Shared {
    fn from(value: ContextValue<Loc>) -> Self {
        let one = |Meta(context, at): Meta<Context<Definition<Loc>>, Loc>| {
            Meta(
                map_context(context, |d| {
                    SharedDefinition(map_definition(d, &Shared::from))
                }),
                at,
            )
        };
        Self(Arc::new(match value {
            ContextValue::One(context) => Node::One(one(context)),
            ContextValue::Many(contexts) => Node::Many(contexts.into_iter().map(one).collect()),
        }))
    }
}

impl Shared {
    fn into_syntax(self) -> ContextValue<Loc> {
        let one = |Meta(context, at): Meta<Context<SharedDefinition>, Loc>| {
            Meta(
                map_context(context, |d| map_definition(d.0, &Shared::into_syntax)),
                at,
            )
        };
        match Arc::unwrap_or_clone(self.0) {
            Node::One(context) => ContextValue::One(one(context)),
            Node::Many(contexts) => ContextValue::Many(contexts.into_iter().map(one).collect()),
        }
    }
}

fn map_context<D, E>(context: Context<D>, f: impl FnOnce(D) -> E) -> Context<E> {
    match context {
        Context::Null => Context::Null,
        Context::IriRef(iri) => Context::IriRef(iri),
        Context::Definition(d) => Context::Definition(f(d)),
    }
}

/// The same definition, each scoped context converted by `f`.
fn map_definition<C, D>(d: Definition<Loc, C>, f: &impl Fn(C) -> D) -> Definition<Loc, D> {
    Definition {
        base: d.base,
        import: d.import,
        language: d.language,
        direction: d.direction,
        propagate: d.propagate,
        protected: d.protected,
        type_: d.type_,
        version: d.version,
        vocab: d.vocab,
        bindings: d
            .bindings
            .into_iter()
            .map(|(key, binding)| {
                let definition = binding
                    .definition
                    .map(|term| term.map(|term| map_term_definition(term, f)));
                (key, TermBinding::new(binding.key_metadata, definition))
            })
            .collect(),
    }
}

fn map_term_definition<C, D>(
    term: TermDefinition<Loc, C>,
    f: &impl Fn(C) -> D,
) -> TermDefinition<Loc, D> {
    match term {
        TermDefinition::Simple(simple) => TermDefinition::Simple(simple),
        TermDefinition::Expanded(e) => {
            let e = *e;
            TermDefinition::Expanded(Box::new(
                json_ld::syntax::context::term_definition::Expanded {
                    id: e.id,
                    type_: e.type_,
                    context: e.context.map(|entry| {
                        Entry::new(entry.key_metadata, entry.value.map(|c| Box::new(f(*c))))
                    }),
                    reverse: e.reverse,
                    index: e.index,
                    language: e.language,
                    direction: e.direction,
                    container: e.container,
                    nest: e.nest,
                    prefix: e.prefix,
                    propagate: e.propagate,
                    protected: e.protected,
                },
            ))
        }
    }
}

impl AnyValue<Loc> for Shared {
    type Definition = SharedDefinition;

    fn as_value_ref(&self) -> ValueRef<'_, Loc, SharedDefinition> {
        match &*self.0 {
            Node::One(context) => ValueRef::One(context.borrow_value().cast()),
            Node::Many(contexts) => ValueRef::Many(ArrayIter::Owned(contexts.iter())),
        }
    }
}

impl IntoJsonMeta<Loc> for Shared {
    fn into_json_meta(self, meta: Loc) -> Meta<json_syntax::Value<Loc>, Loc> {
        self.into_syntax().into_json_meta(meta)
    }
}

impl StrippedPartialEq for Shared {
    fn stripped_eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || match (&*self.0, &*other.0) {
                (Node::One(a), Node::One(b)) => a.stripped_eq(b),
                (Node::Many(a), Node::Many(b)) => {
                    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.stripped_eq(b))
                }
                _ => false,
            }
    }
}

impl StrippedPartialEq for SharedDefinition {
    fn stripped_eq(&self, other: &Self) -> bool {
        self.0.stripped_eq(&other.0)
    }
}

impl AnyDefinition<Loc> for SharedDefinition {
    type ContextValue = Shared;

    fn base(&self) -> Option<Entry<Nullable<IriRef<'_>>, Loc>> {
        self.0
            .base
            .as_ref()
            .map(|v| v.borrow_value().map(|v| v.as_ref().map(|v| v.as_iri_ref())))
    }

    fn import(&self) -> Option<Entry<IriRef<'_>, Loc>> {
        self.0.import.as_ref().map(|v| v.borrow_value().cast())
    }

    fn language(&self) -> Option<Entry<Nullable<LenientLanguageTag<'_>>, Loc>> {
        self.0
            .language
            .as_ref()
            .map(|v| v.borrow_value().map(|v| v.as_ref().map(|v| v.as_ref())))
    }

    fn direction(&self) -> Option<Entry<Nullable<Direction>, Loc>> {
        self.0.direction.clone()
    }

    fn propagate(&self) -> Option<Entry<bool, Loc>> {
        self.0.propagate.clone()
    }

    fn protected(&self) -> Option<Entry<bool, Loc>> {
        self.0.protected.clone()
    }

    fn type_(&self) -> Option<Entry<Type<Loc>, Loc>> {
        self.0.type_.clone()
    }

    fn version(&self) -> Option<Entry<Version, Loc>> {
        self.0.version.clone()
    }

    fn vocab(&self) -> Option<Entry<Nullable<VocabRef<'_>>, Loc>> {
        self.0
            .vocab
            .as_ref()
            .map(|v| v.borrow_value().map(|v| v.as_ref().cast()))
    }

    fn bindings(&self) -> BindingsIter<'_, Loc, Shared> {
        BindingsIter::Map(self.0.bindings.iter())
    }

    fn get_binding(&self, key: &Key) -> Option<TermBindingRef<'_, Loc, Shared>> {
        self.0.bindings.get(key).map(Into::into)
    }
}
