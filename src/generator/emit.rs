//! Writes the catalog files (`src/catalog/generated/`): see the module docs of
//! [`crate::catalog`] for their format.
