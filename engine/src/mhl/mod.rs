//! ASC MHL v2.0 histories (placeholder, filled by the MHL work).
