//! Any bytes through `prepare` and `check` in a build with the `heif` and `avif`
//! features: the HEIF container probe (boxes, item locations, grids, properties) and,
//! past it, libheif. No panic, no hang, bounded memory; an output complies. The seeds
//! (`fuzz/seeds/heif`) are small HEICs and AVIFs, plain and in grids with `irot`/`imir`,
//! so that mutations start inside the container. Build with
//! `cargo fuzz run heif --features heif` (needs libheif-dev).
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let mut pre = common::preprocessor();
    if let Ok(prepared) = pre.prepare(data) {
        common::assert_output_complies(&prepared, pre.spec());
    }
    let _ = ekyc_preflight::check(data);
});
