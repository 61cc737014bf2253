//! The bug programs: SCTBench's "CS" set (Thomson, Donaldson, Betts, "Concurrency Testing
//! Using Controlled Schedulers: An Empirical Study", TOPP 2016; the programs come from
//! Cordeiro and Fischer's ESBMC benchmarks and earlier papers), re-written here from their
//! published descriptions, not ported line for line. Shared variables are [`Rt::Int`]s, so
//! every read and write is a scheduling point, as in SCTBench's setting where racy accesses
//! are visible operations. Each program panics (or deadlocks) exactly when its bug shows.

use super::rt::{ints, Rt};
use std::sync::Arc;

/// A bug program: its SCTBench name and its body on both runtimes.
pub struct Program {
    pub name: &'static str,
    pub maprace: fn(),
    pub shuttle: fn(),
}

macro_rules! programs {
    ($($name:literal => $f:ident $(::<$($n:literal),*>)?),* $(,)?) => {
        /// Every program, in table order.
        pub fn all() -> Vec<Program> {
            vec![$(Program {
                name: $name,
                maprace: $f::<super::rt::Maprace $($(, $n)*)?>,
                shuttle: $f::<super::rt::Shuttle $($(, $n)*)?>,
            }),*]
        }
    };
}

programs! {
    "account" => account,
    "bluetooth_driver" => bluetooth_driver,
    "carter01" => carter01,
    "circular_buffer" => circular_buffer,
    "deadlock01" => deadlock01,
    "lazy01" => lazy01,
    "queue" => queue,
    "reorder_3" => reorder::<3>,
    "reorder_5" => reorder::<5>,
    "reorder_10" => reorder::<10>,
    "reorder_20" => reorder::<20>,
    "safestack" => safestack,
    "stack" => stack,
    "stringbuffer" => stringbuffer,
    "sync01" => sync01,
    "token_ring" => token_ring,
    "twostage" => twostage,
    "wronglock" => wronglock::<7>,
    "wronglock_3" => wronglock::<3>,
}

fn join_all<R: Rt>(hs: Vec<R::Handle>) {
    for h in hs {
        R::join(h);
    }
}

/// account: a deposit and a withdrawal under a lock, and a checker that, once both are done,
/// asserts the balance with the wrong formula (x - y - z instead of x + y - z): it fails only
/// when the checker runs after both.
pub fn account<R: Rt>() {
    let (x, y, z) = (1, 2, 4);
    let m = Arc::new(R::lock());
    // balance, deposit_done, withdraw_done
    let v = ints::<R>(3, 0);
    R::set(&v[0], x);
    let (m1, v1) = (m.clone(), v.clone());
    let check = R::spawn(move || {
        R::with(&m1, || {
            if R::get(&v1[1]) == 1 && R::get(&v1[2]) == 1 {
                assert_eq!(R::get(&v1[0]), x - y - z, "account: wrong balance");
            }
        })
    });
    let (m2, v2) = (m.clone(), v.clone());
    let deposit = R::spawn(move || {
        R::with(&m2, || {
            R::set(&v2[0], R::get(&v2[0]) + y);
            R::set(&v2[1], 1);
        })
    });
    let (m3, v3) = (m, v);
    let withdraw = R::spawn(move || {
        R::with(&m3, || {
            R::set(&v3[0], R::get(&v3[0]) - z);
            R::set(&v3[2], 1);
        })
    });
    join_all::<R>(vec![check, deposit, withdraw]);
}

/// bluetooth_driver (Qadeer and Wu, KISS, PLDI 2004): a device's pending-I/O count; the adder
/// checks `stopping` outside the lock before counting itself in, so the stopper can stop the
/// device between the check and the increment, and the adder then works on a stopped device.
pub fn bluetooth_driver<R: Rt>() {
    let m = Arc::new(R::lock());
    // pending_io, stopping_flag, stopping_event, stopped
    let v = ints::<R>(4, 0);
    R::set(&v[0], 1);
    fn decrement<R: Rt>(m: &R::Lock, v: &[R::Int]) {
        R::with(m, || {
            let p = R::get(&v[0]) - 1;
            R::set(&v[0], p);
            if p == 0 {
                R::set(&v[2], 1);
            }
        })
    }
    let (m1, v1) = (m.clone(), v.clone());
    let adder = R::spawn(move || {
        if R::get(&v1[1]) == 1 {
            return;
        }
        R::with(&m1, || R::set(&v1[0], R::get(&v1[0]) + 1));
        assert_eq!(
            R::get(&v1[3]),
            0,
            "bluetooth_driver: I/O on a stopped device"
        );
        decrement::<R>(&m1, &v1);
    });
    let (m2, v2) = (m, v);
    let stopper = R::spawn(move || {
        R::set(&v2[1], 1);
        decrement::<R>(&m2, &v2);
        while R::get(&v2[2]) == 0 {
            R::yield_now();
        }
        R::set(&v2[3], 1);
    });
    join_all::<R>(vec![adder, stopper]);
}

/// carter01: two threads take two locks; one of them takes them in the opposite order only
/// when it saw the other's counter already raised, so the lock-order inversion (a deadlock)
/// needs that read to land between the other's two acquisitions.
pub fn carter01<R: Rt>() {
    let (m, l) = (Arc::new(R::lock()), Arc::new(R::lock()));
    let a = ints::<R>(1, 0);
    let (m1, l1, a1) = (m.clone(), l.clone(), a.clone());
    let t1 = R::spawn(move || {
        R::with(&m1, || {
            R::add(&a1[0], 1);
            R::with(&l1, || R::add(&a1[0], 1));
        })
    });
    let (m2, l2, a2) = (m, l, a);
    let t2 = R::spawn(move || {
        if R::get(&a2[0]) == 1 {
            R::with(&l2, || R::with(&m2, || R::add(&a2[0], -1)));
        } else {
            R::with(&m2, || R::with(&l2, || R::add(&a2[0], -1)));
        }
    });
    join_all::<R>(vec![t1, t2]);
}

/// circular_buffer: a producer and a consumer on a ring buffer whose element count is updated
/// with a non-atomic read-modify-write on both sides; a lost update lets the consumer read a
/// slot that was not written yet, and the values it receives go out of order.
pub fn circular_buffer<R: Rt>() {
    const N: i64 = 4;
    // slots 0..N, then count
    let v = ints::<R>(N as usize + 1, -1);
    R::set(&v[N as usize], 0);
    let vp = v.clone();
    let producer = R::spawn(move || {
        for i in 0..N {
            R::set(&vp[i as usize], i);
            let c = R::get(&vp[N as usize]);
            R::set(&vp[N as usize], c + 1);
        }
    });
    let vc = v;
    let consumer = R::spawn(move || {
        let mut next = 0;
        while next < N {
            let c = R::get(&vc[N as usize]);
            if c > 0 {
                assert_eq!(
                    R::get(&vc[next as usize]),
                    next,
                    "circular_buffer: out of order"
                );
                R::set(&vc[N as usize], R::get(&vc[N as usize]) - 1);
                next += 1;
            } else {
                R::yield_now();
            }
        }
    });
    join_all::<R>(vec![producer, consumer]);
}

/// deadlock01: two threads take two locks in opposite orders.
pub fn deadlock01<R: Rt>() {
    let (a, b) = (Arc::new(R::lock()), Arc::new(R::lock()));
    let (a1, b1) = (a.clone(), b.clone());
    let t1 = R::spawn(move || R::with(&a1, || R::with(&b1, || ())));
    let t2 = R::spawn(move || R::with(&b, || R::with(&a, || ())));
    join_all::<R>(vec![t1, t2]);
}

/// lazy01: two threads add 1 and 2 to `data` under a lock; a third asserts `data < 3`, which
/// fails only when it runs after both.
pub fn lazy01<R: Rt>() {
    let m = Arc::new(R::lock());
    let d = ints::<R>(1, 0);
    let mut hs = Vec::new();
    for add in [1, 2] {
        let (m, d) = (m.clone(), d.clone());
        hs.push(R::spawn(move || {
            R::with(&m, || R::set(&d[0], R::get(&d[0]) + add))
        }));
    }
    hs.push(R::spawn(move || {
        R::with(&m, || assert!(R::get(&d[0]) < 3, "lazy01: data reached 3"))
    }));
    join_all::<R>(hs);
}

/// queue: the producer enqueues a value and records it as stored in a second critical
/// section; the consumer dequeues and checks the value against the record, which is stale
/// when it runs between the producer's two sections.
pub fn queue<R: Rt>() {
    const N: usize = 3;
    let m = Arc::new(R::lock());
    // queue slots 0..N, stored 0..N, head, tail
    let v = ints::<R>(2 * N + 2, -1);
    R::set(&v[2 * N], 0);
    R::set(&v[2 * N + 1], 0);
    let (mp, vp) = (m.clone(), v.clone());
    let producer = R::spawn(move || {
        for i in 0..N {
            let value = 10 + i as i64;
            R::with(&mp, || {
                let t = R::get(&vp[2 * N + 1]);
                R::set(&vp[t as usize], value);
                R::set(&vp[2 * N + 1], t + 1);
            });
            R::with(&mp, || R::set(&vp[N + i], value));
        }
    });
    let (mc, vc) = (m, v);
    let consumer = R::spawn(move || {
        let mut i = 0;
        while i < N {
            let got = R::with(&mc, || {
                let (h, t) = (R::get(&vc[2 * N]), R::get(&vc[2 * N + 1]));
                (h < t).then(|| {
                    R::set(&vc[2 * N], h + 1);
                    R::get(&vc[h as usize])
                })
            });
            match got {
                Some(x) => {
                    R::with(&mc, || {
                        assert_eq!(R::get(&vc[N + i]), x, "queue: dequeued an unrecorded value")
                    });
                    i += 1;
                }
                None => R::yield_now(),
            }
        }
    });
    join_all::<R>(vec![producer, consumer]);
}

/// reorder_N: N - 1 setters write `a = 1` then `b = -1`; a checker asserts it sees both
/// writes or neither. It fails only when the checker reads `a` after some setter's first
/// write and `b` before any setter's second: harder the more setters there are.
pub fn reorder<R: Rt, const N: usize>() {
    let v = ints::<R>(2, 0);
    let mut hs = Vec::new();
    for _ in 0..N - 1 {
        let v = v.clone();
        hs.push(R::spawn(move || {
            R::set(&v[0], 1);
            R::set(&v[1], -1);
        }));
    }
    hs.push(R::spawn(move || {
        let (a, b) = (R::get(&v[0]), R::get(&v[1]));
        assert!(
            (a == 0 && b == 0) || (a == 1 && b == -1),
            "reorder: saw a={a}, b={b}"
        );
    }));
    join_all::<R>(hs);
}

/// safestack (Vyukov's lock-free stack, SCTBench's hardest CS bug): three threads each pop an
/// element, write their id into it, check it, and push it back, twice; the pop's
/// compare-and-swap suffers from ABA, so two threads can hold the same element.
pub fn safestack<R: Rt>() {
    const ELEMS: usize = 3;
    const THREADS: i64 = 3;
    // per element: next, value; then head, count
    let v = ints::<R>(2 * ELEMS + 2, 0);
    for e in 0..ELEMS {
        R::set(&v[2 * e], if e + 1 < ELEMS { e as i64 + 1 } else { -1 });
    }
    let head = 2 * ELEMS;
    R::set(&v[head + 1], ELEMS as i64);
    fn pop<R: Rt>(v: &[R::Int], head: usize) -> i64 {
        while R::get(&v[head + 1]) > 1 {
            let h = R::get(&v[head]);
            if h < 0 {
                return -1;
            }
            let next = R::get(&v[2 * h as usize]);
            if R::cas(&v[head], h, next) {
                R::add(&v[head + 1], -1);
                return h;
            }
        }
        -1
    }
    fn push<R: Rt>(v: &[R::Int], head: usize, e: i64) {
        loop {
            let h = R::get(&v[head]);
            R::set(&v[2 * e as usize], h);
            if R::cas(&v[head], h, e) {
                R::add(&v[head + 1], 1);
                return;
            }
        }
    }
    let hs = (0..THREADS)
        .map(|id| {
            let v = v.clone();
            R::spawn(move || {
                for _ in 0..2 {
                    let e = pop::<R>(&v, head);
                    if e >= 0 {
                        R::set(&v[2 * e as usize + 1], id);
                        assert_eq!(
                            R::get(&v[2 * e as usize + 1]),
                            id,
                            "safestack: shared element"
                        );
                        push::<R>(&v, head, e);
                    }
                }
            })
        })
        .collect();
    join_all::<R>(hs);
}

/// stack: the pusher sets a "non-empty" flag once and never clears it; the popper pops under
/// the lock whenever the flag is set, so it underflows when it pops faster than the pusher
/// pushes.
pub fn stack<R: Rt>() {
    const N: i64 = 3;
    let m = Arc::new(R::lock());
    // top, flag
    let v = ints::<R>(2, 0);
    let (m1, v1) = (m.clone(), v.clone());
    let pusher = R::spawn(move || {
        for _ in 0..N {
            R::with(&m1, || {
                R::set(&v1[0], R::get(&v1[0]) + 1);
                R::set(&v1[1], 1);
            })
        }
    });
    let popper = R::spawn(move || {
        for _ in 0..N {
            R::with(&m, || {
                if R::get(&v[1]) == 1 {
                    let top = R::get(&v[0]);
                    assert!(top > 0, "stack: pop on an empty stack");
                    R::set(&v[0], top - 1);
                }
            })
        }
    });
    join_all::<R>(vec![pusher, popper]);
}

/// stringbuffer (Java's `StringBuffer.append(StringBuffer)`, an atomicity violation): the
/// appender reads the other buffer's length and then copies that many characters, each step
/// synchronised on its own; an erase in between makes the copy run past the end.
pub fn stringbuffer<R: Rt>() {
    let m = Arc::new(R::lock());
    let len = ints::<R>(1, 5);
    let (m1, l1) = (m.clone(), len.clone());
    let appender = R::spawn(move || {
        let n = R::with(&m1, || R::get(&l1[0]));
        R::with(&m1, || {
            assert!(n <= R::get(&l1[0]), "stringbuffer: copy past the end")
        });
    });
    let eraser = R::spawn(move || R::with(&m, || R::set(&len[0], 0)));
    join_all::<R>(vec![appender, eraser]);
}

/// sync01: two consumers test the item count outside the lock and then take an item under
/// it; both can see the single item, and the count goes negative.
pub fn sync01<R: Rt>() {
    let m = Arc::new(R::lock());
    let num = ints::<R>(1, 1);
    let hs = (0..2)
        .map(|_| {
            let (m, num) = (m.clone(), num.clone());
            R::spawn(move || {
                if R::get(&num[0]) > 0 {
                    R::with(&m, || {
                        let n = R::get(&num[0]) - 1;
                        R::set(&num[0], n);
                        assert!(n >= 0, "sync01: took an item that was gone");
                    })
                }
            })
        })
        .collect();
    join_all::<R>(hs);
}

/// token_ring: four threads pass a token around a ring of variables (`x1 = (x3 + 1) % 4`,
/// `x2 = x1`, `x3 = x2`, `x4 = x3`); main asserts the ring ends consistent, which holds only
/// for some orders.
pub fn token_ring<R: Rt>() {
    let x = ints::<R>(4, 0);
    let steps: [(usize, usize, i64); 4] = [(2, 0, 1), (0, 1, 0), (1, 2, 0), (2, 3, 0)];
    let hs = steps
        .into_iter()
        .map(|(from, to, plus)| {
            let x = x.clone();
            R::spawn(move || R::set(&x[to], (R::get(&x[from]) + plus) % 4))
        })
        .collect();
    join_all::<R>(hs);
    let v: Vec<i64> = x.iter().map(|i| R::get(i)).collect();
    assert!(
        !(v[0] == v[1] && v[1] == v[2] && v[2] != v[3]),
        "token_ring: ring broken {v:?}"
    );
}

/// twostage: a writer sets `data1` under one lock and then `data2 = data1 + 1` under another;
/// a reader that sees `data1` set checks `data2` under the second lock, and fails when it
/// runs between the two stages.
pub fn twostage<R: Rt>() {
    let (m1, m2) = (Arc::new(R::lock()), Arc::new(R::lock()));
    let d = ints::<R>(2, 0);
    let (a1, a2, dw) = (m1.clone(), m2.clone(), d.clone());
    let writer = R::spawn(move || {
        R::with(&a1, || R::set(&dw[0], 1));
        R::with(&a2, || R::set(&dw[1], R::get(&dw[0]) + 1));
    });
    let reader = R::spawn(move || {
        let t1 = R::with(&m1, || R::get(&d[0]));
        if t1 != 0 {
            R::with(&m2, || {
                assert_eq!(R::get(&d[1]), t1 + 1, "twostage: second stage not done")
            });
        }
    });
    join_all::<R>(vec![writer, reader]);
}

/// wronglock_N: one thread increments `data` under lock A, N threads under lock B, each
/// asserting its own increment took: the A thread is not excluded.
pub fn wronglock<R: Rt, const N: usize>() {
    let (a, b) = (Arc::new(R::lock()), Arc::new(R::lock()));
    let d = ints::<R>(1, 0);
    let mut hs = Vec::new();
    let (a1, d1) = (a, d.clone());
    hs.push(R::spawn(move || {
        R::with(&a1, || {
            let x = R::get(&d1[0]);
            R::set(&d1[0], x + 1);
        })
    }));
    for _ in 0..N {
        let (b, d) = (b.clone(), d.clone());
        hs.push(R::spawn(move || {
            R::with(&b, || {
                let x = R::get(&d[0]);
                R::set(&d[0], x + 1);
                assert_eq!(R::get(&d[0]), x + 1, "wronglock: lost update");
            })
        }));
    }
    join_all::<R>(hs);
}
