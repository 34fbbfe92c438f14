// Fork detection for LMDB handles. LMDB forbids using an environment opened before `fork()` in
// the child. A `pthread_atfork` child handler bumps a process-wide generation counter; every
// environment remembers the generation it was opened in and refuses work when it differs. This
// costs one relaxed atomic load per read transaction, instead of a getpid() system call.
import Glibc
import Synchronization

/// The process's fork generation: 0 in the original process, +1 in each forked child.
let lmdbForkGenerationCounter = Atomic<Int>(0)

/// Registers the child handler once per process (idempotent; safe from any thread).
let lmdbForkHandlerInstalled: Bool = {
    pthread_atfork(nil, nil, { lmdbForkGenerationCounter.add(1, ordering: .relaxed) }) == 0
}()

/// The current fork generation, installing the handler on first use.
@inline(__always)
func lmdbCurrentForkGeneration() -> Int {
    _ = lmdbForkHandlerInstalled
    return lmdbForkGenerationCounter.load(ordering: .relaxed)
}
