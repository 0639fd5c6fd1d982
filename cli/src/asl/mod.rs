//! Amazon States Language runner (placeholder).
