//! `ce demo`: the same seed gives the same log, and a store it did not fill
//! is refused.

use ce_tests::cli::{without_ciphertexts, Store, EXIT_INPUT};

use crate::fixtures::with_household;

#[test]
fn demo_is_deterministic_and_refuses_a_store_it_did_not_fill() {
    let demo = "demo --households 40 --seed 7";
    let (one, two) = (Store::new(), Store::new());
    let printed = one.ok(demo, &[]);
    assert!(printed.contains("Coulee / psh"), "{printed}");
    two.ok(demo, &[]);
    let (a, b) = (one.file("one.jsonl"), two.file("two.jsonl"));
    one.ok("export jsonl {}", &[&a]);
    two.ok("export jsonl {}", &[&b]);
    let (a, b) = (
        std::fs::read_to_string(&a).expect("export one"),
        std::fs::read_to_string(&b).expect("export two"),
    );
    assert!(!a.is_empty());
    assert!(
        without_ciphertexts(&a) == without_ciphertexts(&b),
        "the same seed gives the same log, byte for byte but for the ciphertexts"
    );
    let events = one.events();
    assert!(events > 100, "{events} events");

    // Again on its own store: the same lists, nothing written.
    assert_eq!(one.ok(demo, &[]), printed);
    assert_eq!(one.events(), events);
    let again = one.json(demo, &[]);
    assert_eq!(again["events"], events);
    assert!(again["lists"].is_array(), "{again}");
    assert!(one.ok("verify", &[]).starts_with("ok"));

    // Another seed on it, or the demo on a store with other data: refused.
    let err = one.refused("demo --households 40 --seed 8", &[], EXIT_INPUT);
    assert!(err.contains(&format!("{events} events")), "{err}");
    let (other, _) = with_household();
    let err = other.refused(demo, &[], EXIT_INPUT);
    assert!(err.contains("--store"), "{err}");
}
