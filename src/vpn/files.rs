//! The files Connie keeps for VPNs (certificates and keys from imported
//! `.ovpn` files): one directory per connection under Connie's data
//! directory, named as connman-vpnd names the connection, readable by
//! their owner only; deleted with the VPN.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// connman-vpnd's identifier of a connection: `Host[_Domain]`, every
/// character but ASCII letters and digits made `_` (`vpn-provider.c`).
pub fn ident(host: &str, domain: &str) -> String {
    let joined = if domain.is_empty() {
        host.to_owned()
    } else {
        format!("{host}_{domain}")
    };
    joined
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Where Connie keeps VPN files: `$XDG_DATA_HOME/connie/vpn`.
pub fn base_dir() -> PathBuf {
    gtk::glib::user_data_dir().join("connie").join("vpn")
}

/// The directory of the connection `ident` under `base`.
pub fn dir_of(base: &Path, ident: &str) -> PathBuf {
    base.join(ident)
}

/// Writes `contents` as `name` in the connection's directory (made 0700),
/// the file 0600; returns its path.
pub fn write(base: &Path, ident: &str, name: &str, contents: &str) -> std::io::Result<PathBuf> {
    let dir = dir_of(base, ident);
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)?;
    let path = dir.join(name);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)?;
    file.write_all(contents.as_bytes())?;
    Ok(path)
}

/// Deletes the connection's directory, if Connie made one.
pub fn remove(base: &Path, ident: &str) -> std::io::Result<()> {
    // never more than one plain name below base
    if ident.is_empty() || ident.contains('/') || ident.starts_with('.') {
        return Ok(());
    }
    match fs::remove_dir_all(dir_of(base, ident)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn idents_are_connman_vpnds() {
        assert_eq!(
            ident("10.77.0.1", "cert.lab.test"),
            "10_77_0_1_cert_lab_test"
        );
        assert_eq!(ident("vpn.example", ""), "vpn_example");
    }

    #[test]
    fn files_are_private_and_go_with_the_vpn() {
        let base = tempfile::tempdir().unwrap();
        let p = write(base.path(), "vpn_example", "key.pem", "secret").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "secret");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&p), 0o600);
        assert_eq!(mode(p.parent().unwrap()), 0o700);
        remove(base.path(), "vpn_example").unwrap();
        assert!(!p.exists());
        remove(base.path(), "vpn_example").expect("gone already: fine");
        remove(base.path(), "../x").expect("refused quietly");
    }
}
