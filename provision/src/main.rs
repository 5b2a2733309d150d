//! `connie-provision`: the only part of Connie that runs as root. A D-Bus
//! system service (`io.github.connie.Provision`), started by the bus when
//! Connie first calls it and gone again after a minute without calls.
//!
//! Every change (`Save`, `Remove`) is first checked, then put to polkit
//! (`CheckAuthorization` of the caller's bus name for the action
//! `io.github.connie.Connie.provision`), and only then written by
//! [`connie_provision::store`]. `Profiles` reads Connie's own files back
//! without their secrets, for anyone.
//!
//! Options (for the tests, which run it inside the lab's namespaces; the
//! installed service file gives none, and an unprivileged caller cannot
//! give any: the bus starts the program from its root-owned service file,
//! with a cleared environment, and the program is not setuid, so running it
//! by hand gives it only its caller's rights):
//!   --config-dir DIR   instead of /var/lib/connman
//!   --cert-dir DIR     instead of /var/lib/connie-provision
//!   --idle-exit SECS   exit after SECS without calls (default 60; 0: never)

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connie_provision::cert::{self, Kind};
use connie_provision::profile::{self, CaChoice, CertPaths, Eap, Parsed, Secret};
use connie_provision::store::{self, Dir, Role, Store, StoreError};
use connie_provision::{Profile, Stored, ACTION, BUS_NAME, PATH};
use zbus::fdo;
use zbus::message::Header;
use zbus::zvariant::{OwnedFd, Value};

struct Options {
    config_dir: PathBuf,
    cert_dir: PathBuf,
    idle_exit: u64,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        config_dir: connie_provision::CONFIG_DIR.into(),
        cert_dir: connie_provision::CERT_DIR.into(),
        idle_exit: 60,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--config-dir" => o.config_dir = value()?.into(),
            "--cert-dir" => o.cert_dir = value()?.into(),
            "--idle-exit" => {
                o.idle_exit = value()?
                    .parse()
                    .map_err(|_| "--idle-exit needs seconds".to_owned())?
            }
            "--version" => {
                println!("connie-provision {}", env!("CARGO_PKG_VERSION"));
                std::process::exit(0);
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(o)
}

/// When the last call ended, and how many run.
struct Activity {
    last: Mutex<Instant>,
    running: AtomicUsize,
}

struct Busy<'a>(&'a Activity);

impl Activity {
    fn enter(&self) -> Busy<'_> {
        self.running.fetch_add(1, Ordering::SeqCst);
        Busy(self)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        *self.0.last.lock().unwrap() = Instant::now();
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Helper {
    store: Mutex<Store>,
    activity: Arc<Activity>,
}

fn refused(e: StoreError) -> fdo::Error {
    match e {
        StoreError::Refused(why) => fdo::Error::InvalidArgs(why),
        e => fdo::Error::Failed(e.to_string()),
    }
}

/// Asks polkit whether the sender of this call may provision; an error
/// (no polkit, no answer) is a no.
async fn authorize(conn: &zbus::Connection, hdr: &Header<'_>) -> fdo::Result<()> {
    let sender = hdr
        .sender()
        .ok_or_else(|| fdo::Error::AccessDenied("a call without a sender".into()))?
        .to_string();
    let mut name: HashMap<&str, Value<'_>> = HashMap::new();
    name.insert("name", Value::from(sender.as_str()));
    let subject = ("system-bus-name", name);
    let details: HashMap<&str, &str> = HashMap::new();
    // AllowUserInteraction: polkit asks the person's authentication agent
    let flags: u32 = 1;
    let reply = conn
        .call_method(
            Some("org.freedesktop.PolicyKit1"),
            "/org/freedesktop/PolicyKit1/Authority",
            Some("org.freedesktop.PolicyKit1.Authority"),
            "CheckAuthorization",
            &(subject, ACTION, details, flags, ""),
        )
        .await
        .map_err(|e| {
            eprintln!("connie-provision: cannot ask polkit about {sender}: {e}");
            fdo::Error::AccessDenied(format!("polkit could not be asked: {e}"))
        })?;
    let (authorized, _challenge, _details): (bool, bool, HashMap<String, String>) =
        reply.body().deserialize()?;
    if authorized {
        Ok(())
    } else {
        eprintln!("connie-provision: polkit refused {sender}");
        Err(fdo::Error::AccessDenied(format!(
            "not authorized for {ACTION}"
        )))
    }
}

/// What becomes of the certificate for `role`.
enum Cert {
    /// The helper's own copy from before, still there.
    Keep(String),
    /// A passed file, checked: its clean PEM, to write as `name`.
    New { name: String, pem: Vec<u8> },
}

/// The certificate for `role`: the one passed (read and checked, not yet
/// written), else the one stored before.
fn certificate(
    store: &Store,
    ssid: &[u8],
    role: Role,
    passed: Option<&OwnedFd>,
    before: Option<&String>,
) -> fdo::Result<Cert> {
    let name = store::cert_name(ssid, role);
    let Some(fd) = passed else {
        // kept only when it is the helper's own file, still there
        let path = store.cert_path(&name);
        if before == Some(&path) && store.read(Dir::Certs, &name).map_err(refused)?.is_some() {
            return Ok(Cert::Keep(path));
        }
        let key = match role {
            Role::Ca => connie_provision::FILE_CA,
            Role::ClientCert => connie_provision::FILE_CLIENT_CERT,
            Role::PrivateKey => connie_provision::FILE_PRIVATE_KEY,
        };
        return Err(fdo::Error::InvalidArgs(format!("{key} is needed")));
    };
    let bytes = store::read_passed(fd, cert::MAX_FILE).map_err(refused)?;
    let kind = match role {
        Role::PrivateKey => Kind::PrivateKey,
        _ => Kind::Certificate,
    };
    let pem =
        cert::check(&bytes, kind).map_err(|e| fdo::Error::InvalidArgs(format!("{name}: {e}")))?;
    Ok(Cert::New { name, pem })
}

impl Helper {
    fn save_checked(
        &self,
        p: &profile::Checked,
        files: &HashMap<String, OwnedFd>,
    ) -> fdo::Result<String> {
        let store = self.store.lock().unwrap();
        let name = store::config_name(&p.ssid);
        let before: Option<Parsed> = store
            .read(Dir::Config, &name)
            .map_err(refused)?
            .and_then(|t| profile::parse(&t));
        let before_certs = before.as_ref().map(|b| b.certs.clone()).unwrap_or_default();
        let password = match (
            &p.password,
            before.as_ref().and_then(|b| b.password.clone()),
        ) {
            (Secret::Keep, None) => {
                return Err(fdo::Error::InvalidArgs("password is needed".into()));
            }
            (_, kept) => kept,
        };
        let key_passphrase = match (
            &p.key_passphrase,
            before.as_ref().and_then(|b| b.key_passphrase.clone()),
        ) {
            (Secret::Keep, None) => {
                return Err(fdo::Error::InvalidArgs("key_passphrase is needed".into()));
            }
            (_, kept) => kept,
        };
        let needed = |role: Role| match role {
            Role::Ca => p.ca == CaChoice::File,
            _ => p.eap == Eap::Tls,
        };
        // every passed file is read and checked before anything is written
        let mut chosen: Vec<(Role, Cert)> = Vec::new();
        for role in Role::ALL {
            let key = match role {
                Role::Ca => connie_provision::FILE_CA,
                Role::ClientCert => connie_provision::FILE_CLIENT_CERT,
                Role::PrivateKey => connie_provision::FILE_PRIVATE_KEY,
            };
            if !needed(role) {
                if files.contains_key(key) {
                    return Err(fdo::Error::InvalidArgs(format!(
                        "{key} is not used with these settings"
                    )));
                }
                continue;
            }
            let before = match role {
                Role::Ca => before_certs.ca.as_ref(),
                Role::ClientCert => before_certs.client_cert.as_ref(),
                Role::PrivateKey => before_certs.private_key.as_ref(),
            };
            chosen.push((
                role,
                certificate(&store, &p.ssid, role, files.get(key), before)?,
            ));
        }
        let mut certs = CertPaths::default();
        for (role, cert) in chosen {
            let path = match cert {
                Cert::Keep(path) => path,
                Cert::New { name, pem } => {
                    store.write(Dir::Certs, &name, &pem).map_err(refused)?;
                    store.cert_path(&name)
                }
            };
            match role {
                Role::Ca => certs.ca = Some(path),
                Role::ClientCert => certs.client_cert = Some(path),
                Role::PrivateKey => certs.private_key = Some(path),
            }
        }
        let text = profile::render(p, &certs, password.as_deref(), key_passphrase.as_deref());
        store
            .write(Dir::Config, &name, text.as_bytes())
            .map_err(refused)?;
        // certificates the new settings no longer name
        for role in Role::ALL.into_iter().filter(|r| !needed(*r)) {
            store
                .remove(Dir::Certs, &store::cert_name(&p.ssid, role))
                .map_err(refused)?;
        }
        Ok(name)
    }
}

#[zbus::interface(name = "io.github.connie.Provision1")]
impl Helper {
    /// Writes the provisioning file for `profile` (see the crate's proxy).
    async fn save(
        &self,
        #[zbus(header)] hdr: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
        profile: Profile,
        files: HashMap<String, OwnedFd>,
    ) -> fdo::Result<()> {
        let _busy = self.activity.enter();
        if let Some(k) = files.keys().find(|k| {
            ![
                connie_provision::FILE_CA,
                connie_provision::FILE_CLIENT_CERT,
                connie_provision::FILE_PRIVATE_KEY,
            ]
            .contains(&k.as_str())
        }) {
            return Err(fdo::Error::InvalidArgs(format!(
                "unknown file {:?}",
                k.chars().take(32).collect::<String>()
            )));
        }
        let checked = profile
            .check()
            .map_err(|e| fdo::Error::InvalidArgs(e.to_string()))?;
        authorize(conn, &hdr).await?;
        let name = self.save_checked(&checked, &files)?;
        eprintln!(
            "connie-provision: wrote {name} for {}",
            hdr.sender().map(|s| s.as_str()).unwrap_or("?")
        );
        Ok(())
    }

    /// Removes Connie's file for `ssid` and its certificates.
    async fn remove(
        &self,
        #[zbus(header)] hdr: Header<'_>,
        #[zbus(connection)] conn: &zbus::Connection,
        ssid: Vec<u8>,
    ) -> fdo::Result<()> {
        let _busy = self.activity.enter();
        if ssid.is_empty() || ssid.len() > profile::MAX_SSID {
            return Err(fdo::Error::InvalidArgs("not an SSID".into()));
        }
        authorize(conn, &hdr).await?;
        let store = self.store.lock().unwrap();
        let name = store::config_name(&ssid);
        if !store.remove(Dir::Config, &name).map_err(refused)? {
            return Err(fdo::Error::FileNotFound(format!("{name} does not exist")));
        }
        for role in Role::ALL {
            store
                .remove(Dir::Certs, &store::cert_name(&ssid, role))
                .map_err(refused)?;
        }
        eprintln!("connie-provision: removed {name}");
        Ok(())
    }

    /// Connie's profiles, without secrets.
    async fn profiles(&self) -> fdo::Result<Vec<Stored>> {
        let _busy = self.activity.enter();
        let store = self.store.lock().unwrap();
        let mut out = Vec::new();
        for name in store.own_configs().map_err(refused)? {
            if let Ok(Some(text)) = store.read(Dir::Config, &name) {
                if let Some(p) = profile::parse(&text) {
                    out.push(p.stored);
                }
            }
        }
        Ok(out)
    }
}

fn run(o: Options) -> Result<(), String> {
    let store = Store::open(&o.config_dir, &o.cert_dir).map_err(|e| e.to_string())?;
    let activity = Arc::new(Activity {
        last: Mutex::new(Instant::now()),
        running: AtomicUsize::new(0),
    });
    let helper = Helper {
        store: Mutex::new(store),
        activity: activity.clone(),
    };
    let _conn = zbus::blocking::connection::Builder::system()
        .and_then(|b| b.serve_at(PATH, helper))
        .and_then(|b| b.name(BUS_NAME))
        .and_then(|b| b.build())
        .map_err(|e| format!("cannot serve {BUS_NAME} on the system bus: {e}"))?;
    eprintln!("connie-provision: serving {BUS_NAME}");
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let idle = activity.last.lock().unwrap().elapsed();
        if o.idle_exit > 0
            && activity.running.load(Ordering::SeqCst) == 0
            && idle > Duration::from_secs(o.idle_exit)
        {
            return Ok(());
        }
    }
}

fn main() {
    let result = options().and_then(run);
    if let Err(e) = result {
        eprintln!("connie-provision: {e}");
        std::process::exit(1);
    }
}
