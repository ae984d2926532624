/*
 * fault.c — the tests' fault layer for SQLite's own file calls: a VFS
 * wrapped around the default one (and made the default), which fails the
 * Nth write, sync or read of the queue's files with a chosen SQLite code,
 * so a test can put a full disk, an I/O error or corruption under a running
 * writer and loop over N. The library's own file calls go through ja__sys
 * (util/fs.h), which tests replace directly.
 */
#include "support.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* A file opened through the wrapper: the real file follows it in memory. */
typedef struct fault_file {
  sqlite3_file base;       /* our methods */
  int watched;             /* one of the queue's files (db, -wal) */
  sqlite3_file *real;      /* the default VFS's file, right after us */
} fault_file;

static sqlite3_vfs g_vfs;           /* the wrapper */
static sqlite3_vfs *g_real;         /* the default VFS it wraps */
static sqlite3_io_methods g_io;     /* methods of every wrapped file */

static _Atomic int g_calls[JT_FAULT_COUNT];   /* calls since armed */
static _Atomic int g_from[JT_FAULT_COUNT];    /* first call to fail (0: none) */
static _Atomic int g_until[JT_FAULT_COUNT];   /* last call to fail (0: no end) */
static _Atomic int g_rc[JT_FAULT_COUNT];      /* the code to fail with */

/* Count one call of @p c on a watched file; its injected code, or 0. */
static int
fault_hit(const fault_file *f, jt_fault_call c)
{
  if (!f->watched)
    return 0;
  int n = atomic_fetch_add(&g_calls[c], 1) + 1;
  int from = atomic_load(&g_from[c]), until = atomic_load(&g_until[c]);
  if (from && n >= from && (until == 0 || n <= until))
    return atomic_load(&g_rc[c]);
  return 0;
}

#define REAL(id) (((fault_file *)(id))->real)

static int
f_close(sqlite3_file *id)
{
  int rc = REAL(id)->pMethods ? REAL(id)->pMethods->xClose(REAL(id)) : SQLITE_OK;
  return rc;
}

static int
f_read(sqlite3_file *id, void *buf, int n, sqlite3_int64 off)
{
  int rc = fault_hit((fault_file *)id, JT_FAULT_READ);
  return rc ? rc : REAL(id)->pMethods->xRead(REAL(id), buf, n, off);
}

static int
f_write(sqlite3_file *id, const void *buf, int n, sqlite3_int64 off)
{
  int rc = fault_hit((fault_file *)id, JT_FAULT_WRITE);
  return rc ? rc : REAL(id)->pMethods->xWrite(REAL(id), buf, n, off);
}

static int
f_sync(sqlite3_file *id, int flags)
{
  int rc = fault_hit((fault_file *)id, JT_FAULT_SYNC);
  return rc ? rc : REAL(id)->pMethods->xSync(REAL(id), flags);
}

static int f_truncate(sqlite3_file *id, sqlite3_int64 n) { return REAL(id)->pMethods->xTruncate(REAL(id), n); }
static int f_size(sqlite3_file *id, sqlite3_int64 *n) { return REAL(id)->pMethods->xFileSize(REAL(id), n); }
static int f_lock(sqlite3_file *id, int l) { return REAL(id)->pMethods->xLock(REAL(id), l); }
static int f_unlock(sqlite3_file *id, int l) { return REAL(id)->pMethods->xUnlock(REAL(id), l); }
static int f_reserved(sqlite3_file *id, int *r) { return REAL(id)->pMethods->xCheckReservedLock(REAL(id), r); }
static int f_control(sqlite3_file *id, int op, void *a) { return REAL(id)->pMethods->xFileControl(REAL(id), op, a); }
static int f_sector(sqlite3_file *id) { return REAL(id)->pMethods->xSectorSize(REAL(id)); }
static int f_caps(sqlite3_file *id) { return REAL(id)->pMethods->xDeviceCharacteristics(REAL(id)); }
static int
f_shm_map(sqlite3_file *id, int pg, int sz, int extend, void volatile **p)
{
  return REAL(id)->pMethods->xShmMap(REAL(id), pg, sz, extend, p);
}
static int f_shm_lock(sqlite3_file *id, int off, int n, int fl) { return REAL(id)->pMethods->xShmLock(REAL(id), off, n, fl); }
static void f_shm_barrier(sqlite3_file *id) { REAL(id)->pMethods->xShmBarrier(REAL(id)); }
static int f_shm_unmap(sqlite3_file *id, int del) { return REAL(id)->pMethods->xShmUnmap(REAL(id), del); }
static int
f_fetch(sqlite3_file *id, sqlite3_int64 off, int n, void **p)
{
  return REAL(id)->pMethods->xFetch(REAL(id), off, n, p);
}
static int f_unfetch(sqlite3_file *id, sqlite3_int64 off, void *p) { return REAL(id)->pMethods->xUnfetch(REAL(id), off, p); }

static int
v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  (void)vfs;
  fault_file *f = (fault_file *)file;
  f->real = (sqlite3_file *)(f + 1);
  f->watched = name && strstr(name, "analytics_queue.db") != NULL &&
               (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)) != 0;
  int rc = g_real->xOpen(g_real, name, f->real, flags, out_flags);
  file->pMethods = f->real->pMethods ? &g_io : NULL;
  return rc;
}

static int v_delete(sqlite3_vfs *v, const char *p, int sync) { (void)v; return g_real->xDelete(g_real, p, sync); }
static int v_access(sqlite3_vfs *v, const char *p, int fl, int *out) { (void)v; return g_real->xAccess(g_real, p, fl, out); }
static int
v_full(sqlite3_vfs *v, const char *p, int n, char *out)
{
  (void)v;
  return g_real->xFullPathname(g_real, p, n, out);
}
static void *v_dlopen(sqlite3_vfs *v, const char *p) { (void)v; return g_real->xDlOpen(g_real, p); }
static void v_dlerror(sqlite3_vfs *v, int n, char *m) { (void)v; g_real->xDlError(g_real, n, m); }
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *s))(void) { (void)v; return g_real->xDlSym(g_real, h, s); }
static void v_dlclose(sqlite3_vfs *v, void *h) { (void)v; g_real->xDlClose(g_real, h); }
static int v_random(sqlite3_vfs *v, int n, char *out) { (void)v; return g_real->xRandomness(g_real, n, out); }
static int v_sleep(sqlite3_vfs *v, int us) { (void)v; return g_real->xSleep(g_real, us); }
static int v_time(sqlite3_vfs *v, double *t) { (void)v; return g_real->xCurrentTime(g_real, t); }
static int v_lasterr(sqlite3_vfs *v, int n, char *m) { (void)v; return g_real->xGetLastError(g_real, n, m); }
static int v_time64(sqlite3_vfs *v, sqlite3_int64 *t) { (void)v; return g_real->xCurrentTimeInt64(g_real, t); }
static int
v_setsys(sqlite3_vfs *v, const char *name, sqlite3_syscall_ptr p)
{
  (void)v;
  return g_real->xSetSystemCall(g_real, name, p);
}
static sqlite3_syscall_ptr v_getsys(sqlite3_vfs *v, const char *name) { (void)v; return g_real->xGetSystemCall(g_real, name); }
static const char *v_nextsys(sqlite3_vfs *v, const char *name) { (void)v; return g_real->xNextSystemCall(g_real, name); }

void
jt_fault_install(void)
{
  if (g_real)
    return;
  g_real = sqlite3_vfs_find(NULL);
  assert_non_null(g_real);
  g_io = (sqlite3_io_methods){3, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock,
                              f_unlock, f_reserved, f_control, f_sector, f_caps, f_shm_map,
                              f_shm_lock, f_shm_barrier, f_shm_unmap, f_fetch, f_unfetch};
  g_vfs = *g_real;
  g_vfs.zName = "jt_fault";
  g_vfs.szOsFile = (int)sizeof(fault_file) + g_real->szOsFile;
  g_vfs.pNext = NULL;
  g_vfs.xOpen = v_open;
  g_vfs.xDelete = v_delete;
  g_vfs.xAccess = v_access;
  g_vfs.xFullPathname = v_full;
  g_vfs.xDlOpen = v_dlopen;
  g_vfs.xDlError = v_dlerror;
  g_vfs.xDlSym = v_dlsym;
  g_vfs.xDlClose = v_dlclose;
  g_vfs.xRandomness = v_random;
  g_vfs.xSleep = v_sleep;
  g_vfs.xCurrentTime = v_time;
  g_vfs.xGetLastError = v_lasterr;
  g_vfs.xCurrentTimeInt64 = v_time64;
  g_vfs.xSetSystemCall = v_setsys;
  g_vfs.xGetSystemCall = v_getsys;
  g_vfs.xNextSystemCall = v_nextsys;
  assert_int_equal(sqlite3_vfs_register(&g_vfs, 1), SQLITE_OK);
}

void
jt_fault_arm(jt_fault_call call, int nth, int count, int rc)
{
  assert_non_null(g_real); /* jt_fault_install() first */
  atomic_store(&g_from[call], 0);
  atomic_store(&g_calls[call], 0);
  atomic_store(&g_rc[call], rc);
  atomic_store(&g_until[call], count < 0 ? 0 : nth + count - 1);
  atomic_store(&g_from[call], nth);
}

void
jt_fault_clear(void)
{
  for (int c = 0; c < JT_FAULT_COUNT; c++) {
    atomic_store(&g_from[c], 0);
    atomic_store(&g_calls[c], 0);
  }
}

int
jt_fault_calls(jt_fault_call call)
{
  return atomic_load(&g_calls[call]);
}
