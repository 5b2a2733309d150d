//! Builders shared by the agent's unit tests.

pub(super) use super::server::Slot;
pub(super) use super::*;
pub(super) use crate::connman::error::ConnmanError;
pub(super) use std::collections::HashMap;
pub(super) use zbus::message::Message;
pub(super) use zbus::zvariant::{Dict, OwnedValue, Signature, Value};

pub(super) fn field_value(entries: &[(&str, Value<'static>)]) -> OwnedValue {
    let mut d = Dict::new(&Signature::Str, &Signature::Variant);
    for (k, v) in entries {
        d.append(
            Value::from(*k),
            Value::Value(Box::new(v.try_clone().unwrap())),
        )
        .unwrap();
    }
    OwnedValue::try_from(Value::Dict(d)).unwrap()
}

pub(super) fn fields(list: Vec<(&str, OwnedValue)>) -> HashMap<String, OwnedValue> {
    list.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

pub(super) fn typed(type_: &str, requirement: &str) -> OwnedValue {
    field_value(&[
        ("Type", Value::from(type_.to_owned())),
        ("Requirement", Value::from(requirement.to_owned())),
    ])
}

pub(super) fn hidden_request() -> InputRequest {
    InputRequest::parse(
        AgentKind::Connman,
        "/s",
        &fields(vec![
            ("Name", typed("string", "mandatory")),
            ("SSID", typed("ssid", "alternate")),
            ("Passphrase", typed("psk", "mandatory")),
            ("WPS", typed("wpspin", "alternate")),
        ]),
    )
}

pub(super) fn wire(dict: &ReplyDict) -> HashMap<String, OwnedValue> {
    let call = Message::method_call("/io/github/connie/Agent", "RequestInput")
        .unwrap()
        .destination(":1.2")
        .unwrap()
        .build(&())
        .unwrap();
    let reply = Message::method_return(&call.header())
        .unwrap()
        .build(dict)
        .unwrap();
    assert_eq!(reply.body().signature().to_string(), "a{sv}");
    reply.body().deserialize().unwrap()
}
