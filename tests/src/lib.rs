//! Helpers shared by the cross-crate tests: reading the conformance corpus.
