//! Hex, hashes and the two percent-encodings the SDK uses (private helpers).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const HEX: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0x0f)] as char);
    }
    out
}

/// Lowercase hex SHA-256 of `data`.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Lowercase hex HMAC-SHA256 of `data` keyed with `key`.
pub(crate) fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(data);
    hex(&mac.finalize().into_bytes())
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// How a space is written.
#[derive(Clone, Copy)]
pub(crate) enum Space {
    /// `%20` (canonical query string).
    Percent,
    /// `+` (form encoding: the wire query and the body).
    Plus,
}

/// Percent-encodes `s` (UTF-8), leaving only `A-Z a-z 0-9 - _ . ~` as is.
pub(crate) fn encode_into(out: &mut String, s: &str, space: Space) {
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else if b == b' ' && matches!(space, Space::Plus) {
            out.push('+');
        } else {
            out.push('%');
            out.push(HEX_UPPER[usize::from(b >> 4)] as char);
            out.push(HEX_UPPER[usize::from(b & 0x0f)] as char);
        }
    }
}

/// The length `encode_into` would produce, without allocating.
pub(crate) fn encoded_len(s: &str, space: Space) -> usize {
    s.bytes()
        .map(|b| {
            if is_unreserved(b) || (b == b' ' && matches!(space, Space::Plus)) {
                1
            } else {
                3
            }
        })
        .sum()
}

/// `k=v&k=v` with names sorted (stable, so repeated names keep their order).
pub(crate) fn join_sorted(pairs: &[(String, String)], space: Space) -> String {
    let mut sorted: Vec<&(String, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    for (i, (k, v)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(&mut out, k, space);
        out.push('=');
        encode_into(&mut out, v, space);
    }
    out
}

/// The length of `join_sorted(pairs, Space::Plus)`.
pub(crate) fn form_len<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> usize {
    let mut total = 0usize;
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            total += 1;
        }
        total += encoded_len(k, Space::Plus) + 1 + encoded_len(v, Space::Plus);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_differ_only_in_space() {
        let mut a = String::new();
        encode_into(&mut a, "a b+c*d~e/f@é", Space::Percent);
        assert_eq!(a, "a%20b%2Bc%2Ad~e%2Ff%40%C3%A9");
        let mut b = String::new();
        encode_into(&mut b, "a b+c*d~e/f@é", Space::Plus);
        assert_eq!(b, "a+b%2Bc%2Ad~e%2Ff%40%C3%A9");
        assert_eq!(encoded_len("a b+c*d~e/f@é", Space::Plus), b.len());
    }

    #[test]
    fn sha256_of_empty() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
