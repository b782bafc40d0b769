//! The rules of the xAPI module, each with a statement that keeps it and one that breaks it.
