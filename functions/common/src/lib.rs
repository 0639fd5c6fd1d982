//! Ports and adapters shared by every rushes step (placeholder).
