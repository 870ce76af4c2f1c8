//! How staff sign-in failures slow down whoever makes them: failures are counted per address
//! (the client's IP, an IPv6 /64 as one) and per account (the email typed, known or not), and
//! each count past its free attempts makes the next attempt wait longer, up to a cap. The check
//! comes before any password is hashed (argon2 is costly on purpose), and an attempt made while
//! waiting is refused without being counted, so waiting always ends.
//!
//! There is never a hard lock-out: a stranger who fails again and again for a member's email
//! makes that account wait, but not from an address the member signed in from before (a known
//! address), where only the address's own count applies.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::docket::Docket;
use crate::model::normalise_email;
use crate::store::{Batch, Tree};

/// Free attempts before a delay, the first delay, and the most a delay grows to. Each failure
/// past the free ones doubles the delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub free: u32,
    pub first: Duration,
    pub cap: Duration,
}

impl Backoff {
    /// How long after the last failure the next attempt waits, given `failures` so far.
    pub fn delay(&self, failures: u32) -> Duration {
        if failures < self.free {
            return Duration::zero();
        }
        let doublings = (failures - self.free).min(20);
        (self.first * 2i32.pow(doublings)).min(self.cap)
    }
}

/// Per account: three free attempts, then 5 s, 10 s, 20 s ... up to 15 minutes.
pub const ACCOUNT_BACKOFF: Backoff = Backoff {
    free: 3,
    first: Duration::seconds(5),
    cap: Duration::minutes(15),
};
/// Per address: ten free attempts (an office shares one address), then the same growth.
pub const ADDRESS_BACKOFF: Backoff = Backoff {
    free: 10,
    first: Duration::seconds(5),
    cap: Duration::minutes(15),
};
/// A count is forgotten this long after its last failure.
pub const FAILURES_FORGOTTEN_AFTER: Duration = Duration::hours(24);
/// An address a member signed in from stays known for this long after the sign-in.
pub const KNOWN_ADDRESS_FOR: Duration = Duration::days(90);

/// Failed (or still running) attempts of one address or account, in the `throttle` tree.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Failures {
    count: u32,
    last: Option<DateTime<Utc>>,
}

impl Failures {
    fn current(self, now: DateTime<Utc>) -> Failures {
        match self.last {
            Some(last) if now - last < FAILURES_FORGOTTEN_AFTER => self,
            _ => Failures::default(),
        }
    }

    fn wait(&self, backoff: &Backoff, now: DateTime<Utc>) -> Duration {
        match self.last {
            Some(last) => (last + backoff.delay(self.count) - now).max(Duration::zero()),
            None => Duration::zero(),
        }
    }
}

/// Whether an attempt may go on to check the password.
#[derive(Debug)]
pub(crate) enum Gate {
    /// It may: the attempt is already counted as a failure, which `Docket::attempt_succeeded`
    /// undoes when the password was right.
    Open(Attempt),
    /// It must wait this long first; nothing was counted.
    Wait(Duration),
}

/// An attempt let through the gate.
#[derive(Debug)]
pub(crate) struct Attempt {
    address: String,
    account: String,
}

impl Docket {
    /// Checks the address's and the account's delays for a sign-in (or a password check) by
    /// `email` from `address`, and when neither makes it wait, counts the attempt as a failure
    /// before any hashing. Two attempts racing through the gate are counted one after the other.
    pub(crate) fn sign_in_gate(&self, email: &str, address: &str) -> Result<Gate> {
        let attempt = Attempt {
            address: address_key(address),
            account: account_key(email),
        };
        let known = self.known_address(&attempt)?;
        self.retrying(|| {
            let now = self.now();
            let (address_before, address) = self.failures(&attempt.address)?;
            let (account_before, account) = self.failures(&attempt.account)?;
            let mut wait = address.wait(&ADDRESS_BACKOFF, now);
            if !known {
                wait = wait.max(account.wait(&ACCOUNT_BACKOFF, now));
            }
            if wait > Duration::zero() {
                return Ok(Gate::Wait(wait));
            }
            let mut batch = Batch::default();
            for (key, before, failures) in [
                (&attempt.address, address_before, address),
                (&attempt.account, account_before, account),
            ] {
                batch.expect(Tree::Throttle, key.as_bytes(), before);
                batch.put(
                    Tree::Throttle,
                    key.as_bytes(),
                    encode(&Failures {
                        count: failures.count.saturating_add(1),
                        last: Some(now),
                    }),
                );
            }
            self.store.commit(batch)?;
            Ok(Gate::Open(Attempt {
                address: attempt.address.clone(),
                account: attempt.account.clone(),
            }))
        })
    }

    /// The password was right: the account's count is cleared, the address's attempt is no
    /// longer counted against it, and the address becomes one the member signs in from.
    pub(crate) fn attempt_succeeded(&self, attempt: &Attempt) -> Result<()> {
        self.retrying(|| {
            let (before, failures) = self.failures(&attempt.address)?;
            let mut batch = Batch::default();
            batch.expect(Tree::Throttle, attempt.address.as_bytes(), before);
            batch.put(
                Tree::Throttle,
                attempt.address.as_bytes(),
                encode(&Failures {
                    count: failures.count.saturating_sub(1),
                    ..failures
                }),
            );
            batch.remove(Tree::Throttle, attempt.account.as_bytes());
            batch.put(
                Tree::Throttle,
                known_key(attempt).into_bytes(),
                encode(&self.now()),
            );
            self.store.commit(batch)
        })
    }

    fn known_address(&self, attempt: &Attempt) -> Result<bool> {
        let Some(bytes) = self
            .store
            .get(Tree::Throttle, known_key(attempt).as_bytes())?
        else {
            return Ok(false);
        };
        let at: Option<DateTime<Utc>> = serde_json::from_slice(&bytes).ok();
        Ok(at.is_some_and(|at| self.now() - at < KNOWN_ADDRESS_FOR))
    }

    /// The stored bytes (for the guard) and the failures still counted.
    fn failures(&self, key: &str) -> Result<(Option<Vec<u8>>, Failures)> {
        let before = self.store.get(Tree::Throttle, key.as_bytes())?;
        let failures: Failures = before
            .as_deref()
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or_default();
        Ok((before, failures.current(self.now())))
    }
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("throttle records serialise")
}

/// The account an attempt is for: the email as typed, normalised when it is an address at all,
/// so an unknown email is throttled exactly as a member's is.
fn account_key(email: &str) -> String {
    let email = normalise_email(email).unwrap_or_else(|_| {
        email
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_control())
            .take(254)
            .collect()
    });
    format!("staff-sign-in/account/{email}")
}

fn address_key(address: &str) -> String {
    format!("staff-sign-in/address/{}", address_group(address))
}

fn known_key(attempt: &Attempt) -> String {
    let account = attempt
        .account
        .strip_prefix("staff-sign-in/account/")
        .unwrap_or(&attempt.account);
    let address = attempt
        .address
        .strip_prefix("staff-sign-in/address/")
        .unwrap_or(&attempt.address);
    format!("staff-sign-in/known/{account}/{address}")
}

/// The address as it is counted: an IPv4 address as is (also when written as IPv6), an IPv6
/// address by its /64 network, which one home or office holds whole.
pub(crate) fn address_group(address: &str) -> String {
    match address.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Err(_) => address
            .chars()
            .filter(|c| !c.is_control())
            .take(64)
            .collect(),
    }
}

/// A wait in words for a person: "5 seconds", "2 minutes".
pub fn wait_in_words(wait: Duration) -> String {
    let seconds = wait.num_seconds() + i64::from(wait.subsec_nanos() > 0);
    match seconds {
        ..=1 => "1 second".into(),
        2..=90 => format!("{seconds} seconds"),
        _ => format!("{} minutes", (seconds + 59) / 60),
    }
}

#[cfg(test)]
#[path = "throttle_tests.rs"]
mod tests;
