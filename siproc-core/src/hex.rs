//! Hexadecimal, lowercase: how the core writes every digest, salt and commitment (event hashes,
//! archive digests, attachment digests), and reads them back. One helper for the whole core.

/// The lowercase hex digit of a nibble (`n` below 16).
pub(crate) fn digit(n: u8) -> u8 {
    if n < 10 {
        b'0' + n
    } else {
        b'a' + (n & 0xf) - 10
    }
}

/// Lowercase hexadecimal of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(digit(b >> 4)));
        s.push(char::from(digit(b & 0xf)));
    }
    s
}

/// Decodes lowercase (or uppercase) hexadecimal; `None` if it is not hex of exactly `N` bytes.
pub(crate) fn from_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    if s.len() != N * 2 {
        return None;
    }
    let mut out = [0_u8; N];
    for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
        let (hi, lo) = match pair {
            [hi, lo] => (*hi, *lo),
            _ => return None,
        };
        *o = nibble(hi)? << 4 | nibble(lo)?;
    }
    Some(out)
}

/// Whether `s` is 64 lowercase hex digits (the form every hash and digest is stored in).
pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let bytes: [u8; 4] = [0, 0x7f, 0xab, 0xff];
        assert_eq!(to_hex(&bytes), "007fabff");
        assert_eq!(from_hex::<4>("007fabff"), Some(bytes));
        assert_eq!(from_hex::<4>("007fabf"), None);
        assert_eq!(from_hex::<4>("007fabfg"), None);
        assert!(is_sha256_hex(crate::history::GENESIS_HASH));
    }
}
