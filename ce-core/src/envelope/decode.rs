//! Decoding a stored envelope: one pass for what this build writes, and
//! the checked path that upcasts an older schema version first.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Envelope;
use crate::event::{Event, SCHEMA_VERSION};

/// Why a stored event could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Not JSON, or not an envelope.
    #[error("malformed event: {0}")]
    Malformed(#[source] serde_json::Error),
    /// An event type this build does not know.
    #[error("unknown event type {0:?}")]
    UnknownEventType(String),
    /// A schema version newer than this build, or with no upcaster path.
    #[error("event type {event_type} has schema version {version}, this build reads up to {SCHEMA_VERSION}")]
    UnknownSchemaVersion {
        /// The event type.
        event_type: String,
        /// Its stored schema version.
        version: u32,
    },
}

/// One upcasting step: turns the `data` of an event at one schema version into
/// the `data` of the next version. Pure; runs before typed decoding.
pub type Upcast = fn(Value) -> Value;

/// The upcasters this build knows, keyed by event type and source version.
#[derive(Debug, Clone, Default)]
pub struct Upcasters {
    steps: BTreeMap<(String, u32), Upcast>,
}

impl Upcasters {
    /// The upcasters of this build (none yet: every event is at version 1).
    pub fn current() -> Self {
        Self::default()
    }

    /// Adds a step from `from_version` to `from_version + 1` for `event_type`.
    pub fn with(mut self, event_type: &str, from_version: u32, step: Upcast) -> Self {
        self.steps
            .insert((event_type.to_owned(), from_version), step);
        self
    }

    /// Decodes an envelope from JSON bytes, upcasting its payload first.
    pub fn decode(&self, bytes: &[u8]) -> Result<Envelope, DecodeError> {
        // Fast path: an envelope as this build writes it (current schema
        // version, `type` before `data`, no other keys) decodes in one pass
        // straight into its types. Anything else takes the checked path,
        // which upcasts or names what is wrong.
        if let Ok(envelope) = direct::decode(bytes) {
            return Ok(envelope);
        }
        let value: Value = serde_json::from_slice(bytes).map_err(DecodeError::Malformed)?;
        self.decode_value(value)
    }

    /// Decodes an envelope from a JSON value, upcasting its payload first.
    pub fn decode_value(&self, mut value: Value) -> Result<Envelope, DecodeError> {
        let malformed = |what: &str| {
            DecodeError::Malformed(serde::de::Error::custom(format!(
                "missing or invalid {what}"
            )))
        };
        let object = value.as_object_mut().ok_or_else(|| malformed("object"))?;
        let event_type = object
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("type"))?
            .to_owned();
        if !Event::TYPES.contains(&event_type.as_str()) {
            return Err(DecodeError::UnknownEventType(event_type));
        }
        let mut version = object
            .get("schema_version")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| malformed("schema_version"))?;
        while version < SCHEMA_VERSION {
            let step = self
                .steps
                .get(&(event_type.clone(), version))
                .ok_or_else(|| DecodeError::UnknownSchemaVersion {
                    event_type: event_type.clone(),
                    version,
                })?;
            let data = object.remove("data").unwrap_or(Value::Null);
            object.insert("data".to_owned(), step(data));
            version += 1;
        }
        if version != SCHEMA_VERSION {
            return Err(DecodeError::UnknownSchemaVersion {
                event_type,
                version,
            });
        }
        object.insert("schema_version".to_owned(), Value::from(version));
        serde_json::from_value(value).map_err(DecodeError::Malformed)
    }
}

/// One-pass decoding of an envelope at the current schema version, without
/// building a `serde_json::Value` first. It accepts only what
/// [`Upcasters::decode_value`] would decode to the same envelope, and fails
/// (so that the caller falls back to that path) on anything else: another
/// schema version, `data` before `type`, an unknown or repeated key, or any
/// malformed field.
mod direct {
    use std::fmt;

    use serde::de::{
        self, value::StrDeserializer, DeserializeSeed, Deserializer, MapAccess, Visitor,
    };
    use serde::Deserialize;

    use super::{Envelope, SCHEMA_VERSION};
    use crate::event::Event;

    /// Decodes `bytes`; any error means "use the checked path".
    pub(super) fn decode(bytes: &[u8]) -> Result<Envelope, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let envelope = de.deserialize_map(EnvelopeVisitor)?;
        de.end()?;
        Ok(envelope)
    }

    #[derive(Deserialize)]
    #[serde(field_identifier, rename_all = "snake_case")]
    enum Field {
        Position,
        EventId,
        Streams,
        Effective,
        RecordedAt,
        Actor,
        SchemaVersion,
        Type,
        Data,
    }

    fn once<T, E: de::Error>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), E> {
        if slot.replace(value).is_some() {
            return Err(E::duplicate_field(name));
        }
        Ok(())
    }

    struct EnvelopeVisitor;

    impl<'de> Visitor<'de> for EnvelopeVisitor {
        type Value = Envelope;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an event envelope")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
            let mut position = None;
            let mut event_id = None;
            let mut streams = None;
            let mut effective = None;
            let mut recorded_at = None;
            let mut actor = None;
            let mut schema_version = None;
            let mut event_type: Option<String> = None;
            let mut event = None;
            while let Some(field) = map.next_key::<Field>()? {
                match field {
                    Field::Position => once(&mut position, map.next_value()?, "position")?,
                    Field::EventId => once(&mut event_id, map.next_value()?, "event_id")?,
                    Field::Streams => once(&mut streams, map.next_value()?, "streams")?,
                    Field::Effective => once(&mut effective, map.next_value()?, "effective")?,
                    Field::RecordedAt => once(&mut recorded_at, map.next_value()?, "recorded_at")?,
                    Field::Actor => once(&mut actor, map.next_value()?, "actor")?,
                    Field::SchemaVersion => {
                        let version: u32 = map.next_value()?;
                        if version != SCHEMA_VERSION {
                            return Err(de::Error::custom("not the current schema version"));
                        }
                        once(&mut schema_version, version, "schema_version")?;
                    }
                    // `data` can only follow `type`, so a second `type` is
                    // caught here whether or not `data` came between.
                    Field::Type => once(&mut event_type, map.next_value()?, "type")?,
                    Field::Data => {
                        let Some(tag) = event_type.as_deref() else {
                            return Err(de::Error::custom("data before type"));
                        };
                        let value = map.next_value_seed(EventSeed(tag))?;
                        once(&mut event, value, "data")?;
                    }
                }
            }
            let missing = de::Error::missing_field;
            Ok(Envelope {
                position: position.ok_or_else(|| missing("position"))?,
                event_id: event_id.ok_or_else(|| missing("event_id"))?,
                streams: streams.ok_or_else(|| missing("streams"))?,
                effective: effective.ok_or_else(|| missing("effective"))?,
                recorded_at: recorded_at.ok_or_else(|| missing("recorded_at"))?,
                actor: actor.ok_or_else(|| missing("actor"))?,
                schema_version: schema_version.ok_or_else(|| missing("schema_version"))?,
                event: event.ok_or_else(|| missing("data"))?,
            })
        }
    }

    /// Decodes `data` as the payload of the event type `tag`, by handing
    /// `Event`'s own (adjacently tagged) `Deserialize` a map of `type` then
    /// `data`, whose `data` is read straight from the JSON.
    struct EventSeed<'t>(&'t str);

    impl<'de> DeserializeSeed<'de> for EventSeed<'_> {
        type Value = Event;

        fn deserialize<D: Deserializer<'de>>(self, data: D) -> Result<Event, D::Error> {
            Event::deserialize(Adjacent {
                tag: self.0,
                data: Some(data),
            })
        }
    }

    struct Adjacent<'t, D> {
        tag: &'t str,
        data: Option<D>,
    }

    impl<'de, D: Deserializer<'de>> Deserializer<'de> for Adjacent<'_, D> {
        type Error = D::Error;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            visitor.visit_map(AdjacentMap {
                tag: self.tag,
                data: self.data,
                step: 0,
            })
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map struct enum identifier ignored_any
        }
    }

    struct AdjacentMap<'t, D> {
        tag: &'t str,
        data: Option<D>,
        step: u8,
    }

    impl<'de, D: Deserializer<'de>> MapAccess<'de> for AdjacentMap<'_, D> {
        type Error = D::Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, D::Error> {
            let key = match self.step {
                0 => "type",
                1 => "data",
                _ => return Ok(None),
            };
            seed.deserialize(StrDeserializer::<D::Error>::new(key))
                .map(Some)
        }

        fn next_value_seed<V: DeserializeSeed<'de>>(
            &mut self,
            seed: V,
        ) -> Result<V::Value, D::Error> {
            self.step += 1;
            match self.step {
                1 => seed.deserialize(StrDeserializer::<D::Error>::new(self.tag)),
                _ => match self.data.take() {
                    Some(data) => seed.deserialize(data),
                    None => Err(de::Error::custom("data read twice")),
                },
            }
        }
    }
}
