/*
 * upload/gate.c — what may stop a run between two steps, checked before
 * every claim and every request and after every wait: a signal (SIGINT,
 * SIGTERM), an opt-out the user wrote to config.toml while the run waited
 * or drained (privacy wins at once: nothing more is sent), and the
 * deadline. The environment cannot change under a running process, so
 * only config.toml is read again — and only when it changed.
 */
#include "boot.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "upload/run.h"

volatile sig_atomic_t ja__upload_signal;

/* Has config.toml changed since the run last read it (or was never read)?
 * Its identity, size and change times (nanoseconds): an editor that
 * replaces the file changes the inode, one that rewrites it in place the
 * times. */
static int
config_changed(ja__up_run *u)
{
  struct stat st;
  int state = stat(u->cfg->config_path, &st) == 0 ? 1 : 2;
  int same = state == u->cfg_state &&
             (state == 2 || (st.st_dev == u->cfg_st.st_dev && st.st_ino == u->cfg_st.st_ino &&
                             st.st_size == u->cfg_st.st_size &&
                             st.st_mtim.tv_sec == u->cfg_st.st_mtim.tv_sec &&
                             st.st_mtim.tv_nsec == u->cfg_st.st_mtim.tv_nsec &&
                             st.st_ctim.tv_sec == u->cfg_st.st_ctim.tv_sec &&
                             st.st_ctim.tv_nsec == u->cfg_st.st_ctim.tv_nsec));
  u->cfg_state = state;
  if (state == 1)
    u->cfg_st = st;
  return !same;
}

/* 1 when the configuration, read again, turns analytics off. */
static int
opted_out(ja__up_run *u, char *why, size_t whysz)
{
  if (!config_changed(u))
    return 0;
  ja__config now;
  /* The same home as the run's (read from the environment once). */
  if (ja__config_load(&now, u->cfg->home) != JA_OK) {
    ja__error_clear();
    return 0; /* no home at all: nothing new to read */
  }
  if (now.enabled)
    return 0;
  snprintf(why, whysz, "%s", now.off_reason);
  return 1;
}

int
ja__up_gate(ja__up_run *u)
{
  if (ja__upload_signal) {
    u->r->signal = ja__upload_signal;
    ja__up_stop(u, JA__UP_INTERRUPTED, "signal", 0, "stopped by signal %d; every event kept",
                (int)ja__upload_signal);
    return 1;
  }
  char why[512];
  if (opted_out(u, why, sizeof why)) {
    ja__up_stop(u, JA__UP_DONE, "opted_out", 0,
                "analytics was turned off during the run (%s): nothing more is sent", why);
    return 1;
  }
  if (ja__up_left(u) <= 0) {
    ja__up_stop(u, JA__UP_TEMPFAIL, "deadline", 0, "deadline reached; events kept for the next run");
    return 1;
  }
  return 0;
}

void
ja__up_wait(ja__up_run *u, int64_t ms)
{
  if (ms > 0 && !ja__upload_signal)
    u->clock->sleep_ms(ms, u->clock->payload);
}
