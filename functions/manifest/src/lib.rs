//! rushes manifest step handler (placeholder).
