//! The VPN commands: create (writing an import's certificates first),
//! edit, delete (with the files Connie kept for it). Each ends in an
//! [`Outcome`] the window only shows.

use std::path::{Path, PathBuf};

use super::outcome::{self, Failure, Outcome};
use super::Backend;
use crate::connman::types::routes_value;
use crate::connman::ConnmanError;
use crate::i18n::gettext;
use crate::vpn::files;
use crate::vpn::form::{property_value, VpnForm, DOMAIN, HOST, NAME, ROUTES};
use crate::vpn::ovpn::Blob;

/// A failure of ours (not connman-vpnd's), said as `why`.
fn local(what: &str, subject: &str, why: String) -> Outcome {
    let error = ConnmanError::Local(why.clone());
    Outcome::Failed(Failure::said(what, Some(subject), why, &error))
}

impl Backend {
    /// Creates the VPN of `form` in connman-vpnd; `blobs` (an import's
    /// inline certificates and keys) are written to files of its own first
    /// (under `base`: [`files::base_dir`] but in tests), their fields then
    /// naming them. The new connection's path, or how it failed (nothing
    /// is left behind then).
    pub async fn create_vpn(
        &self,
        form: &VpnForm,
        blobs: &[Blob],
        base: &Path,
    ) -> Result<String, Outcome> {
        let what = gettext("Could not add the VPN");
        let name = form.get(NAME).to_owned();
        let Some(client) = self.client() else {
            return Err(outcome::daemon_went_away(
                &what,
                &name,
                &ConnmanError::ServiceUnknown,
            ));
        };
        let ident = files::ident(form.get(HOST).trim(), form.get(DOMAIN).trim());
        let mut form = form.clone();
        for blob in blobs {
            match files::write(base, &ident, &format!("{}.pem", blob.tag), &blob.contents) {
                Ok(path) => form.set(blob.key, &path.display().to_string()),
                Err(e) => {
                    let _ = files::remove(base, &ident);
                    return Err(local(
                        &what,
                        &name,
                        format!("{}: {e}", gettext("Could not keep the certificates")),
                    ));
                }
            }
        }
        let settings = match form.check() {
            Ok(s) => s,
            Err(errors) => {
                let _ = files::remove(base, &ident);
                let why = errors
                    .into_iter()
                    .map(|(_, why)| why)
                    .collect::<Vec<_>>()
                    .join(" ");
                return Err(local(&what, &name, why));
            }
        };
        match client.vpn_create_values(&settings.to_create()).await {
            Ok(path) => Ok(path),
            Err(e) => {
                let _ = files::remove(base, &ident);
                Err(Outcome::Failed(Failure::new(&what, Some(&name), &e)))
            }
        }
    }

    /// Changes the VPN `path`: each setting in `strings` ("" clears one),
    /// and its user routes when given.
    pub async fn edit_vpn(
        &self,
        path: &str,
        strings: &std::collections::BTreeMap<String, String>,
        routes: Option<&[crate::connman::types::Route]>,
    ) -> Outcome {
        let what = gettext("Could not change the VPN");
        let Some(client) = self.client() else {
            return Outcome::Quiet;
        };
        let name = self.vpn_name(path);
        for (key, value) in strings {
            if let Err(e) = client
                .vpn_set_property(path, key, &property_value(key, value))
                .await
            {
                return Outcome::Failed(Failure::new(&what, Some(&name), &e));
            }
        }
        if let Some(routes) = routes {
            if let Err(e) = client
                .vpn_set_property(path, ROUTES, &routes_value(routes))
                .await
            {
                return Outcome::Failed(Failure::new(&what, Some(&name), &e));
            }
        }
        Outcome::Done
    }

    /// Deletes the VPN `path` from connman-vpnd, and the files Connie kept
    /// for it (those its settings name under `base`).
    pub async fn delete_vpn(&self, path: &str, base: &Path) -> Outcome {
        let what = gettext("Could not delete the VPN");
        let Some(client) = self.client() else {
            return Outcome::Quiet;
        };
        let name = self.vpn_name(path);
        let kept: Vec<PathBuf> = {
            let state = client.state();
            state
                .vpn_connection(path)
                .map(|c| {
                    c.settings
                        .values()
                        .map(PathBuf::from)
                        .filter(|p| p.starts_with(base))
                        .collect()
                })
                .unwrap_or_default()
        };
        if let Err(e) = client.vpn_remove(path).await {
            return Outcome::Failed(Failure::new(&what, Some(&name), &e));
        }
        for file in kept {
            let dir = file
                .strip_prefix(base)
                .ok()
                .and_then(|rest| rest.components().next())
                .and_then(|c| c.as_os_str().to_str().map(str::to_owned));
            if let Some(dir) = dir {
                if let Err(e) = files::remove(base, &dir) {
                    tracing::warn!("could not delete {}: {e}", base.join(&dir).display());
                }
            }
        }
        Outcome::Done
    }

    /// The VPN's name as people see it.
    pub fn vpn_name(&self, path: &str) -> String {
        let Some(client) = self.client() else {
            return String::new();
        };
        let state = client.state();
        state
            .vpn_connection(path)
            .and_then(|c| c.name.clone())
            .map(|n| crate::text::display_name(&n, false))
            .unwrap_or_default()
    }
}
