//! A fake `fi.w1.wpa_supplicant1`, so that the real connmand shows wifi without a radio.
//!
//! connmand's wifi plugin (gsupplicant) talks to wpa_supplicant over the system bus. The lab runs
//! connmand on a private bus, makes a veth named like `wlan0` look like `DEVTYPE=wlan`, and
//! serves this fake on that bus. connmand then lists wifi services for the [`AccessPoint`]s,
//! connects to them (passphrases are checked) and, once the fake reports `completed`, runs its
//! real DHCP over the veth.
//!
//! What connmand 1.41 depends on, all kept here (see `LAB.md`, "WiFi without a radio"):
//!
//! - `BSSAdded` carries *every* BSS property. gsupplicant computes a BSS's security right when
//!   the signal arrives; properties fetched later make it a hidden open network.
//! - The wpa-style `PropertiesChanged(a{sv})` signal on each wpa interface, in property order
//!   (`State` before `CurrentBSS`). `DisconnectReason` and `AssocStatusCode` go out in a signal of
//!   their own just before the `State` change, as wpa_supplicant flushes them at once: connmand
//!   reads `AssocStatusCode` when it handles the next state.
//! - A wrong key is reported the way connmand recognises it: for PSK the state goes
//!   `4way_handshake` → `disconnected` (`DisconnectReason` 15); for WEP `associating` →
//!   `disconnected` with `AssocStatusCode` 16 (shared-key authentication failed). connmand then
//!   sets the service's `Error` to `invalid-key`. For a *favourite* service connmand waits for
//!   wpa_supplicant's own retry and says `invalid-key` on the second failure, so the fake retries
//!   a failed network by itself while it stays selected, as wpa_supplicant does.
//! - 802.1X with wrong credentials fails as with the real wpa_supplicant: `associated` →
//!   `disconnected` (`DisconnectReason` 23); connmand 1.41 reports `connect-failed`. (Made to
//!   look like `invalid-key`, connmand 1.41 aborts on that service's next agent-assisted
//!   Connect: its `PreviousPassphrase` has no type for 802.1X.)
//! - After a link loss connmand neither scans nor reconnects: it leaves that to wpa_supplicant
//!   (and a Connect of the same service fails with "In progress" meanwhile). So the fake, like
//!   wpa_supplicant, rescans and re-associates the selected network, at once if its access point
//!   is still there, else when it comes back.
//! - Hidden access points are published with an empty SSID; a directed scan (`SSIDs`) naming one
//!   publishes its real-SSID BSS as well.
//!
//! Timers run as tasks on the connection's executor (so the connection must run its internal
//! executor, zbus's default). Every change to the objects on the bus and every signal goes
//! through one FIFO lock, so signals leave in the order the changes were made.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::process::Command;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use zbus::export::serde::ser::{SerializeMap, Serializer};
use zbus::export::serde::Serialize;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Signature, Type, Value};
use zbus::Connection;

/// The bus name and root object of wpa_supplicant.
const SVC: &str = "fi.w1.wpa_supplicant1";
const ROOT: &str = "/fi/w1/wpa_supplicant1";
const IF_IFACE: &str = "fi.w1.wpa_supplicant1.Interface";
const BSS_IFACE: &str = "fi.w1.wpa_supplicant1.BSS";

/// How many log lines [`FakeSupplicant::log`] keeps (the oldest go first).
const LOG_LINES: usize = 20_000;

/// Delays of the fake radio, as in the Python prototype that connmand was seen working with
/// (connection steps: 100 ms apart, a failure 600 ms after SelectNetwork).
const SCAN_TIME: Duration = Duration::from_millis(300);
const DISCONNECT_TIME: Duration = Duration::from_millis(50);
/// After a link loss, like wpa_supplicant, the fake rescans and re-associates by itself.
const RECONNECT_TIME: Duration = Duration::from_millis(500);
/// After a wrong key, wpa_supplicant retries the network by itself (after 10 s; the fake is
/// quicker), and connmand counts on it for favourites: it declares `invalid-key` only on the
/// second failure of a favourite service. At most [`MAX_RETRIES`] times per SelectNetwork.
const RETRY_TIME: Duration = Duration::from_millis(1000);
const MAX_RETRIES: u32 = 3;

/// IEEE 802.11 reason and status codes the fake reports.
const REASON_DEAUTH_LEAVING: i32 = 3;
const REASON_INACTIVITY: i32 = 4;
const REASON_4WAY_TIMEOUT: i32 = 15;
const REASON_8021X_FAILED: i32 = 23;
const STATUS_UNSPECIFIED_FAILURE: i32 = 1;
const STATUS_AUTH_TIMEOUT: i32 = 16;

// ---------------------------------------------------------------------------------------------
// Access points
// ---------------------------------------------------------------------------------------------

/// The security of a fake access point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// No encryption (connmand: `none`).
    Open,
    /// WEP with a 40- or 104-bit key.
    Wep,
    /// WPA2-Personal (connmand: `psk`).
    Psk,
    /// WPA2-Enterprise, 802.1X (connmand: `ieee8021x`).
    Eap,
}

impl Security {
    /// Parses `open`/`none`, `wep`, `psk`/`wpa2`/`wpa`, `eap`/`8021x`/`ieee8021x` (any case).
    pub fn parse(s: &str) -> Option<Security> {
        match s.to_ascii_lowercase().as_str() {
            "open" | "none" => Some(Security::Open),
            "wep" => Some(Security::Wep),
            "psk" | "wpa2" | "wpa" => Some(Security::Psk),
            "eap" | "8021x" | "ieee8021x" => Some(Security::Eap),
            _ => None,
        }
    }

    /// `open`, `wep`, `psk` or `eap`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Security::Open => "open",
            Security::Wep => "wep",
            Security::Psk => "psk",
            Security::Eap => "eap",
        }
    }

    /// The RSN key management the BSS advertises (WEP and open ones advertise none).
    fn key_mgmt(self) -> &'static [&'static str] {
        match self {
            Security::Psk => &["wpa-psk"],
            Security::Eap => &["wpa-eap"],
            Security::Open | Security::Wep => &[],
        }
    }
}

/// One fake access point: a single BSS on every wpa interface.
#[derive(Clone, Debug)]
pub struct AccessPoint {
    /// Any bytes, need not be UTF-8 (1 to 32 bytes).
    pub ssid: Vec<u8>,
    /// What the BSS advertises and what the fake checks on connect.
    pub security: Security,
    /// The right key. PSK: the passphrase (8–63 characters, or 64 hex digits); WEP: the key
    /// (5 or 13 characters, or 10 or 26 hex digits); 802.1X: the password. `None` accepts any.
    pub passphrase: Option<String>,
    /// 802.1X: the right identity. `None` accepts any.
    pub identity: Option<String>,
    /// Signal strength in dBm.
    pub signal: i16,
    /// Frequency in MHz.
    pub frequency: u16,
    /// Hidden: scans show it with an empty SSID, unless they ask for this SSID.
    pub hidden: bool,
    /// The BSSID.
    pub bssid: [u8; 6],
}

impl AccessPoint {
    /// A visible access point at -50 dBm on 2412 MHz, without keys, whose BSSID is derived from
    /// the SSID (a locally administered `02:…` address, the same in every run).
    pub fn new(ssid: impl Into<Vec<u8>>, security: Security) -> Self {
        let ssid = ssid.into();
        let bssid = bssid_for(&ssid);
        AccessPoint {
            ssid,
            security,
            passphrase: None,
            identity: None,
            signal: -50,
            frequency: 2412,
            hidden: false,
            bssid,
        }
    }

    fn with(mut self, passphrase: &str, signal: i16, frequency: u16) -> Self {
        self.passphrase = Some(passphrase.to_string()).filter(|p| !p.is_empty());
        self.signal = signal;
        self.frequency = frequency;
        self
    }
}

/// A stable BSSID for an SSID: `02` (locally administered, unicast) + 40 bits of FNV-1a.
fn bssid_for(ssid: &[u8]) -> [u8; 6] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in ssid {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let b = h.to_be_bytes();
    [0x02, b[3], b[4], b[5], b[6], b[7]]
}

/// The lab's standard access points: `LabOpen` (open, -45 dBm, 2412 MHz), `LabWPA2` (PSK
/// `labpassword`, -60, 5180), `LabWEP` (WEP key `12345`, -75, 2437), `LabEnterprise` (802.1X,
/// identity `labuser`, password `labpass`, -65, 5240) and `LabHidden` (hidden, PSK `hiddenpass`,
/// -55, 2462).
pub fn default_aps() -> Vec<AccessPoint> {
    let mut eap = AccessPoint::new("LabEnterprise", Security::Eap).with("labpass", -65, 5240);
    eap.identity = Some("labuser".into());
    let mut hidden = AccessPoint::new("LabHidden", Security::Psk).with("hiddenpass", -55, 2462);
    hidden.hidden = true;
    vec![
        AccessPoint::new("LabOpen", Security::Open).with("", -45, 2412),
        AccessPoint::new("LabWPA2", Security::Psk).with("labpassword", -60, 5180),
        AccessPoint::new("LabWEP", Security::Wep).with("12345", -75, 2437),
        eap,
        hidden,
    ]
}

/// `n` distinct access points for scale tests: `Lab-AP-001`, `Lab-AP-002`, … cycling through
/// PSK (`labpassword`), open, PSK, WEP (`12345`) and 802.1X (`labuser`/`labpass`), with signals
/// from -30 to -89 dBm on 2.4 and 5 GHz channels.
pub fn many_aps(n: usize) -> Vec<AccessPoint> {
    const FREQS: [u16; 8] = [2412, 2437, 2462, 5180, 5200, 5220, 5240, 5745];
    (1..=n)
        .map(|i| {
            let ssid = format!("Lab-AP-{i:03}");
            let signal = -30 - ((i * 7) % 60) as i16;
            let freq = FREQS[i % FREQS.len()];
            match i % 5 {
                1 | 3 => AccessPoint::new(ssid, Security::Psk).with("labpassword", signal, freq),
                2 => AccessPoint::new(ssid, Security::Open).with("", signal, freq),
                4 => AccessPoint::new(ssid, Security::Wep).with("12345", signal, freq),
                _ => {
                    let mut ap =
                        AccessPoint::new(ssid, Security::Eap).with("labpass", signal, freq);
                    ap.identity = Some("labuser".into());
                    ap
                }
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn is_raw_psk(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A key as connmand hands it to wpa_supplicant: a string, or bytes (`ay`).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    Text(String),
    Bytes(Vec<u8>),
}

impl Key {
    fn from_value(v: &OwnedValue) -> Option<Key> {
        match &**v {
            Value::Str(s) => Some(Key::Text(s.to_string())),
            Value::Array(_) => Vec::<u8>::try_from(v.clone()).ok().map(Key::Bytes),
            _ => None,
        }
    }
}

/// PSK: the passphrase literally; a 64-hex raw key also as bytes or in any case.
fn psk_matches(right: &str, given: &Key) -> bool {
    match given {
        Key::Text(s) => {
            s == right || (is_raw_psk(s) && is_raw_psk(right) && s.eq_ignore_ascii_case(right))
        }
        Key::Bytes(b) => is_raw_psk(right) && hex_decode(right).as_deref() == Some(b.as_slice()),
    }
}

/// WEP: connmand sends 5/13-character keys as their ASCII bytes and 10/26-hex keys decoded.
fn wep_matches(right: &str, given: &Key) -> bool {
    let right_hex = match right.len() {
        10 | 26 => hex_decode(right),
        _ => None,
    };
    match given {
        Key::Bytes(b) => {
            b.as_slice() == right.as_bytes() || right_hex.as_deref() == Some(b.as_slice())
        }
        Key::Text(s) => {
            s == right
                || (right_hex.is_some() && hex_decode(s).is_some() && hex_decode(s) == right_hex)
        }
    }
}

fn arg_str(args: &HashMap<String, OwnedValue>, key: &str) -> Option<String> {
    args.get(key).and_then(|v| match &**v {
        Value::Str(s) => Some(s.to_string()),
        _ => None,
    })
}

/// How a connection attempt to `ap` with AddNetwork's `args` ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Ok,
    WrongKey,
}

fn check_credentials(ap: &AccessPoint, args: &HashMap<String, OwnedValue>) -> Verdict {
    let ok = match (ap.security, ap.passphrase.as_deref()) {
        (Security::Open, _) => true,
        (Security::Psk, Some(right)) => args
            .get("psk")
            .and_then(Key::from_value)
            .is_some_and(|k| psk_matches(right, &k)),
        (Security::Wep, Some(right)) => args
            .get("wep_key0")
            .and_then(Key::from_value)
            .is_some_and(|k| wep_matches(right, &k)),
        (Security::Psk | Security::Wep, None) => true,
        (Security::Eap, password) => {
            let id_ok = ap.identity.is_none() || arg_str(args, "identity") == ap.identity;
            let pw_ok = password.is_none() || arg_str(args, "password").as_deref() == password;
            id_ok && pw_ok
        }
    };
    if ok {
        Verdict::Ok
    } else {
        Verdict::WrongKey
    }
}

/// The SSID of an AddNetwork (`ssid` as bytes, or as a string).
fn network_ssid(args: &HashMap<String, OwnedValue>) -> Vec<u8> {
    args.get("ssid")
        .and_then(|v| Vec::<u8>::try_from(v.clone()).ok())
        .or_else(|| arg_str(args, "ssid").map(String::into_bytes))
        .unwrap_or_default()
}

/// The states of a connection attempt to `ap` (milliseconds from now), ending in `done`
/// (`completed`) or in `disconnected` with the codes connmand reads as the right failure.
fn connect_steps(
    ap: &AccessPoint,
    verdict: Verdict,
    fail_assoc: bool,
    done: Transition,
) -> Vec<(u64, Transition)> {
    let mut steps = vec![(100, Transition::to("associating"))];
    if fail_assoc {
        let t = Transition::disconnected(None, Some(STATUS_UNSPECIFIED_FAILURE));
        steps.push((600, t));
        return steps;
    }
    if ap.security == Security::Wep && verdict == Verdict::WrongKey {
        // Shared-key authentication rejected: connmand's invalid-key while associating.
        steps.push((600, Transition::wrong_key(None, Some(STATUS_AUTH_TIMEOUT))));
        return steps;
    }
    steps.push((200, Transition::to("associated")));
    if ap.security == Security::Eap && verdict == Verdict::WrongKey {
        // EAP runs while `associated`; the AP deauthenticates (802.1X authentication failed)
        // before any handshake. connmand 1.41 reports connect-failed. (Through 4way_handshake it
        // would say invalid-key, but then crash on the service's next agent-assisted Connect:
        // its PreviousPassphrase has no type for 802.1X.)
        steps.push((600, Transition::wrong_key(Some(REASON_8021X_FAILED), None)));
        return steps;
    }
    if matches!(ap.security, Security::Psk | Security::Eap) {
        steps.push((300, Transition::to("4way_handshake")));
    }
    if verdict == Verdict::Ok {
        steps.push((400, done));
    } else {
        steps.push((600, Transition::wrong_key(Some(REASON_4WAY_TIMEOUT), None)));
    }
    steps
}

fn verdict_text(verdict: Verdict, fail_assoc: bool) -> &'static str {
    match (fail_assoc, verdict) {
        (true, _) => "association will fail",
        (false, Verdict::Ok) => "key ok",
        (false, Verdict::WrongKey) => "wrong key",
    }
}

/// Keys of AddNetwork arguments whose values never reach the log or the bus.
fn is_secret(key: &str) -> bool {
    key == "psk"
        || key == "pin"
        || key.contains("password")
        || key.contains("passwd")
        || key.contains("passphrase")
        || (key.starts_with("wep_key") && key != "wep_tx_keyidx")
}

/// An SSID for the log: `"text"` when it is printable UTF-8, else `hex:…`.
fn show_ssid(ssid: &[u8]) -> String {
    match std::str::from_utf8(ssid) {
        Ok(s) if !s.chars().any(char::is_control) => format!("{s:?}"),
        _ => format!(
            "hex:{}",
            ssid.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ),
    }
}

/// An AddNetwork argument as text (secrets as `***`), for the log and `Network.Properties`.
fn show_arg(key: &str, v: &OwnedValue) -> String {
    if is_secret(key) {
        return "***".into();
    }
    match &**v {
        Value::Str(s) => s.to_string(),
        Value::Array(_) => match Vec::<u8>::try_from(v.clone()) {
            Ok(b) if key == "ssid" => show_ssid(&b),
            Ok(b) => b.iter().map(|b| format!("{b:02x}")).collect(),
            Err(_) => format!("{:?}", &**v),
        },
        Value::U8(n) => n.to_string(),
        Value::U16(n) => n.to_string(),
        Value::U32(n) => n.to_string(),
        Value::I16(n) => n.to_string(),
        Value::I32(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// D-Bus values
// ---------------------------------------------------------------------------------------------

fn owned<'a>(v: impl Into<Value<'a>>) -> OwnedValue {
    v.into()
        .try_to_owned()
        .expect("values without file descriptors always convert")
}

fn dict(entries: Vec<(&str, Value<'static>)>) -> HashMap<String, OwnedValue> {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), owned(v)))
        .collect()
}

fn strs(items: &[&str]) -> Value<'static> {
    Value::from(items.iter().map(|s| s.to_string()).collect::<Vec<String>>())
}

fn path(s: String) -> OwnedObjectPath {
    OwnedObjectPath::try_from(s).expect("the fake builds valid object paths")
}

fn no_path() -> OwnedObjectPath {
    path("/".into())
}

/// An `a{sv}` that keeps its order on the wire: gsupplicant handles the entries one by one.
#[derive(Clone, Debug, Default)]
struct Props(Vec<(&'static str, OwnedValue)>);

impl Props {
    fn with(mut self, key: &'static str, v: impl Into<Value<'static>>) -> Self {
        self.0.push((key, owned(v)));
        self
    }
}

impl Serialize for Props {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Type for Props {
    const SIGNATURE: &'static Signature = <HashMap<&str, OwnedValue> as Type>::SIGNATURE;
}

/// What a BSS object shows: derived from its access point (with an empty SSID when hidden).
#[derive(Clone, Debug, PartialEq, Eq)]
struct BssProps {
    ssid: Vec<u8>,
    bssid: [u8; 6],
    security: Security,
    frequency: u16,
    signal: i16,
}

impl BssProps {
    fn of(ap: &AccessPoint, hidden_variant: bool) -> Self {
        BssProps {
            ssid: if hidden_variant {
                Vec::new()
            } else {
                ap.ssid.clone()
            },
            bssid: ap.bssid,
            security: ap.security,
            frequency: ap.frequency,
            signal: ap.signal,
        }
    }

    fn wpa(&self) -> HashMap<String, OwnedValue> {
        dict(vec![
            ("KeyMgmt", strs(&[])),
            ("Pairwise", strs(&[])),
            ("Group", Value::from("")),
        ])
    }

    fn rsn(&self) -> HashMap<String, OwnedValue> {
        let km = self.security.key_mgmt();
        let cipher: &[&str] = if km.is_empty() { &[] } else { &["ccmp"] };
        dict(vec![
            ("KeyMgmt", strs(km)),
            ("Pairwise", strs(cipher)),
            ("Group", Value::from(cipher.first().copied().unwrap_or(""))),
            ("MgmtGroup", Value::from("")),
        ])
    }

    fn wps(&self) -> HashMap<String, OwnedValue> {
        dict(vec![("Type", Value::from(""))])
    }

    fn privacy(&self) -> bool {
        self.security != Security::Open
    }

    fn rates() -> Vec<u32> {
        vec![54_000_000, 6_000_000]
    }

    /// Every property, for `BSSAdded`.
    fn all(&self) -> Props {
        Props::default()
            .with("BSSID", self.bssid.to_vec())
            .with("SSID", self.ssid.clone())
            .with("WPA", self.wpa())
            .with("RSN", self.rsn())
            .with("WPS", self.wps())
            .with("IEs", Vec::<u8>::new())
            .with("Privacy", self.privacy())
            .with("Mode", "infrastructure")
            .with("Frequency", self.frequency)
            .with("Rates", Self::rates())
            .with("Signal", self.signal)
            .with("Age", 0u32)
    }
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/// A BSS is published per access point, twice for a hidden one found by a directed scan:
/// (SSID, hidden variant with an empty SSID?).
type BssKey = (Vec<u8>, bool);

struct Bss {
    path: OwnedObjectPath,
    key: BssKey,
    props: BssProps,
}

struct Network {
    path: OwnedObjectPath,
    args: HashMap<String, OwnedValue>,
    enabled: bool,
}

/// One wpa interface (`CreateInterface`), i.e. one netdev.
struct Iface {
    path: OwnedObjectPath,
    ifname: String,
    driver: String,
    /// CreateInterface's BridgeIfname: connmand's `tether` bridge when it
    /// recreates the interface as an access point.
    bridge: String,
    state: &'static str,
    scanning: bool,
    ap_scan: u32,
    bss_expire_age: u32,
    bss_expire_count: u32,
    country: String,
    current_bss: OwnedObjectPath,
    current_network: OwnedObjectPath,
    disconnect_reason: i32,
    assoc_status: i32,
    wps_process_credentials: bool,
    wps_config_methods: String,
    bsses: BTreeMap<u32, Bss>,
    bss_index: HashMap<BssKey, u32>,
    next_bss: u32,
    networks: BTreeMap<u32, Network>,
    next_network: u32,
    /// Bumped by every SelectNetwork/Disconnect/link loss: older pending transitions are dropped.
    generation: u64,
    /// The SSID being connected or connected to.
    current_ap: Option<Vec<u8>>,
    /// The network of the last SelectNetwork, until Disconnect or its RemoveNetwork: after a
    /// link loss the fake reconnects to it, as wpa_supplicant does (connmand relies on that).
    selected: Option<OwnedObjectPath>,
    /// Lost the link and the access point is gone: reconnect when it comes back.
    lost: bool,
    /// Automatic retries after a wrong key since the last SelectNetwork.
    retries: u32,
}

impl Iface {
    fn new(num: u32, ifname: String, driver: String) -> Self {
        Iface {
            path: path(format!("{ROOT}/Interfaces/{num}")),
            ifname,
            driver,
            bridge: String::new(),
            state: "inactive",
            scanning: false,
            ap_scan: 1,
            bss_expire_age: 180,
            bss_expire_count: 2,
            country: "US".into(),
            current_bss: no_path(),
            current_network: no_path(),
            disconnect_reason: 0,
            assoc_status: 0,
            wps_process_credentials: false,
            wps_config_methods: String::new(),
            bsses: BTreeMap::new(),
            bss_index: HashMap::new(),
            next_bss: 1,
            networks: BTreeMap::new(),
            next_network: 1,
            generation: 0,
            current_ap: None,
            selected: None,
            lost: false,
            retries: 0,
        }
    }

    fn bss_paths(&self) -> Vec<OwnedObjectPath> {
        self.bsses.values().map(|b| b.path.clone()).collect()
    }

    fn network_paths(&self) -> Vec<OwnedObjectPath> {
        self.networks.values().map(|n| n.path.clone()).collect()
    }

    /// The arguments of the selected network, if any.
    fn selected_args(&self) -> Option<(OwnedObjectPath, HashMap<String, OwnedValue>)> {
        let p = self.selected.clone()?;
        let n = self.network_num(p.as_str())?;
        Some((p, self.networks[&n].args.clone()))
    }

    fn network_num(&self, p: &str) -> Option<u32> {
        self.networks
            .iter()
            .find(|(_, n)| n.path.as_str() == p)
            .map(|(k, _)| *k)
    }

    fn capabilities() -> HashMap<String, OwnedValue> {
        dict(vec![
            ("Pairwise", strs(&["ccmp", "tkip", "none"])),
            ("Group", strs(&["ccmp", "tkip", "wep104", "wep40"])),
            (
                "KeyMgmt",
                strs(&[
                    "none",
                    "ieee8021x",
                    "wpa-eap",
                    "wpa-psk",
                    "wpa-eap-sha256",
                    "wpa-psk-sha256",
                    "sae",
                ]),
            ),
            ("Protocol", strs(&["rsn", "wpa"])),
            ("AuthAlg", strs(&["open", "shared"])),
            ("Scan", strs(&["active", "passive", "ssid"])),
            ("Modes", strs(&["infrastructure", "ad-hoc", "ap"])),
            ("MaxScanSSID", Value::from(4i32)),
        ])
    }

    /// Every property, in wpa_supplicant's order, for `InterfaceAdded`.
    fn all(&self) -> Props {
        Props::default()
            .with("Capabilities", Self::capabilities())
            .with("State", self.state)
            .with("Scanning", self.scanning)
            .with("ApScan", self.ap_scan)
            .with("BSSExpireAge", self.bss_expire_age)
            .with("BSSExpireCount", self.bss_expire_count)
            .with("Country", self.country.clone())
            .with("Ifname", self.ifname.clone())
            .with("Driver", self.driver.clone())
            .with("BridgeIfname", self.bridge.clone())
            .with("ConfigFile", "")
            .with("CurrentBSS", self.current_bss.clone())
            .with("CurrentNetwork", self.current_network.clone())
            .with("CurrentAuthMode", "")
            .with("Blobs", HashMap::<String, Vec<u8>>::new())
            .with("BSSs", self.bss_paths())
            .with("Networks", self.network_paths())
            .with("DisconnectReason", self.disconnect_reason)
            .with("AssocStatusCode", self.assoc_status)
    }
}

struct ApEntry {
    seq: u64,
    ap: AccessPoint,
}

struct State {
    aps: HashMap<Vec<u8>, ApEntry>,
    next_seq: u64,
    assoc_failure: HashSet<Vec<u8>>,
    ifaces: BTreeMap<u32, Iface>,
    next_iface: u32,
    debug_level: String,
    debug_timestamp: bool,
    debug_show_keys: bool,
    country: String,
    wfd_ies: Vec<u8>,
}

impl State {
    fn aps_in_order(&self) -> Vec<&AccessPoint> {
        let mut v: Vec<&ApEntry> = self.aps.values().collect();
        v.sort_by_key(|e| e.seq);
        v.into_iter().map(|e| &e.ap).collect()
    }

    fn iface_paths(&self) -> Vec<OwnedObjectPath> {
        self.ifaces.values().map(|i| i.path.clone()).collect()
    }
}

/// A D-Bus object the fake registers or unregisters.
enum Obj {
    Iface(IfaceObj, WpsObj),
    Bss(BssObj),
    Network(NetworkObj),
}

#[derive(Clone, Copy)]
enum ObjKind {
    Iface,
    Bss,
    Network,
}

/// A signal body.
enum Body {
    Props(Props),
    PathProps(OwnedObjectPath, Props),
    Path(OwnedObjectPath),
    Bool(bool),
    Str(String),
}

/// One step of a planned change: computed under the state mutex, carried out after it.
enum Op {
    Add(OwnedObjectPath, Obj),
    Remove(OwnedObjectPath, ObjKind),
    Signal {
        path: OwnedObjectPath,
        iface: &'static str,
        member: &'static str,
        body: Body,
    },
}

fn signal(path: &OwnedObjectPath, iface: &'static str, member: &'static str, body: Body) -> Op {
    Op::Signal {
        path: path.clone(),
        iface,
        member,
        body,
    }
}

/// Where `CurrentBSS`/`CurrentNetwork` go with a state change.
#[derive(Clone)]
enum Current {
    Keep,
    Set(OwnedObjectPath, OwnedObjectPath),
    Clear,
}

/// A state change of a wpa interface.
#[derive(Clone)]
struct Transition {
    state: &'static str,
    disconnect_reason: Option<i32>,
    assoc_status: Option<i32>,
    current: Current,
    /// A failure after which wpa_supplicant retries the selected network by itself.
    retry: bool,
}

impl Transition {
    fn to(state: &'static str) -> Self {
        Transition {
            state,
            disconnect_reason: None,
            assoc_status: None,
            current: Current::Keep,
            retry: false,
        }
    }

    fn disconnected(reason: Option<i32>, status: Option<i32>) -> Self {
        Transition {
            state: "disconnected",
            disconnect_reason: reason,
            assoc_status: status,
            current: Current::Clear,
            retry: false,
        }
    }

    /// `disconnected` after a wrong key: wpa_supplicant tries again.
    fn wrong_key(reason: Option<i32>, status: Option<i32>) -> Self {
        Transition {
            retry: true,
            ..Transition::disconnected(reason, status)
        }
    }
}

/// A FIFO async lock: changes to the bus-visible state (objects and signals) happen one at a
/// time, in the order they were asked for, without blocking an executor thread.
#[derive(Default)]
struct OpLock {
    st: Mutex<TicketState>,
}

#[derive(Default)]
struct TicketState {
    next: u64,
    serving: u64,
    wakers: HashMap<u64, Waker>,
    abandoned: BTreeSet<u64>,
}

impl OpLock {
    fn lock(&self) -> OpLockFuture<'_> {
        let mut st = lock(&self.st);
        let ticket = st.next;
        st.next += 1;
        OpLockFuture {
            lock: self,
            ticket,
            done: false,
        }
    }

    fn advance(st: &mut TicketState) {
        st.serving += 1;
        while st.abandoned.remove(&st.serving) {
            st.serving += 1;
        }
        if let Some(w) = st.wakers.remove(&st.serving) {
            w.wake();
        }
    }
}

struct OpLockFuture<'a> {
    lock: &'a OpLock,
    ticket: u64,
    done: bool,
}

impl<'a> Future for OpLockFuture<'a> {
    type Output = OpGuard<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<OpGuard<'a>> {
        let lock_ref = self.lock;
        let mut st = lock(&lock_ref.st);
        if st.serving == self.ticket {
            st.wakers.remove(&self.ticket);
            self.done = true;
            Poll::Ready(OpGuard { lock: lock_ref })
        } else {
            st.wakers.insert(self.ticket, cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Drop for OpLockFuture<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut st = lock(&self.lock.st);
        st.wakers.remove(&self.ticket);
        if st.serving == self.ticket {
            OpLock::advance(&mut st);
        } else {
            st.abandoned.insert(self.ticket);
        }
    }
}

struct OpGuard<'a> {
    lock: &'a OpLock,
}

impl Drop for OpGuard<'_> {
    fn drop(&mut self) {
        OpLock::advance(&mut lock(&self.lock.st));
    }
}

/// Locks a std mutex, ignoring poisoning (a panicking test must not hide the real failure).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Shared {
    conn: Connection,
    /// The network namespace holding the netdevs; `None`: no `ip` checks (tests).
    netns: Option<String>,
    start: Instant,
    state: Mutex<State>,
    log: Mutex<VecDeque<String>>,
    ops: OpLock,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn log(&self, line: impl AsRef<str>) {
        let t = self.start.elapsed().as_secs_f64();
        let mut log = lock(&self.log);
        if log.len() >= LOG_LINES {
            log.pop_front();
        }
        log.push_back(format!("{t:9.3} {}", line.as_ref()));
    }

    /// Carries out planned steps in order. Failures are logged: the fake keeps going.
    async fn exec(self: &Arc<Self>, ops: Vec<Op>) {
        let server = self.conn.object_server();
        for op in ops {
            let res = match op {
                Op::Add(p, Obj::Iface(i, w)) => match server.at(&p, i).await {
                    Ok(_) => server.at(&p, w).await.map(|_| ()),
                    Err(e) => Err(e),
                },
                Op::Add(p, Obj::Bss(b)) => server.at(&p, b).await.map(|_| ()),
                Op::Add(p, Obj::Network(n)) => server.at(&p, n).await.map(|_| ()),
                Op::Remove(p, ObjKind::Iface) => {
                    let _ = server.remove::<WpsObj, _>(&p).await;
                    server.remove::<IfaceObj, _>(&p).await.map(|_| ())
                }
                Op::Remove(p, ObjKind::Bss) => server.remove::<BssObj, _>(&p).await.map(|_| ()),
                Op::Remove(p, ObjKind::Network) => {
                    server.remove::<NetworkObj, _>(&p).await.map(|_| ())
                }
                Op::Signal {
                    path,
                    iface,
                    member,
                    body,
                } => {
                    let none = None::<zbus::names::BusName<'_>>;
                    let c = &self.conn;
                    match &body {
                        Body::Props(p) => c.emit_signal(none, &path, iface, member, p).await,
                        Body::PathProps(o, p) => {
                            c.emit_signal(none, &path, iface, member, &(o, p)).await
                        }
                        Body::Path(o) => c.emit_signal(none, &path, iface, member, o).await,
                        Body::Bool(b) => c.emit_signal(none, &path, iface, member, b).await,
                        Body::Str(t) => c.emit_signal(none, &path, iface, member, t).await,
                    }
                }
            };
            if let Err(e) = res {
                self.log(format!("bus error: {e}"));
            }
        }
    }

    /// Runs `f` on a timer task of the connection's executor.
    fn after<F, Fut>(self: &Arc<Self>, delay: Duration, name: &str, f: F)
    where
        F: FnOnce(Arc<Shared>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let sh = self.clone();
        self.conn
            .executor()
            .spawn(
                async move {
                    async_io::Timer::after(delay).await;
                    f(sh).await;
                },
                name,
            )
            .detach();
    }

    /// Plans a state change of interface `num`, unless the interface is gone or a newer
    /// SelectNetwork/Disconnect replaced the attempt (`generation`).
    fn plan_transition(
        &self,
        st: &mut State,
        num: u32,
        generation: u64,
        t: &Transition,
    ) -> Vec<Op> {
        let Some(i) = st.ifaces.get_mut(&num) else {
            return Vec::new();
        };
        if i.generation != generation {
            return Vec::new();
        }
        let mut ops = Vec::new();
        // wpa_supplicant flushes these two at once, before the state change that follows them.
        let mut codes = Props::default();
        if let Some(r) = t.disconnect_reason {
            i.disconnect_reason = r;
            codes = codes.with("DisconnectReason", r);
        }
        if let Some(s) = t.assoc_status {
            i.assoc_status = s;
            codes = codes.with("AssocStatusCode", s);
        }
        if !codes.0.is_empty() {
            ops.push(signal(
                &i.path,
                IF_IFACE,
                "PropertiesChanged",
                Body::Props(codes),
            ));
        }
        i.state = t.state;
        let mut props = Props::default().with("State", t.state);
        match &t.current {
            Current::Keep => {}
            Current::Set(bss, net) => {
                i.current_bss = bss.clone();
                i.current_network = net.clone();
            }
            Current::Clear => {
                i.current_bss = no_path();
                i.current_network = no_path();
            }
        }
        if !matches!(t.current, Current::Keep) {
            props = props
                .with("CurrentBSS", i.current_bss.clone())
                .with("CurrentNetwork", i.current_network.clone());
        }
        if t.state == "disconnected" {
            i.current_ap = None;
        }
        ops.push(signal(
            &i.path,
            IF_IFACE,
            "PropertiesChanged",
            Body::Props(props),
        ));
        let mut line = format!("{} State -> {}", i.ifname, t.state);
        if let Some(r) = t.disconnect_reason {
            line += &format!(" DisconnectReason={r}");
        }
        if let Some(s) = t.assoc_status {
            line += &format!(" AssocStatusCode={s}");
        }
        self.log(line);
        ops
    }

    async fn transition(self: &Arc<Self>, num: u32, generation: u64, t: Transition) {
        let _g = self.ops.lock().await;
        let ops = {
            let mut st = self.state();
            let ops = self.plan_transition(&mut st, num, generation, &t);
            if t.retry && !ops.is_empty() {
                self.plan_retry(&mut st, num, generation);
            }
            ops
        };
        self.exec(ops).await;
    }

    /// After a wrong key: retry the selected network, like wpa_supplicant, unless connmand
    /// disconnects first (it does at once for a service that is not a favourite).
    fn plan_retry(self: &Arc<Self>, st: &mut State, num: u32, generation: u64) {
        let Some(i) = st.ifaces.get_mut(&num) else {
            return;
        };
        if i.selected.is_none() || i.retries >= MAX_RETRIES {
            return;
        }
        i.retries += 1;
        self.log(format!(
            "{} will retry in {} ms",
            i.ifname,
            RETRY_TIME.as_millis()
        ));
        self.after(RETRY_TIME, "wpa retry", move |sh| async move {
            sh.reconnect(num, generation).await;
        });
    }

    /// Runs `steps` (delay from now, transition) for one connection attempt.
    fn sequence(self: &Arc<Self>, num: u32, generation: u64, steps: Vec<(u64, Transition)>) {
        self.after(Duration::ZERO, "wpa state sequence", move |sh| async move {
            let t0 = Instant::now();
            for (ms, t) in steps {
                let at = t0 + Duration::from_millis(ms);
                if let Some(wait) = at.checked_duration_since(Instant::now()) {
                    async_io::Timer::after(wait).await;
                }
                if !sh.attempt_current(num, generation) {
                    return;
                }
                sh.transition(num, generation, t).await;
            }
        });
    }

    fn attempt_current(&self, num: u32, generation: u64) -> bool {
        self.state()
            .ifaces
            .get(&num)
            .is_some_and(|i| i.generation == generation)
    }

    /// Plans publishing one BSS variant of `ap` on interface `num` (nothing if it is there).
    fn plan_publish(
        self: &Arc<Self>,
        i: &mut Iface,
        num: u32,
        ap: &AccessPoint,
        hidden_variant: bool,
    ) -> (OwnedObjectPath, Vec<Op>) {
        let key: BssKey = (ap.ssid.clone(), hidden_variant);
        if let Some(n) = i.bss_index.get(&key) {
            return (i.bsses[n].path.clone(), Vec::new());
        }
        let n = i.next_bss;
        i.next_bss += 1;
        let p = path(format!("{}/BSSs/{n}", i.path.as_str()));
        let props = BssProps::of(ap, hidden_variant);
        let all = props.all();
        i.bss_index.insert(key.clone(), n);
        i.bsses.insert(
            n,
            Bss {
                path: p.clone(),
                key,
                props,
            },
        );
        self.log(format!(
            "{} BSSAdded {} {}{} {} {} dBm",
            i.ifname,
            p.as_str(),
            show_ssid(&ap.ssid),
            if hidden_variant { " (hidden)" } else { "" },
            ap.security.as_str(),
            ap.signal
        ));
        let obj = BssObj {
            sh: self.clone(),
            iface: num,
            num: n,
        };
        let ops = vec![
            Op::Add(p.clone(), Obj::Bss(obj)),
            signal(
                &i.path,
                IF_IFACE,
                "BSSAdded",
                Body::PathProps(p.clone(), all),
            ),
        ];
        (p, ops)
    }

    /// Plans removing one BSS variant from an interface (nothing if it is not there).
    fn plan_unpublish(&self, i: &mut Iface, key: &BssKey) -> Vec<Op> {
        let Some(n) = i.bss_index.remove(key) else {
            return Vec::new();
        };
        let Some(b) = i.bsses.remove(&n) else {
            return Vec::new();
        };
        self.log(format!(
            "{} BSSRemoved {} {}{}",
            i.ifname,
            b.path.as_str(),
            show_ssid(&b.key.0),
            if b.key.1 { " (hidden)" } else { "" }
        ));
        vec![
            signal(&i.path, IF_IFACE, "BSSRemoved", Body::Path(b.path.clone())),
            Op::Remove(b.path, ObjKind::Bss),
        ]
    }

    /// Plans the link loss of interface `num` (`DisconnectReason` 4), if it is not idle.
    ///
    /// Like wpa_supplicant, the fake then rescans and re-associates the selected network (or
    /// waits for its access point to come back): connmand does not scan or reconnect by itself
    /// after a link loss, it waits for wpa_supplicant to do it.
    fn plan_link_loss(self: &Arc<Self>, st: &mut State, num: u32) -> Vec<Op> {
        let Some(i) = st.ifaces.get_mut(&num) else {
            return Vec::new();
        };
        if matches!(i.state, "inactive" | "disconnected") && i.current_ap.is_none() {
            return Vec::new();
        }
        i.generation += 1;
        let generation = i.generation;
        let reconnect = i.selected.is_some();
        let t = Transition::disconnected(Some(REASON_INACTIVITY), None);
        let ops = self.plan_transition(st, num, generation, &t);
        if reconnect {
            self.after(RECONNECT_TIME, "wpa reconnect", move |sh| async move {
                sh.reconnect(num, generation).await;
            });
        }
        ops
    }

    /// wpa_supplicant's own reconnection after a link loss: `scanning`, then the connection
    /// steps if the selected network's access point is there, else `disconnected` until it comes
    /// back ([`FakeSupplicant::add_ap`]).
    async fn reconnect(self: &Arc<Self>, num: u32, generation: u64) {
        let _g = self.ops.lock().await;
        let (ops, steps) = {
            let mut st = self.state();
            let Some(i) = st.ifaces.get(&num) else {
                return;
            };
            let Some((net, args)) = i.selected_args().filter(|_| i.generation == generation) else {
                return;
            };
            let ssid = network_ssid(&args);
            let ap = st.aps.get(&ssid).map(|e| e.ap.clone());
            let fail_assoc = st.assoc_failure.contains(&ssid);
            let mut ops =
                self.plan_transition(&mut st, num, generation, &Transition::to("scanning"));
            let i = st.ifaces.get_mut(&num).expect("checked above");
            let steps = match ap {
                Some(ap) => {
                    i.lost = false;
                    i.current_ap = Some(ssid);
                    let (bss, publish) = self.plan_publish(i, num, &ap, false);
                    ops.extend(publish);
                    let verdict = check_credentials(&ap, &args);
                    self.log(format!(
                        "{} reconnect {} {}: {}",
                        i.ifname,
                        net.as_str(),
                        show_ssid(&ap.ssid),
                        verdict_text(verdict, fail_assoc)
                    ));
                    let done = Transition {
                        current: Current::Set(bss, net),
                        ..Transition::to("completed")
                    };
                    connect_steps(&ap, verdict, fail_assoc, done)
                }
                None => {
                    i.lost = true;
                    self.log(format!(
                        "{} reconnect: {} is gone, waiting for it",
                        i.ifname,
                        show_ssid(&ssid)
                    ));
                    vec![(1000, Transition::disconnected(None, None))]
                }
            };
            (ops, steps)
        };
        self.exec(ops).await;
        self.sequence(num, generation, steps);
    }
}

// ---------------------------------------------------------------------------------------------
// D-Bus objects
// ---------------------------------------------------------------------------------------------

/// Errors in wpa_supplicant's namespace, as gsupplicant expects them.
#[derive(Debug, zbus::DBusError)]
#[zbus(prefix = "fi.w1.wpa_supplicant1")]
enum WpasError {
    #[zbus(error)]
    ZBus(zbus::Error),
    InterfaceUnknown(String),
    InterfaceExists(String),
    UnknownError(String),
    InvalidArgs(String),
    NetworkUnknown(String),
    NotConnected(String),
}

fn gone() -> zbus::fdo::Error {
    zbus::fdo::Error::UnknownObject("this object was removed".into())
}

/// Runs `ip -n <netns> <args>` on a thread of its own (the executor must not block) and says
/// whether it succeeded. Gives up after 10 s.
async fn ip(netns: &str, args: &[&str]) -> bool {
    let mut cmd = Command::new("ip");
    cmd.arg("-n").arg(netns).args(args);
    cmd.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let h = std::thread::spawn(move || cmd.status().is_ok_and(|s| s.success()));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !h.is_finished() {
        if Instant::now() > deadline {
            return false;
        }
        async_io::Timer::after(Duration::from_millis(2)).await;
    }
    h.join().unwrap_or(false)
}

/// `/fi/w1/wpa_supplicant1`.
struct RootObj {
    sh: Arc<Shared>,
}

#[zbus::interface(name = "fi.w1.wpa_supplicant1", spawn = false)]
impl RootObj {
    async fn get_interface(&self, ifname: String) -> Result<OwnedObjectPath, WpasError> {
        self.sh.log(format!("GetInterface {ifname}"));
        let st = self.sh.state();
        st.ifaces
            .values()
            .find(|i| i.ifname == ifname)
            .map(|i| i.path.clone())
            .ok_or_else(|| {
                WpasError::InterfaceUnknown(
                    "wpa_supplicant knows nothing about this interface.".into(),
                )
            })
    }

    async fn create_interface(
        &self,
        args: HashMap<String, OwnedValue>,
    ) -> Result<OwnedObjectPath, WpasError> {
        let sh = &self.sh;
        let ifname = arg_str(&args, "Ifname")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| WpasError::InvalidArgs("Ifname missing".into()))?;
        let driver = arg_str(&args, "Driver").unwrap_or_else(|| "nl80211".into());
        let bridge = arg_str(&args, "BridgeIfname").unwrap_or_default();
        sh.log(format!(
            "CreateInterface {ifname} driver {driver} bridge {bridge:?}"
        ));
        if sh.state().ifaces.values().any(|i| i.ifname == ifname) {
            return Err(WpasError::InterfaceExists(
                "wpa_supplicant already controls this interface.".into(),
            ));
        }
        if let Some(ns) = &sh.netns {
            if !ip(ns, &["link", "show", &ifname]).await {
                sh.log(format!(
                    "CreateInterface {ifname}: no such netdev in netns {ns}"
                ));
                return Err(WpasError::UnknownError(
                    "wpa_supplicant couldn't grab this interface.".into(),
                ));
            }
            if !ip(ns, &["link", "set", &ifname, "up"]).await {
                sh.log(format!("ip -n {ns} link set {ifname} up failed"));
            }
            // as wpa_supplicant does with BridgeIfname: the access point's
            // netdev goes into connmand's bridge
            if !bridge.is_empty() && !ip(ns, &["link", "set", &ifname, "master", &bridge]).await {
                sh.log(format!(
                    "ip -n {ns} link set {ifname} master {bridge} failed"
                ));
            }
        }
        let _g = sh.ops.lock().await;
        let (p, ops) = {
            let mut st = sh.state();
            if st.ifaces.values().any(|i| i.ifname == ifname) {
                return Err(WpasError::InterfaceExists(
                    "wpa_supplicant already controls this interface.".into(),
                ));
            }
            let num = st.next_iface;
            st.next_iface += 1;
            let mut iface = Iface::new(num, ifname, driver);
            iface.bridge = bridge;
            let p = iface.path.clone();
            let all = iface.all();
            st.ifaces.insert(num, iface);
            let objs = Obj::Iface(
                IfaceObj {
                    sh: sh.clone(),
                    num,
                },
                WpsObj {
                    sh: sh.clone(),
                    num,
                },
            );
            let root = path(ROOT.into());
            let ifaces = Props::default().with("Interfaces", st.iface_paths());
            let ops = vec![
                Op::Add(p.clone(), objs),
                signal(
                    &root,
                    SVC,
                    "InterfaceAdded",
                    Body::PathProps(p.clone(), all),
                ),
                signal(&root, SVC, "PropertiesChanged", Body::Props(ifaces)),
            ];
            (p, ops)
        };
        sh.log(format!("interface {}", p.as_str()));
        sh.exec(ops).await;
        Ok(p)
    }

    async fn remove_interface(&self, p: OwnedObjectPath) -> Result<(), WpasError> {
        let sh = &self.sh;
        sh.log(format!("RemoveInterface {}", p.as_str()));
        let _g = sh.ops.lock().await;
        let (ifname, ops) = {
            let mut st = sh.state();
            let num = st
                .ifaces
                .iter()
                .find(|(_, i)| i.path == p)
                .map(|(n, _)| *n)
                .ok_or_else(|| {
                    WpasError::InterfaceUnknown(
                        "wpa_supplicant knows nothing about this interface.".into(),
                    )
                })?;
            let i = st.ifaces.remove(&num).expect("found above");
            let mut ops: Vec<Op> = Vec::new();
            for b in i.bsses.into_values() {
                ops.push(Op::Remove(b.path, ObjKind::Bss));
            }
            for n in i.networks.into_values() {
                ops.push(Op::Remove(n.path, ObjKind::Network));
            }
            ops.push(Op::Remove(i.path.clone(), ObjKind::Iface));
            let root = path(ROOT.into());
            ops.push(signal(
                &root,
                SVC,
                "InterfaceRemoved",
                Body::Path(i.path.clone()),
            ));
            let ifaces = Props::default().with("Interfaces", st.iface_paths());
            ops.push(signal(&root, SVC, "PropertiesChanged", Body::Props(ifaces)));
            (i.ifname, ops)
        };
        sh.exec(ops).await;
        if let Some(ns) = &sh.netns {
            if !ip(ns, &["link", "set", &ifname, "down"]).await {
                sh.log(format!("ip -n {ns} link set {ifname} down failed"));
            }
        }
        Ok(())
    }

    #[zbus(property(emits_changed_signal = "false"), name = "DebugLevel")]
    fn debug_level(&self) -> String {
        self.sh.state().debug_level.clone()
    }

    #[zbus(property, name = "DebugLevel")]
    fn set_debug_level(&self, v: String) {
        self.sh.log(format!("Set DebugLevel {v}"));
        self.sh.state().debug_level = v;
    }

    #[zbus(property(emits_changed_signal = "false"), name = "DebugTimestamp")]
    fn debug_timestamp(&self) -> bool {
        self.sh.state().debug_timestamp
    }

    #[zbus(property, name = "DebugTimestamp")]
    fn set_debug_timestamp(&self, v: bool) {
        self.sh.state().debug_timestamp = v;
    }

    #[zbus(property(emits_changed_signal = "false"), name = "DebugShowKeys")]
    fn debug_show_keys(&self) -> bool {
        self.sh.state().debug_show_keys
    }

    #[zbus(property, name = "DebugShowKeys")]
    fn set_debug_show_keys(&self, v: bool) {
        self.sh.state().debug_show_keys = v;
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Interfaces")]
    fn interfaces(&self) -> Vec<OwnedObjectPath> {
        self.sh.state().iface_paths()
    }

    #[zbus(property(emits_changed_signal = "false"), name = "EapMethods")]
    fn eap_methods(&self) -> Vec<String> {
        ["MD5", "TLS", "MSCHAPV2", "PEAP", "TTLS", "GTC"]
            .map(String::from)
            .to_vec()
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Capabilities")]
    fn capabilities(&self) -> Vec<String> {
        vec!["ap".into()]
    }

    #[zbus(property(emits_changed_signal = "false"), name = "WFDIEs")]
    fn wfd_ies(&self) -> Vec<u8> {
        self.sh.state().wfd_ies.clone()
    }

    #[zbus(property, name = "WFDIEs")]
    fn set_wfd_ies(&self, v: Vec<u8>) {
        self.sh.state().wfd_ies = v;
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Country")]
    fn country(&self) -> String {
        self.sh.state().country.clone()
    }

    #[zbus(property, name = "Country")]
    fn set_country(&self, v: String) {
        self.sh.log(format!("Set Country {v}"));
        self.sh.state().country = v;
    }
}

/// `/fi/w1/wpa_supplicant1/Interfaces/N`, interface `fi.w1.wpa_supplicant1.Interface`.
struct IfaceObj {
    sh: Arc<Shared>,
    num: u32,
}

impl IfaceObj {
    fn read<T>(&self, f: impl FnOnce(&Iface) -> T) -> zbus::fdo::Result<T> {
        self.sh
            .state()
            .ifaces
            .get(&self.num)
            .map(f)
            .ok_or_else(gone)
    }

    fn write(&self, f: impl FnOnce(&mut Iface)) -> zbus::fdo::Result<()> {
        self.sh
            .state()
            .ifaces
            .get_mut(&self.num)
            .map(f)
            .ok_or_else(gone)
    }

    /// Plans the end of a scan: every AP published (hidden ones with an empty SSID, plus their
    /// real SSID when the scan asked for it), `Scanning` false, `ScanDone`.
    fn plan_scan_done(sh: &Arc<Shared>, st: &mut State, num: u32, ssids: &[Vec<u8>]) -> Vec<Op> {
        let aps: Vec<AccessPoint> = st.aps_in_order().into_iter().cloned().collect();
        let Some(i) = st.ifaces.get_mut(&num) else {
            return Vec::new();
        };
        let mut ops = Vec::new();
        for ap in &aps {
            if ap.hidden {
                ops.extend(sh.plan_publish(i, num, ap, true).1);
                if ssids.contains(&ap.ssid) {
                    ops.extend(sh.plan_publish(i, num, ap, false).1);
                }
            } else {
                ops.extend(sh.plan_publish(i, num, ap, false).1);
            }
        }
        i.scanning = false;
        let props = Props::default().with("Scanning", false);
        ops.push(signal(
            &i.path,
            IF_IFACE,
            "PropertiesChanged",
            Body::Props(props),
        ));
        ops.push(signal(&i.path, IF_IFACE, "ScanDone", Body::Bool(true)));
        sh.log(format!("{} ScanDone ({} BSSs)", i.ifname, i.bsses.len()));
        ops
    }
}

#[zbus::interface(name = "fi.w1.wpa_supplicant1.Interface", spawn = false)]
impl IfaceObj {
    async fn scan(&self, args: HashMap<String, OwnedValue>) -> Result<(), WpasError> {
        let sh = &self.sh;
        let ssids: Vec<Vec<u8>> = args
            .get("SSIDs")
            .and_then(|v| Vec::<Vec<u8>>::try_from(v.clone()).ok())
            .unwrap_or_default();
        let kind = arg_str(&args, "Type").unwrap_or_else(|| "passive".into());
        let _g = sh.ops.lock().await;
        let ops = {
            let mut st = sh.state();
            let i = st
                .ifaces
                .get_mut(&self.num)
                .ok_or_else(|| WpasError::ZBus(gone().into()))?;
            let shown: Vec<String> = ssids.iter().map(|s| show_ssid(s)).collect();
            sh.log(format!(
                "{} Scan {kind} SSIDs [{}]",
                i.ifname,
                shown.join(", ")
            ));
            i.scanning = true;
            let props = Props::default().with("Scanning", true);
            vec![signal(
                &i.path,
                IF_IFACE,
                "PropertiesChanged",
                Body::Props(props),
            )]
        };
        sh.exec(ops).await;
        let num = self.num;
        sh.after(SCAN_TIME, "wpa scan", move |sh| async move {
            let _g = sh.ops.lock().await;
            let ops = {
                let mut st = sh.state();
                Self::plan_scan_done(&sh, &mut st, num, &ssids)
            };
            sh.exec(ops).await;
        });
        Ok(())
    }

    async fn add_network(
        &self,
        args: HashMap<String, OwnedValue>,
    ) -> Result<OwnedObjectPath, WpasError> {
        let sh = &self.sh;
        let _g = sh.ops.lock().await;
        let (p, ops) = {
            let mut st = sh.state();
            let i = st
                .ifaces
                .get_mut(&self.num)
                .ok_or_else(|| WpasError::ZBus(gone().into()))?;
            let n = i.next_network;
            i.next_network += 1;
            let p = path(format!("{}/Networks/{n}", i.path.as_str()));
            let mut shown: Vec<String> = args
                .iter()
                .map(|(k, v)| format!("{k}={}", show_arg(k, v)))
                .collect();
            shown.sort();
            sh.log(format!(
                "{} AddNetwork {} {}",
                i.ifname,
                p.as_str(),
                shown.join(" ")
            ));
            i.networks.insert(
                n,
                Network {
                    path: p.clone(),
                    args,
                    enabled: true,
                },
            );
            let obj = NetworkObj {
                sh: sh.clone(),
                iface: self.num,
                num: n,
            };
            let props = Props::default().with("Enabled", true);
            let ops = vec![
                Op::Add(p.clone(), Obj::Network(obj)),
                signal(
                    &i.path,
                    IF_IFACE,
                    "NetworkAdded",
                    Body::PathProps(p.clone(), props),
                ),
            ];
            (p, ops)
        };
        sh.exec(ops).await;
        Ok(p)
    }

    async fn remove_network(&self, p: OwnedObjectPath) -> Result<(), WpasError> {
        let sh = &self.sh;
        let _g = sh.ops.lock().await;
        let ops = {
            let mut st = sh.state();
            let i = st
                .ifaces
                .get_mut(&self.num)
                .ok_or_else(|| WpasError::ZBus(gone().into()))?;
            sh.log(format!("{} RemoveNetwork {}", i.ifname, p.as_str()));
            let n = i.network_num(p.as_str()).ok_or_else(|| {
                WpasError::NetworkUnknown("There is no such a network in this interface.".into())
            })?;
            i.networks.remove(&n);
            if i.selected.as_ref() == Some(&p) {
                i.selected = None;
                i.lost = false;
            }
            vec![
                Op::Remove(p.clone(), ObjKind::Network),
                signal(&i.path, IF_IFACE, "NetworkRemoved", Body::Path(p)),
            ]
        };
        sh.exec(ops).await;
        Ok(())
    }

    async fn remove_all_networks(&self) -> Result<(), WpasError> {
        let sh = &self.sh;
        let _g = sh.ops.lock().await;
        let ops = {
            let mut st = sh.state();
            let i = st
                .ifaces
                .get_mut(&self.num)
                .ok_or_else(|| WpasError::ZBus(gone().into()))?;
            sh.log(format!("{} RemoveAllNetworks", i.ifname));
            let nets = std::mem::take(&mut i.networks);
            i.selected = None;
            i.lost = false;
            let mut ops = Vec::new();
            for n in nets.into_values() {
                ops.push(Op::Remove(n.path.clone(), ObjKind::Network));
                ops.push(signal(
                    &i.path,
                    IF_IFACE,
                    "NetworkRemoved",
                    Body::Path(n.path),
                ));
            }
            ops
        };
        sh.exec(ops).await;
        Ok(())
    }

    async fn select_network(&self, p: OwnedObjectPath) -> Result<(), WpasError> {
        let sh = &self.sh;
        let num = self.num;
        let _g = sh.ops.lock().await;
        let (ops, generation, steps) = {
            let mut st = sh.state();
            let i = st
                .ifaces
                .get(&num)
                .ok_or_else(|| WpasError::ZBus(gone().into()))?;
            let n = i.network_num(p.as_str()).ok_or_else(|| {
                WpasError::NetworkUnknown("There is no such a network in this interface.".into())
            })?;
            let args = i.networks[&n].args.clone();
            let ssid = network_ssid(&args);
            let ap = st.aps.get(&ssid).map(|e| e.ap.clone());
            let fail_assoc = st.assoc_failure.contains(&ssid);
            // mode 2: connmand's hotspot (`ssid_ap_init`): the fake radio
            // becomes that access point
            let access_point = args
                .get("mode")
                .and_then(|v| u32::try_from(v).ok())
                .is_some_and(|m| m == 2);
            if access_point && fail_assoc {
                // `ap fail SSID on` for a hotspot's SSID: the radio refuses
                // to start that access point, as a driver can
                sh.log(format!(
                    "{} SelectNetwork {} {}: access point refused",
                    i.ifname,
                    p.as_str(),
                    show_ssid(&ssid)
                ));
                return Err(WpasError::UnknownError(
                    "wpa_supplicant could not start the access point".into(),
                ));
            }
            let i = st.ifaces.get_mut(&num).expect("checked above");
            i.generation += 1;
            i.selected = Some(p.clone());
            i.lost = false;
            i.retries = 0;
            i.current_ap = Some(ssid.clone());
            let generation = i.generation;
            let mut ops = vec![signal(
                &i.path,
                IF_IFACE,
                "NetworkSelected",
                Body::Path(p.clone()),
            )];
            let steps = match ap {
                _ if access_point => {
                    sh.log(format!(
                        "{} SelectNetwork {} {}: access point (mode 2), key_mgmt {}",
                        i.ifname,
                        p.as_str(),
                        show_ssid(&ssid),
                        arg_str(&args, "key_mgmt").unwrap_or_default()
                    ));
                    vec![(100, Transition::to("completed"))]
                }
                None => {
                    sh.log(format!(
                        "{} SelectNetwork {} {}: no such AP in range",
                        i.ifname,
                        p.as_str(),
                        show_ssid(&ssid)
                    ));
                    vec![
                        (200, Transition::to("scanning")),
                        (2000, Transition::disconnected(None, None)),
                    ]
                }
                Some(ap) => {
                    let (bss, publish) = sh.plan_publish(i, num, &ap, false);
                    ops.extend(publish);
                    let verdict = check_credentials(&ap, &args);
                    sh.log(format!(
                        "{} SelectNetwork {} {} {}: {}",
                        i.ifname,
                        p.as_str(),
                        show_ssid(&ap.ssid),
                        ap.security.as_str(),
                        verdict_text(verdict, fail_assoc)
                    ));
                    let done = Transition {
                        current: Current::Set(bss, p.clone()),
                        ..Transition::to("completed")
                    };
                    connect_steps(&ap, verdict, fail_assoc, done)
                }
            };
            (ops, generation, steps)
        };
        sh.exec(ops).await;
        sh.sequence(num, generation, steps);
        Ok(())
    }

    async fn disconnect(&self) -> Result<(), WpasError> {
        let sh = &self.sh;
        let num = self.num;
        let generation = {
            let mut st = sh.state();
            let i = st
                .ifaces
                .get_mut(&num)
                .ok_or_else(|| WpasError::ZBus(gone().into()))?;
            sh.log(format!("{} Disconnect (state {})", i.ifname, i.state));
            // No automatic reconnection after this, whatever the state.
            i.generation += 1;
            i.selected = None;
            i.lost = false;
            if matches!(i.state, "inactive" | "disconnected") && i.current_ap.is_none() {
                return Err(WpasError::NotConnected(
                    "This interface is not connected".into(),
                ));
            }
            i.generation
        };
        let t = Transition::disconnected(Some(REASON_DEAUTH_LEAVING), None);
        sh.after(DISCONNECT_TIME, "wpa disconnect", move |sh| async move {
            sh.transition(num, generation, t).await;
        });
        Ok(())
    }

    async fn signal_poll(&self) -> Result<HashMap<String, OwnedValue>, WpasError> {
        let st = self.sh.state();
        let i = st
            .ifaces
            .get(&self.num)
            .ok_or_else(|| WpasError::ZBus(gone().into()))?;
        let ap = i
            .current_ap
            .as_ref()
            .filter(|_| i.state == "completed")
            .and_then(|s| st.aps.get(s));
        let (rssi, freq) = ap.map_or((-50, 2412), |e| {
            (i32::from(e.ap.signal), u32::from(e.ap.frequency))
        });
        Ok(dict(vec![
            ("rssi", Value::from(rssi)),
            ("linkspeed", Value::from(54i32)),
            ("frequency", Value::from(freq)),
        ]))
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Capabilities")]
    fn capabilities(&self) -> HashMap<String, OwnedValue> {
        Iface::capabilities()
    }

    #[zbus(property(emits_changed_signal = "false"), name = "State")]
    fn state(&self) -> zbus::fdo::Result<String> {
        self.read(|i| i.state.to_string())
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Scanning")]
    fn scanning(&self) -> zbus::fdo::Result<bool> {
        self.read(|i| i.scanning)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "ApScan")]
    fn ap_scan(&self) -> zbus::fdo::Result<u32> {
        self.read(|i| i.ap_scan)
    }

    #[zbus(property, name = "ApScan")]
    fn set_ap_scan(&self, v: u32) -> zbus::fdo::Result<()> {
        self.sh.log(format!("Set ApScan {v}"));
        self.write(|i| i.ap_scan = v)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "BSSExpireAge")]
    fn bss_expire_age(&self) -> zbus::fdo::Result<u32> {
        self.read(|i| i.bss_expire_age)
    }

    #[zbus(property, name = "BSSExpireAge")]
    fn set_bss_expire_age(&self, v: u32) -> zbus::fdo::Result<()> {
        self.sh.log(format!("Set BSSExpireAge {v}"));
        self.write(|i| i.bss_expire_age = v)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "BSSExpireCount")]
    fn bss_expire_count(&self) -> zbus::fdo::Result<u32> {
        self.read(|i| i.bss_expire_count)
    }

    #[zbus(property, name = "BSSExpireCount")]
    fn set_bss_expire_count(&self, v: u32) -> zbus::fdo::Result<()> {
        self.write(|i| i.bss_expire_count = v)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Country")]
    fn country(&self) -> zbus::fdo::Result<String> {
        self.read(|i| i.country.clone())
    }

    #[zbus(property, name = "Country")]
    fn set_country(&self, v: String) -> zbus::fdo::Result<()> {
        self.sh.log(format!("Set Country {v}"));
        self.write(|i| i.country = v)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Ifname")]
    fn ifname(&self) -> zbus::fdo::Result<String> {
        self.read(|i| i.ifname.clone())
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Driver")]
    fn driver(&self) -> zbus::fdo::Result<String> {
        self.read(|i| i.driver.clone())
    }

    #[zbus(property(emits_changed_signal = "false"), name = "BridgeIfname")]
    fn bridge_ifname(&self) -> zbus::fdo::Result<String> {
        self.read(|i| i.bridge.clone())
    }

    #[zbus(property(emits_changed_signal = "false"), name = "ConfigFile")]
    fn config_file(&self) -> String {
        String::new()
    }

    #[zbus(property(emits_changed_signal = "false"), name = "CurrentBSS")]
    fn current_bss(&self) -> zbus::fdo::Result<OwnedObjectPath> {
        self.read(|i| i.current_bss.clone())
    }

    #[zbus(property(emits_changed_signal = "false"), name = "CurrentNetwork")]
    fn current_network(&self) -> zbus::fdo::Result<OwnedObjectPath> {
        self.read(|i| i.current_network.clone())
    }

    #[zbus(property(emits_changed_signal = "false"), name = "CurrentAuthMode")]
    fn current_auth_mode(&self) -> String {
        String::new()
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Blobs")]
    fn blobs(&self) -> HashMap<String, Vec<u8>> {
        HashMap::new()
    }

    #[zbus(property(emits_changed_signal = "false"), name = "BSSs")]
    fn bsss(&self) -> zbus::fdo::Result<Vec<OwnedObjectPath>> {
        self.read(Iface::bss_paths)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Networks")]
    fn networks(&self) -> zbus::fdo::Result<Vec<OwnedObjectPath>> {
        self.read(Iface::network_paths)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "DisconnectReason")]
    fn disconnect_reason(&self) -> zbus::fdo::Result<i32> {
        self.read(|i| i.disconnect_reason)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "AssocStatusCode")]
    fn assoc_status_code(&self) -> zbus::fdo::Result<i32> {
        self.read(|i| i.assoc_status)
    }
}

/// `fi.w1.wpa_supplicant1.Interface.WPS` beside each interface (properties only).
struct WpsObj {
    sh: Arc<Shared>,
    num: u32,
}

#[zbus::interface(name = "fi.w1.wpa_supplicant1.Interface.WPS", spawn = false)]
impl WpsObj {
    #[zbus(property(emits_changed_signal = "false"), name = "ProcessCredentials")]
    fn process_credentials(&self) -> zbus::fdo::Result<bool> {
        let st = self.sh.state();
        st.ifaces
            .get(&self.num)
            .map(|i| i.wps_process_credentials)
            .ok_or_else(gone)
    }

    #[zbus(property, name = "ProcessCredentials")]
    fn set_process_credentials(&self, v: bool) -> zbus::fdo::Result<()> {
        let mut st = self.sh.state();
        st.ifaces
            .get_mut(&self.num)
            .map(|i| i.wps_process_credentials = v)
            .ok_or_else(gone)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "ConfigMethods")]
    fn config_methods(&self) -> zbus::fdo::Result<String> {
        let st = self.sh.state();
        st.ifaces
            .get(&self.num)
            .map(|i| i.wps_config_methods.clone())
            .ok_or_else(gone)
    }

    #[zbus(property, name = "ConfigMethods")]
    fn set_config_methods(&self, v: String) -> zbus::fdo::Result<()> {
        self.sh.log(format!("Set WPS ConfigMethods {v}"));
        let mut st = self.sh.state();
        st.ifaces
            .get_mut(&self.num)
            .map(|i| i.wps_config_methods = v)
            .ok_or_else(gone)
    }
}

/// `…/BSSs/N`, interface `fi.w1.wpa_supplicant1.BSS`.
struct BssObj {
    sh: Arc<Shared>,
    iface: u32,
    num: u32,
}

impl BssObj {
    fn read<T>(&self, f: impl FnOnce(&BssProps) -> T) -> zbus::fdo::Result<T> {
        let st = self.sh.state();
        st.ifaces
            .get(&self.iface)
            .and_then(|i| i.bsses.get(&self.num))
            .map(|b| f(&b.props))
            .ok_or_else(gone)
    }
}

#[zbus::interface(name = "fi.w1.wpa_supplicant1.BSS", spawn = false)]
impl BssObj {
    #[zbus(property(emits_changed_signal = "false"), name = "SSID")]
    fn ssid(&self) -> zbus::fdo::Result<Vec<u8>> {
        self.read(|b| b.ssid.clone())
    }

    #[zbus(property(emits_changed_signal = "false"), name = "BSSID")]
    fn bssid(&self) -> zbus::fdo::Result<Vec<u8>> {
        self.read(|b| b.bssid.to_vec())
    }

    #[zbus(property(emits_changed_signal = "false"), name = "WPA")]
    fn wpa(&self) -> zbus::fdo::Result<HashMap<String, OwnedValue>> {
        self.read(BssProps::wpa)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "RSN")]
    fn rsn(&self) -> zbus::fdo::Result<HashMap<String, OwnedValue>> {
        self.read(BssProps::rsn)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "WPS")]
    fn wps(&self) -> zbus::fdo::Result<HashMap<String, OwnedValue>> {
        self.read(BssProps::wps)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "IEs")]
    fn ies(&self) -> Vec<u8> {
        Vec::new()
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Privacy")]
    fn privacy(&self) -> zbus::fdo::Result<bool> {
        self.read(BssProps::privacy)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Mode")]
    fn mode(&self) -> String {
        "infrastructure".into()
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Frequency")]
    fn frequency(&self) -> zbus::fdo::Result<u16> {
        self.read(|b| b.frequency)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Rates")]
    fn rates(&self) -> Vec<u32> {
        BssProps::rates()
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Signal")]
    fn signal(&self) -> zbus::fdo::Result<i16> {
        self.read(|b| b.signal)
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Age")]
    fn age(&self) -> u32 {
        0
    }
}

/// `…/Networks/N`, interface `fi.w1.wpa_supplicant1.Network`.
struct NetworkObj {
    sh: Arc<Shared>,
    iface: u32,
    num: u32,
}

#[zbus::interface(name = "fi.w1.wpa_supplicant1.Network", spawn = false)]
impl NetworkObj {
    /// AddNetwork's arguments as strings, secrets as `***`.
    #[zbus(property(emits_changed_signal = "false"), name = "Properties")]
    fn properties(&self) -> zbus::fdo::Result<HashMap<String, OwnedValue>> {
        let st = self.sh.state();
        let n = st
            .ifaces
            .get(&self.iface)
            .and_then(|i| i.networks.get(&self.num))
            .ok_or_else(gone)?;
        Ok(n.args
            .iter()
            .map(|(k, v)| (k.clone(), owned(show_arg(k, v))))
            .collect())
    }

    #[zbus(property(emits_changed_signal = "false"), name = "Enabled")]
    fn enabled(&self) -> zbus::fdo::Result<bool> {
        let st = self.sh.state();
        st.ifaces
            .get(&self.iface)
            .and_then(|i| i.networks.get(&self.num))
            .map(|n| n.enabled)
            .ok_or_else(gone)
    }

    #[zbus(property, name = "Enabled")]
    fn set_enabled(&self, v: bool) -> zbus::fdo::Result<()> {
        self.sh.log(format!("Set Network {} Enabled {v}", self.num));
        let mut st = self.sh.state();
        st.ifaces
            .get_mut(&self.iface)
            .and_then(|i| i.networks.get_mut(&self.num))
            .map(|n| n.enabled = v)
            .ok_or_else(gone)
    }
}

// ---------------------------------------------------------------------------------------------
// Public handle
// ---------------------------------------------------------------------------------------------

/// A running fake wpa_supplicant. Cheap to clone; all clones control the same fake.
///
/// Its objects stay on the connection (and keep it alive) until [`FakeSupplicant::shutdown`].
#[derive(Clone)]
pub struct FakeSupplicant {
    sh: Arc<Shared>,
}

impl FakeSupplicant {
    /// Registers the objects on `conn` and then requests the bus name `fi.w1.wpa_supplicant1`
    /// (name last, so connmand never sees the name without the objects).
    ///
    /// The netdevs live in network namespace `netns`: `CreateInterface` refuses
    /// (`fi.w1.wpa_supplicant1.UnknownError`) an ifname that `ip -n <netns> link show` does not
    /// know, and sets the link up; `RemoveInterface` sets it down. `conn` must run zbus's
    /// internal executor (the default): the fake's timers are tasks on it.
    pub async fn serve(
        conn: &Connection,
        netns: &str,
        aps: Vec<AccessPoint>,
    ) -> zbus::Result<FakeSupplicant> {
        Self::serve_inner(conn, Some(netns.to_string()), aps).await
    }

    /// Like [`FakeSupplicant::serve`] without a namespace: any ifname is accepted and no `ip`
    /// command runs. For tests.
    #[doc(hidden)]
    pub async fn serve_without_netns(
        conn: &Connection,
        aps: Vec<AccessPoint>,
    ) -> zbus::Result<FakeSupplicant> {
        Self::serve_inner(conn, None, aps).await
    }

    async fn serve_inner(
        conn: &Connection,
        netns: Option<String>,
        aps: Vec<AccessPoint>,
    ) -> zbus::Result<FakeSupplicant> {
        let mut table = HashMap::new();
        let mut next_seq = 0;
        for ap in aps {
            check_ap(&ap)?;
            let seq = table.get(&ap.ssid).map_or_else(
                || {
                    next_seq += 1;
                    next_seq
                },
                |e: &ApEntry| e.seq,
            );
            table.insert(ap.ssid.clone(), ApEntry { seq, ap });
        }
        let sh = Arc::new(Shared {
            conn: conn.clone(),
            netns,
            start: Instant::now(),
            state: Mutex::new(State {
                aps: table,
                next_seq: next_seq + 1,
                assoc_failure: HashSet::new(),
                ifaces: BTreeMap::new(),
                next_iface: 0,
                debug_level: "info".into(),
                debug_timestamp: false,
                debug_show_keys: false,
                country: "US".into(),
                wfd_ies: Vec::new(),
            }),
            log: Mutex::new(VecDeque::new()),
            ops: OpLock::default(),
        });
        let added = conn
            .object_server()
            .at(ROOT, RootObj { sh: sh.clone() })
            .await?;
        if !added {
            return Err(zbus::Error::Failure(format!(
                "a fake wpa_supplicant is already served on this connection ({ROOT})"
            )));
        }
        conn.request_name(SVC).await?;
        let names: Vec<String> = lock(&sh.state)
            .aps_in_order()
            .iter()
            .map(|a| show_ssid(&a.ssid))
            .collect();
        sh.log(format!(
            "fake wpa_supplicant up{}, APs: {}",
            sh.netns
                .as_ref()
                .map(|n| format!(" (netns {n})"))
                .unwrap_or_default(),
            names.join(" ")
        ));
        Ok(FakeSupplicant { sh })
    }

    /// Adds an access point, or replaces the one with the same SSID, and publishes it at once on
    /// every interface (`BSSAdded`; a replaced BSS whose only change is the signal gets a BSS
    /// `PropertiesChanged` instead, any other change a `BSSRemoved` + `BSSAdded`).
    pub async fn add_ap(&self, ap: AccessPoint) -> zbus::Result<()> {
        check_ap(&ap)?;
        let sh = &self.sh;
        let _g = sh.ops.lock().await;
        let ops = {
            let mut st = sh.state();
            let seq = match st.aps.get(&ap.ssid) {
                Some(e) => e.seq,
                None => {
                    st.next_seq += 1;
                    st.next_seq
                }
            };
            sh.log(format!(
                "add AP {} {} {} dBm {} MHz{}",
                show_ssid(&ap.ssid),
                ap.security.as_str(),
                ap.signal,
                ap.frequency,
                if ap.hidden { " hidden" } else { "" }
            ));
            st.aps.insert(
                ap.ssid.clone(),
                ApEntry {
                    seq,
                    ap: ap.clone(),
                },
            );
            let mut ops = Vec::new();
            for (&num, i) in st.ifaces.iter_mut() {
                if !ap.hidden {
                    ops.extend(sh.plan_unpublish(i, &(ap.ssid.clone(), true)));
                }
                for hidden_variant in [false, true] {
                    let key = (ap.ssid.clone(), hidden_variant);
                    let Some(&n) = i.bss_index.get(&key) else {
                        continue;
                    };
                    let new = BssProps::of(&ap, hidden_variant);
                    let b = i.bsses.get_mut(&n).expect("index and table agree");
                    if b.props == new {
                        continue;
                    }
                    if (BssProps {
                        signal: new.signal,
                        ..b.props.clone()
                    }) == new
                    {
                        b.props.signal = new.signal;
                        let props = Props::default().with("Signal", new.signal);
                        ops.push(signal(
                            &b.path,
                            BSS_IFACE,
                            "PropertiesChanged",
                            Body::Props(props),
                        ));
                    } else {
                        ops.extend(sh.plan_unpublish(i, &key));
                        ops.extend(sh.plan_publish(i, num, &ap, hidden_variant).1);
                    }
                }
                ops.extend(sh.plan_publish(i, num, &ap, ap.hidden).1);
                let back = i.lost
                    && i.selected_args()
                        .is_some_and(|(_, args)| network_ssid(&args) == ap.ssid);
                if back {
                    i.lost = false;
                    i.generation += 1;
                    let generation = i.generation;
                    sh.after(RECONNECT_TIME, "wpa reconnect", move |sh| async move {
                        sh.reconnect(num, generation).await;
                    });
                }
            }
            ops
        };
        sh.exec(ops).await;
        Ok(())
    }

    /// Removes an access point (`BSSRemoved` on every interface; connmand drops the service). An
    /// interface connected or connecting to it goes `disconnected` first (`DisconnectReason` 4),
    /// rescans in vain, and reconnects if the access point is added again while the network is
    /// still selected. `false` if the SSID is unknown.
    pub async fn remove_ap(&self, ssid: &[u8]) -> zbus::Result<bool> {
        let sh = &self.sh;
        let _g = sh.ops.lock().await;
        let ops = {
            let mut st = sh.state();
            if st.aps.remove(ssid).is_none() {
                return Ok(false);
            }
            st.assoc_failure.remove(ssid);
            sh.log(format!("remove AP {}", show_ssid(ssid)));
            let nums: Vec<u32> = st.ifaces.keys().copied().collect();
            let mut ops = Vec::new();
            for num in nums {
                let connected = st.ifaces[&num].current_ap.as_deref() == Some(ssid);
                if connected {
                    ops.extend(sh.plan_link_loss(&mut st, num));
                }
                let i = st.ifaces.get_mut(&num).expect("listed above");
                for hidden_variant in [false, true] {
                    ops.extend(sh.plan_unpublish(i, &(ssid.to_vec(), hidden_variant)));
                }
            }
            ops
        };
        sh.exec(ops).await;
        Ok(true)
    }

    /// Sets an access point's signal (dBm) and emits the BSS `PropertiesChanged(Signal)` on every
    /// interface that shows it, which moves the service's `Strength` in connmand. `false` if the
    /// SSID is unknown.
    pub async fn set_signal(&self, ssid: &[u8], dbm: i16) -> zbus::Result<bool> {
        let sh = &self.sh;
        let _g = sh.ops.lock().await;
        let ops = {
            let mut st = sh.state();
            let Some(e) = st.aps.get_mut(ssid) else {
                return Ok(false);
            };
            e.ap.signal = dbm;
            sh.log(format!("signal {} -> {dbm} dBm", show_ssid(ssid)));
            let mut ops = Vec::new();
            for i in st.ifaces.values_mut() {
                for hidden_variant in [false, true] {
                    let Some(&n) = i.bss_index.get(&(ssid.to_vec(), hidden_variant)) else {
                        continue;
                    };
                    let b = i.bsses.get_mut(&n).expect("index and table agree");
                    b.props.signal = dbm;
                    let props = Props::default().with("Signal", dbm);
                    ops.push(signal(
                        &b.path,
                        BSS_IFACE,
                        "PropertiesChanged",
                        Body::Props(props),
                    ));
                }
            }
            ops
        };
        sh.exec(ops).await;
        Ok(true)
    }

    /// The connected (or connecting) interfaces go `disconnected` with `DisconnectReason` 4, as if
    /// the access point vanished for a moment (connmand: service `idle`). Like wpa_supplicant,
    /// the fake then rescans and re-associates (`scanning` 0.5 s later, `completed` 0.4 s after
    /// that; connmand: `association`, `configuration`, `ready` again with new DHCP). For a loss
    /// that lasts, use [`FakeSupplicant::remove_ap`].
    pub async fn drop_link(&self) -> zbus::Result<()> {
        let sh = &self.sh;
        let _g = sh.ops.lock().await;
        let ops = {
            let mut st = sh.state();
            sh.log("drop link");
            let nums: Vec<u32> = st.ifaces.keys().copied().collect();
            nums.into_iter()
                .flat_map(|n| sh.plan_link_loss(&mut st, n))
                .collect()
        };
        sh.exec(ops).await;
        Ok(())
    }

    /// A device joins (`joined`) or leaves the hotspot: `StaAuthorized` or
    /// `StaDeauthorized` with its MAC address on every interface that is an
    /// access point (connmand's `tether` bridge, `completed`), as
    /// wpa_supplicant says when a station authenticates or goes. connmand
    /// then lists it in `GetTetheringClients`. `false` when no interface is
    /// an access point.
    pub async fn station(&self, mac: &str, joined: bool) -> zbus::Result<bool> {
        let sh = &self.sh;
        let _g = sh.ops.lock().await;
        let member = if joined {
            "StaAuthorized"
        } else {
            "StaDeauthorized"
        };
        let ops: Vec<Op> = {
            let st = sh.state();
            st.ifaces
                .values()
                .filter(|i| !i.bridge.is_empty() && i.state == "completed")
                .map(|i| {
                    sh.log(format!("{} {member} {mac}", i.ifname));
                    signal(&i.path, IF_IFACE, member, Body::Str(mac.to_owned()))
                })
                .collect()
        };
        let any = !ops.is_empty();
        sh.exec(ops).await;
        Ok(any)
    }

    /// While set, SelectNetwork on this access point goes `associating` → `disconnected` with
    /// `AssocStatusCode` 1, a failure connmand does not take for a wrong key. `false` if the SSID
    /// is unknown.
    pub fn set_association_failure(&self, ssid: &[u8], fail: bool) -> bool {
        let mut st = self.sh.state();
        if !st.aps.contains_key(ssid) {
            return false;
        }
        self.sh
            .log(format!("association failure {} {fail}", show_ssid(ssid)));
        if fail {
            st.assoc_failure.insert(ssid.to_vec());
        } else {
            st.assoc_failure.remove(ssid);
        }
        true
    }

    /// The access points, in the order they were added.
    pub fn access_points(&self) -> Vec<AccessPoint> {
        self.sh
            .state()
            .aps_in_order()
            .into_iter()
            .cloned()
            .collect()
    }

    /// What the fake did: one line per call and state change, `seconds-since-start text`, the
    /// last 20000 lines. Keys never appear (`***`).
    pub fn log(&self) -> Vec<String> {
        lock(&self.sh.log).iter().cloned().collect()
    }

    /// Releases the bus name and removes every object of the fake from the connection. Pending
    /// timers become no-ops.
    pub async fn shutdown(&self) -> zbus::Result<()> {
        let sh = &self.sh;
        let _g = sh.ops.lock().await;
        let _ = sh.conn.release_name(SVC).await;
        let ops = {
            let mut st = sh.state();
            sh.log("shutdown");
            let mut ops = Vec::new();
            for i in std::mem::take(&mut st.ifaces).into_values() {
                ops.extend(
                    i.bsses
                        .into_values()
                        .map(|b| Op::Remove(b.path, ObjKind::Bss)),
                );
                ops.extend(
                    i.networks
                        .into_values()
                        .map(|n| Op::Remove(n.path, ObjKind::Network)),
                );
                ops.push(Op::Remove(i.path, ObjKind::Iface));
            }
            ops
        };
        sh.exec(ops).await;
        sh.conn.object_server().remove::<RootObj, _>(ROOT).await?;
        Ok(())
    }
}

fn check_ap(ap: &AccessPoint) -> zbus::Result<()> {
    if ap.ssid.is_empty() || ap.ssid.len() > 32 {
        return Err(zbus::Error::Failure(format!(
            "SSID {} must have 1 to 32 bytes",
            show_ssid(&ap.ssid)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_parses_connmand_and_lab_names() {
        for (s, want) in [
            ("open", Security::Open),
            ("none", Security::Open),
            ("WEP", Security::Wep),
            ("psk", Security::Psk),
            ("wpa2", Security::Psk),
            ("wpa", Security::Psk),
            ("eap", Security::Eap),
            ("8021x", Security::Eap),
            ("ieee8021x", Security::Eap),
        ] {
            assert_eq!(Security::parse(s), Some(want), "{s}");
            assert_eq!(Security::parse(want.as_str()), Some(want));
        }
        assert_eq!(Security::parse("sae"), None);
        assert_eq!(Security::parse(""), None);
    }

    #[test]
    fn bssid_is_stable_local_and_distinct() {
        let a = AccessPoint::new("LabWPA2", Security::Psk);
        assert_eq!(
            a.bssid,
            AccessPoint::new(b"LabWPA2".to_vec(), Security::Open).bssid
        );
        assert_eq!(a.bssid[0], 0x02);
        assert_eq!(bssid_for(b"LabWPA2"), a.bssid);
        let aps = many_aps(300);
        let set: HashSet<[u8; 6]> = aps.iter().map(|a| a.bssid).collect();
        assert_eq!(set.len(), 300);
        assert!(aps.iter().all(|a| a.bssid[0] == 0x02));
        // FNV-1a of the empty input, so the derivation does not drift between versions.
        assert_eq!(bssid_for(b""), [0x02, 0xe4, 0x84, 0x22, 0x23, 0x25]);
    }

    #[test]
    fn default_and_many_aps() {
        let d = default_aps();
        let names: Vec<&[u8]> = d.iter().map(|a| a.ssid.as_slice()).collect();
        assert_eq!(
            names,
            [
                &b"LabOpen"[..],
                b"LabWPA2",
                b"LabWEP",
                b"LabEnterprise",
                b"LabHidden"
            ]
        );
        assert_eq!(d[0].passphrase, None);
        assert_eq!(d[1].passphrase.as_deref(), Some("labpassword"));
        assert_eq!((d[1].signal, d[1].frequency), (-60, 5180));
        assert_eq!(d[3].identity.as_deref(), Some("labuser"));
        assert!(d[4].hidden && d.iter().filter(|a| a.hidden).count() == 1);
        let m = many_aps(300);
        assert_eq!(m.len(), 300);
        assert_eq!(m[6].ssid, b"Lab-AP-007");
        let ssids: HashSet<&Vec<u8>> = m.iter().map(|a| &a.ssid).collect();
        assert_eq!(ssids.len(), 300);
        for sec in [Security::Open, Security::Wep, Security::Psk, Security::Eap] {
            assert!(m.iter().any(|a| a.security == sec));
        }
        assert!(m.iter().all(|a| (-89..=-30).contains(&a.signal)));
        assert!(m
            .iter()
            .filter(|a| a.security == Security::Psk)
            .all(|a| a.passphrase.as_deref() == Some("labpassword")));
    }

    fn args(entries: Vec<(&str, Value<'static>)>) -> HashMap<String, OwnedValue> {
        dict(entries)
    }

    #[test]
    fn psk_check() {
        let ap = AccessPoint::new("x", Security::Psk).with("labpassword", -50, 2412);
        assert_eq!(
            check_credentials(&ap, &args(vec![("psk", "labpassword".into())])),
            Verdict::Ok
        );
        assert_eq!(
            check_credentials(&ap, &args(vec![("psk", "wrong".into())])),
            Verdict::WrongKey
        );
        assert_eq!(check_credentials(&ap, &args(vec![])), Verdict::WrongKey);
        let raw = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let ap = AccessPoint::new("x", Security::Psk).with(raw, -50, 2412);
        assert_eq!(
            check_credentials(&ap, &args(vec![("psk", raw.into())])),
            Verdict::Ok
        );
        assert_eq!(
            check_credentials(&ap, &args(vec![("psk", raw.to_uppercase().into())])),
            Verdict::Ok
        );
        let bytes = hex_decode(raw).unwrap();
        assert_eq!(
            check_credentials(&ap, &args(vec![("psk", bytes.clone().into())])),
            Verdict::Ok
        );
        let mut other = bytes;
        other[0] = 1;
        assert_eq!(
            check_credentials(&ap, &args(vec![("psk", other.into())])),
            Verdict::WrongKey
        );
    }

    #[test]
    fn wep_check() {
        let ap = AccessPoint::new("x", Security::Wep).with("12345", -50, 2412);
        let ok = |k: Value<'static>| check_credentials(&ap, &args(vec![("wep_key0", k)]));
        assert_eq!(ok(b"12345".to_vec().into()), Verdict::Ok);
        assert_eq!(ok(b"12346".to_vec().into()), Verdict::WrongKey);
        assert_eq!(ok("12345".into()), Verdict::Ok);
        let ap = AccessPoint::new("x", Security::Wep).with("0123456789", -50, 2412);
        let ok = |k: Value<'static>| check_credentials(&ap, &args(vec![("wep_key0", k)]));
        assert_eq!(ok(vec![0x01u8, 0x23, 0x45, 0x67, 0x89].into()), Verdict::Ok);
        assert_eq!(ok(b"0123456789".to_vec().into()), Verdict::Ok);
        assert_eq!(
            ok(vec![0x01u8, 0x23, 0x45, 0x67, 0x88].into()),
            Verdict::WrongKey
        );
        assert_eq!(check_credentials(&ap, &args(vec![])), Verdict::WrongKey);
        assert_eq!(
            check_credentials(
                &AccessPoint::new("x", Security::Wep),
                &args(vec![("wep_key0", b"abcde".to_vec().into())])
            ),
            Verdict::Ok
        );
    }

    #[test]
    fn eap_and_open_check() {
        let d = default_aps();
        let eap = &d[3];
        let good = args(vec![
            ("identity", "labuser".into()),
            ("password", "labpass".into()),
            ("eap", "PEAP".into()),
        ]);
        assert_eq!(check_credentials(eap, &good), Verdict::Ok);
        let bad = args(vec![
            ("identity", "labuser".into()),
            ("password", "nope".into()),
        ]);
        assert_eq!(check_credentials(eap, &bad), Verdict::WrongKey);
        let bad = args(vec![
            ("identity", "alice".into()),
            ("password", "labpass".into()),
        ]);
        assert_eq!(check_credentials(eap, &bad), Verdict::WrongKey);
        assert_eq!(check_credentials(&d[0], &args(vec![])), Verdict::Ok);
    }

    #[test]
    fn secrets_are_masked() {
        for k in [
            "psk",
            "password",
            "wep_key0",
            "wep_key3",
            "private_key_passwd",
            "pin",
            "sae_password",
        ] {
            assert!(is_secret(k), "{k}");
            assert_eq!(show_arg(k, &owned("secret")), "***");
        }
        for k in ["ssid", "identity", "key_mgmt", "wep_tx_keyidx", "scan_ssid"] {
            assert!(!is_secret(k), "{k}");
        }
        assert_eq!(show_arg("ssid", &owned(b"LabWPA2".to_vec())), "\"LabWPA2\"");
        assert_eq!(
            show_arg("ssid", &owned(vec![0x43u8, 0x61, 0x66, 0xe9])),
            "hex:436166e9"
        );
        assert_eq!(show_arg("scan_ssid", &owned(1u32)), "1");
    }

    #[test]
    fn ordered_props_serialise_as_a_dict() {
        let p = Props::default()
            .with("State", "completed")
            .with("CurrentBSS", no_path());
        assert_eq!(Props::SIGNATURE.to_string(), "a{sv}");
        let ctxt = zbus::zvariant::serialized::Context::new_dbus(zbus::zvariant::LE, 0);
        let data = zbus::zvariant::to_bytes(ctxt, &p).unwrap();
        let back: HashMap<String, OwnedValue> = data.deserialize().unwrap().0;
        assert_eq!(back.len(), 2);
        assert_eq!(
            String::try_from(back["State"].clone()).unwrap(),
            "completed"
        );
        // State comes first on the wire.
        let bytes: &[u8] = &data;
        let state_at = bytes.windows(5).position(|w| w == b"State").unwrap();
        let bss_at = bytes.windows(10).position(|w| w == b"CurrentBSS").unwrap();
        assert!(state_at < bss_at);
    }

    #[test]
    fn bss_props_carry_security() {
        let d = default_aps();
        let psk = BssProps::of(&d[1], false);
        assert_eq!(psk.all().0.len(), 12);
        let rsn = psk.rsn();
        assert_eq!(
            Vec::<String>::try_from(rsn["KeyMgmt"].clone()).unwrap(),
            ["wpa-psk"]
        );
        assert!(psk.privacy());
        let wep = BssProps::of(&d[2], false);
        assert!(wep.privacy());
        assert!(Vec::<String>::try_from(wep.rsn()["KeyMgmt"].clone())
            .unwrap()
            .is_empty());
        assert!(!BssProps::of(&d[0], false).privacy());
        assert!(BssProps::of(&d[4], true).ssid.is_empty());
    }

    #[test]
    fn op_lock_is_fifo_and_survives_cancellation() {
        let l = OpLock::default();
        futures_lite::future::block_on(async {
            let g = l.lock().await;
            let second = l.lock();
            drop(second); // abandoned before its turn
            let third = l.lock();
            drop(g);
            let _g3 = third.await;
        });
        let g = futures_lite::future::block_on(l.lock());
        drop(g);
    }

    // -----------------------------------------------------------------------------------------
    // Against a private dbus-daemon, driven as connmand would drive it
    // -----------------------------------------------------------------------------------------

    use futures_lite::StreamExt;
    use zbus::message::Type as MsgType;
    use zbus::{MatchRule, Message, MessageStream};

    use crate::testing::PrivateBus as Bus;

    /// A signal from the fake, as a client sees it.
    #[derive(Clone)]
    struct Sig {
        path: String,
        iface: String,
        member: String,
        msg: Message,
    }

    impl std::fmt::Debug for Sig {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(
                f,
                "{} {}.{} {:?}",
                self.path,
                self.iface,
                self.member,
                self.msg.body().signature()
            )
        }
    }

    impl Sig {
        fn props(&self) -> HashMap<String, OwnedValue> {
            self.msg.body().deserialize().expect("a{sv}")
        }

        fn path_props(&self) -> (OwnedObjectPath, HashMap<String, OwnedValue>) {
            self.msg.body().deserialize().expect("oa{sv}")
        }

        fn changed(&self, key: &str) -> Option<OwnedValue> {
            (self.member == "PropertiesChanged")
                .then(|| self.props().remove(key))
                .flatten()
        }

        fn state(&self) -> Option<String> {
            self.changed("State").map(|v| String::try_from(v).unwrap())
        }
    }

    /// A client of the fake, like gsupplicant: calls, and every signal below the root path.
    struct Client {
        conn: Connection,
        signals: MessageStream,
    }

    impl Client {
        async fn new(bus: &Bus) -> Client {
            let conn = bus.connect().await;
            let rule = MatchRule::builder()
                .msg_type(MsgType::Signal)
                .path_namespace(ROOT)
                .unwrap()
                .build();
            let signals = MessageStream::for_match_rule(rule, &conn, Some(100_000))
                .await
                .unwrap();
            Client { conn, signals }
        }

        async fn call<B>(
            &self,
            path: &str,
            iface: &str,
            method: &str,
            body: &B,
        ) -> zbus::Result<Message>
        where
            B: Serialize + zbus::zvariant::DynamicType,
        {
            self.conn
                .call_method(Some(SVC), path, Some(iface), method, body)
                .await
        }

        async fn get_all(&self, path: &str, iface: &str) -> HashMap<String, OwnedValue> {
            let m = self
                .call(path, "org.freedesktop.DBus.Properties", "GetAll", &iface)
                .await
                .unwrap();
            m.body().deserialize().unwrap()
        }

        async fn get(&self, path: &str, iface: &str, name: &str) -> OwnedValue {
            let m = self
                .call(
                    path,
                    "org.freedesktop.DBus.Properties",
                    "Get",
                    &(iface, name),
                )
                .await
                .unwrap();
            m.body().deserialize().unwrap()
        }

        /// Signals up to and including the first for which `done` holds (panics after `secs`).
        async fn until(&mut self, secs: u64, done: impl Fn(&Sig) -> bool) -> Vec<Sig> {
            let deadline = Instant::now() + Duration::from_secs(secs);
            let mut seen = Vec::new();
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let next = futures_lite::future::or(
                    async { self.signals.next().await.map(Some) },
                    async {
                        async_io::Timer::after(left).await;
                        None
                    },
                );
                let Some(Some(Ok(msg))) = next.await else {
                    panic!("timed out; signals seen: {seen:#?}");
                };
                let h = msg.header();
                let sig = Sig {
                    path: h.path().map(|p| p.to_string()).unwrap_or_default(),
                    iface: h.interface().map(|i| i.to_string()).unwrap_or_default(),
                    member: h.member().map(|m| m.to_string()).unwrap_or_default(),
                    msg: msg.clone(),
                };
                let stop = done(&sig);
                seen.push(sig);
                if stop {
                    return seen;
                }
            }
        }

        /// Signals arriving within `ms` milliseconds.
        async fn quiet(&mut self, ms: u64) -> Vec<Sig> {
            let mut seen = Vec::new();
            let deadline = Instant::now() + Duration::from_millis(ms);
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let next = futures_lite::future::or(
                    async { self.signals.next().await.map(Some) },
                    async {
                        async_io::Timer::after(left).await;
                        None
                    },
                );
                match next.await {
                    Some(Some(Ok(msg))) => {
                        let h = msg.header();
                        seen.push(Sig {
                            path: h.path().map(|p| p.to_string()).unwrap_or_default(),
                            iface: h.interface().map(|i| i.to_string()).unwrap_or_default(),
                            member: h.member().map(|m| m.to_string()).unwrap_or_default(),
                            msg: msg.clone(),
                        });
                    }
                    _ => return seen,
                }
            }
        }

        async fn create(&mut self, ifname: &str) -> String {
            let args = dict(vec![
                ("Ifname", ifname.to_string().into()),
                ("Driver", "nl80211,wext".into()),
            ]);
            let m = self
                .call(ROOT, SVC, "CreateInterface", &args)
                .await
                .unwrap();
            let p: OwnedObjectPath = m.body().deserialize().unwrap();
            p.as_str().to_string()
        }

        /// AddNetwork + SelectNetwork; the signals up to the end of the attempt.
        async fn connect(
            &mut self,
            iface: &str,
            args: HashMap<String, OwnedValue>,
        ) -> (String, Vec<Sig>) {
            let m = self
                .call(iface, IF_IFACE, "AddNetwork", &args)
                .await
                .unwrap();
            let net: OwnedObjectPath = m.body().deserialize().unwrap();
            self.call(iface, IF_IFACE, "SelectNetwork", &net)
                .await
                .unwrap();
            let iface_path = iface.to_string();
            let sigs = self
                .until(5, |s| {
                    s.path == iface_path
                        && matches!(s.state().as_deref(), Some("completed" | "disconnected"))
                })
                .await;
            (net.as_str().to_string(), sigs)
        }

        async fn remove_network(&mut self, iface: &str, net: &str) {
            let p = OwnedObjectPath::try_from(net.to_string()).unwrap();
            self.call(iface, IF_IFACE, "RemoveNetwork", &p)
                .await
                .unwrap();
        }
    }

    fn states(sigs: &[Sig]) -> Vec<String> {
        sigs.iter().filter_map(Sig::state).collect()
    }

    fn error_name(r: zbus::Result<Message>) -> String {
        match r {
            Err(zbus::Error::MethodError(name, _, _)) => name.to_string(),
            other => panic!("expected a D-Bus error, got {other:?}"),
        }
    }

    fn psk_args(ssid: &str, psk: &str) -> HashMap<String, OwnedValue> {
        dict(vec![
            ("ssid", ssid.as_bytes().to_vec().into()),
            ("scan_ssid", 1u32.into()),
            ("key_mgmt", "WPA-PSK".into()),
            ("psk", psk.to_string().into()),
        ])
    }

    fn check_bss_props(p: &HashMap<String, OwnedValue>, ap: &AccessPoint, hidden: bool) {
        let mut keys: Vec<&str> = p.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "Age",
                "BSSID",
                "Frequency",
                "IEs",
                "Mode",
                "Privacy",
                "RSN",
                "Rates",
                "SSID",
                "Signal",
                "WPA",
                "WPS"
            ]
        );
        let ssid = Vec::<u8>::try_from(p["SSID"].clone()).unwrap();
        assert_eq!(ssid, if hidden { Vec::new() } else { ap.ssid.clone() });
        assert_eq!(Vec::<u8>::try_from(p["BSSID"].clone()).unwrap(), ap.bssid);
        assert!(matches!(&*p["Frequency"], Value::U16(f) if *f == ap.frequency));
        assert!(matches!(&*p["Signal"], Value::I16(s) if *s == ap.signal));
        assert!(matches!(&*p["Age"], Value::U32(0)));
        assert_eq!(p["Rates"].value_signature().to_string(), "au");
        assert_eq!(p["RSN"].value_signature().to_string(), "a{sv}");
        assert_eq!(p["WPA"].value_signature().to_string(), "a{sv}");
        assert_eq!(p["WPS"].value_signature().to_string(), "a{sv}");
        assert_eq!(p["IEs"].value_signature().to_string(), "ay");
        assert_eq!(
            bool::try_from(p["Privacy"].clone()).unwrap(),
            ap.security != Security::Open
        );
        assert_eq!(
            String::try_from(p["Mode"].clone()).unwrap(),
            "infrastructure"
        );
        let rsn = HashMap::<String, OwnedValue>::try_from(p["RSN"].clone()).unwrap();
        let km = Vec::<String>::try_from(rsn["KeyMgmt"].clone()).unwrap();
        assert_eq!(km, ap.security.key_mgmt());
    }

    #[test]
    fn connmand_sequence_on_a_private_bus() {
        let bus = Bus::start("seq");
        async_io::block_on(async {
            let server = bus.connect().await;
            let aps = default_aps();
            let fake = FakeSupplicant::serve_without_netns(&server, aps.clone())
                .await
                .unwrap();
            let mut c = Client::new(&bus).await;

            // gsupplicant's start: root properties, GetInterface fails, CreateInterface.
            let root = c.get_all(ROOT, SVC).await;
            assert!(Vec::<OwnedObjectPath>::try_from(root["Interfaces"].clone())
                .unwrap()
                .is_empty());
            let e = error_name(c.call(ROOT, SVC, "GetInterface", &"wlan0").await);
            assert_eq!(e, "fi.w1.wpa_supplicant1.InterfaceUnknown");
            let wlan = c.create("wlan0").await;
            let sigs = c.until(2, |s| s.member == "InterfaceAdded").await;
            let (p, props) = sigs.last().unwrap().path_props();
            assert_eq!(p.as_str(), wlan);
            assert_eq!(
                String::try_from(props["State"].clone()).unwrap(),
                "inactive"
            );
            assert_eq!(props.len(), 19);
            let e = error_name(
                c.call(
                    ROOT,
                    SVC,
                    "CreateInterface",
                    &dict(vec![("Ifname", "wlan0".into())]),
                )
                .await,
            );
            assert_eq!(e, "fi.w1.wpa_supplicant1.InterfaceExists");
            let got: OwnedObjectPath = c
                .call(ROOT, SVC, "GetInterface", &"wlan0")
                .await
                .unwrap()
                .body()
                .deserialize()
                .unwrap();
            assert_eq!(got.as_str(), wlan);
            let all = c.get_all(&wlan, IF_IFACE).await;
            assert_eq!(all.len(), 19);
            assert_eq!(String::try_from(all["Ifname"].clone()).unwrap(), "wlan0");
            let wps = c
                .get_all(&wlan, "fi.w1.wpa_supplicant1.Interface.WPS")
                .await;
            assert_eq!(wps.len(), 2);
            c.call(
                &wlan,
                "org.freedesktop.DBus.Properties",
                "Set",
                &(
                    "fi.w1.wpa_supplicant1.Interface.WPS",
                    "ConfigMethods",
                    Value::from("push_button"),
                ),
            )
            .await
            .unwrap();
            c.call(
                &wlan,
                "org.freedesktop.DBus.Properties",
                "Set",
                &(IF_IFACE, "BSSExpireAge", Value::from(100u32)),
            )
            .await
            .unwrap();

            // A passive scan: Scanning, every AP with all its properties (hidden one without
            // SSID), Scanning false, ScanDone.
            c.call(
                &wlan,
                IF_IFACE,
                "Scan",
                &dict(vec![("Type", "passive".into())]),
            )
            .await
            .unwrap();
            let sigs = c.until(3, |s| s.member == "ScanDone").await;
            // (the root's PropertiesChanged(Interfaces) comes right after InterfaceAdded)
            assert_eq!(sigs[0].path, ROOT);
            assert!(sigs[0].changed("Interfaces").is_some());
            assert_eq!(
                sigs[1]
                    .changed("Scanning")
                    .map(|v| bool::try_from(v).unwrap()),
                Some(true)
            );
            let added: Vec<(OwnedObjectPath, HashMap<String, OwnedValue>)> = sigs
                .iter()
                .filter(|s| s.member == "BSSAdded")
                .map(Sig::path_props)
                .collect();
            assert_eq!(added.len(), 5);
            for ((_, props), ap) in added.iter().zip(&aps) {
                check_bss_props(props, ap, ap.hidden);
            }
            let n = sigs.len();
            assert_eq!(
                sigs[n - 2]
                    .changed("Scanning")
                    .map(|v| bool::try_from(v).unwrap()),
                Some(false)
            );
            assert!(sigs[n - 1].msg.body().deserialize::<bool>().unwrap());
            let bsss =
                Vec::<OwnedObjectPath>::try_from(c.get(&wlan, IF_IFACE, "BSSs").await).unwrap();
            assert_eq!(
                bsss,
                added.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>()
            );
            let wpa2_bss = added[1].0.as_str().to_string();
            check_bss_props(&c.get_all(&wpa2_bss, BSS_IFACE).await, &aps[1], false);

            // A directed scan for the hidden SSID publishes its real-SSID BSS too.
            let ssids = vec![b"LabHidden".to_vec()];
            c.call(
                &wlan,
                IF_IFACE,
                "Scan",
                &dict(vec![("Type", "active".into()), ("SSIDs", ssids.into())]),
            )
            .await
            .unwrap();
            let sigs = c.until(3, |s| s.member == "ScanDone").await;
            let added: Vec<_> = sigs
                .iter()
                .filter(|s| s.member == "BSSAdded")
                .map(Sig::path_props)
                .collect();
            assert_eq!(added.len(), 1);
            check_bss_props(&added[0].1, &aps[4], false);

            // Right PSK: associating → associated → 4way_handshake → completed on LabWPA2's BSS.
            let (net, sigs) = c.connect(&wlan, psk_args("LabWPA2", "labpassword")).await;
            assert!(sigs.iter().any(|s| s.member == "NetworkAdded"));
            assert!(sigs.iter().any(|s| s.member == "NetworkSelected"));
            assert_eq!(
                states(&sigs),
                ["associating", "associated", "4way_handshake", "completed"]
            );
            let last = sigs.last().unwrap().props();
            assert_eq!(
                OwnedObjectPath::try_from(last["CurrentBSS"].clone())
                    .unwrap()
                    .as_str(),
                wpa2_bss
            );
            assert_eq!(
                OwnedObjectPath::try_from(last["CurrentNetwork"].clone())
                    .unwrap()
                    .as_str(),
                net
            );
            let cur = c.get_all(&net, "fi.w1.wpa_supplicant1.Network").await;
            let shown = HashMap::<String, OwnedValue>::try_from(cur["Properties"].clone()).unwrap();
            assert_eq!(String::try_from(shown["psk"].clone()).unwrap(), "***");
            let poll: HashMap<String, OwnedValue> = c
                .call(&wlan, IF_IFACE, "SignalPoll", &())
                .await
                .unwrap()
                .body()
                .deserialize()
                .unwrap();
            assert!(matches!(&*poll["rssi"], Value::I32(-60)));

            // Signal change → BSS PropertiesChanged(Signal).
            assert!(fake.set_signal(b"LabWPA2", -30).await.unwrap());
            let sigs = c.until(2, |s| s.iface == BSS_IFACE).await;
            let s = sigs.last().unwrap();
            assert_eq!(s.path, wpa2_bss);
            assert!(matches!(&*s.changed("Signal").unwrap(), Value::I16(-30)));
            assert!(!fake.set_signal(b"NoSuchAP", -30).await.unwrap());

            // Disconnect → DisconnectReason, then disconnected; a second one is refused.
            c.call(&wlan, IF_IFACE, "Disconnect", &()).await.unwrap();
            let sigs = c.until(2, |s| s.state().is_some()).await;
            let n = sigs.len();
            assert!(sigs[n - 2].changed("DisconnectReason").is_some());
            assert_eq!(sigs[n - 1].state().as_deref(), Some("disconnected"));
            let e = error_name(c.call(&wlan, IF_IFACE, "Disconnect", &()).await);
            assert_eq!(e, "fi.w1.wpa_supplicant1.NotConnected");
            c.remove_network(&wlan, &net).await;
            c.until(2, |s| s.member == "NetworkRemoved").await;

            // Wrong PSK: 4way_handshake, then DisconnectReason 15 in a signal of its own, then
            // disconnected.
            let (net, sigs) = c
                .connect(&wlan, psk_args("LabWPA2", "notthepassword"))
                .await;
            assert_eq!(
                states(&sigs),
                [
                    "associating",
                    "associated",
                    "4way_handshake",
                    "disconnected"
                ]
            );
            let n = sigs.len();
            assert!(matches!(
                &*sigs[n - 2].changed("DisconnectReason").unwrap(),
                Value::I32(15)
            ));
            // Left selected, the network is retried (connmand waits for that for a favourite)
            // until Disconnect.
            let sigs = c
                .until(3, |s| s.state().as_deref() == Some("disconnected"))
                .await;
            assert_eq!(
                states(&sigs),
                [
                    "scanning",
                    "associating",
                    "associated",
                    "4way_handshake",
                    "disconnected"
                ]
            );
            let e = error_name(c.call(&wlan, IF_IFACE, "Disconnect", &()).await);
            assert_eq!(e, "fi.w1.wpa_supplicant1.NotConnected");
            assert!(states(&c.quiet(1500).await).is_empty());
            c.remove_network(&wlan, &net).await;

            // WEP: the key as bytes; a wrong one fails with AssocStatusCode 16 while associating.
            let wep = |k: &[u8]| {
                dict(vec![
                    ("ssid", b"LabWEP".to_vec().into()),
                    ("key_mgmt", "NONE".into()),
                    ("auth_alg", "OPEN SHARED".into()),
                    ("wep_key0", k.to_vec().into()),
                    ("wep_tx_keyidx", 0u32.into()),
                ])
            };
            let (net, sigs) = c.connect(&wlan, wep(b"54321")).await;
            assert_eq!(states(&sigs), ["associating", "disconnected"]);
            assert!(matches!(
                &*sigs[sigs.len() - 2].changed("AssocStatusCode").unwrap(),
                Value::I32(16)
            ));
            c.remove_network(&wlan, &net).await;
            let (net, sigs) = c.connect(&wlan, wep(b"12345")).await;
            assert_eq!(states(&sigs), ["associating", "associated", "completed"]);
            c.call(&wlan, IF_IFACE, "Disconnect", &()).await.unwrap();
            c.until(2, |s| s.state().is_some()).await;
            c.remove_network(&wlan, &net).await;

            // 802.1X: a wrong password ends with DisconnectReason 23 while associated.
            let eap = |pw: &str| {
                dict(vec![
                    ("ssid", b"LabEnterprise".to_vec().into()),
                    ("key_mgmt", "WPA-EAP".into()),
                    ("eap", "PEAP".into()),
                    ("identity", "labuser".into()),
                    ("password", pw.to_string().into()),
                    ("phase2", "auth=MSCHAPV2".into()),
                ])
            };
            let (net, sigs) = c.connect(&wlan, eap("nope")).await;
            assert_eq!(states(&sigs), ["associating", "associated", "disconnected"]);
            assert!(matches!(
                &*sigs[sigs.len() - 2].changed("DisconnectReason").unwrap(),
                Value::I32(23)
            ));
            c.remove_network(&wlan, &net).await;
            let (net, sigs) = c.connect(&wlan, eap("labpass")).await;
            assert_eq!(states(&sigs).last().map(String::as_str), Some("completed"));
            c.call(&wlan, IF_IFACE, "Disconnect", &()).await.unwrap();
            c.until(2, |s| s.state().is_some()).await;
            c.remove_network(&wlan, &net).await;

            // Association failure: AssocStatusCode 1 while associating.
            let open = || {
                dict(vec![
                    ("ssid", b"LabOpen".to_vec().into()),
                    ("key_mgmt", "NONE".into()),
                ])
            };
            assert!(fake.set_association_failure(b"LabOpen", true));
            assert!(!fake.set_association_failure(b"NoSuchAP", true));
            let (net, sigs) = c.connect(&wlan, open()).await;
            assert_eq!(states(&sigs), ["associating", "disconnected"]);
            assert!(matches!(
                &*sigs[sigs.len() - 2].changed("AssocStatusCode").unwrap(),
                Value::I32(1)
            ));
            c.remove_network(&wlan, &net).await;
            assert!(fake.set_association_failure(b"LabOpen", false));

            // Link loss while connected: DisconnectReason 4, disconnected; then, like
            // wpa_supplicant, the fake rescans and reconnects by itself.
            let (_net, sigs) = c.connect(&wlan, open()).await;
            assert_eq!(states(&sigs), ["associating", "associated", "completed"]);
            fake.drop_link().await.unwrap();
            let sigs = c
                .until(3, |s| s.state().as_deref() == Some("completed"))
                .await;
            assert!(matches!(
                &*sigs[0].changed("DisconnectReason").unwrap(),
                Value::I32(4)
            ));
            assert_eq!(
                states(&sigs),
                [
                    "disconnected",
                    "scanning",
                    "associating",
                    "associated",
                    "completed"
                ]
            );
            assert!(c.quiet(200).await.is_empty());

            // Connected AP removed: disconnected, BSSRemoved, a vain rescan; when the AP comes
            // back, the fake reconnects to it.
            let open_bss =
                OwnedObjectPath::try_from(sigs.last().unwrap().props()["CurrentBSS"].clone())
                    .unwrap();
            assert!(fake.remove_ap(b"LabOpen").await.unwrap());
            let sigs = c
                .until(3, |s| s.state().as_deref() == Some("scanning"))
                .await;
            assert_eq!(states(&sigs), ["disconnected", "scanning"]);
            let removed: Vec<OwnedObjectPath> = sigs
                .iter()
                .filter(|s| s.member == "BSSRemoved")
                .map(|s| s.msg.body().deserialize().unwrap())
                .collect();
            assert_eq!(removed.len(), 1);
            assert_eq!(removed[0], open_bss);
            let sigs = c.until(3, |s| s.state().is_some()).await;
            assert_eq!(states(&sigs), ["disconnected"]);
            assert!(!fake.remove_ap(b"LabOpen").await.unwrap());
            let e = c
                .call(
                    open_bss.as_str(),
                    "org.freedesktop.DBus.Properties",
                    "GetAll",
                    &BSS_IFACE,
                )
                .await;
            assert!(e.is_err());
            fake.add_ap(aps[0].clone()).await.unwrap();
            let sigs = c
                .until(3, |s| s.state().as_deref() == Some("completed"))
                .await;
            assert_eq!(sigs[0].member, "BSSAdded");
            assert_eq!(
                states(&sigs),
                ["scanning", "associating", "associated", "completed"]
            );
            // Disconnect ends the reconnecting: a link loss now stays lost.
            c.call(&wlan, IF_IFACE, "Disconnect", &()).await.unwrap();
            c.until(2, |s| s.state().is_some()).await;
            assert!(fake.remove_ap(b"LabOpen").await.unwrap());
            fake.add_ap(aps[0].clone()).await.unwrap();
            let sigs = c.quiet(1000).await;
            assert!(states(&sigs).is_empty(), "{sigs:#?}");
            c.call(&wlan, IF_IFACE, "RemoveAllNetworks", &())
                .await
                .unwrap();
            c.until(2, |s| s.member == "NetworkRemoved").await;

            // New AP (non-UTF-8 SSID) published at once; a replaced one with only a new signal
            // gets a PropertiesChanged, with a new security a new BSS.
            let cafe = AccessPoint::new(vec![0x43, 0x61, 0x66, 0xe9], Security::Psk);
            fake.add_ap(cafe.clone()).await.unwrap();
            let sigs = c.until(2, |s| s.member == "BSSAdded").await;
            check_bss_props(&sigs.last().unwrap().path_props().1, &cafe, false);
            let mut louder = cafe.clone();
            louder.signal = -20;
            fake.add_ap(louder).await.unwrap();
            let sigs = c.until(2, |s| s.iface == BSS_IFACE).await;
            assert!(matches!(
                &*sigs.last().unwrap().changed("Signal").unwrap(),
                Value::I16(-20)
            ));
            let mut open_cafe = cafe.clone();
            open_cafe.security = Security::Open;
            fake.add_ap(open_cafe.clone()).await.unwrap();
            let sigs = c.until(2, |s| s.member == "BSSAdded").await;
            assert!(sigs.iter().any(|s| s.member == "BSSRemoved"));
            assert!(
                !bool::try_from(sigs.last().unwrap().path_props().1["Privacy"].clone()).unwrap()
            );
            assert_eq!(fake.access_points().len(), 6);
            assert_eq!(fake.access_points().last().unwrap().ssid, cafe.ssid);

            // Unknown SSID: scanning, then disconnected (connmand times out).
            let (net, sigs) = c.connect(&wlan, open_ssid(b"Nowhere")).await;
            assert_eq!(states(&sigs), ["scanning", "disconnected"]);
            c.remove_network(&wlan, &net).await;

            // RemoveInterface in the middle of an attempt: no transition afterwards.
            let m = c
                .call(
                    &wlan,
                    IF_IFACE,
                    "AddNetwork",
                    &psk_args("LabWPA2", "labpassword"),
                )
                .await
                .unwrap();
            let net: OwnedObjectPath = m.body().deserialize().unwrap();
            c.call(&wlan, IF_IFACE, "SelectNetwork", &net)
                .await
                .unwrap();
            let p = OwnedObjectPath::try_from(wlan.clone()).unwrap();
            c.call(ROOT, SVC, "RemoveInterface", &p).await.unwrap();
            let sigs = c.quiet(800).await;
            assert!(sigs.iter().any(|s| s.member == "InterfaceRemoved"));
            assert!(states(&sigs).is_empty(), "{sigs:#?}");
            let e = error_name(c.call(ROOT, SVC, "RemoveInterface", &p).await);
            assert_eq!(e, "fi.w1.wpa_supplicant1.InterfaceUnknown");
            assert!(c
                .call(
                    &wlan,
                    "org.freedesktop.DBus.Properties",
                    "GetAll",
                    &IF_IFACE
                )
                .await
                .is_err());

            // The log tells what happened, without a key.
            let log = fake.log().join("\n");
            for needle in [
                "CreateInterface wlan0",
                "State -> completed",
                "wrong key",
                "BSSAdded",
                "RemoveInterface",
            ] {
                assert!(
                    log.contains(needle),
                    "{needle} missing from the log:\n{log}"
                );
            }
            for secret in ["labpass", "notthepassword", "12345", "54321", "nope"] {
                assert!(!log.contains(secret), "{secret} in the log:\n{log}");
            }
            fake.shutdown().await.unwrap();
            assert!(c
                .call(ROOT, "org.freedesktop.DBus.Properties", "GetAll", &SVC)
                .await
                .is_err());
        });
    }

    fn open_ssid(ssid: &[u8]) -> HashMap<String, OwnedValue> {
        dict(vec![
            ("ssid", ssid.to_vec().into()),
            ("key_mgmt", "NONE".into()),
        ])
    }

    #[test]
    fn unknown_netdev_is_refused() {
        let bus = Bus::start("netns");
        async_io::block_on(async {
            let server = bus.connect().await;
            let fake = FakeSupplicant::serve(&server, "connie-lab-no-such-netns", default_aps())
                .await
                .unwrap();
            let c = Client::new(&bus).await;
            let args = dict(vec![("Ifname", "wlan0".into())]);
            let e = error_name(c.call(ROOT, SVC, "CreateInterface", &args).await);
            assert_eq!(e, "fi.w1.wpa_supplicant1.UnknownError");
            let e = error_name(c.call(ROOT, SVC, "CreateInterface", &dict(vec![])).await);
            assert_eq!(e, "fi.w1.wpa_supplicant1.InvalidArgs");
            assert!(fake.log().iter().any(|l| l.contains("no such netdev")));
        });
    }

    #[test]
    fn three_hundred_aps_in_one_scan() {
        let bus = Bus::start("scale");
        async_io::block_on(async {
            let server = bus.connect().await;
            let fake = FakeSupplicant::serve_without_netns(&server, many_aps(300))
                .await
                .unwrap();
            let mut c = Client::new(&bus).await;
            let wlan = c.create("wlan0").await;
            c.until(2, |s| s.member == "InterfaceAdded").await;
            let t0 = Instant::now();
            c.call(
                &wlan,
                IF_IFACE,
                "Scan",
                &dict(vec![("Type", "passive".into())]),
            )
            .await
            .unwrap();
            let sigs = c.until(10, |s| s.member == "ScanDone").await;
            let took = t0.elapsed();
            let added: Vec<_> = sigs.iter().filter(|s| s.member == "BSSAdded").collect();
            assert_eq!(added.len(), 300);
            for (s, ap) in added.iter().zip(many_aps(300)) {
                check_bss_props(&s.path_props().1, &ap, false);
            }
            eprintln!("300 APs: Scan -> ScanDone in {took:?} (300 ms of it is the fake scan time)");
            assert!(took < Duration::from_secs(2), "{took:?}");
            let t0 = Instant::now();
            let bsss =
                Vec::<OwnedObjectPath>::try_from(c.get(&wlan, IF_IFACE, "BSSs").await).unwrap();
            assert_eq!(bsss.len(), 300);
            for p in bsss.iter().step_by(30) {
                assert_eq!(c.get_all(p.as_str(), BSS_IFACE).await.len(), 12);
            }
            eprintln!("BSSs + 10 GetAll: {:?}", t0.elapsed());
            // A second scan publishes nothing new.
            c.call(&wlan, IF_IFACE, "Scan", &dict(vec![]))
                .await
                .unwrap();
            let sigs = c.until(3, |s| s.member == "ScanDone").await;
            assert!(!sigs.iter().any(|s| s.member == "BSSAdded"));
            let t0 = Instant::now();
            assert!(fake.set_signal(b"Lab-AP-150", -40).await.unwrap());
            let sigs = c.until(2, |s| s.iface == BSS_IFACE).await;
            assert_eq!(sigs.len(), 1);
            eprintln!("set_signal -> signal: {:?}", t0.elapsed());
        });
    }
}
