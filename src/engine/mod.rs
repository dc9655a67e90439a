//! The request engine: from a command's parameters to HTTP and back.

pub mod body;
pub mod error;
pub mod files;
pub mod http;
pub mod invoke;
pub mod limits;
pub mod operation;
pub mod record;
pub mod settings;
pub mod trace;
pub mod uri;
