"""python_sitedir.py PREFIX — print where a pure-Python package goes under
PREFIX, relative to it, so that this interpreter finds it there. Run by
`cmake --install` (the Python package's install rule) for the prefix given
at install time.

First match wins:
1. PREFIX is /usr on a Debian system: lib/python3/dist-packages, where
   Debian's packages put them;
2. a site directory this interpreter searches that lies under PREFIX (the
   shortest): ~/.local gives the user site, /usr/local on Debian
   lib/python3.X/dist-packages;
3. the interpreter's purelib for a prefix install (lib/python3.X/site-packages):
   not searched by default, PYTHONPATH has to name it.
"""
import os
import site
import sys
import sysconfig


def main():
    prefix = os.path.realpath(sys.argv[1])
    if prefix == "/usr" and os.path.isdir("/usr/lib/python3/dist-packages"):
        return "lib/python3/dist-packages"
    found = []
    for path in sys.path + [site.getusersitepackages()]:
        real = os.path.realpath(path)
        if os.path.basename(real) in ("site-packages", "dist-packages") and \
                real.startswith(prefix.rstrip("/") + "/"):
            found.append(os.path.relpath(real, prefix))
    if found:
        return min(found, key=len)
    purelib = sysconfig.get_path("purelib", "posix_prefix", vars={"base": prefix, "platbase": prefix})
    return os.path.relpath(purelib, prefix)


if __name__ == "__main__":
    print(main())
