//! One `Idempotency-Key` per attempt: a write that got no answer may have been applied, so
//! trying the same request again sends the same key (the server then answers what it did the
//! first time instead of doing it twice); any answer ends the attempt, and the next press is a
//! new one with a new key.

/// The key of the attempt in progress for one button, if its last send got no answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attempts {
    open: Option<(String, String)>,
}

impl Attempts {
    /// The key to send `request` (a fingerprint of the request: ticket and amounts) with: the
    /// open attempt's key when it was for the same request, else a `fresh` one.
    ///
    /// A different request gets a new key even after a failure: the server refuses a key reused
    /// for another body, and the cashier changed what they meant to record.
    pub fn key(&mut self, request: &str, fresh: impl FnOnce() -> String) -> String {
        match &self.open {
            Some((open, key)) if open == request => key.clone(),
            _ => {
                let key = fresh();
                self.open = Some((request.to_owned(), key.clone()));
                key
            }
        }
    }

    /// Records how the send ended: `unanswered` (no response) keeps the attempt open for a
    /// retry; an answer, success or refusal, closes it.
    pub fn settle(&mut self, unanswered: bool) {
        if !unanswered {
            self.open = None;
        }
    }
}
