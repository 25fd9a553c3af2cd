#!/usr/bin/env python3
"""doccheck.py - the command table (relayctl help --json on stdin) against
the man page and the completions, both ways, option by option within each
command's own section.  Prints every mismatch; exits 1 if there is one.

usage: relayctl help --json | doccheck.py ROOT
"""
import json
import re
import sys

root = sys.argv[1]
table = json.load(sys.stdin)
commands = {c["name"]: c for c in table["commands"]}
glob = table["global"]
problems = []


def read(path):
    with open(root + "/" + path) as f:
        return f.read()


def opts_of(c):
    return {o["name"] for o in c["options"]}


def compare(doc, where, want, text, pattern):
    """every option in WANT appears in TEXT, and TEXT names no other"""
    found = {m if isinstance(m, str) else next(x for x in m if x)
             for m in re.findall(pattern, text)} - {"help"}
    for o in sorted(want - found):
        problems.append("%s: option '--%s' of %s is missing" % (doc, o, where))
    for o in sorted(found - want):
        problems.append("%s: option '--%s' in %s is not in the command table" % (doc, o, where))


def section(text, start, end):
    """TEXT from the first match of START to the next match of END"""
    m = re.search(start, text, re.M)
    if not m:
        return None
    nl = text.find("\n", m.end())
    rest = text[nl + 1:] if nl >= 0 else ""
    e = re.search(end, rest, re.M)
    return rest[:e.start()] if e else rest


shell_commands = {c["name"]: c for c in table.get("shell_commands", [])}


def shell_items(doc, sec):
    """check the shell's own commands (.It Ic NAME items) in SEC, the
    shell's section of the man page; return SEC without them"""
    items = re.split(r"^(?=\.It Ic |\.El)", sec, flags=re.M)
    seen, rest = set(), []
    for item in items:
        m = re.match(r"\.It Ic ([a-z-]+)((?: , [a-z-]+)*)", item)
        if not m:
            rest.append(item)
            continue
        for name in [m.group(1)] + re.findall(r"[a-z-]+", m.group(2)):
            seen.add(name)
            if name in shell_commands:
                compare(doc, "the shell's '%s'" % name, opts_of(shell_commands[name]), item,
                        r"Fl -([a-z][a-z0-9-]*)|, -([a-z][a-z0-9-]*)")
            elif name not in commands:
                problems.append("%s: the shell's command '%s' is not in its table" % (doc, name))
    for name in sorted(set(shell_commands) - seen):
        problems.append("%s: the shell's command '%s' is missing" % (doc, name))
    return "".join(rest)


def check(doc, text, cmd_start, cmd_end, opt_pat, global_text):
    for name, c in commands.items():
        sec = section(text, cmd_start % re.escape(name), cmd_end)
        if sec is None:
            problems.append("%s: command '%s' is missing" % (doc, name))
            continue
        if name == "shell" and doc.startswith("man/"):
            sec = shell_items(doc, sec)
        compare(doc, "'%s'" % name, opts_of(c), sec, opt_pat)
    compare(doc, "the global options", opts_of(glob), global_text, opt_pat)


man = read("man/relayctl.8")
check("man/relayctl.8", man, r"^\.It Cm %s\b", r"^\.It Cm |^\.Sh ", r"Fl -([a-z][a-z0-9-]*)",
      section(man, r"^\.Sh DESCRIPTION", r"^\.Sh ") or "")
for c in commands:
    if not re.search(r"^\.Cm %s$" % re.escape(c), man, re.M):
        problems.append("man/relayctl.8: command '%s' is not in the SYNOPSIS" % c)
for c in re.findall(r"^\.It Cm ([a-z-]+)", man, re.M):
    if c not in commands:
        problems.append("man/relayctl.8: command '%s' is not in the command table" % c)

bash = read("completions/relayctl.bash")
m = re.search(r'global_opts="([^"]*)"', bash)
# a command's branch ends at its own ";;" line; its `case $prev` ends
# lines with " ;;"
check("completions/relayctl.bash", bash, r"^\s*%s\)$", r"^\t\t;;$", r"--([a-z][a-z0-9-]*)", m.group(1) if m else "")
m = re.search(r'commands="([^"]*)"', bash)
if not m or set(m.group(1).split()) != set(commands):
    problems.append("completions/relayctl.bash: its commands differ from the table %s" % sorted(commands))

zsh = read("completions/_relayctl")
check("completions/_relayctl", zsh, r"^\s*%s\)", r";;", r"--([a-z][a-z0-9-]*)",
      section(zsh, r"_arguments -C", r"&& return") or "")
for c in commands:
    if not re.search(r"'%s:" % re.escape(c), zsh):
        problems.append("completions/_relayctl: command '%s' is not described" % c)

fish = read("completions/relayctl.fish")
for name, c in commands.items():
    lines = "\n".join(l for l in fish.splitlines()
                      if re.search(r"__relayctl_using %s[' ;]" % re.escape(name), l))
    if not re.search(r"-a %s\b" % re.escape(name), fish):
        problems.append("completions/relayctl.fish: command '%s' is missing" % name)
    compare("completions/relayctl.fish", "'%s'" % name, opts_of(c), lines, r"-l ([a-z][a-z0-9-]*)")
top = "-n '__relayctl_none'"
glines = "\n".join(l for l in fish.splitlines() if top in l)
compare("completions/relayctl.fish", "the global options", opts_of(glob), glines, r"-l ([a-z][a-z0-9-]*)")
listed = re.findall(re.escape(top) + r" -a ([a-z-]+) ", fish)
if set(listed) != set(commands):
    problems.append("completions/relayctl.fish: its commands differ from the table %s" % sorted(commands))

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
