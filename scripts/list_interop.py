#!/usr/bin/env python3
"""python-lmdb side of Verdict's list interop, concurrency and crash tests (Tests/VerdictStoreTests).

Writes lists the way an external tool would, following docs/lists.md: the metadata database
`verdict.lists` maps a list name to its kind; `string ci` keys are stored ASCII-lower-cased; ip
keys are family (4|6) + big-endian network address + prefix length; entry values are empty or
"\\0VL\\x01" + added_at (i64 LE) + expires_at (i64 LE) + reason.

  list_interop.py write DIR            a few entries of every kind
  list_interop.py read DIR LIST        print the keys of LIST as hex, one per line
  list_interop.py churn DIR SECONDS    writer for the concurrency test (see churn())
  list_interop.py crash DIR            writes batches forever while holding a read txn (kill -9 it)
"""
import ipaddress
import struct
import sys
import time

import lmdb


def open_env(path):
    return lmdb.open(path, max_dbs=16, map_size=1 << 30)


def meta_value(reason=b"", added_at=0, expires_at=0):
    return b"\0VL\x01" + struct.pack("<qq", added_at, expires_at) + reason


def ip_key(text):
    n = ipaddress.ip_network(text, strict=False)
    return bytes([n.version]) + n.network_address.packed + bytes([n.prefixlen])


def declare(env, txn, name, kind):
    txn.put(name.encode(), kind.encode(), db=env.open_db(b"verdict.lists", txn=txn))
    return env.open_db(name.encode(), txn=txn)


def write(path):
    env = open_env(path)
    with env.begin(write=True) as txn:
        db = declare(env, txn, "emails", "string ci")
        txn.put(b"fraud@example.com", b"", db=db)
        txn.put(b"mule@example.org", meta_value(b"mule account", 1700000000, 0), db=db)
        db = declare(env, txn, "nets", "ip")
        txn.put(ip_key("10.0.0.0/8"), b"", db=db)
        txn.put(ip_key("2a03:1:2::/48"), meta_value(b"hosting range"), db=db)
        db = declare(env, txn, "bins", "prefix")
        txn.put(b"4111", b"1", db=db)


def read(path, name):
    env = open_env(path)
    with env.begin() as txn:
        for key, _ in txn.cursor(db=env.open_db(name.encode(), txn=txn, create=False)):
            print(key.hex())


def churn(path, seconds):
    """Commit n = 1, 2, ...: add e-n to `names` and 10.(n>>8).(n&255).0/24 to `nets`, delete the
    entries of n-3, and set `progress`/latest's reason to n, all in one transaction."""
    env = open_env(path)
    with env.begin(write=True) as txn:
        names, nets, progress = (declare(env, txn, n, k) for n, k in (("names", "string"), ("nets", "ip"), ("progress", "string")))
    end, n = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        n += 1
        with env.begin(write=True) as txn:
            txn.put(b"e-%d" % n, b"", db=names)
            txn.put(ip_key("10.%d.%d.0/24" % ((n >> 8) & 255, n & 255)), b"", db=nets)
            if n > 3:
                txn.delete(b"e-%d" % (n - 3), db=names)
                txn.delete(ip_key("10.%d.%d.0/24" % (((n - 3) >> 8) & 255, (n - 3) & 255)), db=nets)
            txn.put(b"latest", meta_value(str(n).encode()), db=progress)
        time.sleep(0.002)
    print(n)


def crash(path):
    """Batch k writes 1000 entries b-k-i and sets latest=k in one transaction, forever."""
    env = open_env(path)
    with env.begin(write=True) as txn:
        db, progress = declare(env, txn, "batches", "string"), declare(env, txn, "progress", "string")
    reader = env.begin()  # a read slot left behind by the crash
    k = 0
    while True:
        k += 1
        with env.begin(write=True) as txn:
            for i in range(1000):
                txn.put(b"b-%d-%d" % (k, i), b"", db=db)
            txn.put(b"latest", meta_value(str(k).encode()), db=progress)
        if k == 3:
            print("ready", flush=True)
    del reader


if __name__ == "__main__":
    {"write": lambda: write(sys.argv[2]), "read": lambda: read(sys.argv[2], sys.argv[3]),
     "churn": lambda: churn(sys.argv[2], float(sys.argv[3])), "crash": lambda: crash(sys.argv[2])}[sys.argv[1]]()
