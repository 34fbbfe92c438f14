// CLMDB: exposes the system LMDB (Debian liblmdb-dev) to Swift. Only VerdictStore imports it.
#include <lmdb.h>
