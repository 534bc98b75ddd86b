//! The ce-core event store on PostgreSQL: the same [`EventStore`] contract
//! as the sled store, shared by many processes on many hosts.
//!
//! The log is two tables: `ce_events` (one row per event: its global
//! position, id, type, dates and the envelope's JSON bytes as ce wrote
//! them) and `ce_streams` (one row per event and stream it belongs to,
//! `PRIMARY KEY (stream, version)`). An append is one transaction that
//! first locks the single row of `ce_head`, which holds the next position:
//! appends from every process take their positions in commit order, so
//! positions are gapless and a reader catching up by position never skips
//! one that commits later. docs/storage.md says why, and what it costs.
//!
//! The schema is created and upgraded on open, from numbered migrations
//! recorded in `ce_schema`; a database whose schema is newer than this
//! build is refused.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use ce_core::report::ListReader;
use ce_core::{
    check_expected, validate_request, AppendProblem, AppendRequest, Envelope, EventId, EventStore,
    Snapshots, StoreError, StreamId, StreamVersion, Upcasters,
};
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, GenericClient, NoTls, Statement};

/// The migrations, in order: migration `n` (1-based) takes the schema from
/// version `n - 1` to `n`. A migration is never edited once released; a
/// change is a new one.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE ce_head (
         id smallint PRIMARY KEY CHECK (id = 1),
         next_position bigint NOT NULL CHECK (next_position >= 0)
     );
     INSERT INTO ce_head VALUES (1, 0);
     CREATE TABLE ce_events (
         position bigint PRIMARY KEY CHECK (position >= 0),
         event_id uuid NOT NULL UNIQUE,
         event_type text NOT NULL,
         effective date NOT NULL,
         recorded_at timestamptz NOT NULL,
         envelope bytea NOT NULL
     );
     CREATE TABLE ce_streams (
         stream text NOT NULL,
         version bigint NOT NULL CHECK (version >= 1),
         position bigint NOT NULL REFERENCES ce_events (position),
         PRIMARY KEY (stream, version)
     );",
    // The first half of an append as one round trip: lock the head, then
    // (each statement of a PL/pgSQL function takes a fresh snapshot, so
    // these see every append that committed before the lock was granted)
    // the rows of any of the event ids already stored and the current
    // version of each stream named.
    "CREATE FUNCTION ce_reserve(ids uuid[], streams text[])
     RETURNS TABLE (next bigint, stored_positions bigint[], stored_envelopes bytea[],
                    versions bigint[])
     LANGUAGE plpgsql AS $$
     BEGIN
         SELECT h.next_position INTO next FROM ce_head h WHERE h.id = 1 FOR UPDATE;
         SELECT coalesce(array_agg(e.position ORDER BY e.position), '{}'),
                coalesce(array_agg(e.envelope ORDER BY e.position), '{}')
           INTO stored_positions, stored_envelopes
           FROM ce_events e WHERE e.event_id = ANY(ids);
         SELECT coalesce(array_agg(
                    (SELECT coalesce(max(s.version), 0) FROM ce_streams s WHERE s.stream = n.stream)
                    ORDER BY n.i), '{}')
           INTO versions
           FROM unnest(streams) WITH ORDINALITY AS n(stream, i);
         RETURN NEXT;
     END $$;",
    // Who saw which household: beside the log, not in it.
    "CREATE TABLE ce_views (
         id bigserial PRIMARY KEY,
         household uuid NOT NULL,
         view jsonb NOT NULL
     );
     CREATE INDEX ce_views_household ON ce_views (household, id);",
    // Subjects' wrapped keys: beside the log, never in it nor in its
    // backups. A deleted row is gone from reads at once and from the
    // table's files after VACUUM.
    "CREATE TABLE ce_subject_keys (
         subject text PRIMARY KEY,
         wrapped bytea NOT NULL
     );",
];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Serializes migrations between processes opening the same database at
/// once (an arbitrary constant: "ce" in ASCII).
const MIGRATION_LOCK: i64 = 0x6365;

/// Why a store could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgStoreError {
    /// The server could not be reached, refused the login, or has no such
    /// database.
    #[error("cannot connect to PostgreSQL: {}", chain(.0))]
    Connect(#[source] postgres::Error),
    /// The database holds a schema written by a newer ce.
    #[error("the database's ce schema is version {found}, this build knows up to {supported}: upgrade ce")]
    SchemaTooNew {
        /// The database's schema version.
        found: u32,
        /// The newest this build knows.
        supported: u32,
    },
    /// A schema name that is not a plain lower-case identifier.
    #[error("schema name {0:?} must be lower-case letters, digits and _, starting with a letter")]
    BadSchemaName(String),
    /// Creating or upgrading the schema failed.
    #[error("cannot create or upgrade the ce schema: {}", chain(.0))]
    Migrate(#[source] postgres::Error),
}

/// An error and its causes on one line (the client's own message alone is
/// often "error connecting to server", without the why).
fn chain(error: &postgres::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text.replace('\n', " ")
}

/// The event store on one PostgreSQL database (and schema).
pub struct PgStore {
    conn: Mutex<Conn>,
    upcasters: Upcasters,
    url: String,
    schema: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host/db`, or
    /// `postgresql:///db?host=/run/postgresql` for a Unix socket) and
    /// creates or upgrades the schema in the database's `public` schema.
    pub fn open(url: &str) -> Result<Self, PgStoreError> {
        Self::open_in(url, "public")
    }

    /// As [`open`](Self::open), in the PostgreSQL schema `schema` (created
    /// if missing): several ce stores, e.g. one per test, in one database.
    pub fn open_in(url: &str, schema: &str) -> Result<Self, PgStoreError> {
        let plain = schema.starts_with(|c: char| c.is_ascii_lowercase())
            && schema
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !plain || schema.len() > 63 {
            return Err(PgStoreError::BadSchemaName(schema.to_owned()));
        }
        Ok(Self {
            conn: Mutex::new(connect(url, schema)?),
            upcasters: Upcasters::current(),
            url: url.to_owned(),
            schema: schema.to_owned(),
        })
    }

    /// A second connection that waits for other processes' appends to this
    /// store: a long-running program (a server) sleeps in
    /// [`Appends::wait`] and catches its workflow up when it wakes, instead
    /// of polling the log.
    pub fn appends(&self) -> Result<Appends, PgStoreError> {
        let mut client = Client::connect(&self.url, NoTls).map_err(PgStoreError::Connect)?;
        let channel = channel(&self.schema);
        client
            .batch_execute(&format!("LISTEN {channel}"))
            .map_err(PgStoreError::Connect)?;
        Ok(Appends { client })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Conn>, StoreError> {
        // A panic while holding the connection leaves at worst an open
        // transaction, which the server rolls back when it is dropped.
        let mut conn = self
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A connection the server closed (a restart, a failover, an idle
        // timeout) is opened again for the next operation; the operation
        // that met the closed one has already failed, telling its caller.
        // Failing that, the closed one stays, and its error says so.
        if conn.client.is_closed() {
            if let Ok(mut fresh) = connect(&self.url, &self.schema) {
                if conn.batch != BatchState::None {
                    fresh.batch = BatchState::Broken;
                }
                *conn = fresh;
            }
        }
        if conn.batch == BatchState::Broken {
            return Err(StoreError::Backend(Box::new(BatchBroken)));
        }
        Ok(conn)
    }

    /// An append's statements in the transaction `tx` is in: the lock and
    /// checks, then every row. Returns whether it wrote (not a resend) and
    /// the envelopes.
    fn append_in(
        &self,
        tx: &mut impl GenericClient,
        statements: &Statements,
        request: AppendRequest,
    ) -> Result<(bool, Vec<Envelope>), StoreError> {
        let ids: Vec<uuid::Uuid> = request.events.iter().map(|e| e.event_id.0).collect();
        // Every stream whose version the append checks or extends, once.
        let mut named: Vec<StreamId> = Vec::new();
        for stream in request
            .expected
            .iter()
            .map(|(stream, _)| stream)
            .chain(request.events.iter().flat_map(|e| e.streams.iter()))
        {
            if !named.contains(stream) {
                named.push(*stream);
            }
        }
        let names: Vec<String> = named.iter().map(ToString::to_string).collect();

        // The commit point of every append: whoever holds the head appends
        // next, so positions are handed out in commit order.
        let reserved = tx
            .query_one(&statements.reserve, &[&ids, &names])
            .map_err(backend)?;
        let mut next = to_u64(reserved.try_get("next").map_err(backend)?)?;
        let stored_positions: Vec<i64> = reserved.try_get("stored_positions").map_err(backend)?;
        let stored_envelopes: Vec<Vec<u8>> =
            reserved.try_get("stored_envelopes").map_err(backend)?;
        let current: Vec<i64> = reserved.try_get("versions").map_err(backend)?;
        if !stored_positions.is_empty() {
            let envelopes = stored_positions
                .iter()
                .zip(&stored_envelopes)
                .map(|(position, bytes)| self.decode(*position, bytes))
                .collect::<Result<Vec<_>, _>>()?;
            if envelopes.len() == ids.len() {
                // A resend of an append already stored: its envelopes,
                // nothing written.
                return Ok((false, envelopes));
            }
            let dup = envelopes
                .first()
                .map_or(EventId(uuid::Uuid::nil()), |e| e.event_id);
            return Err(StoreError::PartialDuplicate(dup));
        }
        let mut versions: HashMap<StreamId, u64> = HashMap::with_capacity(named.len());
        for (stream, version) in named.iter().zip(current) {
            versions.insert(*stream, to_u64(version)?);
        }
        for (stream, expected) in &request.expected {
            let actual = versions.get(stream).copied().unwrap_or(0);
            check_expected(*stream, *expected, actual)?;
        }
        let mut out = Vec::with_capacity(request.events.len());
        for new in request.events {
            let stream_versions = new
                .streams
                .iter()
                .map(|stream| {
                    let version = versions.entry(*stream).or_insert(0);
                    *version = version.saturating_add(1);
                    StreamVersion {
                        stream: *stream,
                        version: *version,
                    }
                })
                .collect();
            out.push(Envelope::stored(new, next, stream_versions));
            next = next.saturating_add(1);
        }
        write_rows(tx, statements, &out, next, &channel(&self.schema))?;
        Ok((true, out))
    }

    fn decode(&self, position: i64, bytes: &[u8]) -> Result<Envelope, StoreError> {
        let position = to_u64(position)?;
        self.upcasters
            .decode(bytes)
            .map_err(|source| StoreError::Decode { position, source })
    }

    fn decode_rows(&self, rows: &[postgres::Row]) -> Result<Vec<Envelope>, StoreError> {
        rows.iter()
            .map(|row| {
                let position: i64 = row.try_get(0).map_err(backend)?;
                let bytes: Vec<u8> = row.try_get(1).map_err(backend)?;
                self.decode(position, &bytes)
            })
            .collect()
    }
}

/// One connection and the statements prepared on it (a statement
/// prepared once saves a round trip on every use).
struct Conn {
    client: Client,
    statements: Statements,
    /// The server process serving this connection (its pid and start
    /// time): after a connection breaks during a commit, the store waits
    /// for that process to end before it looks for what it committed.
    backend: (i32, chrono::DateTime<chrono::Utc>),
    /// Whether a [`Batch`] holds this connection's transaction open.
    batch: BatchState,
    /// The last event an open batch wrote.
    batch_last: Option<EventId>,
}

/// Where a connection stands with a [`Batch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BatchState {
    /// No batch: each append is its own transaction.
    None,
    /// A batch's transaction is open: appends go into it.
    Open,
    /// The connection broke while a batch was open: the server rolled the
    /// batch back, and every operation fails until the batch is dropped,
    /// so that nothing meant for it is written outside it.
    Broken,
}

struct Statements {
    head_for_update: Statement,
    head: Statement,
    reserve: Statement,
    write: Statement,
    stream_version: Statement,
    stored_ids: Statement,
    read_stream: Statement,
    read_from: Statement,
    position_of: Statement,
}

impl Statements {
    fn prepare(client: &mut Client) -> Result<Self, postgres::Error> {
        Ok(Self {
            head_for_update: client
                .prepare("SELECT next_position FROM ce_head WHERE id = 1 FOR UPDATE")?,
            head: client.prepare("SELECT next_position FROM ce_head WHERE id = 1")?,
            reserve: client.prepare("SELECT * FROM ce_reserve($1, $2)")?,
            // Every row of an append (or of an import's batch) in one
            // statement: the event rows, their stream rows, the head, and
            // the notification listeners get when (and only if) it commits.
            // The stream rows' foreign keys are checked at the statement's
            // end, when the event rows are there.
            write: client.prepare(
                "WITH events AS (
                     INSERT INTO ce_events
                     (position, event_id, event_type, effective, recorded_at, envelope)
                     SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::date[],
                                          $5::timestamptz[], $6::bytea[])
                 ), streams AS (
                     INSERT INTO ce_streams (stream, version, position)
                     SELECT * FROM unnest($7::text[], $8::bigint[], $9::bigint[])
                 ), head AS (
                     UPDATE ce_head SET next_position = $10 WHERE id = 1
                 )
                 SELECT pg_notify($11, $10::text)",
            )?,
            stream_version: client
                .prepare("SELECT coalesce(max(version), 0) FROM ce_streams WHERE stream = $1")?,
            stored_ids: client.prepare(
                "SELECT position, envelope FROM ce_events
                 WHERE event_id = ANY($1) ORDER BY position",
            )?,
            read_stream: client.prepare(
                "SELECT e.position, e.envelope FROM ce_streams s
                 JOIN ce_events e ON e.position = s.position
                 WHERE s.stream = $1 ORDER BY s.version",
            )?,
            read_from: client.prepare(
                "SELECT position, envelope FROM ce_events
                 WHERE position >= $1 ORDER BY position LIMIT $2",
            )?,
            position_of: client.prepare("SELECT position FROM ce_events WHERE event_id = $1")?,
        })
    }
}

/// The notification channel of the store in `schema` (an identifier: the
/// schema name is checked on open).
fn channel(schema: &str) -> String {
    format!("ce_appends_{schema}")
}

/// Wakes a waiting program when an append to the store commits. A
/// notification is a hint to read the log, never the data: PostgreSQL
/// keeps none for a listener that was not connected.
pub struct Appends {
    client: Client,
}

impl std::fmt::Debug for Appends {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Appends").finish_non_exhaustive()
    }
}

impl Appends {
    /// Waits up to `timeout` for an append by any process; `true` when one
    /// committed (read the log from where you were), `false` on timeout.
    /// Notifications that came meanwhile are all taken at once.
    pub fn wait(&mut self, timeout: Duration) -> Result<bool, StoreError> {
        let mut notifications = self.client.notifications();
        let woke = notifications
            .timeout_iter(timeout)
            .next()
            .map_err(backend)?
            .is_some();
        // Drain what else is queued: one catch-up reads them all.
        while notifications.iter().next().map_err(backend)?.is_some() {}
        Ok(woke)
    }
}

/// Connects, selects the store's schema (creating it and its tables or
/// upgrading them as needed) and prepares the statements.
fn connect(url: &str, schema: &str) -> Result<Conn, PgStoreError> {
    let mut client = Client::connect(url, NoTls).map_err(PgStoreError::Connect)?;
    client
        .batch_execute(&format!("SET search_path TO {schema}"))
        .map_err(PgStoreError::Migrate)?;
    // A current schema is only read: opening writes nothing, so a store
    // opens on a read-only connection (a standby) too.
    let current = client
        .query_opt("SELECT version FROM ce_schema", &[])
        .ok()
        .flatten()
        .and_then(|row| row.try_get::<_, i32>(0).ok())
        .and_then(|v| u32::try_from(v).ok());
    if current != Some(SCHEMA_VERSION) {
        client
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .map_err(PgStoreError::Migrate)?;
        migrate(&mut client)?;
    }
    let statements = Statements::prepare(&mut client).map_err(PgStoreError::Migrate)?;
    let row = client
        .query_one(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()",
            &[],
        )
        .map_err(PgStoreError::Connect)?;
    let backend = (
        row.try_get(0).map_err(PgStoreError::Connect)?,
        row.try_get(1).map_err(PgStoreError::Connect)?,
    );
    Ok(Conn {
        client,
        statements,
        backend,
        batch: BatchState::None,
        batch_last: None,
    })
}

/// Creates or upgrades the schema, one migration at a time, under a lock
/// that other processes opening the database wait for.
fn migrate(client: &mut Client) -> Result<(), PgStoreError> {
    let mut tx = client.transaction().map_err(PgStoreError::Migrate)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(PgStoreError::Migrate)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS ce_schema (version integer NOT NULL)")
        .map_err(PgStoreError::Migrate)?;
    let found: i32 = tx
        .query_opt("SELECT version FROM ce_schema", &[])
        .map_err(PgStoreError::Migrate)?
        .map(|row| row.try_get(0))
        .transpose()
        .map_err(PgStoreError::Migrate)?
        .unwrap_or(0);
    let found = u32::try_from(found).unwrap_or(u32::MAX);
    if found > SCHEMA_VERSION {
        return Err(PgStoreError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for migration in MIGRATIONS.iter().skip(found as usize) {
        tx.batch_execute(migration).map_err(PgStoreError::Migrate)?;
    }
    if found < SCHEMA_VERSION {
        let version = i32::try_from(SCHEMA_VERSION).unwrap_or(i32::MAX);
        tx.execute("DELETE FROM ce_schema", &[])
            .map_err(PgStoreError::Migrate)?;
        tx.execute("INSERT INTO ce_schema VALUES ($1)", &[&version])
            .map_err(PgStoreError::Migrate)?;
    }
    tx.commit().map_err(PgStoreError::Migrate)
}

fn backend(e: postgres::Error) -> StoreError {
    StoreError::Backend(Box::new(ServerError {
        text: chain(&e),
        source: e,
    }))
}

/// A PostgreSQL error as the store reports it: the client's error with
/// the server's message (`postgres::Error` shows only "db error").
#[derive(Debug, thiserror::Error)]
#[error("{text}")]
struct ServerError {
    text: String,
    source: postgres::Error,
}

fn to_u64(value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt {
        position: 0,
        detail: format!("negative position or version {value}"),
    })
}

fn to_i64(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::Corrupt {
        position: value,
        detail: "position or version beyond what the database holds".to_owned(),
    })
}

/// Writes envelopes' rows, as an append and an import both store them, in
/// one statement: the event rows (each envelope's JSON bytes as ce writes
/// them), one row per stream each belongs to, and the head, which becomes
/// `next`. Listeners on `channel` are told when the transaction commits.
fn write_rows(
    client: &mut impl GenericClient,
    statements: &Statements,
    envelopes: &[Envelope],
    next: u64,
    channel: &str,
) -> Result<(), StoreError> {
    let n = envelopes.len();
    let (mut positions, mut ids, mut types) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut effective, mut recorded, mut bytes) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut streams, mut versions, mut stream_positions) = (Vec::new(), Vec::new(), Vec::new());
    for envelope in envelopes {
        let position = to_i64(envelope.position)?;
        positions.push(position);
        ids.push(envelope.event_id.0);
        types.push(envelope.event.event_type());
        effective.push(envelope.effective);
        recorded.push(envelope.recorded_at);
        bytes.push(
            envelope
                .to_json()
                .map_err(|_| StoreError::InvalidAppend(AppendProblem::DoesNotSerialize))?,
        );
        for sv in &envelope.streams {
            streams.push(sv.stream.to_string());
            versions.push(to_i64(sv.version)?);
            stream_positions.push(position);
        }
    }
    client
        .execute(
            &statements.write,
            &[
                &positions,
                &ids,
                &types,
                &effective,
                &recorded,
                &bytes,
                &streams,
                &versions,
                &stream_positions,
                &to_i64(next)?,
                &channel,
            ],
        )
        .map_err(backend)?;
    Ok(())
}

impl EventStore for PgStore {
    fn append(&self, request: AppendRequest) -> Result<Vec<Envelope>, StoreError> {
        validate_request(&request)?;
        let mut conn = self.conn()?;
        let Conn {
            client,
            statements,
            batch,
            ..
        } = &mut *conn;
        if *batch == BatchState::Open {
            // Inside a batch's transaction, which holds the head already.
            let (_, out) = self.append_in(client, statements, request)?;
            if let Some(last) = out.last() {
                conn.batch_last = Some(last.event_id);
            }
            return Ok(out);
        }
        let mut tx = client.transaction().map_err(backend)?;
        let (wrote, out) = self.append_in(&mut tx, statements, request)?;
        if !wrote {
            return Ok(out);
        }
        match tx.commit() {
            Ok(()) => Ok(out),
            Err(cut) => {
                drop(conn);
                self.settle_commit(cut, out)
            }
        }
    }

    fn read_stream(&self, stream: &StreamId) -> Result<Vec<Envelope>, StoreError> {
        let mut conn = self.conn()?;
        let Conn {
            client, statements, ..
        } = &mut *conn;
        let rows = client
            .query(&statements.read_stream, &[&stream.to_string()])
            .map_err(backend)?;
        self.decode_rows(&rows)
    }

    fn read_from(&self, from: u64, limit: usize) -> Result<Vec<Envelope>, StoreError> {
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut conn = self.conn()?;
        let Conn {
            client, statements, ..
        } = &mut *conn;
        let rows = client
            .query(&statements.read_from, &[&from, &limit])
            .map_err(backend)?;
        self.decode_rows(&rows)
    }

    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        let Conn {
            client, statements, ..
        } = &mut *conn;
        let row = client
            .query_one(&statements.stream_version, &[&stream.to_string()])
            .map_err(backend)?;
        to_u64(row.try_get(0).map_err(backend)?)
    }

    fn next_position(&self) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        let Conn {
            client, statements, ..
        } = &mut *conn;
        let row = client.query_one(&statements.head, &[]).map_err(backend)?;
        to_u64(row.try_get(0).map_err(backend)?)
    }

    fn position_of(&self, event_id: EventId) -> Result<Option<u64>, StoreError> {
        let mut conn = self.conn()?;
        let Conn {
            client, statements, ..
        } = &mut *conn;
        let row = client
            .query_opt(&statements.position_of, &[&event_id.0])
            .map_err(backend)?;
        row.map(|row| to_u64(row.try_get(0).map_err(backend)?))
            .transpose()
    }
}

/// An append whose connection broke while it committed: the server may or
/// may not have committed it. The store finds out on a new connection
/// (once the server process of the old one has ended, so that its commit
/// can no longer land) and answers with the stored envelopes when it did;
/// otherwise the append fails with this error, inside
/// [`StoreError::Backend`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LostCommit {
    /// The server ended the transaction without committing it.
    #[error("the connection to PostgreSQL broke before the append committed ({0}); nothing was written: enter it again")]
    NotCommitted(String),
    /// The store could not find out.
    #[error("the connection to PostgreSQL broke while the append committed ({0}), and the server could not be asked whether it did; look for event {1} in the log before entering it again (the same command id is never stored twice)")]
    Unknown(String, EventId),
}

impl PgStore {
    /// Settles an append whose `COMMIT` got no answer: `written` are the
    /// envelopes it wrote, `cut` the client's error.
    fn settle_commit(
        &self,
        cut: postgres::Error,
        written: Vec<Envelope>,
    ) -> Result<Vec<Envelope>, StoreError> {
        let ids: Vec<EventId> = written.iter().map(|e| e.event_id).collect();
        self.settle(cut, &ids).map(|()| written)
    }

    /// Settles a transaction whose `COMMIT` got no answer, by `ids`, the
    /// events it wrote (it committed all of them or none): `Ok` when it
    /// committed, else the error that says what is known.
    fn settle(&self, cut: postgres::Error, ids: &[EventId]) -> Result<(), StoreError> {
        let mut conn = self
            .conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !conn.client.is_closed() {
            // The server answered: the commit failed, so nothing of it
            // was written.
            return Err(backend(cut));
        }
        let first = ids.first().copied().unwrap_or(EventId(uuid::Uuid::nil()));
        let ids: Vec<uuid::Uuid> = ids.iter().map(|id| id.0).collect();
        let unknown = |why: String| {
            StoreError::Backend(Box::new(LostCommit::Unknown(
                format!("{}; then {why}", chain(&cut)),
                first,
            )))
        };
        let (pid, started) = conn.backend;
        *conn = connect(&self.url, &self.schema).map_err(|e| unknown(e.to_string()))?;
        let Conn {
            client, statements, ..
        } = &mut *conn;
        // Until the old server process has ended, a COMMIT it received may
        // still land: end it (waiting up to 30 s; a process in its commit
        // finishes the commit first) and make sure it is gone.
        let running = client
            .query(
                "SELECT pg_terminate_backend(pid, 30000) FROM pg_stat_activity
                 WHERE pid = $1 AND backend_start = $2",
                &[&pid, &started],
            )
            .and_then(|_| {
                client.query(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND backend_start = $2",
                    &[&pid, &started],
                )
            })
            .map_err(|e| unknown(chain(&e)))?;
        if !running.is_empty() {
            return Err(unknown(
                "the server process that held it did not end".to_owned(),
            ));
        }
        let stored = client
            .query(&statements.stored_ids, &[&ids])
            .map_err(|e| unknown(chain(&e)))?;
        if stored.is_empty() {
            return Err(StoreError::Backend(Box::new(LostCommit::NotCommitted(
                chain(&cut),
            ))));
        }
        // It committed: all of it, as written (one transaction).
        Ok(())
    }
}

/// Several appends as one transaction: from [`PgStore::batch`] to
/// [`commit`](Self::commit), every append through the store goes into one
/// transaction that holds the position lock, so the log takes all of them
/// or none, and no other writer's append comes between. Dropped without a
/// commit, it rolls back: a workflow that folded the batch's events must
/// then be opened again. Made for imports whose steps are workflow
/// commands (the HUD CSV import), which read their own writes as they go.
pub struct Batch<'a> {
    store: &'a PgStore,
    open: bool,
}

impl std::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch").field("open", &self.open).finish()
    }
}

/// The connection broke while a [`Batch`] was open: the server rolled the
/// batch back.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the connection to PostgreSQL broke during a batch of appends; the server rolled all of them back: nothing of the batch was written")]
pub struct BatchBroken;

impl PgStore {
    /// Opens a [`Batch`]: the appends that follow, until it commits, are
    /// one transaction.
    pub fn batch(&self) -> Result<Batch<'_>, StoreError> {
        let mut conn = self.conn()?;
        if conn.batch != BatchState::None {
            return Err(StoreError::Backend("a batch is already open".into()));
        }
        let Conn {
            client, statements, ..
        } = &mut *conn;
        client.batch_execute("BEGIN").map_err(backend)?;
        if let Err(e) = client.query_one(&statements.head_for_update, &[]) {
            let _ = client.batch_execute("ROLLBACK");
            return Err(backend(e));
        }
        conn.batch = BatchState::Open;
        Ok(Batch {
            store: self,
            open: true,
        })
    }
}

impl Batch<'_> {
    /// Commits every append of the batch at once. A commit whose answer
    /// is lost is settled as an append's is ([`LostCommit`]).
    pub fn commit(mut self) -> Result<(), StoreError> {
        // A broken batch fails here, and its drop clears it.
        let store = self.store;
        let mut conn = store.conn()?;
        self.open = false;
        conn.batch = BatchState::None;
        let last = conn.batch_last.take();
        match conn.client.batch_execute("COMMIT") {
            Ok(()) => Ok(()),
            Err(cut) => {
                drop(conn);
                // Settled as an append is, by the batch's last event: the
                // batch committed whole or not at all. A batch that wrote
                // nothing has nothing to lose.
                match last {
                    Some(last) => self.store.settle(cut, &[last]),
                    None => Ok(()),
                }
            }
        }
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        if self.open {
            let mut conn = self
                .store
                .conn
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            if conn.batch == BatchState::Open {
                // A failed rollback leaves the transaction to the server,
                // which ends it with the connection.
                let _ = conn.client.batch_execute("ROLLBACK");
            }
            conn.batch = BatchState::None;
            conn.batch_last = None;
        }
    }
}

/// Why an import could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// Imports go into an empty store only.
    #[error("import needs an empty store; this one holds {0} events")]
    NotEmpty(u64),
    /// An envelope that does not continue the log: its position, a stream
    /// version, or an event id already imported.
    #[error("event at position {position} does not continue the log: {why}")]
    Discontinuous {
        /// Its position.
        position: u64,
        /// What is wrong.
        why: Discontinuity,
    },
    /// The database failed; nothing of the import stays.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How an imported envelope fails to continue the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Discontinuity {
    /// Its position is not the next one.
    #[error("positions must run on without a gap")]
    PositionGap,
    /// A stream's version is not the stream's next one.
    #[error("a stream's versions must run on from 1")]
    StreamVersion,
    /// Its event id came before.
    #[error("its event id is already in the log")]
    RepeatedId,
}

/// An import into an empty store: one transaction from
/// [`PgStore::begin_import`] to [`commit`](Self::commit), holding the
/// position lock, so the log holds all of it or none of it, and no append
/// comes between. Dropped without a commit, it rolls back.
pub struct Import<'a> {
    conn: MutexGuard<'a, Conn>,
    next: u64,
    versions: HashMap<StreamId, u64>,
    ids: HashSet<EventId>,
    open: bool,
    channel: String,
}

impl std::fmt::Debug for Import<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Import")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Starts an import of stored envelopes (a backup) into this store,
    /// which must be empty.
    pub fn begin_import(&self) -> Result<Import<'_>, ImportError> {
        let mut conn = self.conn()?;
        if conn.batch != BatchState::None {
            return Err(StoreError::Backend("a batch is open".into()).into());
        }
        conn.client.batch_execute("BEGIN").map_err(backend)?;
        let mut import = Import {
            conn,
            next: 0,
            versions: HashMap::new(),
            ids: HashSet::new(),
            open: true,
            channel: channel(&self.schema),
        };
        let Conn {
            client, statements, ..
        } = &mut *import.conn;
        let next: i64 = client
            .query_one(&statements.head_for_update, &[])
            .map_err(backend)?
            .try_get(0)
            .map_err(backend)?;
        let next = to_u64(next)?;
        if next != 0 {
            return Err(ImportError::NotEmpty(next));
        }
        Ok(import)
    }
}

impl Import<'_> {
    /// Adds envelopes exactly as stored elsewhere: their positions must
    /// continue the import, each stream's versions must run on from 1, and
    /// no event id may come twice.
    pub fn add(&mut self, envelopes: &[Envelope]) -> Result<(), ImportError> {
        for envelope in envelopes {
            let position = envelope.position;
            let discontinuous = |why| ImportError::Discontinuous { position, why };
            if position != self.next {
                return Err(discontinuous(Discontinuity::PositionGap));
            }
            for sv in &envelope.streams {
                let current = self.versions.get(&sv.stream).copied().unwrap_or(0);
                if sv.version != current.saturating_add(1) {
                    return Err(discontinuous(Discontinuity::StreamVersion));
                }
                self.versions.insert(sv.stream, sv.version);
            }
            // The store was empty: an id already imported is the only one
            // the log can hold twice.
            if !self.ids.insert(envelope.event_id) {
                return Err(discontinuous(Discontinuity::RepeatedId));
            }
            self.next = self.next.saturating_add(1);
        }
        let Conn {
            client, statements, ..
        } = &mut *self.conn;
        write_rows(client, statements, envelopes, self.next, &self.channel)?;
        Ok(())
    }

    /// Makes the import the log, all of it at once. Returns its events.
    pub fn commit(mut self) -> Result<u64, ImportError> {
        self.conn.client.batch_execute("COMMIT").map_err(backend)?;
        self.open = false;
        Ok(self.next)
    }
}

impl Drop for Import<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing of an import that did not commit stays; a failed
            // rollback leaves the transaction to the server, which ends it
            // with the connection.
            let _ = self.conn.client.batch_execute("ROLLBACK");
        }
    }
}

/// Keeps no projections yet: a workflow on it folds the log.
impl Snapshots for PgStore {}

/// Views in `ce_views`, one row each, written in one statement and
/// committed before `record_views` returns.
impl ce_core::ViewLog for PgStore {
    fn record_views(&self, views: &[ce_core::View]) -> Result<(), StoreError> {
        if views.is_empty() {
            return Ok(());
        }
        let households: Vec<uuid::Uuid> = views.iter().map(|v| *v.household.as_uuid()).collect();
        let bodies: Vec<serde_json::Value> = views
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Backend(Box::new(e)))?;
        let mut conn = self.conn()?;
        conn.client
            .execute(
                "INSERT INTO ce_views (household, view)
                 SELECT * FROM unnest($1::uuid[], $2::jsonb[])",
                &[&households, &bodies],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn views_of(&self, household: ce_core::HouseholdId) -> Result<Vec<ce_core::View>, StoreError> {
        self.query_views(
            "SELECT view FROM ce_views WHERE household = $1 ORDER BY id",
            &[household.as_uuid()],
            &format!("a view of household {household}"),
        )
    }

    fn all_views(&self) -> Result<Vec<ce_core::View>, StoreError> {
        self.query_views(
            "SELECT view FROM ce_views ORDER BY household, id",
            &[],
            "a view",
        )
    }
}

impl PgStore {
    /// The views a query of `ce_views` selects (one `view` column; `what`:
    /// a view of what, for an error).
    fn query_views(
        &self,
        query: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        what: &str,
    ) -> Result<Vec<ce_core::View>, StoreError> {
        let mut conn = self.conn()?;
        let rows = conn.client.query(query, params).map_err(backend)?;
        rows.iter()
            .map(|row| {
                let value: serde_json::Value = row.try_get(0).map_err(backend)?;
                serde_json::from_value(value).map_err(|e| StoreError::Corrupt {
                    position: 0,
                    detail: format!("{what} does not decode: {e}"),
                })
            })
            .collect()
    }
}

/// Ranks the folded log for a report.
impl ListReader for PgStore {}

fn key_error(e: impl std::fmt::Display) -> ce_core::privacy::KeyError {
    ce_core::privacy::KeyError::Store(e.to_string())
}

/// Subjects' wrapped keys in the `ce_subject_keys` table.
impl ce_core::privacy::KeyStore for PgStore {
    fn get(
        &self,
        subject: &ce_core::privacy::Subject,
    ) -> Result<Option<Vec<u8>>, ce_core::privacy::KeyError> {
        let mut conn = self.conn().map_err(key_error)?;
        let row = conn
            .client
            .query_opt(
                "SELECT wrapped FROM ce_subject_keys WHERE subject = $1",
                &[&subject.name()],
            )
            .map_err(key_error)?;
        Ok(row.map(|r| r.get(0)))
    }

    fn put_new(
        &self,
        subject: &ce_core::privacy::Subject,
        wrapped: &[u8],
    ) -> Result<Vec<u8>, ce_core::privacy::KeyError> {
        let mut conn = self.conn().map_err(key_error)?;
        // Of two writers racing, the first row stays and both read it.
        let row = conn
            .client
            .query_one(
                "WITH put AS (
                     INSERT INTO ce_subject_keys VALUES ($1, $2)
                     ON CONFLICT (subject) DO NOTHING RETURNING wrapped)
                 SELECT wrapped FROM put
                 UNION ALL
                 SELECT wrapped FROM ce_subject_keys WHERE subject = $1
                 LIMIT 1",
                &[&subject.name(), &wrapped],
            )
            .map_err(key_error)?;
        Ok(row.get(0))
    }

    fn replace(
        &self,
        subject: &ce_core::privacy::Subject,
        wrapped: &[u8],
    ) -> Result<(), ce_core::privacy::KeyError> {
        let mut conn = self.conn().map_err(key_error)?;
        conn.client
            .execute(
                "INSERT INTO ce_subject_keys VALUES ($1, $2)
                 ON CONFLICT (subject) DO UPDATE SET wrapped = EXCLUDED.wrapped",
                &[&subject.name(), &wrapped],
            )
            .map_err(key_error)?;
        Ok(())
    }

    fn delete(
        &self,
        subject: &ce_core::privacy::Subject,
    ) -> Result<bool, ce_core::privacy::KeyError> {
        let mut conn = self.conn().map_err(key_error)?;
        let deleted = conn
            .client
            .execute(
                "DELETE FROM ce_subject_keys WHERE subject = $1",
                &[&subject.name()],
            )
            .map_err(key_error)?;
        Ok(deleted > 0)
    }

    fn subjects(&self) -> Result<Vec<ce_core::privacy::Subject>, ce_core::privacy::KeyError> {
        let mut conn = self.conn().map_err(key_error)?;
        let rows = conn
            .client
            .query("SELECT subject FROM ce_subject_keys ORDER BY subject", &[])
            .map_err(key_error)?;
        Ok(rows
            .iter()
            .filter_map(|r| ce_core::privacy::Subject::parse(r.get(0)))
            .collect())
    }
}
