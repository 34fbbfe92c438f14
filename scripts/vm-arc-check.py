#!/usr/bin/env python3
"""Checks that the VM's interpreter loop does no reference counting (`make vm-arc-check`).

Disassembles the release objects of VerdictVM, starts at the interpreter loop (`verdict_vm_run`)
and follows every call into functions defined in the module. Fails if any reachable function
calls swift_retain/swift_release (or their bridge/unknown variants), allocates a Swift object, or
begins a dynamic exclusivity access. The string-building opcodes (StringBuilder, Conversions in
StringOps.swift) are out-of-line by design and excluded: they are rare in rules and may build
Swift strings; the reference ruleset never reaches them.
    scripts/vm-arc-check.py [.build/release/VerdictVM.build]
"""
import glob, re, subprocess, sys

build = sys.argv[1] if len(sys.argv) > 1 else ".build/release/VerdictVM.build"
objects = sorted(glob.glob(f"{build}/*.o"))
if not objects:
    sys.exit(f"vm-arc-check: no objects in {build} (run `swift build -c release --target VerdictVM`)")
FORBIDDEN = re.compile(r"^(swift_(unknownObject|bridgeObject|nonatomic_)?(retain|release)\w*|swift_allocObject|swift_beginAccess)$")
EXCLUDED = ("StringBuilder", "Conversions")

calls = {}      # function -> set of called symbols
for obj in objects:
    out = subprocess.run(["objdump", "-dr", "--no-show-raw-insn", obj], capture_output=True, text=True, check=True).stdout
    fn = None
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m:
            fn = m.group(1)
            calls.setdefault(fn, set())
            continue
        m = re.search(r"R_X86_64_(?:PLT32|PC32|GOTPCREL\w*)\s+([^\s+-]+)", line)
        if fn and m:
            calls[fn].add(m.group(1))

root = "verdict_vm_run"
if root not in calls:
    sys.exit("vm-arc-check: verdict_vm_run not found")
demangled = {}
def readable(sym):
    if sym not in demangled:
        demangled[sym] = subprocess.run(["swift", "demangle", "--simplified", "--compact", sym],
                                        capture_output=True, text=True).stdout.strip() or sym
    return demangled[sym]

seen, stack, bad = {root}, [root], []
while stack:
    fn = stack.pop()
    for callee in calls.get(fn, ()):
        if FORBIDDEN.match(callee):
            bad.append((readable(fn), callee))
        elif callee in calls and callee not in seen and not any(x in readable(callee) for x in EXCLUDED):
            seen.add(callee)
            stack.append(callee)
print(f"vm-arc-check: {len(seen)} functions reachable from the interpreter loop")
for fn in sorted(readable(f) for f in seen):
    print("  ", fn)
if bad:
    for fn, callee in bad:
        print(f"FAIL: {fn} calls {callee}")
    sys.exit(1)
print("vm-arc-check: OK, no retain/release/allocation/exclusivity check in the interpreter loop")
