// CXXHash: exposes the system xxHash (Debian libxxhash-dev) to Swift: XXH3-64 for counter keys,
// list membership filters and rollout buckets.
#include <xxhash.h>
