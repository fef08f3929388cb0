//! Any bytes through `prepare`: no panic, no hang, bounded memory; an output complies.
//! Upscaling is on, so that small pictures (fast to decode, and what the fuzzer finds)
//! reach the decoders instead of being refused from their header.
#![no_main]

use ekyc_preflight::{Preprocessor, Spec};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let spec = Spec {
        upscale: true,
        ..Spec::default()
    };
    if let Ok(prepared) = Preprocessor::new(spec).prepare(data) {
        common::assert_output_complies(&prepared, &spec);
    }
});
