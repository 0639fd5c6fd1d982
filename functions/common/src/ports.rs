//! The set of ports a step handler receives: same handler code on Lambda and locally.

use std::sync::Arc;

use crate::{Catalog, ObjectStore};

/// The adapters a handler works through.
#[derive(Clone, Debug)]
pub struct Ports {
    /// The library: card files, manifests, reports.
    pub library: Arc<dyn ObjectStore>,
    /// The tier-2 archive, when configured.
    pub archive: Option<Arc<dyn ObjectStore>>,
    /// The catalog of rolls and files.
    pub catalog: Arc<dyn Catalog>,
}
