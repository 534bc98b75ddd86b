//! Sealing personal data: every field the catalog calls personal is
//! encrypted with its subject's own key before an event is stored, so that
//! deleting that key (crypto-shredding) erases the person from the log, its
//! backups and every projection, without rewriting one event.
//!
//! - A **subject** is a client (names, birth date, ids in another HMIS) or
//!   a household (notes, locations, free-text reasons: what staff wrote
//!   about the household as a whole).
//! - A subject's key is 32 random bytes, kept only **wrapped** (encrypted)
//!   by the operator's [`MasterKey`] in a [`KeyStore`], outside the log.
//! - A sealed field is a **token**: a header in clear (a marker no input
//!   can carry, the subject, the event and the field's path in it) and the
//!   XChaCha20-Poly1305 ciphertext of the value, authenticated with the
//!   header. Moving a token to another event or field, or changing one
//!   byte of it, fails to open.
//! - A member's name and birth date are sealed together, as one token in
//!   the member's `sealed` field, since a birth date cannot hold a token.
//!
//! Opening a token whose key is gone gives [`ERASED`]; a token that does
//! not authenticate, or a key the master key does not unwrap, is an error:
//! erasure is never mistaken for damage.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::event::EventType;
use crate::vocab::{ClientId, EventId, HouseholdId};

pub use crate::record::ERASED;

/// Starts every token. U+0001 is a control character, which no input ce
/// takes may contain, so typed text is never taken for a token.
const MARK: &str = "\u{1}sealed:v1:";
const NONCE: usize = 24;
/// The most subject keys a keyring keeps unwrapped in memory at once.
pub const CACHED_KEYS: usize = 4_096;
const KEY: usize = 32;

/// Whose key seals a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Subject {
    /// A person: their names, birth date, ids in another HMIS.
    Client(ClientId),
    /// A household: what staff wrote about it (notes, locations, reasons).
    Household(HouseholdId),
    /// Text of an event that belongs to no household (none today).
    Coc,
    /// The log itself: its key seals no data, only every token's
    /// integrity tag, and is never erased, so that a changed byte is found
    /// in a token whose subject's key is gone.
    Log,
}

impl Subject {
    /// Its name in tokens and key stores: `client-UUID`, `household-UUID`
    /// or `coc`.
    pub fn name(&self) -> String {
        match self {
            Subject::Client(c) => format!("client-{}", c.as_uuid().simple()),
            Subject::Household(h) => format!("household-{}", h.as_uuid().simple()),
            Subject::Coc => "coc".to_owned(),
            Subject::Log => "log".to_owned(),
        }
    }

    /// The subject a [`name`](Self::name) names.
    pub fn parse(name: &str) -> Option<Self> {
        if name == "coc" {
            return Some(Subject::Coc);
        }
        if name == "log" {
            return Some(Subject::Log);
        }
        if let Some(id) = name.strip_prefix("client-") {
            return id.parse().ok().map(Subject::Client);
        }
        name.strip_prefix("household-")
            .and_then(|id| id.parse().ok())
            .map(Subject::Household)
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// What went wrong with keys.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The master key given is not 64 hexadecimal digits.
    #[error("the master key must be 64 hexadecimal digits (32 bytes); {0}")]
    BadMasterKey(&'static str),
    /// A subject's key does not unwrap with this master key.
    #[error("the key of {0} does not open with this master key: the master key is not the store's, or that key was damaged (restore it with `ce keys restore`)")]
    WrongMasterKey(Subject),
    /// The key store failed.
    #[error("key store: {0}")]
    Store(String),
    /// The system's random number generator failed.
    #[error("no random bytes from the system: {0}")]
    Random(String),
}

/// Why a value could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// A key could not be had.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A token that does not authenticate: its bytes were changed, or it
    /// was moved from another event or field.
    #[error("sealed data of {subject} at {path} has been altered or moved: {detail}")]
    Tampered {
        /// Whose it claims to be.
        subject: String,
        /// Where it was found.
        path: String,
        /// What did not match.
        detail: String,
    },
    /// A subject's key is gone, and the subject was not erased: the keys
    /// were lost, or not restored with the log.
    #[error("the key of {0} is missing, and it was not erased: restore the store's keys (`ce keys restore`)")]
    KeyMissing(Subject),
    /// The value is not of the shape sealing expects.
    #[error("cannot seal or open: {0}")]
    Shape(String),
}

/// The operator's key: it wraps every subject key and is never stored
/// beside them. Zeroized when dropped.
pub struct MasterKey {
    key: Zeroizing<[u8; KEY]>,
}

impl MasterKey {
    /// A new random master key.
    pub fn generate() -> Result<Self, KeyError> {
        let mut key = Zeroizing::new([0u8; KEY]);
        OsRng
            .try_fill_bytes(key.as_mut())
            .map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(Self { key })
    }

    /// Reads a master key written as 64 hexadecimal digits (spaces and
    /// line ends around them are ignored).
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        if text.len() != KEY * 2 {
            return Err(KeyError::BadMasterKey("it has the wrong length"));
        }
        let mut key = Zeroizing::new([0u8; KEY]);
        for (i, byte) in key.iter_mut().enumerate() {
            let pair = text
                .get(i * 2..i * 2 + 2)
                .ok_or(KeyError::BadMasterKey("it is not plain ASCII"))?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| {
                KeyError::BadMasterKey("it has a character that is not a hex digit")
            })?;
        }
        Ok(Self { key })
    }

    /// The key as 64 hexadecimal digits, to write to its file.
    pub fn to_hex(&self) -> Zeroizing<String> {
        let mut out = Zeroizing::new(String::with_capacity(KEY * 2));
        for byte in self.key.iter() {
            out.push_str(&format!("{byte:02x}"));
        }
        out
    }

    /// A short check value that tells master keys apart without revealing
    /// them (the tag of an empty message under a fixed nonce).
    pub fn fingerprint(&self) -> String {
        let cipher = cipher(&self.key);
        let tag = cipher
            .encrypt(
                XNonce::from_slice(&[0u8; NONCE]),
                Payload {
                    msg: &[],
                    aad: b"ce master key fingerprint",
                },
            )
            .unwrap_or_default();
        tag.iter().take(6).map(|b| format!("{b:02x}")).collect()
    }

    fn wrap(&self, subject: &Subject, key: &[u8; KEY]) -> Result<Vec<u8>, KeyError> {
        let nonce = random_nonce()?;
        let aad = wrap_aad(subject);
        let sealed = cipher(&self.key)
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: key,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| KeyError::Store("cannot wrap a key".to_owned()))?;
        Ok([&nonce[..], &sealed].concat())
    }

    fn unwrap(&self, subject: &Subject, wrapped: &[u8]) -> Result<Zeroizing<[u8; KEY]>, KeyError> {
        let (nonce, sealed) = split_nonce(wrapped).ok_or(KeyError::WrongMasterKey(*subject))?;
        let aad = wrap_aad(subject);
        let plain = Zeroizing::new(
            cipher(&self.key)
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: sealed,
                        aad: aad.as_bytes(),
                    },
                )
                .map_err(|_| KeyError::WrongMasterKey(*subject))?,
        );
        let mut key = Zeroizing::new([0u8; KEY]);
        if plain.len() != KEY {
            return Err(KeyError::WrongMasterKey(*subject));
        }
        key.copy_from_slice(&plain);
        Ok(key)
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey({})", self.fingerprint())
    }
}

fn wrap_aad(subject: &Subject) -> String {
    format!("ce subject key|{}", subject.name())
}

fn cipher(key: &[u8; KEY]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.into())
}

fn random_nonce() -> Result<[u8; NONCE], KeyError> {
    let mut nonce = [0u8; NONCE];
    OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(nonce)
}

fn split_nonce(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    (bytes.len() > NONCE).then(|| bytes.split_at(NONCE))
}

/// Where subjects' wrapped keys live: outside the event log and its
/// backups, so that deleting one erases its subject everywhere.
pub trait KeyStore: Send + Sync {
    /// The wrapped key of `subject`, if it has one.
    fn get(&self, subject: &Subject) -> Result<Option<Vec<u8>>, KeyError>;
    /// Keeps `wrapped` as `subject`'s key unless it has one already, and
    /// returns the one kept (two writers racing agree on one key).
    fn put_new(&self, subject: &Subject, wrapped: &[u8]) -> Result<Vec<u8>, KeyError>;
    /// Replaces `subject`'s wrapped key (a master key rotation).
    fn replace(&self, subject: &Subject, wrapped: &[u8]) -> Result<(), KeyError>;
    /// Deletes `subject`'s key; whether it had one.
    fn delete(&self, subject: &Subject) -> Result<bool, KeyError>;
    /// Every subject with a key.
    fn subjects(&self) -> Result<Vec<Subject>, KeyError>;
}

/// Keys in memory, for tests and the in-memory store.
#[derive(Debug, Default)]
pub struct MemoryKeys {
    keys: Mutex<BTreeMap<Subject, Vec<u8>>>,
}

impl KeyStore for MemoryKeys {
    fn get(&self, subject: &Subject) -> Result<Option<Vec<u8>>, KeyError> {
        let keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(keys.get(subject).cloned())
    }

    fn put_new(&self, subject: &Subject, wrapped: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(keys
            .entry(*subject)
            .or_insert_with(|| wrapped.to_vec())
            .clone())
    }

    fn replace(&self, subject: &Subject, wrapped: &[u8]) -> Result<(), KeyError> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        keys.insert(*subject, wrapped.to_vec());
        Ok(())
    }

    fn delete(&self, subject: &Subject) -> Result<bool, KeyError> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(keys.remove(subject).is_some())
    }

    fn subjects(&self) -> Result<Vec<Subject>, KeyError> {
        let keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(keys.keys().copied().collect())
    }
}

/// A master key and the key store it wraps: seals events' personal fields
/// and opens them. The subject keys in use are kept unwrapped in memory (at
/// most [`CACHED_KEYS`]), and zeroized when they are dropped: erased,
/// forgotten, evicted, or with the keyring. Every copy handed out for one
/// use is zeroized after it.
pub struct Keyring {
    master: MasterKey,
    store: Arc<dyn KeyStore>,
    /// Keys in use, unwrapped: zeroized when dropped (erased, forgotten,
    /// evicted or with the keyring), at most [`CACHED_KEYS`].
    keys: Mutex<HashMap<Subject, Zeroizing<[u8; KEY]>>>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("master", &self.master)
            .finish_non_exhaustive()
    }
}

/// Where a field sits and whose it is, while sealing.
struct Place<'a> {
    event: EventType,
    corrected: Option<EventType>,
    event_id: EventId,
    household: Option<HouseholdId>,
    catalog: &'a str,
}

impl Keyring {
    /// A keyring of `master` over `store`.
    pub fn new(master: MasterKey, store: Arc<dyn KeyStore>) -> Self {
        Self {
            master,
            store,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// The master key's fingerprint.
    pub fn fingerprint(&self) -> String {
        self.master.fingerprint()
    }

    /// The key store.
    pub fn store(&self) -> &Arc<dyn KeyStore> {
        &self.store
    }

    fn key(
        &self,
        subject: &Subject,
        create: bool,
    ) -> Result<Option<Zeroizing<[u8; KEY]>>, KeyError> {
        if let Some(key) = self
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(subject)
        {
            return Ok(Some(Zeroizing::new(**key)));
        }
        let wrapped = match self.store.get(subject)? {
            Some(wrapped) => wrapped,
            None if create => {
                let mut key = Zeroizing::new([0u8; KEY]);
                OsRng
                    .try_fill_bytes(key.as_mut())
                    .map_err(|e| KeyError::Random(e.to_string()))?;
                let wrapped = self.master.wrap(subject, &key)?;
                self.store.put_new(subject, &wrapped)?
            }
            None => return Ok(None),
        };
        let key = self.master.unwrap(subject, &wrapped)?;
        let mut cache = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= CACHED_KEYS {
            cache.clear();
        }
        cache.insert(*subject, Zeroizing::new(*key));
        Ok(Some(key))
    }

    /// Drops `subject`'s key from this keyring's memory (another process
    /// erased it): the next use reads the key store again.
    pub fn forget(&self, subject: &Subject) {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(subject);
    }

    /// Deletes `subject`'s key: every field sealed with it reads as
    /// [`ERASED`] from now on. Whether it had one.
    pub fn erase(&self, subject: &Subject) -> Result<bool, KeyError> {
        self.forget(subject);
        self.store.delete(subject)
    }

    /// Wraps every subject key again under `next`, in place; returns how
    /// many were rewrapped. A key already wrapped by `next` (a rotation
    /// cut off part way and run again) is left as it is; a key neither
    /// opens stops the rotation before anything is replaced.
    pub fn rotate(&self, next: &MasterKey) -> Result<usize, KeyError> {
        let mut rewrapped = Vec::new();
        for subject in self.store.subjects()? {
            let Some(wrapped) = self.store.get(&subject)? else {
                continue;
            };
            match self.master.unwrap(&subject, &wrapped) {
                Ok(key) => rewrapped.push((subject, next.wrap(&subject, &key)?)),
                Err(e) => {
                    if next.unwrap(&subject, &wrapped).is_err() {
                        return Err(e);
                    }
                }
            }
        }
        for (subject, wrapped) in &rewrapped {
            self.store.replace(subject, wrapped)?;
        }
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        Ok(rewrapped.len())
    }

    /// Every subject's key as it is kept (wrapped by the master key, in
    /// URL-safe base64): what a key backup holds.
    pub fn wrapped_keys(&self) -> Result<Vec<(Subject, String)>, KeyError> {
        let mut out = Vec::new();
        for subject in self.store.subjects()? {
            if let Some(wrapped) = self.store.get(&subject)? {
                out.push((subject, URL_SAFE_NO_PAD.encode(wrapped)));
            }
        }
        Ok(out)
    }

    /// Puts back one key of a backup made by [`wrapped_keys`](Self::wrapped_keys),
    /// unless the subject has one; whether it was put back. A key this
    /// master key does not unwrap is refused.
    pub fn restore_key(&self, subject: &Subject, wrapped: &str) -> Result<bool, KeyError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(wrapped.trim())
            .map_err(|_| KeyError::Store(format!("the key of {subject} is not base64")))?;
        self.master.unwrap(subject, &bytes)?;
        if self.store.get(subject)?.is_some() {
            return Ok(false);
        }
        self.store.put_new(subject, &bytes)?;
        Ok(true)
    }

    /// Seals every personal field of an event's `data` (by the catalog), in
    /// place. `household` is the event's household stream, whose key seals
    /// what is not one member's. Data that already holds a token anywhere
    /// is refused: sealed data is never input.
    pub fn seal_data(
        &self,
        event: EventType,
        event_id: EventId,
        household: Option<HouseholdId>,
        data: &mut Value,
    ) -> Result<(), SealError> {
        if holds_token(data) {
            return Err(SealError::Shape(
                "a field holds sealed data, which is never taken as input".to_owned(),
            ));
        }
        let corrected = data
            .pointer("/corrected/type")
            .and_then(|t| serde_json::from_value::<EventType>(t.clone()).ok());
        let place = Place {
            event,
            corrected,
            event_id,
            household,
            catalog: "",
        };
        self.seal_walk(&place, "", data)
    }

    fn seal_walk(&self, place: &Place<'_>, path: &str, value: &mut Value) -> Result<(), SealError> {
        match value {
            Value::Array(items) => {
                let catalog = format!("{}[]", place.catalog);
                for (i, item) in items.iter_mut().enumerate() {
                    let inner = Place {
                        catalog: &catalog,
                        ..*place
                    };
                    self.seal_walk(&inner, &format!("{path}[{i}]"), item)?;
                }
                Ok(())
            }
            Value::Object(map) => self.seal_object(place, path, map),
            _ => Ok(()),
        }
    }

    fn seal_object(
        &self,
        place: &Place<'_>,
        path: &str,
        map: &mut Map<String, Value>,
    ) -> Result<(), SealError> {
        let client = map
            .get("client")
            .and_then(Value::as_str)
            .and_then(|c| c.parse::<ClientId>().ok());
        // A member: its personal fields go into one token of its own.
        let member = client.is_some() && map.contains_key("relationship");
        let mut bundle = Map::new();
        let keys: Vec<String> = map.keys().cloned().collect();
        for key in keys {
            let catalog = join(place.catalog, &key);
            let at = join(path, &key);
            let personal = super::class_at(place.event, place.corrected, &catalog)
                .is_some_and(|c| c.is_personal());
            let open_text = matches!(map.get(&key), Some(Value::String(t)) if !t.starts_with(MARK));
            if personal && open_text && member {
                if let Some(v) = map.remove(&key) {
                    bundle.insert(key, v);
                }
            } else if personal && open_text {
                if let Some(Value::String(text)) = map.get_mut(&key) {
                    let subject = client.map_or_else(|| household_subject(place), Subject::Client);
                    *text = self.seal_text(&subject, place.event_id, &at, text.as_bytes())?;
                }
            } else if let Some(value) = map.get_mut(&key) {
                let inner = Place {
                    catalog: &catalog,
                    ..*place
                };
                self.seal_walk(&inner, &at, value)?;
            }
        }
        if let (false, Some(client)) = (bundle.is_empty(), client) {
            let plain = Zeroizing::new(
                serde_json::to_vec(&Value::Object(bundle))
                    .map_err(|e| SealError::Shape(e.to_string()))?,
            );
            let token = self.seal_text(
                &Subject::Client(client),
                place.event_id,
                &join(path, "sealed"),
                &plain,
            )?;
            map.insert("sealed".to_owned(), Value::String(token));
        }
        Ok(())
    }

    fn seal_text(
        &self,
        subject: &Subject,
        event_id: EventId,
        path: &str,
        plain: &[u8],
    ) -> Result<String, SealError> {
        let header = format!(
            "{MARK}{}:{}:{path}:",
            subject.name(),
            event_id.as_uuid().simple()
        );
        let key = self
            .key(subject, true)?
            .ok_or(KeyError::WrongMasterKey(*subject))?;
        let nonce = random_nonce()?;
        let sealed = cipher(&key)
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: header.as_bytes(),
                },
            )
            .map_err(|_| SealError::Shape("cannot encrypt".to_owned()))?;
        let body = URL_SAFE_NO_PAD.encode([&nonce[..], &sealed].concat());
        let tag = self.integrity_tag(&header, &body)?;
        Ok(format!("{header}{body}:{tag}"))
    }

    /// The tag that makes a token's bytes checkable without its subject's
    /// key: an authentication tag of the header and ciphertext under the
    /// log's own key (see [`Subject::Log`]).
    fn integrity_tag(&self, header: &str, body: &str) -> Result<String, SealError> {
        let key = self
            .key(&Subject::Log, true)?
            .ok_or(KeyError::WrongMasterKey(Subject::Log))?;
        let nonce = random_nonce()?;
        let tag = cipher(&key)
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &[],
                    aad: format!("{header}{body}").as_bytes(),
                },
            )
            .map_err(|_| SealError::Shape("cannot tag".to_owned()))?;
        Ok(URL_SAFE_NO_PAD.encode([&nonce[..], &tag].concat()))
    }

    /// Opens every token anywhere in `value`, in place: a member's `sealed`
    /// token gives back its fields, any other its text. A token whose key
    /// is gone reads as [`ERASED`] (a member's stays in `sealed` as
    /// [`ERASED`], its fields absent). With `event` given, each token must
    /// name that event and the path it sits at.
    pub fn open(&self, event: Option<EventId>, value: &mut Value) -> Result<(), SealError> {
        self.open_with(event, value, &|_| true)
    }

    /// [`open`](Self::open), where a token whose key is gone reads as
    /// [`ERASED`] only if `erased` says its subject was erased; otherwise it
    /// is [`SealError::KeyMissing`] (keys lost or never restored).
    pub fn open_with(
        &self,
        event: Option<EventId>,
        value: &mut Value,
        erased: &dyn Fn(&Subject) -> bool,
    ) -> Result<(), SealError> {
        let opener = Opener {
            keys: self,
            event,
            erased,
        };
        opener.open_walk("", value)
    }
}

/// One opening: the keyring, the event the tokens must name, and what was
/// erased.
struct Opener<'a> {
    keys: &'a Keyring,
    event: Option<EventId>,
    erased: &'a dyn Fn(&Subject) -> bool,
}

impl Opener<'_> {
    fn open_walk(&self, path: &str, value: &mut Value) -> Result<(), SealError> {
        match value {
            Value::String(text) if text.starts_with(MARK) => {
                let opened = self.open_text(path, text)?;
                *value = Value::String(match opened {
                    Some(plain) => String::from_utf8(plain.to_vec())
                        .map_err(|e| SealError::Shape(e.to_string()))?,
                    None => ERASED.to_owned(),
                });
                Ok(())
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.open_walk(&format!("{path}[{i}]"), item)?;
                }
                Ok(())
            }
            Value::Object(map) => {
                let bundle = match map.get("sealed") {
                    Some(Value::String(token)) if token.starts_with(MARK) => {
                        Some(self.open_text(&join(path, "sealed"), token)?)
                    }
                    _ => None,
                };
                match bundle {
                    Some(Some(plain)) => {
                        map.remove("sealed");
                        let fields: Map<String, Value> = serde_json::from_slice(&plain)
                            .map_err(|e| SealError::Shape(e.to_string()))?;
                        map.extend(fields);
                    }
                    Some(None) => {
                        map.insert("sealed".to_owned(), Value::String(ERASED.to_owned()));
                    }
                    None => {}
                }
                for (key, item) in map.iter_mut() {
                    if key != "sealed" {
                        self.open_walk(&join(path, key), item)?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The plaintext of one token, or `None` when its subject's key is
    /// gone.
    fn open_text(&self, path: &str, token: &str) -> Result<Option<Zeroizing<Vec<u8>>>, SealError> {
        let tampered = |subject: &str, detail: &str| SealError::Tampered {
            subject: subject.to_owned(),
            path: path.to_owned(),
            detail: detail.to_owned(),
        };
        let rest = token.get(MARK.len()..).unwrap_or_default();
        let Some((rest, tag)) = rest.rsplit_once(':') else {
            return Err(tampered("?", "not a token"));
        };
        let Some((header_rest, body)) = rest.rsplit_once(':') else {
            return Err(tampered("?", "not a token"));
        };
        let header = format!("{MARK}{header_rest}:");
        // The integrity tag first: it holds whether or not the subject's
        // key is gone.
        self.check_integrity(&header, body, tag)
            .map_err(|e| match e {
                SealError::Shape(detail) => {
                    tampered(header_rest.split(':').next().unwrap_or("?"), &detail)
                }
                other => other,
            })?;
        let mut parts = header_rest.splitn(3, ':');
        let (Some(subject_name), Some(event_name), Some(at)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(tampered("?", "not a token"));
        };
        let subject = Subject::parse(subject_name)
            .ok_or_else(|| tampered(subject_name, "no such subject"))?;
        if let Some(event) = self.event {
            if event_name != event.as_uuid().simple().to_string() || at != path {
                return Err(tampered(
                    subject_name,
                    &format!("it was sealed for event {event_name} at {at}"),
                ));
            }
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| tampered(subject_name, "its ciphertext is not base64"))?;
        let (nonce, sealed) =
            split_nonce(&bytes).ok_or_else(|| tampered(subject_name, "too short"))?;
        let Some(key) = self.keys.key(&subject, false)? else {
            if (self.erased)(&subject) {
                return Ok(None);
            }
            return Err(SealError::KeyMissing(subject));
        };
        let plain = cipher(&key)
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: header.as_bytes(),
                },
            )
            .map_err(|_| tampered(subject_name, "it does not authenticate"))?;
        Ok(Some(Zeroizing::new(plain)))
    }

    fn check_integrity(&self, header: &str, body: &str, tag: &str) -> Result<(), SealError> {
        let Some(key) = self.keys.key(&Subject::Log, false)? else {
            return Err(SealError::KeyMissing(Subject::Log));
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| SealError::Shape("its integrity tag is not base64".to_owned()))?;
        let (nonce, tag) = split_nonce(&bytes)
            .ok_or_else(|| SealError::Shape("its integrity tag is too short".to_owned()))?;
        cipher(&key)
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: tag,
                    aad: format!("{header}{body}").as_bytes(),
                },
            )
            .map(|_| ())
            .map_err(|_| SealError::Shape("its bytes do not match their integrity tag".to_owned()))
    }
}

fn household_subject(place: &Place<'_>) -> Subject {
    place.household.map_or(Subject::Coc, Subject::Household)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn holds_token(value: &Value) -> bool {
    match value {
        Value::String(text) => text.starts_with(MARK),
        Value::Array(items) => items.iter().any(holds_token),
        Value::Object(map) => map.contains_key("sealed") || map.values().any(holds_token),
        _ => false,
    }
}

/// Whether `text` is a sealed token (not yet opened).
pub fn is_sealed(text: &str) -> bool {
    text.starts_with(MARK)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn keyring() -> Keyring {
        let master = MasterKey::from_hex(&"11".repeat(32)).unwrap_or_else(|e| panic!("{e}"));
        Keyring::new(master, Arc::new(MemoryKeys::default()))
    }

    const CLIENT: &str = "00000000000000000000000000000001";
    const HOUSEHOLD: &str = "00000000-0000-0000-0000-0000000000aa";

    fn enrolled() -> Value {
        json!({
            "household": HOUSEHOLD,
            "members": [{"client": CLIENT, "relationship": 1, "first_name": "Dana",
                "last_name": "Reyes", "birth_date": "1990-04-12", "age_band": "35-44"}],
            "current": {"location_details": "under the Cass St bridge"}
        })
    }

    fn sealed(keys: &Keyring, event: EventId) -> Value {
        let mut data = enrolled();
        let household = HOUSEHOLD.parse().ok();
        keys.seal_data(EventType::HouseholdEnrolled, event, household, &mut data)
            .unwrap_or_else(|e| panic!("{e}"));
        data
    }

    #[test]
    fn sealing_leaves_no_personal_text_and_opening_gives_it_back() {
        let keys = keyring();
        let event = EventId::random();
        let data = sealed(&keys, event);
        let text = data.to_string();
        for secret in ["Dana", "Reyes", "1990", "bridge"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        // What the policy ranks by stays in clear.
        assert_eq!(data["members"][0]["age_band"], "35-44");
        let mut opened = data.clone();
        keys.open(Some(event), &mut opened)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(opened, enrolled());
    }

    #[test]
    fn an_erased_subject_reads_as_erased_and_the_rest_still_opens() {
        let keys = keyring();
        let event = EventId::random();
        let mut data = sealed(&keys, event);
        let client = Subject::Client(CLIENT.parse().unwrap_or_else(|e| panic!("{e}")));
        assert!(keys.erase(&client).unwrap_or_else(|e| panic!("{e}")));
        assert!(!keys.erase(&client).unwrap_or_else(|e| panic!("{e}")));
        keys.open(Some(event), &mut data)
            .unwrap_or_else(|e| panic!("{e}"));
        let member = &data["members"][0];
        assert_eq!(member["sealed"], ERASED);
        assert!(member.get("first_name").is_none() && member.get("birth_date").is_none());
        assert_eq!(
            data["current"]["location_details"],
            "under the Cass St bridge"
        );
    }

    #[test]
    fn a_changed_byte_or_a_moved_token_does_not_open() {
        let keys = keyring();
        let event = EventId::random();
        let data = sealed(&keys, event);
        let token = data["current"]["location_details"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        // One character of the ciphertext changed.
        let mut flipped = data.clone();
        let mut chars: Vec<char> = token.chars().collect();
        let last = chars.len() - 3;
        chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
        flipped["current"]["location_details"] = Value::String(chars.into_iter().collect());
        let err = keys.open(Some(event), &mut flipped).err();
        assert!(matches!(err, Some(SealError::Tampered { .. })), "{err:?}");
        // The same token in another event.
        let mut moved = data.clone();
        let err = keys.open(Some(EventId::random()), &mut moved).err();
        assert!(matches!(err, Some(SealError::Tampered { .. })), "{err:?}");
        // Or at another field of the same event.
        let mut swapped = data;
        swapped["current"]["other"] = Value::String(token);
        let err = keys.open(Some(event), &mut swapped).err();
        assert!(matches!(err, Some(SealError::Tampered { .. })), "{err:?}");
    }

    #[test]
    fn a_changed_byte_is_found_after_its_subject_was_erased() {
        let keys = keyring();
        let event = EventId::random();
        let data = sealed(&keys, event);
        let household = Subject::Household(HOUSEHOLD.parse().unwrap_or_else(|e| panic!("{e}")));
        keys.erase(&household).unwrap_or_else(|e| panic!("{e}"));
        let token = data["current"]["location_details"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let mut untouched = data.clone();
        keys.open(Some(event), &mut untouched)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(untouched["current"]["location_details"], ERASED);
        // One character of the ciphertext, before its integrity tag.
        let cut = token.rfind(':').unwrap_or_default() - 5;
        let mut chars: Vec<char> = token.chars().collect();
        chars[cut] = if chars[cut] == 'A' { 'B' } else { 'A' };
        let mut flipped = data;
        flipped["current"]["location_details"] = Value::String(chars.into_iter().collect());
        let err = keys.open(Some(event), &mut flipped).err();
        assert!(matches!(err, Some(SealError::Tampered { .. })), "{err:?}");
    }

    #[test]
    fn another_master_key_is_an_error_not_an_erasure() {
        let keys = keyring();
        let event = EventId::random();
        let mut data = sealed(&keys, event);
        let other = MasterKey::from_hex(&"22".repeat(32)).unwrap_or_else(|e| panic!("{e}"));
        let stranger = Keyring::new(other, Arc::clone(keys.store()));
        let err = stranger.open(Some(event), &mut data).err();
        assert!(
            matches!(err, Some(SealError::Key(KeyError::WrongMasterKey(_)))),
            "{err:?}"
        );
    }

    #[test]
    fn rotating_the_master_key_keeps_every_subject_readable() {
        let keys = keyring();
        let event = EventId::random();
        let data = sealed(&keys, event);
        let next = MasterKey::from_hex(&"33".repeat(32)).unwrap_or_else(|e| panic!("{e}"));
        let next_hex = next.to_hex();
        // The client's, the household's and the log's.
        assert_eq!(keys.rotate(&next).unwrap_or_else(|e| panic!("{e}")), 3);
        let rotated = Keyring::new(
            MasterKey::from_hex(&next_hex).unwrap_or_else(|e| panic!("{e}")),
            Arc::clone(keys.store()),
        );
        let mut opened = data.clone();
        rotated
            .open(Some(event), &mut opened)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(opened, enrolled());
        // The old master key no longer opens them.
        let old = MasterKey::from_hex(&"11".repeat(32)).unwrap_or_else(|e| panic!("{e}"));
        let stale = Keyring::new(old, Arc::clone(keys.store()));
        assert!(stale.open(Some(event), &mut data.clone()).is_err());
    }

    #[test]
    fn sealed_data_is_never_input_and_typed_text_is_never_a_token() {
        let keys = keyring();
        let event = EventId::random();
        let token = sealed(&keys, event)["current"]["location_details"].clone();
        let mut injected = enrolled();
        injected["current"]["location_details"] = token;
        assert!(keys
            .seal_data(EventType::HouseholdEnrolled, event, None, &mut injected)
            .is_err());
        // Text that merely looks like a token is left alone.
        let mut typed = json!({"note": "sealed:v1:client-x:y:z:abc"});
        keys.open(None, &mut typed)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(typed["note"], "sealed:v1:client-x:y:z:abc");
    }

    #[test]
    fn master_keys_read_back_from_hex_and_bad_ones_say_why() {
        let key = MasterKey::generate().unwrap_or_else(|e| panic!("{e}"));
        let again = MasterKey::from_hex(&format!(" {}\n", key.to_hex().as_str()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(key.fingerprint(), again.fingerprint());
        assert_ne!(
            key.fingerprint(),
            MasterKey::generate()
                .unwrap_or_else(|e| panic!("{e}"))
                .fingerprint()
        );
        assert!(!format!("{key:?}").contains(key.to_hex().as_str()));
        assert!(MasterKey::from_hex("abc").is_err());
        assert!(MasterKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(MasterKey::from_hex(&"é".repeat(32)).is_err());
    }
}
