//! The hotspot, without widgets: the code phones scan to join it, a fresh
//! password, and the frequencies offered.
//!
//! connmand's access point is WPA2-PSK (CCMP), or open without a
//! passphrase, and never hidden (`plugins/wifi.c ssid_ap_init`), so the
//! join code says `T:WPA` or `T:nopass` and no `H:`. Its text follows the
//! ZXing convention GNOME Settings and Plasma use: `\ ; , : "` escaped with
//! a backslash; a `;` left bare cuts the password short on the phone.

use std::io::Read;

/// The text of the join code for network `ssid` with `passphrase` (empty:
/// an open network).
pub fn join_payload(ssid: &str, passphrase: &str) -> String {
    if passphrase.is_empty() {
        format!("WIFI:T:nopass;S:{};;", escape(ssid))
    } else {
        format!("WIFI:T:WPA;S:{};P:{};;", escape(ssid), escape(passphrase))
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | ';' | ',' | ':' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The modules of a QR code: `width` × `width`, row by row, `true` for dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modules {
    pub width: usize,
    pub dark: Vec<bool>,
}

impl Modules {
    /// The QR code of `text` (error correction M: still read with a
    /// smudge, not so dense that a phone held at arm's length fails);
    /// `None` when it does not fit in a QR code.
    pub fn encode(text: &str) -> Option<Modules> {
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .ok()?;
        let width = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        Some(Modules { width, dark })
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark.get(y * self.width + x).copied().unwrap_or(false)
    }
}

/// The light border a reader needs around the code, in modules.
pub const QUIET_ZONE: usize = 4;

/// Where to draw `modules` in a square of `side` pixels: the whole number
/// of pixels per module (so every edge falls on a pixel: crisp at any
/// scale) and the offset that centres the code with its quiet zone.
pub fn layout(width: usize, side: i32) -> (i32, i32) {
    let total = (width + 2 * QUIET_ZONE) as i32;
    let module = (side / total).max(1);
    let offset = (side - module * width as i32) / 2;
    (module, offset)
}

/// Letters and digits that cannot be mistaken for one another when read
/// aloud or copied by hand (no `0 o 1 l i`).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new hotspot password: four groups of four from [`ALPHABET`] (about 79
/// bits), from the kernel's random source; easy to type on a phone.
pub fn generate_passphrase() -> String {
    let mut bytes = [0u8; 64];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if random.is_err() {
        // no /dev/urandom (a sandbox): GLib's generator, seeded from the clock
        for b in &mut bytes {
            *b = glib::random_int_range(0, 256) as u8;
        }
    }
    // rejection sampling: only bytes below a multiple of the alphabet's
    // size, so every letter is equally likely
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let mut letters = bytes
        .iter()
        .filter(|b| **b < limit)
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char);
    let mut out = String::new();
    for group in 0..4 {
        if group > 0 {
            out.push('-');
        }
        for _ in 0..4 {
            // 64 bytes leave at least 16 below the limit, all but surely
            out.push(letters.next().unwrap_or('x'));
        }
    }
    out
}

/// The hotspot frequencies offered (MHz), with connmand's default (2412)
/// first: channel 1, 6 and 11 at 2.4 GHz, and 36 and 149 at 5 GHz (only if
/// the device and the country allow them).
pub const FREQUENCIES: [i32; 5] = [2412, 2437, 2462, 5180, 5745];

/// The Wi-Fi channel of `mhz`, if it is one.
pub fn channel(mhz: i32) -> Option<i32> {
    match mhz {
        2484 => Some(14),
        2412..=2472 => Some((mhz - 2407) / 5),
        5000..=5895 => Some((mhz - 5000) / 5),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_escape_what_the_format_reserves() {
        assert_eq!(
            join_payload("Café", "correct horse"),
            "WIFI:T:WPA;S:Café;P:correct horse;;"
        );
        assert_eq!(
            join_payload(r#"a;b,c:d"e\f"#, r#"p;1,2:3"4\5"#),
            r#"WIFI:T:WPA;S:a\;b\,c\:d\"e\\f;P:p\;1\,2\:3\"4\\5;;"#
        );
        assert_eq!(join_payload("Open", ""), "WIFI:T:nopass;S:Open;;");
    }

    #[test]
    fn modules_fit_whole_pixels_with_the_quiet_zone() {
        let m = Modules::encode(&join_payload("Connie", "abcd-efgh-jkmn-pqrs")).unwrap();
        assert_eq!(m.dark.len(), m.width * m.width);
        // finder pattern: the top-left corner is dark
        assert!(m.is_dark(0, 0) && m.is_dark(6, 6) && !m.is_dark(7, 7));
        let (module, offset) = layout(m.width, 200);
        assert!(module >= 5, "{module}");
        assert!(offset >= QUIET_ZONE as i32 * module);
        assert!(offset + module * m.width as i32 <= 200 - QUIET_ZONE as i32 * module);
    }

    #[test]
    fn generated_passphrases_are_valid_and_differ() {
        let a = generate_passphrase();
        let b = generate_passphrase();
        assert_ne!(a, b);
        assert_eq!(a.len(), 19);
        assert!(crate::connman::types::psk_passphrase_valid(&a));
        assert!(a.chars().all(|c| c == '-' || ALPHABET.contains(&(c as u8))));
    }

    #[test]
    fn channels() {
        assert_eq!(channel(2412), Some(1));
        assert_eq!(channel(2462), Some(11));
        assert_eq!(channel(5180), Some(36));
        assert_eq!(channel(0), None);
    }
}
