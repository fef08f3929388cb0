//! Any bytes through `check`: no panic, no hang, bounded memory; and a `Checker` reused
//! from one input to the next reports exactly what a fresh one does.
#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;

thread_local! {
    static REUSED: RefCell<ekyc_preflight::Checker> = RefCell::new(ekyc_preflight::Checker::default());
}

fuzz_target!(|data: &[u8]| {
    let fresh = ekyc_preflight::check(data);
    let reused = REUSED.with(|c| c.borrow_mut().check(data));
    // Compared as text: a metric may be NaN, which is not equal to itself.
    assert_eq!(format!("{fresh:?}"), format!("{reused:?}"));
});
