//! The EkycVerify response parser: any status and body, no panic.
#![no_main]

use ekyc_preflight::api::EkycVerifyResponse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = 100 + u16::from_be_bytes(*status) % 500;
    let _ = EkycVerifyResponse::parse(status, body);
});
