/*
 * upload/gate.c — what may stop a run between two steps, checked before
 * every claim and every request and after every wait: a signal (SIGINT,
 * SIGTERM), an opt-out the user wrote to config.toml while the run waited
 * or drained (privacy wins at once: nothing more is sent), a mistake or
 * local mode written there (nothing more is sent, nothing deleted), and
 * the deadline. The environment cannot change under a running process, so
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

/* The mode config.toml, read again, puts analytics in (JA__MODE_ON when
 * it did not change), and why when it is not on. */
static ja__mode
mode_now(ja__up_run *u, char *why, size_t whysz)
{
  if (!config_changed(u))
    return JA__MODE_ON;
  ja__config now;
  /* The same home as the run's (read from the environment once). */
  if (ja__config_load(&now, u->cfg->home) != JA_OK) {
    ja__error_clear();
    return JA__MODE_ON; /* no home at all: nothing new to read */
  }
  snprintf(why, whysz, "%s", now.off_reason);
  return now.mode;
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
  switch (mode_now(u, why, sizeof why)) {
  case JA__MODE_ON:
    break;
  case JA__MODE_OFF: /* an explicit opt-out: the caller deletes what is queued */
    ja__up_stop(u, JA__UP_DONE, "opted_out", 0,
                "analytics was turned off during the run (%s): nothing more is sent", why);
    return 1;
  case JA__MODE_PAUSED: /* a mistake is not an opt-out: nothing more leaves, nothing goes */
    ja__up_stop(u, JA__UP_CONFIGFAIL, "paused", 0, "paused by a configuration mistake during "
                "the run, nothing more sent, nothing deleted: %s", why);
    return 1;
  case JA__MODE_LOCAL:
    ja__up_stop(u, JA__UP_DONE, "local", 0, "local mode was turned on during the run: nothing "
                "more is sent, what is queued stays on this machine");
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
