//! rushes custody step handler (placeholder).
