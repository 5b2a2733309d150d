//! [`Secret`]: a value that never prints and is wiped on drop; [`Answer`], one answer to a
//! field.

use std::fmt;

/// A passphrase, PIN or password. `Debug` and `Display` print `***`; the bytes are
/// overwritten with zeros on drop (see the module documentation for what that does not cover).
/// Deliberately not `Clone`: every copy is one more to wipe.
#[derive(Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, to put in an entry or compare. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes the bytes out, leaving this secret empty (to send an SSID as `ay`).
    pub(super) fn take_bytes(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.0).into_bytes()
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Secret {
        Secret(s.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        let mut bytes = self.take_bytes();
        wipe(&mut bytes);
    }
}

/// Overwrites the whole allocation (capacity, not just length) with zeros.
fn wipe(bytes: &mut Vec<u8>) {
    let capacity = bytes.capacity();
    bytes.clear();
    bytes.resize(capacity, 0);
    // Keeps the optimizer from dropping the writes to memory about to be freed.
    std::hint::black_box(&mut *bytes);
}

/// One answer to a field.
#[derive(Debug, PartialEq)]
pub enum Answer {
    /// A string (`s`). Text for a field of type `ssid` is sent as bytes.
    Text(Secret),
    /// An SSID as raw bytes (`ay`): up to 32 arbitrary bytes.
    Ssid(Vec<u8>),
    /// A boolean (`b`): the VPN's `SaveCredentials`.
    Bool(bool),
}

impl From<Secret> for Answer {
    fn from(s: Secret) -> Answer {
        Answer::Text(s)
    }
}

impl From<&str> for Answer {
    fn from(s: &str) -> Answer {
        Answer::Text(Secret::from(s))
    }
}

impl From<String> for Answer {
    fn from(s: String) -> Answer {
        Answer::Text(Secret::from(s))
    }
}

impl From<bool> for Answer {
    fn from(b: bool) -> Answer {
        Answer::Bool(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connman::agent::test_util::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::from("labpassword");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.expose(), "labpassword");
        let reply = InputReply::passphrase(Secret::from("labpassword"));
        assert!(!format!("{reply:?}").contains("labpassword"));
        let dict = ReplyDict::build(&hidden_request(), vec![("Passphrase".into(), "x1".into())]);
        assert!(!format!("{dict:?}").contains("x1"));
        let f = FieldValue::Text(Secret::from("old"));
        assert_eq!(format!("{f:?}"), "Text(***)");
    }

    #[test]
    fn wipe_zeroes_the_whole_allocation() {
        let mut bytes = Vec::with_capacity(32);
        bytes.extend_from_slice(b"labpassword");
        wipe(&mut bytes);
        assert_eq!(bytes.len(), 32);
        assert!(bytes.iter().all(|b| *b == 0));
        let mut s = Secret::from("abc");
        assert_eq!(s.take_bytes(), b"abc");
        assert!(s.is_empty());
    }
}
