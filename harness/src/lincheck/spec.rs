//! What the checker and the scenario generator need to know about the object under test.

use proptest::strategy::BoxedStrategy;
use std::fmt::{Debug, Display};
use std::hash::Hash;

/// A sequential specification: the object's operations applied one at a time to a model state.
///
/// This is all the linearizability checker needs. A history is linearizable when its
/// operations can be put in one order, consistent with real time, in which [`Sequential::step`]
/// returns what each completed operation returned.
///
/// ```
/// use maprace_harness::lincheck::Sequential;
///
/// /// A register: `write(v)` returns nothing, `read()` returns the last value written.
/// struct Register;
/// #[derive(Clone, Debug, PartialEq)]
/// enum RegOp { Write(u8), Read }
/// impl std::fmt::Display for RegOp {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         match self {
///             RegOp::Write(v) => write!(f, "write({v})"),
///             RegOp::Read => write!(f, "read()"),
///         }
///     }
/// }
/// impl Sequential for Register {
///     type Op = RegOp;
///     type Ret = Option<u8>;
///     type State = u8;
///     type Key = ();
///     fn init(&self) -> u8 { 0 }
///     fn step(&self, state: &mut u8, op: &RegOp) -> Option<u8> {
///         match op {
///             RegOp::Write(v) => { *state = *v; None }
///             RegOp::Read => Some(*state),
///         }
///     }
/// }
/// let mut s = Register.init();
/// Register.step(&mut s, &RegOp::Write(3));
/// assert_eq!(Register.step(&mut s, &RegOp::Read), Some(3));
/// ```
pub trait Sequential {
    /// An operation with its arguments (`assign(3, 1)`); `Display` shows it as it is called.
    type Op: Clone + Debug + Display + Send + Sync + 'static;
    /// What an operation returns.
    type Ret: Clone + PartialEq + Debug + Send + Sync + 'static;
    /// The model's state. Searched states are memoised, hence `Eq + Hash`.
    type State: Clone + Eq + Hash + Debug;
    /// The part of the state an operation touches, for P-compositional checking (a map's key).
    type Key: Ord + Clone + Debug;

    /// The initial state.
    fn init(&self) -> Self::State;

    /// Applies `op` to `state` and returns what the operation returns.
    fn step(&self, state: &mut Self::State, op: &Self::Op) -> Self::Ret;

    /// The partition `op` belongs to, or `None` when it may touch the whole state.
    ///
    /// When every operation of a history has a partition, the history is linearizable exactly
    /// when each partition's sub-history is, started from [`Sequential::init`] (Horn & Kroening,
    /// *Faster linearizability checking via P-compositionality*, FORTE 2015). That holds when
    /// operations of different partitions commute and none observes another partition — a
    /// map's `assign`, `delete` and `get` on different keys, but not its `len`. Return `None`
    /// for such operations: the checker then checks the whole history at once.
    fn partition(&self, op: &Self::Op) -> Option<Self::Key> {
        let _ = op;
        None
    }
}

/// A [`Sequential`] specification together with the implementation it specifies and a generator
/// of its operations: everything [`super::Lincheck`] needs to test an object.
///
/// The operations generator is a [proptest](https://docs.rs/proptest) strategy, so generated
/// scenarios shrink: fewer goroutines, fewer operations, simpler arguments.
pub trait Operations: Sequential + Send + Sync + 'static {
    /// The implementation under test, shared by a scenario's goroutines.
    type Imp: Send + Sync + 'static;

    /// A name for the object, used in the scenario identity of tokens (`[A-Za-z0-9_./-]+`).
    fn name(&self) -> String;

    /// A fresh implementation (one per execution).
    fn implementation(&self) -> Self::Imp;

    /// Generates one operation with its arguments.
    fn generate(&self) -> BoxedStrategy<Self::Op>;

    /// Applies `op` to the implementation and returns its result.
    fn apply(&self, imp: &Self::Imp, op: &Self::Op) -> Self::Ret;
}
