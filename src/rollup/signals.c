/*
 * rollup/signals.c — recording raw chat signals: validated like capture's
 * input, stored only hashed, and the first uses they trigger
 * (first_chat_sent, tool_first_used) queued in the same transaction, so
 * each fires once per install however many processes race.
 */
#include "boot.h"

#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "rollup/rollup.h"
#include "util/hash.h"
#include "util/uuid.h"
#include "util/utf8.h"

/* Longest session id, model, engine or tool name taken (bytes). */
#define NAME_MAX_BYTES 4096

static const char *const kind_name[] = {"", "inference", "tool", "error", "end"};

/* @p what is NULL/"" (when @p optional) or valid, control-free UTF-8. */
static ja_status
check_text(const ja__signal *sig, const char *what, const char *v, int optional)
{
  const char *k = kind_name[sig->kind];
  if (!v || !*v)
    return optional ? JA_OK
                    : ja__error_set(JA_EINVALID, "session %s: %s is empty", k, what);
  size_t n = strlen(v);
  if (n > NAME_MAX_BYTES)
    return ja__error_set(JA_EINVALID, "session %s: %s is longer than %d bytes", k, what,
                         NAME_MAX_BYTES);
  if (!ja__utf8_valid(v, n))
    return ja__error_set(JA_EINVALID, "session %s: %s is not valid UTF-8", k, what);
  if (ja__utf8_has_control(v, n))
    return ja__error_set(JA_EINVALID, "session %s: %s contains a control character", k, what);
  return JA_OK;
}

ja_status
ja__rollup_signal_check(const ja__signal *sig, int64_t wall_ms)
{
  if (sig->kind < JA__SIG_INFERENCE || sig->kind > JA__SIG_END)
    return ja__error_set(JA_EINVALID, "unknown session signal %d", (int)sig->kind);
  const char *k = kind_name[sig->kind];
  ja_status st = check_text(sig, "session id", sig->session, 0);
  if (st != JA_OK)
    return st;
  if (sig->at_ms < 0 || sig->at_ms > JA__ROLLUP_MAX_MS)
    return ja__error_set(JA_EINVALID, "session %s: time %lld is not between 1970 and 9999", k,
                         (long long)sig->at_ms);
  /* Refused, not clamped: a time from the future is a wrong clock or a
   * wrong argument, and clamping would invent a time nobody measured. */
  if (sig->at_ms - wall_ms > JA__ROLLUP_AHEAD_MS)
    return ja__error_set(JA_EINVALID, "session %s: time is %lld s ahead of the clock (at most "
                         "%lld s are taken)", k, (long long)((sig->at_ms - wall_ms) / 1000),
                         (long long)(JA__ROLLUP_AHEAD_MS / 1000));
  if (sig->kind == JA__SIG_INFERENCE) {
    if (sig->tokens_in < 0 || sig->tokens_out < 0)
      return ja__error_set(JA_EINVALID, "session inference: tokens must be >= 0, got %lld in, "
                           "%lld out", (long long)sig->tokens_in, (long long)sig->tokens_out);
    if (!isfinite(sig->latency_ms) || sig->latency_ms < 0 ||
        sig->latency_ms > JA__ROLLUP_LATENCY_MAX_MS)
      return ja__error_set(JA_EINVALID, "session inference: latency must be a number from 0 to "
                           "%.0f (ms, a day)", JA__ROLLUP_LATENCY_MAX_MS);
    if ((st = check_text(sig, "model", sig->model, 1)) != JA_OK ||
        (st = check_text(sig, "engine", sig->engine, 1)) != JA_OK)
      return st;
  }
  if (sig->kind == JA__SIG_TOOL)
    return check_text(sig, "tool name", sig->tool, 0);
  return JA_OK;
}

/* First use of (@p kind, @p name)? Remember it; *first = 1 only the
 * first time ever in this store. */
static ja_status
first_use(ja__db *d, const char *kind, const char *name, int64_t at_ms, int *first)
{
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_FIRST_USE_ADD, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 3, at_ms);
  if ((st = ja__store_step_done(d, s, "cannot remember a first use in")) != JA_OK)
    return st;
  *first = sqlite3_changes(d->db) == 1;
  return JA_OK;
}

/* The number of the open session hashed @p h->session, beginning one (at
 * the end of rollup_session) when none is open: *no. The new session's
 * span starts from @p h; *opened = 1 then, so it is not touched twice. */
static ja_status
session_number(ja__db *d, const ja__sig_hashed *h, int64_t *no, int *opened)
{
  sqlite3_stmt *s;
  ja_status st = ja__store_stmt(d, JA__Q_SESSION_FIND, &s);
  if (st != JA_OK)
    return st;
  sqlite3_bind_text(s, 1, h->session, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  *no = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  *opened = 0;
  if (rc == SQLITE_ROW)
    return JA_OK;
  if (rc != SQLITE_DONE)
    return ja__store_error(d, rc, "cannot find a session in");
  if ((st = ja__store_stmt(d, JA__Q_SESSION_OPEN, &s)) != JA_OK)
    return st;
  sqlite3_bind_text(s, 1, h->session, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, h->kind == JA__SIG_END ? 3 : 2, h->at_ms);
  if ((st = ja__store_step_done(d, s, "cannot record a session in")) != JA_OK)
    return st;
  *no = sqlite3_last_insert_rowid(d->db);
  *opened = 1;
  if ((st = ja__store_stmt(d, JA__Q_SESSION_KEY_SET, &s)) != JA_OK)
    return st;
  sqlite3_bind_text(s, 1, h->session, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, *no);
  return ja__store_step_done(d, s, "cannot record a session in");
}

void
ja__rollup_signal_hash(const ja__signal *sig, ja__sig_hashed *out)
{
  memset(out, 0, sizeof *out);
  out->kind = sig->kind;
  out->at_ms = sig->at_ms;
  ja__hash_id(sig->session, strlen(sig->session), out->session);
  if (sig->kind == JA__SIG_INFERENCE) {
    out->tokens_in = sig->tokens_in;
    out->tokens_out = sig->tokens_out;
    out->latency_ms = sig->latency_ms;
    if (sig->model && *sig->model)
      ja__hash_id(sig->model, strlen(sig->model), out->name);
    if (sig->engine && *sig->engine)
      out->engine = ja__rollup_engine(sig->engine);
  }
  if (sig->kind == JA__SIG_TOOL) {
    ja__hash_id(sig->tool, strlen(sig->tool), out->name);
    out->tool = ja__rollup_tool(sig->tool);
  }
}

ja_status
ja__rollup_signal_put(ja__db *d, const ja__sig_hashed *h)
{
  JA_ASSERT(d->in_txn);
  int64_t no = 0;
  int opened = 0;
  ja_status st = session_number(d, h, &no, &opened);
  sqlite3_stmt *s;
  if (st == JA_OK && !opened && (st = ja__store_stmt(d, JA__Q_SESSION_TOUCH, &s)) == JA_OK) {
    sqlite3_bind_int64(s, 1, no);
    sqlite3_bind_int64(s, h->kind == JA__SIG_END ? 3 : 2, h->at_ms);
    st = ja__store_step_done(d, s, "cannot record a session in");
  }
  if (st != JA_OK || (st = ja__store_stmt(d, JA__Q_SIGNAL_ADD, &s)) != JA_OK)
    return st;
  sqlite3_bind_int64(s, 1, no);
  sqlite3_bind_int(s, 2, (int)h->kind);
  sqlite3_bind_int64(s, 3, h->at_ms);
  if (h->kind == JA__SIG_INFERENCE) {
    sqlite3_bind_int64(s, 4, h->tokens_in);
    sqlite3_bind_int64(s, 5, h->tokens_out);
    sqlite3_bind_double(s, 6, h->latency_ms);
  }
  if (h->name[0])
    sqlite3_bind_text(s, 7, h->name, -1, SQLITE_STATIC);
  if (h->engine)
    sqlite3_bind_text(s, 8, h->engine, -1, SQLITE_STATIC);
  return ja__store_step_done(d, s, "cannot record a session signal in");
}

ja_status
ja__rollup_signal_store(ja__db *d, const ja__signal *sig)
{
  ja__sig_hashed h;
  ja__rollup_signal_hash(sig, &h);
  return ja__rollup_signal_put(d, &h);
}

ja_status
ja__rollup_record(ja__db *d, const ja__sig_hashed *h, const ja__emitter *e,
                  const char *platform, int64_t wall_ms)
{
  JA_ASSERT(d->in_txn);
  int first = 0;
  ja_status st = ja__rollup_signal_put(d, h);
  if (st == JA_OK && h->kind == JA__SIG_INFERENCE &&
      (st = first_use(d, "chat", "", h->at_ms, &first)) == JA_OK && first) {
    char props[96];
    snprintf(props, sizeof props, "{\"platform\":\"%s\"}", platform);
    st = ja__rollup_enqueue(d, e, "first_chat_sent", props, h->at_ms, wall_ms);
  }
  /* h->tool is an enum value: safe in JSON. */
  if (st == JA_OK && h->kind == JA__SIG_TOOL &&
      (st = first_use(d, "tool", h->tool, h->at_ms, &first)) == JA_OK && first) {
    char props[96];
    snprintf(props, sizeof props, "{\"tool_name\":\"%s\"}", h->tool);
    st = ja__rollup_enqueue(d, e, "tool_first_used", props, h->at_ms, wall_ms);
  }
  return st;
}
