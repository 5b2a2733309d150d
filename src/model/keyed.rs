//! The state shared by Connie's list models: items in a key order, one
//! object per key.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use gio::prelude::*;

use super::splice;

/// The items of a `gio::ListModel` kept in a key order (object paths), one
/// object per key. The GObject that owns it delegates its `ListModelImpl` to
/// [`Keyed::item_type`], [`Keyed::n_items`] and [`Keyed::item`], and follows
/// its source with [`Keyed::sync`].
///
/// Contract: after [`Keyed::sync`] the items are exactly the target keys, one
/// object per key, the same object for as long as the key stays listed.
/// `items-changed` is exact: one emission per run of removed keys, one over
/// the span of keys that moved, one per run of new keys (see
/// [`super::splice`]). Changing an object's properties is no business of
/// the list: it emits no `items-changed`.
///
/// No borrow is held while `items-changed` is emitted or while a caller's
/// closure runs, so handlers may read the model (and at each emission it is
/// consistent: every position below `n_items` has its object).
pub struct Keyed<T> {
    order: RefCell<Vec<String>>,
    objects: RefCell<HashMap<String, T>>,
}

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Self {
            order: RefCell::default(),
            objects: RefCell::default(),
        }
    }
}

impl<T: IsA<glib::Object>> Keyed<T> {
    pub fn item_type(&self) -> glib::Type {
        T::static_type()
    }

    pub fn n_items(&self) -> u32 {
        self.order.borrow().len() as u32
    }

    pub fn item(&self, position: u32) -> Option<glib::Object> {
        let order = self.order.borrow();
        let key = order.get(position as usize)?;
        self.objects.borrow().get(key).map(|o| o.clone().upcast())
    }

    /// The object of `key`, if listed.
    pub fn get(&self, key: &str) -> Option<T> {
        self.objects.borrow().get(key).cloned()
    }

    /// The keys, in order.
    pub fn keys(&self) -> Vec<String> {
        self.order.borrow().clone()
    }

    /// The keys and their objects, in order (a copy: the model may change
    /// while the caller goes through it).
    pub fn entries(&self) -> Vec<(String, T)> {
        let objects = self.objects.borrow();
        self.order
            .borrow()
            .iter()
            .filter_map(|k| Some((k.clone(), objects.get(k)?.clone())))
            .collect()
    }

    /// The first `f(object)` that is `Some`, in order. No borrow is held
    /// while `f` runs.
    pub fn find_map<R>(&self, mut f: impl FnMut(&T) -> Option<R>) -> Option<R> {
        for i in 0.. {
            let obj = {
                let order = self.order.borrow();
                let key = order.get(i)?;
                self.objects.borrow().get(key).cloned()
            };
            if let Some(r) = obj.as_ref().and_then(&mut f) {
                return Some(r);
            }
        }
        None
    }

    /// Puts the items in `target`'s order (a repeated key counts once, at
    /// its first place), emitting `items-changed` on `model` for each
    /// splice. A key new to the list gets `make(key)`, made before the first
    /// emission; a key that leaves drops its object after the last. Returns
    /// whether anything changed.
    pub fn sync(
        &self,
        model: &impl IsA<gio::ListModel>,
        target: &[String],
        mut make: impl FnMut(&str) -> T,
    ) -> bool {
        let steps = splice::plan(&self.order.borrow(), target);
        if steps.is_empty() {
            return false;
        }
        for key in target {
            if self.objects.borrow().contains_key(key) {
                continue;
            }
            let obj = make(key);
            self.objects.borrow_mut().insert(key.clone(), obj);
        }
        for step in steps {
            splice::apply(&mut self.order.borrow_mut(), &step);
            model.items_changed(
                step.position as u32,
                step.removed as u32,
                step.added.len() as u32,
            );
        }
        let listed: HashSet<&String> = target.iter().collect();
        self.objects
            .borrow_mut()
            .retain(|key, _| listed.contains(key));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gio::subclass::prelude::*;
    use std::rc::Rc;

    mod imp {
        use super::*;

        /// A bare list model over a `Keyed` of actions (any GObject that
        /// carries its key as its name).
        #[derive(Default)]
        pub struct Model {
            pub keyed: Keyed<gio::SimpleAction>,
        }

        #[glib::object_subclass]
        impl ObjectSubclass for Model {
            const NAME: &'static str = "CnKeyedTestModel";
            type Type = super::Model;
            type Interfaces = (gio::ListModel,);
        }

        impl ObjectImpl for Model {}

        impl ListModelImpl for Model {
            fn item_type(&self) -> glib::Type {
                self.keyed.item_type()
            }

            fn n_items(&self) -> u32 {
                self.keyed.n_items()
            }

            fn item(&self, position: u32) -> Option<glib::Object> {
                self.keyed.item(position)
            }
        }
    }

    glib::wrapper! {
        pub struct Model(ObjectSubclass<imp::Model>) @implements gio::ListModel;
    }

    type Changes = Rc<RefCell<Vec<(u32, u32, u32)>>>;

    fn keys(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    /// The keys of the items, read through the `gio::ListModel` interface.
    fn listed(model: &Model) -> Vec<String> {
        (0..model.n_items())
            .map(|i| {
                model
                    .item(i)
                    .and_downcast::<gio::SimpleAction>()
                    .unwrap()
                    .name()
                    .to_string()
            })
            .collect()
    }

    /// A model recording every `items-changed` and checking, at each
    /// emission, that it is consistent (handlers read it back).
    struct Fixture {
        model: Model,
        changes: Changes,
        made: Rc<RefCell<Vec<String>>>,
    }

    impl Fixture {
        fn new(initial: &str) -> Fixture {
            let model: Model = glib::Object::new();
            let changes: Changes = Rc::default();
            let c = changes.clone();
            model.connect_items_changed(move |model, pos, removed, added| {
                c.borrow_mut().push((pos, removed, added));
                let keyed = &model.imp().keyed;
                let keys = keyed.keys();
                assert_eq!(keys.len() as u32, model.n_items());
                assert_eq!(listed(model), keys, "every item the model claims is there");
                assert!(model.item(model.n_items()).is_none());
                for key in &keys {
                    assert_eq!(keyed.get(key).unwrap().name(), key.as_str());
                }
            });
            let f = Fixture {
                model,
                changes,
                made: Rc::default(),
            };
            f.sync(initial);
            f
        }

        /// Syncs to `target` and returns the emissions it made.
        fn sync(&self, target: &str) -> Vec<(u32, u32, u32)> {
            let target = keys(target);
            self.changes.borrow_mut().clear();
            let made = self.made.clone();
            let changed = self.model.imp().keyed.sync(&self.model, &target, |key| {
                made.borrow_mut().push(key.to_owned());
                gio::SimpleAction::new(key, None)
            });
            let changes = self.changes.take();
            assert_eq!(changed, !changes.is_empty());
            let mut unique = Vec::new();
            for key in target {
                if !unique.contains(&key) {
                    unique.push(key);
                }
            }
            assert_eq!(self.model.imp().keyed.keys(), unique);
            assert_eq!(listed(&self.model), unique);
            changes
        }

        fn get(&self, key: &str) -> Option<gio::SimpleAction> {
            self.model.imp().keyed.get(key)
        }
    }

    #[test]
    fn first_sync_is_one_insertion() {
        let f = Fixture::new("a b c");
        assert_eq!(f.sync(""), [(0, 3, 0)]);
        assert_eq!(f.sync("a b c"), [(0, 0, 3)]);
        assert_eq!(f.model.item_type(), gio::SimpleAction::static_type());
        assert_eq!(f.model.n_items(), 3);
    }

    #[test]
    fn nothing_changed_emits_nothing() {
        let f = Fixture::new("a b c");
        let made = f.made.borrow().len();
        assert_eq!(f.sync("a b c"), []);
        assert_eq!(f.made.borrow().len(), made, "nothing made");
    }

    #[test]
    fn remove_move_and_add_are_exact() {
        let f = Fixture::new("a x b c");
        // x goes, c moves to the front, n arrives at the end
        assert_eq!(f.sync("c a b n"), [(1, 1, 0), (0, 3, 3), (3, 0, 1)]);
        // runs: two go together, two arrive together
        assert_eq!(f.sync("c n"), [(1, 2, 0)]);
        assert_eq!(f.sync("c p q n"), [(1, 0, 2)]);
        // a move alone is one splice over the span
        assert_eq!(f.sync("n c p q"), [(0, 4, 4)]);
    }

    #[test]
    fn a_move_keeps_the_objects() {
        let f = Fixture::new("a b c");
        let (a, c) = (f.get("a").unwrap(), f.get("c").unwrap());
        f.made.borrow_mut().clear();
        f.sync("c a b");
        assert_eq!(f.get("c").unwrap(), c);
        assert_eq!(f.get("a").unwrap(), a);
        assert_eq!(f.model.item(0).and_downcast::<gio::SimpleAction>(), Some(c));
        assert!(f.made.borrow().is_empty(), "nothing made for a move");
    }

    #[test]
    fn an_unlisted_key_drops_its_object() {
        let f = Fixture::new("a b");
        let b = f.get("b").unwrap();
        let weak = b.downgrade();
        drop(b);
        f.sync("a");
        assert!(f.get("b").is_none());
        assert!(weak.upgrade().is_none(), "the object is gone");
        // back again: a new object
        f.made.borrow_mut().clear();
        f.sync("a b");
        assert_eq!(*f.made.borrow(), ["b"]);
        assert!(f.get("b").is_some());
    }

    #[test]
    fn a_repeated_key_is_made_once() {
        let f = Fixture::new("");
        assert_eq!(f.sync("a b a"), [(0, 0, 2)]);
        assert_eq!(*f.made.borrow(), ["a", "b"]);
    }

    #[test]
    fn entries_follow_the_order() {
        let f = Fixture::new("b a");
        let entries: Vec<(String, String)> = f
            .model
            .imp()
            .keyed
            .entries()
            .into_iter()
            .map(|(k, o)| (k, o.name().to_string()))
            .collect();
        assert_eq!(
            entries,
            [("b".into(), "b".into()), ("a".into(), "a".into())]
        );
    }
}
