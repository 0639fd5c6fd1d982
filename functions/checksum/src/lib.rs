//! rushes checksum step handler (placeholder).
