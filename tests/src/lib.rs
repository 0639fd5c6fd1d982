//! Shared helpers for the workspace integration tests (reference-tool venv, shared data, temp folders).
