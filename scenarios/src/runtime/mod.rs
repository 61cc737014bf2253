//! A small Go-like runtime built on the harness's goroutines and primitives.
