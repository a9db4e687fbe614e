#!/usr/bin/env python3
"""Checks every '#include "folder/..."' under src/ against src/layers.txt.

  check_includes.py SRC                       exit 1 and list each wrong-way include
  check_includes.py --plant FILE LINE SRC     copy SRC, add LINE to FILE, exit 0
                                              only if the check then fails on it

A quoted include without a folder ("records.h") is the folder's own or a
generated header and is not an arrow. A folder under src/ that the arrows do
not declare is itself an error, so a new layer cannot skip the file.
"""
import os
import re
import shutil
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]*"')
SOURCE_SUFFIXES = (".c", ".cpp", ".h", ".hpp")


def read_arrows(path):
    arrows = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if ":" not in line:
                raise SystemExit(f"{path}:{n}: expected 'folder: folders...'")
            name, deps = line.split(":", 1)
            arrows[name.strip()] = deps.split()
    for name, deps in arrows.items():
        for d in deps:
            if d not in arrows:
                raise SystemExit(f"{path}: {name} -> {d}: {d} is not declared")
    return arrows


def closure(arrows):
    """Each folder's allowed set: its own name and everything reachable."""
    allowed = {}

    def visit(name, stack):
        if name in allowed:
            return allowed[name]
        if name in stack:
            raise SystemExit("layers.txt: cycle through " + " -> ".join(stack + [name]))
        reach = {name}
        for d in arrows[name]:
            reach |= visit(d, stack + [name])
        allowed[name] = reach
        return reach

    for name in arrows:
        visit(name, [])
    return allowed


def violations(src):
    arrows = read_arrows(os.path.join(src, "layers.txt"))
    allowed = closure(arrows)
    found = []
    for folder in sorted(os.listdir(src)):
        top = os.path.join(src, folder)
        if not os.path.isdir(top):
            continue
        if folder not in arrows:
            found.append(f"src/{folder}/: a folder layers.txt does not declare")
            continue
        for root, _, files in os.walk(top):
            for name in sorted(files):
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                path = os.path.join(root, name)
                rel = os.path.relpath(path, src)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for n, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = m.group(1)
                        if target not in arrows:
                            found.append(f"src/{rel}:{n}: includes {target}/, which is not a src/ folder")
                        elif target not in allowed[folder]:
                            found.append(f"src/{rel}:{n}: {folder} -> {target} is not an arrow in layers.txt")
    return found


def check(src):
    found = violations(src)
    for v in found:
        print(v)
    if found:
        print(f"{len(found)} wrong-way include(s)")
        return 1
    print("every include follows src/layers.txt")
    return 0


def plant(file, line, src):
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "src")
        shutil.copytree(src, copy)
        with open(os.path.join(copy, file), "a", encoding="utf-8") as f:
            f.write(line + "\n")
        found = violations(copy)
    print("\n".join(found))
    hit = [v for v in found if v.startswith(f"src/{file}:")]
    if not hit:
        print(f"planted '{line}' in {file} was not caught")
        return 1
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) == 4 and args[0] == "--plant":
        sys.exit(plant(args[1], args[2], args[3]))
    if len(args) == 1:
        sys.exit(check(args[0]))
    sys.exit(__doc__)
