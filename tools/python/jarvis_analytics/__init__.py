"""jarvis_analytics — a small ctypes binding of libjarvis_analytics.so.

The OpenJarvis Python backend uses this module to queue analytics events in
the local store (``$OPENJARVIS_HOME/analytics_queue.db``) through the C
library, so Python, the CLI and ``install.sh`` share one implementation of
opt-out, redaction, the catalog and the queue. Standard library only.

Example::

    import jarvis_analytics as ja

    with ja.Store() as store:                 # $OPENJARVIS_HOME, else ~/.openjarvis
        out = store.capture("app_opened", {"version": "0.4.0", "platform": "cli"})
        out.result, out.uuid                  # "stored", "0190…" (or "dropped"/"disabled")
        store.capture_quiet("feature_used", {"feature_name": "chat"})  # never raises
    ja.hash_id("qwen3.5:2b")                  # "c3bf38422d0f42e3"

Finding the library (first match wins, once per process):

1. ``$JARVIS_ANALYTICS_LIB`` — a path or a name for ``ctypes.CDLL``; when it
   is set nothing else is tried;
2. the library this package was installed with: ``cmake --install`` records
   its directory in ``_paths.py`` (no variable to set);
3. the library's soname, ``libjarvis_analytics.so.0``, as the dynamic linker
   finds it (LD_LIBRARY_PATH, the ldconfig cache);
4. ``ctypes.util.find_library("jarvis_analytics")``;
5. ``libjarvis_analytics.so`` in this package's directory.

Errors. A call that fails raises :class:`JarvisAnalyticsError` carrying the
``ja_status`` code (``.status``), its short name from ``ja_status_str()``
(``.name``, e.g. ``"invalid input"``) and ``ja_last_error()`` (``.message``,
for people: test ``.status``, not the text). Analytics must never hurt the
host, so :meth:`Store.capture_quiet` never raises (it returns ``None`` when
the capture failed), and importing this module never loads the library:
that happens on first use. Policy outcomes are not errors: an unknown event,
a dropped property or analytics being off come back in an :class:`Outcome`.

Threads. One :class:`Store` may be shared by any number of threads. By
default a capture or session call never waits on the disk: the C library
filters the event on the calling thread and hands it to the store's writer
thread, which commits in groups; :meth:`Store.flush` waits until everything
accepted so far is on disk, and ``Store(sync=True)`` makes each call return
once its event is committed. ctypes releases the GIL for the duration of
every call. ``ja_last_error()`` is per OS thread and is read right after the
failing call on the same thread, so concurrent errors never mix.
:meth:`Store.close` waits for calls in progress on other threads to return,
then flushes. At interpreter exit every open store is flushed (at most
``EXIT_FLUSH_MS`` each); a process killed before that loses at most what
its writers had not committed yet. Do not use a Store across ``fork()``: in
a forked child, stores opened by the parent are marked closed (their SQLite
connection and writer belong to the parent); open a new Store in the child.

Ownership (the C rules, handled here): strings passed in are borrowed for
the duration of a call; the JSON text ``ja_report_json()`` hands out is
copied into Python and released with ``ja_free()`` at once; fixed buffers
(``uuid``, ``anon_id``, ``hash_id``) are allocated by this module;
``Outcome.reason`` and the ``enabled`` reason point to static strings in the
library and are copied before the next call.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import dataclasses
import enum
import json
import operator
import os
import re
import threading
import warnings
import weakref
from typing import Any, Mapping, Optional, Tuple, Union

from . import _paths

__all__ = [
    "Store", "Outcome", "JarvisAnalyticsError", "Status",
    "hash_id", "version", "status_str", "load_library", "library_path",
    "OPTIONS_VERSION", "OUTCOME_VERSION", "OPEN_NO_CREATE", "OPEN_SYNC", "PURGE_PENDING",
    "PURGE_SENT", "PURGE_DROPS",
    "RESULT_STORED", "RESULT_DROPPED", "RESULT_DISABLED",
]

# ----------------------------------------------------------- C constants

#: ``JA_OPTIONS_VERSION``: the ``ja_options`` layout mirrored below.
OPTIONS_VERSION = 3
#: ``JA_OUTCOME_VERSION``: the ``ja_outcome`` layout mirrored below.
OUTCOME_VERSION = 1
#: ``JA_OPEN_NO_CREATE``: open only what exists, create nothing.
OPEN_NO_CREATE = 1 << 0
#: ``JA_OPEN_SYNC``: a capture returns once it is committed (durable).
OPEN_SYNC = 1 << 1
#: ``JA_PURGE_*`` bits for ``ja_purge``.
PURGE_PENDING = 1 << 0
PURGE_SENT = 1 << 1
PURGE_DROPS = 1 << 2
#: ``ja_result`` values.
RESULT_STORED, RESULT_DROPPED, RESULT_DISABLED = 0, 1, 2
_RESULT_NAMES = {RESULT_STORED: "stored", RESULT_DROPPED: "dropped",
                 RESULT_DISABLED: "disabled"}


class Status(enum.IntEnum):
    """``ja_status``: 0 is success, errors are negative."""
    OK = 0
    EINVALID = -1
    ENOMEM = -2
    EIO = -3
    ECANTCREATE = -4
    ECONFIG = -5
    EBUSY = -6
    ECORRUPT = -7
    EVERSION = -8
    EUNSAFE = -9
    EINTERNAL = -10
    ETIMEOUT = -11


# ------------------------------------------------------- C struct mirrors

class _Options(ctypes.Structure):
    """``struct ja_options`` (JA_OPTIONS_VERSION 3), field for field."""
    _fields_ = [
        ("version", ctypes.c_uint),
        ("home", ctypes.c_char_p),
        ("busy_timeout_ms", ctypes.c_int),
        ("max_events", ctypes.c_int64),
        ("max_age_days", ctypes.c_int),
        ("flags", ctypes.c_uint),
        ("platform", ctypes.c_char_p),  # version 2
        ("buffer_max_events", ctypes.c_int),  # version 3
        ("buffer_max_bytes", ctypes.c_int64),
    ]


class _Outcome(ctypes.Structure):
    """``struct ja_outcome`` (JA_OUTCOME_VERSION 1), field for field
    (``ja_result`` is an int enum). The library writes only the fields of
    the ``version`` we set, so a newer library never writes past it."""
    _fields_ = [
        ("version", ctypes.c_uint),
        ("result", ctypes.c_int),
        ("uuid", ctypes.c_char * 37),
        ("dropped_props", ctypes.c_uint),
        ("reason", ctypes.c_char_p),
        ("property", ctypes.c_char * 65),
    ]


# ------------------------------------------------------------- the library

_lib: Optional[ctypes.CDLL] = None
_lib_path: Optional[str] = None
_lib_lock = threading.Lock()

_INT_MAX = 2 ** 31 - 1
_INT64_MAX = 2 ** 63 - 1


def _declare(lib: ctypes.CDLL) -> None:
    """argtypes / restype for every function used (ja_status is a C int)."""
    c_int, c_uint, c_void_p, c_char_p = ctypes.c_int, ctypes.c_uint, ctypes.c_void_p, ctypes.c_char_p
    P = ctypes.POINTER
    table = {
        "ja_options_init": ([P(_Options), c_uint], c_int),
        "ja_store_open": ([P(c_void_p), P(_Options)], c_int),
        "ja_store_close": ([c_void_p], None),
        "ja_store_enabled": ([c_void_p, P(c_char_p)], c_int),
        "ja_capture": ([c_void_p, c_char_p, c_char_p, P(_Outcome)], c_int),
        "ja_flush": ([c_void_p, c_int], c_int),
        "ja_anon_id": ([c_void_p, c_char_p], c_int),
        "ja_reset_id": ([c_void_p], c_int),
        "ja_hash_id": ([c_char_p, c_char_p], c_int),
        # char ** out as void **: we need the raw pointer to hand to ja_free.
        "ja_report_json": ([c_void_p, P(c_void_p)], c_int),
        "ja_purge": ([c_void_p, c_uint, P(ctypes.c_int64)], c_int),
        "ja_session_inference": ([c_void_p, c_char_p, ctypes.c_int64, ctypes.c_int64,
                                  ctypes.c_double, c_char_p, c_char_p, ctypes.c_int64], c_int),
        "ja_session_tool": ([c_void_p, c_char_p, c_char_p, ctypes.c_int64], c_int),
        "ja_session_error": ([c_void_p, c_char_p, ctypes.c_int64], c_int),
        "ja_session_end": ([c_void_p, c_char_p, ctypes.c_int64], c_int),
        "ja_rollup": ([c_void_p, ctypes.c_int64, P(ctypes.c_int64)], c_int),
        "ja_free": ([c_void_p], None),
        "ja_last_error": ([], c_char_p),
        "ja_status_str": ([c_int], c_char_p),
        "ja_version": ([], c_char_p),
    }
    for name, (argtypes, restype) in table.items():
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        fn.restype = restype


def _candidates() -> list:
    explicit = os.environ.get("JARVIS_ANALYTICS_LIB")
    if explicit:
        return [explicit]
    found = []
    if _paths.LIBDIR:
        found.append(os.path.join(_paths.LIBDIR, _paths.SONAME))
    found.append(_paths.SONAME)
    name = ctypes.util.find_library("jarvis_analytics")
    if name:
        found.append(name)
    here = os.path.dirname(os.path.abspath(__file__))
    found += [os.path.join(here, n) for n in ("libjarvis_analytics.so",
                                              "libjarvis_analytics.so.0",
                                              "libjarvis_analytics.dylib")]
    return found


def load_library(path: Optional[str] = None) -> ctypes.CDLL:
    """Load libjarvis_analytics once per process and return it.

    @path overrides the search (see the module docstring) on the first
    call; later calls return the library already loaded. Raises
    :class:`JarvisAnalyticsError` (status ``None``) when it cannot be loaded."""
    global _lib, _lib_path
    if _lib is not None:
        return _lib
    with _lib_lock:
        if _lib is not None:
            return _lib
        tried = []
        for cand in ([path] if path else _candidates()):
            try:
                lib = ctypes.CDLL(cand)
                _declare(lib)
            except (OSError, AttributeError) as e:
                tried.append("%s: %s" % (cand, e))
                continue
            _lib_path = cand
            _lib = lib
            return lib
        raise JarvisAnalyticsError(
            None, "library not found",
            "cannot load libjarvis_analytics (set JARVIS_ANALYTICS_LIB): " +
            ("; ".join(tried) or "no candidate"))


def library_path() -> Optional[str]:
    """The path (or name) the library was loaded from, or None if not yet."""
    return _lib_path


# ----------------------------------------------------------------- errors

class JarvisAnalyticsError(Exception):
    """A failed call.

    ``status``  the ``ja_status`` (a :class:`Status`), or None when the
                library itself could not be loaded;
    ``name``    ``ja_status_str(status)``, e.g. ``"invalid input"``;
    ``message`` ``ja_last_error()`` right after the call (for people);
    ``outcome`` for a capture dropped as ``busy`` (#JA_EBUSY), the
                :class:`Outcome` the library filled in, else None."""

    def __init__(self, status: Optional[int], name: str, message: str):
        if status in Status._value2member_map_:
            status = Status(status)
        super().__init__(status, name, message)
        self.status = status
        self.name = name
        self.message = message
        self.outcome: Optional[Outcome] = None

    def __str__(self) -> str:
        return "%s (%s)" % (self.message, self.name) if self.message else self.name


def status_str(status: int) -> str:
    """``ja_status_str``: the short static name of a status code."""
    return load_library().ja_status_str(int(status)).decode("utf-8", "replace")


def _fail(lib: ctypes.CDLL, status: int) -> JarvisAnalyticsError:
    """The error for @status, with ja_last_error() read first (it is only
    valid until the next call into the library on this thread)."""
    msg = (lib.ja_last_error() or b"").decode("utf-8", "replace")
    name = (lib.ja_status_str(status) or b"").decode("utf-8", "replace")
    return JarvisAnalyticsError(status, name, msg)


def _invalid(message: str) -> JarvisAnalyticsError:
    """An input this binding refuses before calling C (the C library would
    misread it, e.g. a string with a NUL inside, which C would truncate)."""
    return JarvisAnalyticsError(Status.EINVALID, status_str(Status.EINVALID), message)


# --------------------------------------------------------------- encoding

def _text_arg(value: Union[str, bytes], what: str) -> bytes:
    """UTF-8 bytes for a C string. Lone surrogates are passed through so
    the library's own UTF-8 check rejects them; a NUL would silently cut the
    string in C, so it is refused here."""
    if isinstance(value, str):
        raw = value.encode("utf-8", "surrogatepass")
    elif isinstance(value, (bytes, bytearray)):
        raw = bytes(value)
    else:
        raise _invalid("%s must be str or bytes, not %s" % (what, type(value).__name__))
    if b"\0" in raw:
        raise _invalid("%s contains a NUL character" % what)
    return raw


# A JSON string token, or a bare non-finite number as json.dumps writes it.
_NON_FINITE = re.compile(r'"(?:[^"\\]|\\.)*"|-?Infinity|NaN', re.S)


def _finite_literal(m: "re.Match[str]") -> str:
    tok = m.group(0)
    if tok[0] == '"':
        return tok
    return "-1e999" if tok[0] == "-" else "1e999"


def _props_arg(props: Union[Mapping[str, Any], str, bytes, None]) -> Optional[bytes]:
    """The props_json argument: None, raw JSON text (str/bytes), or any
    json-serialisable value (normally a dict) serialised with
    ``json.dumps(ensure_ascii=False, allow_nan=True)``.

    The library's JSON reader is strict and refuses the ``NaN`` /
    ``Infinity`` tokens Python writes, so they are rewritten to ``1e999`` /
    ``-1e999`` (JSON numbers that overflow to ±inf): the property then
    reaches the library's own ``not_finite`` rule and is dropped and counted
    like any other, instead of failing the whole event as malformed."""
    if props is None:
        return None
    if isinstance(props, (str, bytes, bytearray)):
        return _text_arg(props, "props")
    try:
        text = json.dumps(props, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError, RecursionError) as e:
        raise _invalid("properties are not JSON-serialisable: %s" % e) from None
    return _text_arg(_NON_FINITE.sub(_finite_literal, text), "props")


def _int64_arg(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid("%s must be an int" % what)
    if not -(1 << 63) <= value < (1 << 63):
        raise _invalid("%s is out of range" % what)
    return value


def _c_int_option(name: str, value: Optional[int], hi: int) -> int:
    """None → 0 ("the default"); negatives are left to the library."""
    if value is None:
        return 0
    try:
        v = operator.index(value)
    except TypeError:
        raise _invalid("%s must be an integer, not %s" % (name, type(value).__name__)) from None
    if not -hi - 1 <= v <= hi:
        raise _invalid("%s out of range: %d" % (name, v))
    return v


# ----------------------------------------------------------------- outcome

@dataclasses.dataclass(frozen=True)
class Outcome:
    """What happened to a captured event (``ja_outcome``).

    ``result``         "stored", "dropped" (unknown event, busy) or "disabled"
                       (analytics is off: nothing written)
    ``uuid``           UUID v7 of the stored event, else ""
    ``dropped_props``  how many properties were dropped by policy
    ``reason``         why the event was dropped, else why its first property
                       was ("pii", "unknown_property", "not_finite" …), else ""
    ``property``       the first dropped property when it is a catalog name,
                       else "" (unknown names are never echoed)"""
    result: str
    uuid: str
    dropped_props: int
    reason: str
    property: str

    @property
    def stored(self) -> bool:
        return self.result == "stored"


def _outcome(o: _Outcome) -> Outcome:
    return Outcome(
        result=_RESULT_NAMES.get(o.result, str(o.result)),
        uuid=o.uuid.decode("ascii", "replace"),
        dropped_props=int(o.dropped_props),
        reason=(o.reason or b"").decode("utf-8", "replace"),
        property=o.property.decode("utf-8", "replace"),
    )


# ------------------------------------------------------------------- store

_open_stores: "weakref.WeakSet[Store]" = weakref.WeakSet()

#: How long the flush of each open store at interpreter exit may take (ms).
EXIT_FLUSH_MS = 5000


def _after_fork_in_child() -> None:
    # The parent's SQLite connections must not be used (or closed) here.
    for s in list(_open_stores):
        s._forked()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _flush_at_exit() -> None:
    # The writer threads die with the process: what they still hold is
    # committed first. Never raises (analytics must not hurt the exit).
    for s in list(_open_stores):
        try:
            s.flush(EXIT_FLUSH_MS)
        except Exception:
            pass


atexit.register(_flush_at_exit)


class Store:
    """One analytics store (``ja_store``), opened with ``ja_store_open``.

    ``home``             store directory (str or path); default
                         ``$OPENJARVIS_HOME``, else ``$HOME/.openjarvis``
    ``busy_timeout_ms``  longest wait for the store lock (default 250)
    ``max_events``,      deprecated and ignored (a DeprecationWarning): the
    ``max_age_days``     caps are configuration of the store, ``[analytics]
                         max_events`` / ``max_age_days`` in config.toml, so
                         that every process opening it applies the same ones
    ``no_create``        ``JA_OPEN_NO_CREATE``: create no directory, database
                         or anon_id; reads work, captures fail (ECANTCREATE)
                         while there is no queue
    ``sync``             ``JA_OPEN_SYNC``: each capture and session call
                         returns once committed (durable), instead of once
                         handed to the writer thread

    None (or 0) means the library's default. Opening reads the environment
    (DO_NOT_TRACK …) and ``config.toml``; when analytics is off the store
    opens, creates nothing, and captures come back "disabled".

    Use it as a context manager, or call :meth:`close`. May be shared by
    threads (see the module docstring). Raises :class:`JarvisAnalyticsError`
    when the store cannot be opened."""

    def __init__(self, home: Union[str, "os.PathLike[str]", None] = None,
                 busy_timeout_ms: Optional[int] = None, max_events: Optional[int] = None,
                 max_age_days: Optional[int] = None, no_create: bool = False,
                 platform: Optional[str] = None, sync: bool = False):
        self._handle: Optional[int] = None
        self._cv = threading.Condition()
        self._active = 0
        self._closed = True
        self._why_closed = "the store is closed"
        lib = self._lib = load_library()

        opts = _Options()
        st = lib.ja_options_init(ctypes.byref(opts), OPTIONS_VERSION)
        if st != Status.OK:
            raise _fail(lib, st)
        home_b = None if home is None else _text_arg(os.fsencode(home), "home")
        opts.home = home_b  # kept alive by home_b until ja_store_open returns
        opts.busy_timeout_ms = _c_int_option("busy_timeout_ms", busy_timeout_ms, _INT_MAX)
        for name, value in (("max_events", max_events), ("max_age_days", max_age_days)):
            if value is not None:
                warnings.warn("Store(%s=...) is deprecated and ignored: the caps are set in "
                              "config.toml ([analytics] %s), which every process opening "
                              "the store reads" % (name, name), DeprecationWarning, stacklevel=2)
        opts.flags = (OPEN_NO_CREATE if no_create else 0) | (OPEN_SYNC if sync else 0)
        platform_b = None if platform is None else _text_arg(platform, "platform")
        opts.platform = platform_b  # first_chat_sent's PLATFORM; kept alive like home_b

        handle = ctypes.c_void_p()
        st = lib.ja_store_open(ctypes.byref(handle), ctypes.byref(opts))
        if st != Status.OK:
            raise _fail(lib, st)
        self._handle = handle.value
        self._closed = False
        _open_stores.add(self)

    # ---- lifetime

    @contextlib.contextmanager
    def _use(self):
        """The live handle for one call; close() waits for these to end."""
        with self._cv:
            if self._closed:
                raise _invalid(self._why_closed)
            self._active += 1
        try:
            yield self._handle
        finally:
            with self._cv:
                self._active -= 1
                if not self._active:
                    self._cv.notify_all()

    def close(self) -> None:
        """``ja_store_close``. Idempotent; waits for calls in progress on
        other threads, then commits what the writer still holds. Later
        calls raise (``capture_quiet`` returns None)."""
        with self._cv:
            if self._closed:
                return
            self._closed = True
            while self._active:
                self._cv.wait()
            handle, self._handle = self._handle, None
        _open_stores.discard(self)
        if handle:
            self._lib.ja_store_close(handle)

    def _forked(self) -> None:
        # In a forked child: drop the parent's handle without closing it.
        self._handle = None
        self._closed = True
        self._why_closed = "the store was opened before fork(); open a new Store"
        self._cv = threading.Condition()
        self._active = 0

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return "<jarvis_analytics.Store %s>" % ("closed" if self._closed else "open")

    # ---- calls

    @property
    def enabled(self) -> Tuple[bool, str]:
        """``ja_store_enabled``: (on, why it is off — "" when on)."""
        with self._use() as h:
            reason = ctypes.c_char_p()
            on = self._lib.ja_store_enabled(h, ctypes.byref(reason))
            why = (reason.value or b"").decode("utf-8", "replace")
        return bool(on), why

    def capture(self, event: Union[str, bytes],
                props: Union[Mapping[str, Any], str, bytes, None] = None) -> Outcome:
        """``ja_capture``: redact, validate and queue one event (durable once
        :meth:`flush` returns, or at once with ``sync=True``).

        @props is a dict (serialised with json.dumps), raw JSON text, or
        None. Returns an :class:`Outcome` — also when the event or some
        properties were dropped by policy or analytics is off. Raises
        :class:`JarvisAnalyticsError` for malformed input (``invalid input``:
        bad JSON, not an object, invalid UTF-8, a NUL …; nothing stored or
        counted) and for store failures (``store busy`` — the event was
        dropped and counted, ``.outcome`` says so —, ``cannot create`` …)."""
        ev = _text_arg(event, "event")
        pj = _props_arg(props)
        out = _Outcome(version=OUTCOME_VERSION)
        with self._use() as h:
            st = self._lib.ja_capture(h, ev, pj, ctypes.byref(out))
            if st != Status.OK:
                err = _fail(self._lib, st)
                if out.result == RESULT_DROPPED:
                    err.outcome = _outcome(out)
                raise err
        return _outcome(out)

    def flush(self, timeout_ms: int = 5000) -> None:
        """``ja_flush``: wait until everything this store accepted so far is
        committed to disk. Raises ``timed out`` (Status.ETIMEOUT) when
        @timeout_ms passed first (nothing is lost: the writer carries on),
        or the status of a failure that made the writer drop some of it
        (``store busy`` …: those events are counted as dropped)."""
        t = _c_int_option("timeout_ms", timeout_ms, _INT_MAX)
        with self._use() as h:
            st = self._lib.ja_flush(h, t)
            if st != Status.OK:
                raise _fail(self._lib, st)

    def capture_quiet(self, event: Any, props: Any = None) -> Optional[Outcome]:
        """Like :meth:`capture`, but never raises (any ``Exception``, the
        store being closed included): returns None when the capture failed.
        What a host application should call: analytics never hurts it."""
        try:
            return self.capture(event, props)
        except Exception:
            return None

    # ---- chat sessions (docs/design.md, Rollups)

    def _signal(self, fn: str, *args) -> None:
        with self._use() as h:
            st = getattr(self._lib, fn)(h, *args)
            if st != Status.OK:
                raise _fail(self._lib, st)

    def session_inference(self, session: Union[str, bytes], tokens_in: int, tokens_out: int,
                          latency_ms: float, model: Optional[str] = None,
                          engine: Optional[str] = None, at_ms: int = 0) -> None:
        """``ja_session_inference``: one chat turn of @session (raw and local
        only: the session id and model are stored as hash_id). The first
        inference ever in the store queues ``first_chat_sent``. @at_ms = 0
        means now. Raises ``invalid input`` for an empty session id,
        negative tokens, a NaN/infinite/negative latency (nothing stored)."""
        for what, v in (("tokens_in", tokens_in), ("tokens_out", tokens_out), ("at_ms", at_ms)):
            if isinstance(v, bool) or not isinstance(v, int):
                raise _invalid("%s must be an int" % what)
            if not -(1 << 63) <= v < (1 << 63):
                raise _invalid("%s is out of range" % what)
        if isinstance(latency_ms, bool) or not isinstance(latency_ms, (int, float)):
            raise _invalid("latency_ms must be a number")
        self._signal("ja_session_inference", _text_arg(session, "session"), tokens_in,
                     tokens_out, float(latency_ms),
                     None if model is None else _text_arg(model, "model"),
                     None if engine is None else _text_arg(engine, "engine"), at_ms)

    def session_tool(self, session: Union[str, bytes], tool: Union[str, bytes],
                     at_ms: int = 0) -> None:
        """``ja_session_tool``: a tool use; the first use of each tool queues
        ``tool_first_used`` (its TOOL value, else ``custom_tool``)."""
        self._signal("ja_session_tool", _text_arg(session, "session"), _text_arg(tool, "tool"),
                     _int64_arg(at_ms, "at_ms"))

    def session_error(self, session: Union[str, bytes], at_ms: int = 0) -> None:
        """``ja_session_error``: an error shown in @session."""
        self._signal("ja_session_error", _text_arg(session, "session"), _int64_arg(at_ms, "at_ms"))

    def session_end(self, session: Union[str, bytes], at_ms: int = 0) -> None:
        """``ja_session_end``: @session ended; the next rollup closes it."""
        self._signal("ja_session_end", _text_arg(session, "session"), _int64_arg(at_ms, "at_ms"))

    def rollup(self, now_ms: int = 0) -> int:
        """``ja_rollup``: close ended/idle sessions and finished days into
        queued events (``chat_session_ended``, ``usage_daily_summary``);
        returns how many were queued. Safe to run from several processes."""
        queued = ctypes.c_int64(0)
        self._signal("ja_rollup", _int64_arg(now_ms, "now_ms"), ctypes.byref(queued))
        return queued.value

    def anon_id(self) -> str:
        """``ja_anon_id``: the install's anonymous id, created if needed
        (not when analytics is off or with no_create: then ECANTCREATE)."""
        buf = ctypes.create_string_buffer(37)
        with self._use() as h:
            st = self._lib.ja_anon_id(h, buf)
            if st != Status.OK:
                raise _fail(self._lib, st)
        return buf.value.decode("ascii", "replace")

    def reset_id(self) -> None:
        """``ja_reset_id``: replace the anonymous id with a fresh UUID v4
        (when analytics is off the file is only removed)."""
        with self._use() as h:
            st = self._lib.ja_reset_id(h)
            if st != Status.OK:
                raise _fail(self._lib, st)

    def report(self) -> dict:
        """``ja_report_json``, parsed: the ``jarvis-analytics status --json``
        document (enabled, off_reason, paths, anon_id, upload, queue, sent,
        drops by reason). The C string is freed with ``ja_free``."""
        out = ctypes.c_void_p()
        with self._use() as h:
            st = self._lib.ja_report_json(h, ctypes.byref(out))
            try:
                if st != Status.OK:
                    raise _fail(self._lib, st)
                text = ctypes.string_at(out.value)
            finally:
                self._lib.ja_free(out.value)
        return json.loads(text.decode("utf-8"))

    def purge(self, pending: bool = True, sent: bool = False, drops: bool = False) -> int:
        """``ja_purge``: delete local analytics data (works when analytics is
        off; creates nothing). Returns the number of rows deleted. Choosing
        nothing is ``invalid input``."""
        what = ((PURGE_PENDING if pending else 0) | (PURGE_SENT if sent else 0) |
                (PURGE_DROPS if drops else 0))
        removed = ctypes.c_int64(0)
        with self._use() as h:
            st = self._lib.ja_purge(h, what, ctypes.byref(removed))
            if st != Status.OK:
                raise _fail(self._lib, st)
        return removed.value


# ------------------------------------------------------------ module level

def hash_id(s: Union[str, bytes]) -> str:
    """``ja_hash_id``: first 16 lowercase hex characters of SHA-256 of the
    UTF-8 bytes of @s, "" for "" — equal to
    ``hashlib.sha256(s.encode()).hexdigest()[:16]``."""
    raw = _text_arg(s, "hash_id argument")
    lib = load_library()
    buf = ctypes.create_string_buffer(17)
    st = lib.ja_hash_id(raw, buf)
    if st != Status.OK:
        raise _fail(lib, st)
    return buf.value.decode("ascii")


def version() -> str:
    """``ja_version``: the library's version at run time ("MAJOR.MINOR.PATCH")."""
    return load_library().ja_version().decode("ascii", "replace")
