//! Graph's metadata (CSDL) → the catalog.
//!
//! Data flows one way: [`csdl`] reads `v1.0.csdl.xml` into a schema; [`paths`] enumerates the
//! paths and HTTP operations that the SDK's OpenAPI conversion exposes (with the conversion's
//! raw operationIds and tags); [`naming`] turns each operation into the SDK's cmdlet name,
//! module and parameter-set variant; [`emit`] writes the catalog files under
//! `src/catalog/generated/`, which the engine, the module generator and the sandbox read.
//!
//! Only `mggraph-codegen` (feature `codegen`) links this module; the engine never does.

pub mod csdl;
pub mod emit;
pub mod naming;
pub mod paths;
pub mod permissions;
pub mod schema_names;
