//! Certificates and keys as the person gives them: checked to be what they
//! claim (PEM blocks of the right kind, or one DER certificate), of bounded
//! size, and written back as clean PEM, so that nothing else in the file
//! (text around the blocks, a script, a symlink's target) reaches the
//! helper's directory.

use base64::Engine;

/// The largest certificate or key file accepted.
pub const MAX_FILE: usize = 64 * 1024;
/// The most PEM blocks in one file (a CA chain).
pub const MAX_BLOCKS: usize = 16;

/// What a file must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// One or more certificates (a CA, or the client's own).
    Certificate,
    /// One private key, possibly encrypted.
    PrivateKey,
}

const CERT_LABELS: &[&str] = &["CERTIFICATE", "TRUSTED CERTIFICATE"];
const KEY_LABELS: &[&str] = &[
    "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "RSA PRIVATE KEY",
    "EC PRIVATE KEY",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertError {
    TooBig,
    Empty,
    /// Neither PEM nor a DER certificate.
    NotPem,
    /// PEM, but a block of another kind (its label).
    WrongKind(String),
    /// A block whose body is not base64 of a DER structure.
    Damaged,
    TooManyBlocks,
}

impl std::fmt::Display for CertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CertError::TooBig => write!(f, "larger than {MAX_FILE} bytes"),
            CertError::Empty => f.write_str("empty"),
            CertError::NotPem => f.write_str("neither a PEM file nor a DER certificate"),
            CertError::WrongKind(l) => write!(f, "holds a {l:?} block, not the kind asked for"),
            CertError::Damaged => f.write_str("a PEM block that is not base64 of DER"),
            CertError::TooManyBlocks => write!(f, "more than {MAX_BLOCKS} PEM blocks"),
        }
    }
}

impl std::error::Error for CertError {}

/// Whether `der` is exactly one DER SEQUENCE (what certificates and keys are).
pub fn is_der_sequence(der: &[u8]) -> bool {
    let [0x30, len0, rest @ ..] = der else {
        return false;
    };
    let (len, body) = match *len0 {
        n if n < 0x80 => (usize::from(n), rest),
        0x81..=0x83 => {
            let k = usize::from(len0 - 0x80);
            if rest.len() < k {
                return false;
            }
            let len = rest[..k]
                .iter()
                .fold(0usize, |a, b| (a << 8) | usize::from(*b));
            (len, &rest[k..])
        }
        _ => return false,
    };
    len == body.len() && len > 0
}

/// Checks `bytes` as a file of `kind` and returns it as clean PEM.
pub fn check(bytes: &[u8], kind: Kind) -> Result<Vec<u8>, CertError> {
    if bytes.len() > MAX_FILE {
        return Err(CertError::TooBig);
    }
    if bytes.is_empty() {
        return Err(CertError::Empty);
    }
    if kind == Kind::Certificate && is_der_sequence(bytes) {
        return Ok(pem("CERTIFICATE", bytes));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| CertError::NotPem)?;
    let labels = match kind {
        Kind::Certificate => CERT_LABELS,
        Kind::PrivateKey => KEY_LABELS,
    };
    let mut out = Vec::new();
    let mut blocks = 0;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        // text around the blocks (openssl's "subject=" lines) is dropped
        let Some(label) = line
            .trim_end()
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        if !labels.contains(&label) {
            return Err(CertError::WrongKind(label.chars().take(40).collect()));
        }
        blocks += 1;
        if blocks > MAX_BLOCKS || (kind == Kind::PrivateKey && blocks > 1) {
            return Err(CertError::TooManyBlocks);
        }
        let end = format!("-----END {label}-----");
        let mut headers = Vec::new();
        let mut body = String::new();
        let mut closed = false;
        for l in lines.by_ref() {
            let l = l.trim_end();
            if l == end {
                closed = true;
                break;
            }
            // an OpenSSL-encrypted traditional key: its two header lines
            if let Some((k, v)) = l.split_once(": ") {
                if matches!(k, "Proc-Type" | "DEK-Info")
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b",-".contains(&b))
                {
                    headers.push(format!("{k}: {v}"));
                    continue;
                }
                return Err(CertError::Damaged);
            }
            if l.is_empty() {
                continue;
            }
            body.push_str(l);
        }
        if !closed {
            return Err(CertError::Damaged);
        }
        let der = base64::engine::general_purpose::STANDARD
            .decode(&body)
            .map_err(|_| CertError::Damaged)?;
        // an encrypted traditional key is ciphertext, not DER
        if headers.is_empty() && !is_der_sequence(&der) {
            return Err(CertError::Damaged);
        }
        let mut block = pem_with_headers(label, &headers, &der);
        out.append(&mut block);
    }
    match blocks {
        0 => Err(CertError::NotPem),
        _ => Ok(out),
    }
}

fn pem(label: &str, der: &[u8]) -> Vec<u8> {
    pem_with_headers(label, &[], der)
}

fn pem_with_headers(label: &str, headers: &[String], der: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut s = format!("-----BEGIN {label}-----\n");
    for h in headers {
        s.push_str(h);
        s.push('\n');
    }
    if !headers.is_empty() {
        s.push('\n');
    }
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A syntactically valid DER SEQUENCE (not a real certificate: the
    /// helper checks the form, and wpa_supplicant the contents).
    fn der(n: usize) -> Vec<u8> {
        let mut d = vec![0x30, 0x82, (n >> 8) as u8, n as u8];
        d.extend(std::iter::repeat_n(0x02, n));
        d
    }

    #[test]
    fn der_certificates_become_pem() {
        let out = check(&der(300), Kind::Certificate).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("-----BEGIN CERTIFICATE-----\n"));
        // and that PEM passes again, unchanged
        assert_eq!(check(&out, Kind::Certificate).unwrap(), out);
        // a DER key is not accepted (which kind of key would it be?)
        assert_eq!(check(&der(300), Kind::PrivateKey), Err(CertError::NotPem));
    }

    #[test]
    fn text_around_blocks_is_dropped_and_chains_kept() {
        let one = String::from_utf8(check(&der(100), Kind::Certificate).unwrap()).unwrap();
        let input = format!("subject=CN = Lab CA\n{one}issuer=x\n{one}");
        let out = String::from_utf8(check(input.as_bytes(), Kind::Certificate).unwrap()).unwrap();
        assert_eq!(out, format!("{one}{one}"));
    }

    #[test]
    fn the_wrong_kind_or_damage_is_refused() {
        let cert = String::from_utf8(check(&der(100), Kind::Certificate).unwrap()).unwrap();
        assert_eq!(
            check(cert.as_bytes(), Kind::PrivateKey),
            Err(CertError::WrongKind("CERTIFICATE".into()))
        );
        let key = cert.replace("CERTIFICATE", "PRIVATE KEY");
        assert!(check(key.as_bytes(), Kind::PrivateKey).is_ok());
        assert!(matches!(
            check(key.as_bytes(), Kind::Certificate),
            Err(CertError::WrongKind(_))
        ));
        let two_keys = format!("{key}{key}");
        assert_eq!(
            check(two_keys.as_bytes(), Kind::PrivateKey),
            Err(CertError::TooManyBlocks)
        );
        assert_eq!(
            check(b"#!/bin/sh\nrm -rf /\n", Kind::Certificate),
            Err(CertError::NotPem)
        );
        let bad = "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n";
        assert_eq!(
            check(bad.as_bytes(), Kind::Certificate),
            Err(CertError::Damaged)
        );
        let open = "-----BEGIN CERTIFICATE-----\nMAA=\n";
        assert_eq!(
            check(open.as_bytes(), Kind::Certificate),
            Err(CertError::Damaged)
        );
        assert_eq!(check(b"", Kind::Certificate), Err(CertError::Empty));
        assert_eq!(
            check(&vec![b'a'; MAX_FILE + 1], Kind::Certificate),
            Err(CertError::TooBig)
        );
        assert!(!is_der_sequence(&[0x30, 0x05, 1, 2]));
        assert!(!is_der_sequence(&[0x30, 0x84, 0, 0, 0, 1, 0]));
    }

    #[test]
    fn an_encrypted_traditional_key_keeps_its_headers() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
                   DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nq83vEjRWeJA=\n\
                   -----END RSA PRIVATE KEY-----\n";
        let out = String::from_utf8(check(key.as_bytes(), Kind::PrivateKey).unwrap()).unwrap();
        assert_eq!(out, key);
        let evil = key.replace("DEK-Info: AES", "X-Script: AES");
        assert_eq!(
            check(evil.as_bytes(), Kind::PrivateKey),
            Err(CertError::Damaged)
        );
    }
}
