//! Signed-in sessions (in memory: a restart signs everyone out) and the
//! lockout after repeated failed sign-ins.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// One signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account name.
    pub user: String,
    /// The token every form of this session carries.
    pub csrf: String,
    /// The account's password generation at sign-in.
    pub generation: u64,
    created: Instant,
    last_seen: Instant,
}

/// Most sign-in names whose failures are counted at once.
pub const TRACKED_NAMES: usize = 10_000;

/// How long sessions last and when sign-ins lock.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub absolute: Duration,
    /// Failed sign-ins in a row that lock an account name.
    pub max_failures: u32,
    /// How long the lock lasts.
    pub lockout: Duration,
}

/// The sessions and failed sign-ins.
#[derive(Debug)]
pub struct Sessions {
    limits: Limits,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, (u32, Option<Instant>)>>,
}

impl Sessions {
    /// No sessions yet.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Starts a session for `user`: its cookie token and CSRF token.
    pub fn start(&self, user: &str, generation: u64) -> std::io::Result<(String, Session)> {
        let token = crate::random_token()?;
        let now = Instant::now();
        let session = Session {
            user: user.to_owned(),
            csrf: crate::random_token()?,
            generation,
            created: now,
            last_seen: now,
        };
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        // Expired sessions go as new ones come.
        sessions.retain(|_, s| !self.expired(s, now));
        sessions.insert(token.clone(), session.clone());
        Ok((token, session))
    }

    fn expired(&self, session: &Session, now: Instant) -> bool {
        now.duration_since(session.last_seen) > self.limits.idle
            || now.duration_since(session.created) > self.limits.absolute
    }

    /// The live session of a cookie token (its idle clock restarts).
    pub fn get(&self, token: &str) -> Option<Session> {
        let now = Instant::now();
        let mut sessions = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let session = sessions.get_mut(token)?;
        if self.expired(session, now) {
            sessions.remove(token);
            return None;
        }
        session.last_seen = now;
        Some(session.clone())
    }

    /// Ends a session.
    pub fn end(&self, token: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(token);
    }

    /// Ends every session of `user` (disabled, or a new password).
    pub fn end_all_of(&self, user: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, s| s.user != user);
    }

    /// Whether sign-ins as `user` are locked now.
    pub fn locked(&self, user: &str) -> bool {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        matches!(failures.get(user), Some((_, Some(until))) if Instant::now() < *until)
    }

    /// Counts a failed sign-in; locks the name after too many in a row.
    /// At most [`TRACKED_NAMES`] names are counted at once: beyond that,
    /// the names not locked now are forgotten first, then the lock that
    /// ends first, so that sign-ins with made-up names can neither grow the
    /// table without end nor stop a real name's failures being counted.
    pub fn failed(&self, user: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() >= TRACKED_NAMES && !failures.contains_key(user) {
            let now = Instant::now();
            failures.retain(|_, (_, until)| until.is_some_and(|until| now < until));
            // Still full of locks: the one that ends first makes room, so
            // that every name's failures keep being counted.
            if failures.len() >= TRACKED_NAMES {
                let first = failures
                    .iter()
                    .min_by_key(|(_, (_, until))| *until)
                    .map(|(name, _)| name.clone());
                if let Some(first) = first {
                    failures.remove(&first);
                }
            }
        }
        let entry = failures.entry(user.to_owned()).or_insert((0, None));
        entry.0 = entry.0.saturating_add(1);
        if entry.0 >= self.limits.max_failures {
            entry.0 = 0;
            entry.1 = Instant::now().checked_add(self.limits.lockout);
        }
    }

    /// Clears the failures of a successful sign-in.
    pub fn succeeded(&self, user: &str) {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(user);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn made_up_names_do_not_grow_the_failure_table_without_end() {
        let sessions = Sessions::new(Limits {
            idle: Duration::from_secs(60),
            absolute: Duration::from_secs(600),
            max_failures: 2,
            lockout: Duration::from_secs(60),
        });
        // A flood of made-up names, each locked.
        for n in 0..TRACKED_NAMES + 50 {
            let name = format!("made-up-{n}");
            sessions.failed(&name);
            sessions.failed(&name);
        }
        let tracked = sessions
            .failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        assert!(tracked <= TRACKED_NAMES, "{tracked}");
        // A real name's failures are still counted, and lock it.
        sessions.failed("ana");
        sessions.failed("ana");
        assert!(sessions.locked("ana"));
    }
}
