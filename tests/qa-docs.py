#!/usr/bin/env python3
# Are mesh --help, mesh(8), mesh-netconfig(5) and the bash completion true to
# the code? Independent QA check, run by tests/qa-docs.sh:
#
#   qa-docs.py MESH TOP_SRCDIR
#
# - every command `mesh --help` lists has a SYNOPSIS line and an entry in
#   mesh(8), and every command mesh(8) describes is in `mesh --help`;
# - every word of a command's usage (`mesh help CMD`: keywords, options)
#   appears in that command's mesh(8) entry, and the entry's keywords are
#   in the usage;
# - every environment variable the code reads (getenv) is in mesh(8)'s
#   ENVIRONMENT, and every variable documented there is read;
# - every key `mesh show --json` writes (src/cli/showfmt.c) and `mesh lookup
#   --json` (src/cli/cmd-lookup.c) is documented, and
#   so are the NAT kinds, port mapping states and member drop reasons;
# - every directive of the netconfig parser has an entry in
#   mesh-netconfig(5) and the other way round;
# - the bash completion knows every command and every `up`, `show` and
#   `genkey` keyword.
import glob
import os
import re
import subprocess
import sys

mesh, top = sys.argv[1], sys.argv[2]
errors = []


def bad(msg):
    errors.append(msg)


def read(path):
    with open(os.path.join(top, path), encoding="utf-8") as f:
        return f.read()


def run(*args):
    p = subprocess.run([mesh] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    return p.returncode, p.stdout


man8 = read("man/mesh.8")
man5 = read("man/mesh-netconfig.5")
src = {p: read(os.path.relpath(p, top))
       for p in glob.glob(os.path.join(top, "src", "*", "*.c"))}
allsrc = "\n".join(src.values())

# --- commands ---
rc, out = run("--help")
if rc != 0:
    bad("mesh --help exits %d" % rc)
cmds = re.findall(r"^  ([a-z]+) ", out, re.M)
if len(cmds) < 5:
    bad("mesh --help lists only %r" % cmds)

synopsis = man8.split(".Sh SYNOPSIS", 1)[1].split(".Sh DESCRIPTION", 1)[0]
desc = man8.split(".Sh DESCRIPTION", 1)[1].split(".Ss", 1)[0]
# entries of the command list: ".It Cm NAME ..." up to the next .It Cm
entries = {}
for m in re.finditer(r"^\.It Cm ([a-z]+)(.*?)(?=^\.It Cm |^\.It Fl |\Z)",
                     desc, re.M | re.S):
    entries.setdefault(m.group(1), ".It Cm " + m.group(1) + m.group(2))
syn_cmds = set(re.findall(r"^\.Nm\n\.Cm ([a-z]+)", synopsis, re.M))
for c in cmds:
    if c not in syn_cmds:
        bad("mesh(8) SYNOPSIS lacks command %s" % c)
    if c not in entries:
        bad("mesh(8) has no entry for command %s" % c)
for c in set(entries) | syn_cmds:
    if c not in cmds:
        bad("mesh(8) documents command %s, which mesh --help lacks" % c)
for opt in ("--help", "--version"):
    if "Fl " + opt[1:] not in man8:
        bad("mesh(8) does not document %s" % opt)
    if run(opt)[0] != 0:
        bad("mesh %s fails" % opt)

# usage words against the man entry
for c in cmds:
    rc, u = run("help", c)
    m = re.match(r"usage: mesh %s(.*)\n" % c, u)
    if rc != 0 or m is None:
        bad("mesh help %s: %r" % (c, u))
        continue
    usage = m.group(1).split("<", 1)[0]	# "< private-key": standard input
    words = set(re.findall(r"(?<![A-Za-z-])(-?-?[a-z][a-z-]*)", usage))
    entry = entries.get(c, "")
    ewords = set(re.findall(r"(?:Cm|Fl|Ar) (-?[a-z][a-z-]*)", entry))
    ewords |= {"-" + w for w in re.findall(r"Fl (-?[a-z-]+)", entry)}
    etext = entry
    for w in words:
        # "Fl -json" in mdoc renders --json; "Fl f" renders -f
        if w.startswith("-"):
            if "Fl " + w[1:] not in etext:
                bad("mesh(8) %s entry lacks option %s of the usage" % (c, w))
        elif not re.search(r"^\.(?:It|Cm|Ar|Op|Oo|Pf)\b.*\b%s\b" %
                           re.escape(w), etext, re.M):
            bad("mesh(8) %s entry lacks %r of the usage %r" % (c, w, usage))
    for w in re.findall(r"Cm ([a-z][a-z-]*)", entry):
        if w == c or w in cmds:		# another command named in passing
            continue
        if w not in usage:
            bad("mesh(8) %s entry has keyword %s, not in the usage %r" %
                (c, w, usage))

# --- environment ---
env_code = set(re.findall(r'getenv\("([A-Z_]+)"\)', allsrc))
for m in re.finditer(r"#define\s+(\w+)\s+\"([A-Z_]+)\"", allsrc +
                     "\n".join(read(os.path.relpath(p, top)) for p in
                               glob.glob(os.path.join(top, "src", "*", "*.h")))):
    if re.search(r"getenv\(%s\)" % m.group(1), allsrc):
        env_code.add(m.group(2))
envsec = man8.split(".Sh ENVIRONMENT", 1)[1].split(".Sh ", 1)[0]
env_man = set(re.findall(r"Ev ([A-Z_]+)", envsec))
for e in sorted(env_code):
    if e == "TERM":
        if "TERM" not in man8:
            bad("mesh(8) does not say how TERM is used")
    elif e not in env_man:
        bad("mesh(8) ENVIRONMENT lacks %s, which the code reads" % e)
for e in sorted(env_man - env_code):
    bad("mesh(8) ENVIRONMENT documents %s, which no code reads" % e)

# --- mesh show ---
showfmt = src[os.path.join(top, "src", "cli", "showfmt.c")]
jsonpart = showfmt.split("/* --- JSON --- */", 1)[1].split("/* --- dump", 1)[0]
# (a signed netconfig's keys are written by showfmt-nc.c)
jsonpart += src.get(os.path.join(top, "src", "cli", "showfmt-nc.c"), "")
keys = set(re.findall(r'json_k(?:str|num|time)\(f, [^,]+, "([a-z_0-9]+)"',
                      jsonpart))
keys |= set(re.findall(r'\\"([a-z_0-9]+)\\": ', jsonpart))
if len(keys) < 30:
    bad("found only %d JSON keys in showfmt.c: %s" % (len(keys), keys))
# mesh lookup --json's keys (src/cli/cmd-lookup.c), documented the same way
lookupsrc = src[os.path.join(top, "src", "cli", "cmd-lookup.c")]
lkeys = set(re.findall(r'\\"([a-z_0-9]+)\\":', lookupsrc))
if len(lkeys) < 8:
    bad("found only %d JSON keys in cmd-lookup.c: %s" % (len(lkeys), lkeys))
keys |= lkeys
for k in sorted(keys):
    if ".Qq %s" % k not in man8:
        bad("mesh(8) does not document the JSON key %r" % k)
documented = set(re.findall(r"^\.Qq ([a-z_0-9]+)", man8, re.M))
for k in sorted(documented - keys - {"peers", "dht", "interfaces",
                                     "version"}):
    bad("mesh(8) documents JSON key %r, which show --json lacks" % k)
for word in set(re.findall(r'util_strlcpy\(ci->(?:nat|portmap), "([a-z-]+)"',
                           allsrc)) | {"off"}:
    if ".Dq %s" % word not in man8:
        bad("mesh(8) does not list the show value %r" % word)
peer_c = src[os.path.join(top, "src", "datapath", "peer.c")]
m = re.search(r"peer_drop_name.*?\{(.*?)\};", peer_c, re.S)
for word in re.findall(r'"([a-z_]+)"', m.group(1) if m else ""):
    if ".Dq %s" % word not in man8:
        bad("mesh(8) does not list the member drop reason %r" % word)

# --- netconfig directives ---
netconf = src[os.path.join(top, "src", "netconf", "netconf.c")]
table = netconf.split("directives[] = {", 1)[1].split("};", 1)[0]
dirs = set(re.findall(r'\{ "([a-z]+)",', table))
man_dirs = set(re.findall(r"^\.It Ic ([a-z]+)",
                          man5.split(".Sh DIRECTIVES", 1)[1].split(".Sh", 1)[0],
                          re.M))
for d in sorted(dirs - man_dirs):
    bad("mesh-netconfig(5) lacks directive %s" % d)
for d in sorted(man_dirs - dirs):
    bad("mesh-netconfig(5) documents directive %s, unknown to the parser" % d)

# --- bash completion ---
comp = read("config/bash-completion/mesh")
cm = re.search(r'local commands="([^"]*)"', comp)
ccmds = set(cm.group(1).split()) if cm else set()
for c in cmds:
    if c not in ccmds:
        bad("bash completion lacks command %s" % c)
for c in ccmds - set(cmds):
    bad("bash completion offers command %s, unknown to mesh" % c)
for w in ("private-key", "interface", "listen-port", "--json", "--dump",
          "peers", "dht", "workbit", "namespace", "interfaces"):
    if w not in comp:
        bad("bash completion lacks %s" % w)

for e in errors:
    print("FAIL:", e)
print("%d commands, %d variables, %d JSON keys, %d directives checked" %
      (len(cmds), len(env_code), len(keys), len(dirs)))
sys.exit(1 if errors else 0)
