//! Pure types and rules: no I/O. Constructors are the only place input is validated.
pub mod error;
pub mod email;
pub mod opening;
pub mod user;
pub mod candidate;
pub mod markdown;

pub use error::{FieldError, Invalid};
