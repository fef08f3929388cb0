//! Any bytes through `prepare`: no panic, no hang, bounded memory; an output complies.
//! Runs under `common::fuzz_spec`, the document's rules scaled down, so that it is fast.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let mut pre = common::preprocessor();
    if let Ok(prepared) = pre.prepare(data) {
        common::assert_output_complies(&prepared, pre.spec());
    }
});
