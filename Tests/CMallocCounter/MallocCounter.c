// Interposes the glibc allocation entry points for the whole test process and counts the calls
// made by a thread between vd_malloc_counter_start and vd_malloc_counter_stop. Forwarding goes to
// glibc's exported __libc_* functions, so no dlsym (which itself may allocate) is needed.
#include "CMallocCounter.h"
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static __thread int counting;
static __thread long count;

void vd_malloc_counter_start(void) { count = 0; counting = 1; }
long vd_malloc_counter_stop(void) { counting = 0; return count; }

void *malloc(size_t n) { if (counting) count++; return __libc_malloc(n); }
void *calloc(size_t n, size_t m) { if (counting) count++; return __libc_calloc(n, m); }
void *realloc(void *p, size_t n) { if (counting) count++; return __libc_realloc(p, n); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t a, size_t n) { if (counting) count++; return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { if (counting) count++; return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
  if (counting) count++;
  void *p = __libc_memalign(a, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
