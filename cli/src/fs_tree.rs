//! Local file-system implementation of the engine MHL I/O port (placeholder).
