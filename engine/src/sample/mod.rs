//! Synthetic shoot-day generator (placeholder, filled by the sample-card work).
