//! Streaming multi-hash over ASC MHL hash formats (placeholder, filled by the hash work).
