//! Ports and adapters every rushes step shares: the object store, the catalog, errors with stable
//! names, configuration, and the type-erased step signature the local runtime and Lambda both use.

pub mod aws;
pub mod catalog;
pub mod catalog_dynamo;
pub mod catalog_embedded;
pub mod config;
pub mod error;
pub mod key;
pub mod lambda;
pub mod ports;
pub mod records;
pub mod runs;
pub mod step;
pub mod store;
pub mod store_fs;
pub mod store_local;
pub mod store_s3;

pub use catalog::{Catalog, CatalogItem};
pub use config::Config;
pub use error::Error;
pub use key::ObjectKey;
pub use ports::Ports;
pub use store::{ObjectMeta, ObjectStore, PutMode, Upload};

/// Result type of every port and handler.
pub type Result<T, E = Error> = std::result::Result<T, E>;
