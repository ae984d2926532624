"""Where the C library this package belongs to was installed.

``cmake --install`` writes this file into the copy it installs, with the
prefix's library directory. In the source tree (and a ``pip install`` of
it) there is none: LIBDIR is None and the library is looked up by name."""

#: Directory holding the library, or None.
LIBDIR = None
#: The library's file name there (its soname).
SONAME = "libjarvis_analytics.so.0"
