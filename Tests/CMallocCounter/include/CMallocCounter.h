// CMallocCounter: counts heap allocations made by the calling thread, for the tests that prove
// the VM's hot path allocates nothing after warm-up. malloc and friends are interposed (defined
// in the test executable, forwarding to glibc's __libc_* entry points); counting is off unless the
// calling thread turned it on, so other threads and other tests are unaffected.
#pragma once

/// Starts counting allocations made by this thread (resets the count).
void vd_malloc_counter_start(void);
/// Stops counting and returns the number of malloc/calloc/realloc/memalign calls since start.
long vd_malloc_counter_stop(void);
