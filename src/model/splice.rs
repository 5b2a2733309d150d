//! The plan behind every `items-changed` of Connie's list models: how to turn
//! one key order into another in a few exact splices.
//!
//! Removed keys go first (one splice per run, front to back), then the keys
//! that stayed but moved are put in order with one splice over the span that
//! differs (GTK's list widgets keep the rows of items that leave and come back
//! in one emission, so a move keeps its row), then new keys come in (one
//! splice per run, front to back). Each splice's position refers to the list
//! as it is after the previous splices, as `items-changed` requires.

use std::collections::HashSet;

/// Replace `removed` items at `position` with `added` (in this order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub position: usize,
    pub removed: usize,
    pub added: Vec<String>,
}

/// The splices that turn `old` into `new` (keys are unique in both; a
/// repeated key in `new` counts once, at its first place).
pub fn plan(old: &[String], new: &[String]) -> Vec<Splice> {
    let mut seen = HashSet::with_capacity(new.len());
    let new: Vec<&str> = new
        .iter()
        .map(String::as_str)
        .filter(|k| seen.insert(*k))
        .collect();
    let new_set = seen;
    let old_set: HashSet<&str> = old.iter().map(String::as_str).collect();
    let mut steps = Vec::new();

    let mut cur: Vec<&str> = Vec::with_capacity(old.len());
    let mut run: Option<(usize, usize)> = None;
    for key in old.iter().map(String::as_str) {
        if new_set.contains(key) {
            if let Some((position, removed)) = run.take() {
                steps.push(Splice {
                    position,
                    removed,
                    added: Vec::new(),
                });
            }
            cur.push(key);
        } else {
            match &mut run {
                Some((_, n)) => *n += 1,
                None => run = Some((cur.len(), 1)),
            }
        }
    }
    if let Some((position, removed)) = run {
        steps.push(Splice {
            position,
            removed,
            added: Vec::new(),
        });
    }

    let kept: Vec<&str> = new
        .iter()
        .copied()
        .filter(|k| old_set.contains(k))
        .collect();
    if let Some(first) = cur.iter().zip(&kept).position(|(a, b)| a != b) {
        let last = cur.len()
            - 1
            - cur
                .iter()
                .rev()
                .zip(kept.iter().rev())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
        steps.push(Splice {
            position: first,
            removed: last - first + 1,
            added: kept[first..=last].iter().map(|k| k.to_string()).collect(),
        });
    }

    let mut i = 0;
    while i < new.len() {
        if old_set.contains(new[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < new.len() && !old_set.contains(new[i]) {
            i += 1;
        }
        steps.push(Splice {
            position: start,
            removed: 0,
            added: new[start..i].iter().map(|k| k.to_string()).collect(),
        });
    }
    steps
}

/// Applies `splice` to `list` (the model's own order).
pub fn apply(list: &mut Vec<String>, splice: &Splice) {
    list.splice(
        splice.position..splice.position + splice.removed,
        splice.added.iter().cloned(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    /// `(position, removed, added)` of each splice, after checking that the
    /// splices really turn `old` into `new`.
    fn triples(old: &str, new: &str) -> Vec<(usize, usize, usize)> {
        let (old, new) = (keys(old), keys(new));
        let steps = plan(&old, &new);
        let mut list = old.clone();
        for s in &steps {
            assert!(s.position + s.removed <= list.len(), "{s:?} on {list:?}");
            apply(&mut list, s);
        }
        assert_eq!(list, new);
        steps
            .iter()
            .map(|s| (s.position, s.removed, s.added.len()))
            .collect()
    }

    #[test]
    fn nothing_changed() {
        assert_eq!(triples("a b c", "a b c"), []);
        assert_eq!(triples("", ""), []);
    }

    #[test]
    fn from_and_to_empty() {
        assert_eq!(triples("", "a b c"), [(0, 0, 3)]);
        assert_eq!(triples("a b c", ""), [(0, 3, 0)]);
    }

    #[test]
    fn removals_in_runs() {
        assert_eq!(triples("a b c d e", "a d"), [(1, 2, 0), (2, 1, 0)]);
        assert_eq!(triples("a b c", "b c"), [(0, 1, 0)]);
        assert_eq!(triples("a b c", "a b"), [(2, 1, 0)]);
    }

    #[test]
    fn insertions_in_runs() {
        assert_eq!(triples("a d", "a b c d e"), [(1, 0, 2), (4, 0, 1)]);
        assert_eq!(triples("b", "a b"), [(0, 0, 1)]);
    }

    #[test]
    fn a_move_is_one_splice_over_the_span() {
        assert_eq!(triples("a b c d e", "a d b c e"), [(1, 3, 3)]);
        assert_eq!(triples("a b c d e", "e a b c d"), [(0, 5, 5)]);
        assert_eq!(triples("a b", "b a"), [(0, 2, 2)]);
    }

    #[test]
    fn remove_move_and_insert_together() {
        // x goes, c moves to the front, n arrives at the end
        assert_eq!(
            triples("a x b c", "c a b n"),
            [(1, 1, 0), (0, 3, 3), (3, 0, 1)]
        );
    }

    #[test]
    fn repeated_keys_count_once() {
        let steps = plan(&keys("a"), &keys("b a b"));
        let mut list = keys("a");
        for s in &steps {
            apply(&mut list, s);
        }
        assert_eq!(list, keys("b a"));
    }

    #[test]
    fn random_orders_always_converge() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let pool: Vec<String> = (0..12).map(|i| format!("k{i}")).collect();
        let pick = |next: &mut dyn FnMut(usize) -> usize| {
            let mut v = pool.clone();
            for i in (1..v.len()).rev() {
                v.swap(i, next(i + 1));
            }
            let len = next(13);
            v.truncate(len);
            v
        };
        for _ in 0..2000 {
            let old = pick(&mut next);
            let new = pick(&mut next);
            let mut list = old.clone();
            for s in plan(&old, &new) {
                assert!(s.removed > 0 || !s.added.is_empty(), "no empty splice");
                apply(&mut list, &s);
            }
            assert_eq!(list, new);
        }
    }
}
