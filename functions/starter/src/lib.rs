//! rushes starter step handler (placeholder).
