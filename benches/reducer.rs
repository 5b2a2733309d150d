//! How long applying a `ServicesChanged` of 1000 services takes: once with
//! 1000 new services (full dicts, as after a scan in a crowded place), once
//! as a reorder of known services (empty dicts, as after every state change),
//! and 1000 `Strength` `PropertyChanged` signals. Prints medians over runs.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use connie::connman::state::{PathDicts, State};
use zbus::zvariant::{OwnedValue, Value};

fn ov(v: Value<'static>) -> OwnedValue {
    OwnedValue::try_from(v).unwrap()
}

fn full_dict(i: usize) -> HashMap<String, OwnedValue> {
    let ipv4: HashMap<String, Value<'static>> = HashMap::new();
    [
        ("Name", ov(Value::from(format!("Network {i:04}")))),
        ("Type", ov(Value::from("wifi"))),
        ("State", ov(Value::from("idle"))),
        ("Security", ov(Value::from(vec!["psk".to_owned()]))),
        ("Strength", ov(Value::U8((i % 100) as u8))),
        ("Favorite", ov(Value::from(false))),
        ("Immutable", ov(Value::from(false))),
        ("AutoConnect", ov(Value::from(false))),
        ("IPv4", ov(Value::from(ipv4.clone()))),
        ("IPv4.Configuration", ov(Value::from(ipv4))),
        ("Nameservers", ov(Value::from(Vec::<String>::new()))),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    const N: usize = 1000;
    const RUNS: usize = 21;
    let paths: Vec<String> = (0..N)
        .map(|i| format!("/net/connman/service/wifi_0200000001{i:04}_managed_psk"))
        .collect();
    let added: PathDicts = paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.clone(), full_dict(i)))
        .collect();
    let mut reorder: PathDicts = paths.iter().map(|p| (p.clone(), HashMap::new())).collect();
    reorder.reverse();

    let (mut t_add, mut t_reorder, mut t_strength) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let mut state = State::default();
        state.reset_connman(&HashMap::new(), &Vec::new(), &Vec::new());
        let t0 = Instant::now();
        let _ = std::hint::black_box(state.services_changed(&added, &[]));
        t_add.push(t0.elapsed());
        let t0 = Instant::now();
        let _ = std::hint::black_box(state.services_changed(&reorder, &[]));
        t_reorder.push(t0.elapsed());
        let t0 = Instant::now();
        for (i, p) in paths.iter().enumerate() {
            let _ = std::hint::black_box(state.service_property(
                p,
                "Strength",
                &Value::U8((i % 97) as u8),
            ));
        }
        t_strength.push(t0.elapsed());
        assert_eq!(state.order.len(), N);
    }
    let (a, r, s) = (median(t_add), median(t_reorder), median(t_strength));
    println!("ServicesChanged, {N} new services:        median {a:?} ({RUNS} runs)");
    println!("ServicesChanged, {N} known, reordered:    median {r:?}");
    println!(
        "{N} Strength PropertyChanged:             median {s:?} ({:?} each)",
        s / N as u32
    );
}
