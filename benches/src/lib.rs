//! Benchmarks of siproc; see benches/README.md.
