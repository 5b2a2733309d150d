#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    Open,
    Wep,
    Psk,
    Eap,
}
impl Security {
    pub fn parse(_s: &str) -> Option<Security> {
        None
    }
    pub fn as_str(&self) -> &'static str {
        ""
    }
}
#[derive(Clone, Debug)]
pub struct AccessPoint {
    pub ssid: Vec<u8>,
    pub security: Security,
    pub passphrase: Option<String>,
    pub identity: Option<String>,
    pub signal: i16,
    pub frequency: u16,
    pub hidden: bool,
    pub bssid: [u8; 6],
}
impl AccessPoint {
    pub fn new(ssid: impl Into<Vec<u8>>, security: Security) -> Self {
        AccessPoint {
            ssid: ssid.into(),
            security,
            passphrase: None,
            identity: None,
            signal: 0,
            frequency: 0,
            hidden: false,
            bssid: [0; 6],
        }
    }
}
pub fn default_aps() -> Vec<AccessPoint> {
    vec![]
}
pub fn many_aps(_n: usize) -> Vec<AccessPoint> {
    vec![]
}
#[derive(Clone)]
pub struct FakeSupplicant;
impl FakeSupplicant {
    pub async fn serve(
        _conn: &zbus::Connection,
        _netns: &str,
        _aps: Vec<AccessPoint>,
    ) -> zbus::Result<FakeSupplicant> {
        Ok(FakeSupplicant)
    }
    pub async fn add_ap(&self, _ap: AccessPoint) -> zbus::Result<()> {
        Ok(())
    }
    pub async fn remove_ap(&self, _ssid: &[u8]) -> zbus::Result<bool> {
        Ok(false)
    }
    pub async fn set_signal(&self, _ssid: &[u8], _dbm: i16) -> zbus::Result<bool> {
        Ok(false)
    }
    pub async fn drop_link(&self) -> zbus::Result<()> {
        Ok(())
    }
    pub fn set_association_failure(&self, _ssid: &[u8], _fail: bool) -> bool {
        false
    }
    pub fn access_points(&self) -> Vec<AccessPoint> {
        vec![]
    }
    pub fn log(&self) -> Vec<String> {
        vec![]
    }
}
