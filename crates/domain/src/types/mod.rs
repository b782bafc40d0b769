//! Newtypes that parse at the edge.
