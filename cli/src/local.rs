//! Local ports: the library folder as object store and the embedded catalog (placeholder).
