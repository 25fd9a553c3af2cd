#!/usr/bin/env python3
"""untouched.py - check that a main.cf edit kept every line it did not own.

usage: untouched.py OLD NEW NAME...

NAME... are the parameters the edit set.  The lines of OLD that do not
belong to the last assignment of one of them (its first line and its
continuation lines; comment and blank lines inside stay) must appear in
NEW byte for byte and in order, and NEW may add only "NAME = value" lines
for those names.  Prints what breaks the rule; exits 1 if anything does.
"""
import sys

old = open(sys.argv[1], "rb").read().split(b"\n")
new = open(sys.argv[2], "rb").read().split(b"\n")
names = {n.encode() for n in sys.argv[3:]}


def kind(line):
    s = line.lstrip(b" \t\r\v\f")
    if not s or s.startswith(b"#"):
        return 0
    return 1 if s == line else 2


def owned(lines):
    """indexes of the lines of the last assignment of each name"""
    last = {}
    cur = None
    for i, l in enumerate(lines):
        k = kind(l)
        if k == 1:
            name = l.split(b"=", 1)[0].strip()
            cur = name
            last[name] = [i]
        elif k == 2 and cur is not None:
            last[cur].append(i)
    return {i for n in names if n in last for i in last[n]}


keep_old = [l for i, l in enumerate(old) if i not in owned(old)]
keep_new = [l for i, l in enumerate(new) if i not in owned(new)]
# Appending to a file without a final line end adds that one line end.
if old[-1:] != [b""] and keep_new[-1:] == [b""] and keep_new[:-1] == keep_old:
    keep_new = keep_new[:-1]
bad = 0
if keep_old != keep_new:
    import difflib
    for d in difflib.unified_diff([l.decode("latin-1") for l in keep_old],
                                  [l.decode("latin-1") for l in keep_new], lineterm=""):
        print(d)
    bad = 1
for i in owned(new):
    l = new[i]
    if kind(l) == 1 and l.split(b"=", 1)[0].strip() not in names:
        print("unexpected line in the new file: %r" % l)
        bad = 1
sys.exit(bad)
