#!/usr/bin/env python3
"""Check that every example in README.md prints what the README says.

Each ```console block holds commands `$ pathgrad ARGS` followed by their
expected standard output.  Run from the repository root:
    python3 tests/readme_check.py PATHGRAD-BINARY
Prints one line per failure and `readme: P passed, F failed`.
"""
import shlex
import subprocess
import sys


def examples(text):
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```console":
            i += 1
            cmd, out = None, []
            while i < len(lines) and lines[i].strip() != "```":
                if lines[i].startswith("$ "):
                    if cmd is not None:
                        yield cmd, out
                    cmd, out = lines[i][2:], []
                else:
                    out.append(lines[i])
                i += 1
            if cmd is not None:
                yield cmd, out
        i += 1


def main():
    binary = sys.argv[1]
    passed = failed = 0
    with open("README.md", encoding="utf-8") as f:
        text = f.read()
    for cmd, out in examples(text):
        argv = shlex.split(cmd)
        if argv[0] != "pathgrad":
            continue
        proc = subprocess.run([binary] + argv[1:], capture_output=True, text=True)
        want = "\n".join(out).rstrip("\n") + "\n"
        if proc.returncode == 0 and proc.stdout == want:
            passed += 1
        else:
            failed += 1
            print(f"FAIL README example `{cmd}`: exit {proc.returncode}")
            for line in proc.stdout.splitlines()[:6]:
                print("    got  " + line)
            for line in want.splitlines()[:6]:
                print("    want " + line)
    if passed == 0:
        failed += 1
        print("FAIL README: no examples found")
    print(f"readme: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
