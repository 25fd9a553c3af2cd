#!/usr/bin/env python3
"""doccheck.py - the command table (relayctl help --json on stdin) against
the man page and the completions, both ways.  Prints every mismatch and
exits 1 if there is one.

usage: relayctl help --json | doccheck.py ROOT
"""
import json
import re
import sys

root = sys.argv[1]
table = json.load(sys.stdin)
commands = {c["name"]: c for c in table["commands"]}
options = {"help"}  # --help exists for everything
for c in table["commands"] + [table["global"]]:
    options.update(o["name"] for o in c["options"])

problems = []


def read(path):
    with open(root + "/" + path) as f:
        return f.read()


def check(name, text, cmd_pat, opt_pat, found_opts):
    for c in commands:
        if not re.search(cmd_pat % re.escape(c), text, re.M):
            problems.append("%s: command '%s' is missing" % (name, c))
    for c in table["commands"] + [table["global"]]:
        for o in c["options"]:
            if not re.search(opt_pat % re.escape(o["name"]), text, re.M):
                problems.append("%s: option '--%s' (%s) is missing" % (name, o["name"], c["name"]))
    for o in sorted(set(found_opts) - options):
        problems.append("%s: option '--%s' is not in the command table" % (name, o))


man = read("man/relayctl.8")
check("man/relayctl.8", man, r"^\.It Cm %s\b", r"Fl -%s\b", re.findall(r"Fl -([a-z][a-z0-9-]*)", man))
# Every command in the SYNOPSIS, too.
for c in commands:
    if not re.search(r"^\.Cm %s$" % re.escape(c), man, re.M):
        problems.append("man/relayctl.8: command '%s' is not in the SYNOPSIS" % c)
# ...and every command of the man page is in the table.
for c in re.findall(r"^\.It Cm ([a-z-]+)", man, re.M):
    if c not in commands:
        problems.append("man/relayctl.8: command '%s' is not in the command table" % c)

bash = read("completions/relayctl.bash")
check("completions/relayctl.bash", bash, r"commands=\"[^\"]*\b%s\b", r"--%s\b",
      re.findall(r"--([a-z][a-z0-9-]*)", bash))
m = re.search(r'commands="([^"]*)"', bash)
if m and set(m.group(1).split()) != set(commands):
    problems.append("completions/relayctl.bash: commands %s != table %s" % (sorted(m.group(1).split()), sorted(commands)))

zsh = read("completions/_relayctl")
check("completions/_relayctl", zsh, r"'%s:", r"--%s\b", re.findall(r"--([a-z][a-z0-9-]*)", zsh))

fish = read("completions/relayctl.fish")
check("completions/relayctl.fish", fish, r"-a %s\b", r"-l %s\b", re.findall(r"(?<!set )-l ([a-z][a-z0-9-]*)", fish))
m = re.search(r"set -l commands (.*)", fish)
if m and set(m.group(1).split()) != set(commands):
    problems.append("completions/relayctl.fish: commands %s != table %s" % (sorted(m.group(1).split()), sorted(commands)))

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
