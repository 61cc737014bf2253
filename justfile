# maprace tasks. `just --list` shows them.

# Explore the whole scenario catalogue (release build).
explore *ARGS:
    cargo run --release -- explore {{ARGS}}

# Run every test.
test:
    cargo test --workspace

# Replay one schedule token.
replay TOKEN *ARGS:
    cargo run --release -- replay '{{TOKEN}}' {{ARGS}}

# Everything CI runs.
ci:
    bash .ci/run

# Throughput of the harness against bare shuttle, measured in one run.
bench:
    cargo bench --bench throughput

# Linearizability checker: histories/second, and time to the first non-linearizable history.
bench-lincheck:
    cargo bench --bench lincheck

# Exhaustive search with and without partial-order reduction, and --jobs 2 vs 1, in one run.
bench-exhaustive:
    cargo bench --bench exhaustive

# Executions to first failure on SCTBench's classic bugs, maprace's strategies against stock
# shuttle's schedulers (writes docs/bench-bugs.md; MAPRACE_BUGS_SEEDS / _CAP for a quick run).
bench-bugs:
    MAPRACE_BUGS_OUT=docs/bench-bugs.md cargo bench --bench bugs

# The loom engine against maprace's search on the catalogue: executions and time to exhaust the
# fixed variants at bound 2, executions to the first failure of the buggy ones.
bench-engines:
    MAPRACE_ENGINES_OUT=docs/bench-engines.md cargo bench --bench engines

# The failure kinds every buggy scenario reaches at small and Go size in 20,000 random and
# portfolio executions, next to the kinds it declares (writes docs/bench-kinds.md;
# MAPRACE_KINDS_EXECUTIONS for a quicker run).
bench-kinds:
    MAPRACE_KINDS_OUT=docs/bench-kinds.md cargo bench --bench kinds

# Verify under the loom engine: every fixed catalogue variant exhausts loom's DPOR at preemption
# bound 2 with no failure, and so does every fix in maps-under-test.
verify-loom:
    cargo run --release -- explore --engine loom --preemption-bound 2 --variant fixed
    cargo test --release -p maprace-maps --features loom --test fixes loom
