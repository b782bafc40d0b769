//! Reference data (taxonomy.md): filled by the taxonomy work.
