/*
 * home/config.c — where the settings come from: the environment, then the
 * [analytics] table of <home>/config.toml (parsed by toml.c). Decides the
 * mode — on, local, off (an explicit opt-out) or paused (a mistake) — and,
 * when it is off or paused, says why and where. A broken or unreadable
 * config file never fails the caller: it pauses analytics (fail closed).
 */
#include "boot.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "home/config.h"
#include "util/fs.h"
#include "util/utf8.h"

#define DEFAULT_HOST "https://us.i.posthog.com"

/* getenv, treating an empty value as unset. */
static const char *env_get(const char *name)
{
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

static char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* Case-insensitive ASCII comparison of s[0..n) with the lowercase @p word.
 * Not strcasecmp: the locale must not change what "yes" means. */
static int ascii_ieq(const char *s, size_t n, const char *word)
{
  if (strlen(word) != n)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (ascii_lower(s[i]) != word[i])
      return 0;
  return 1;
}

static int is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* DO_NOT_TRACK turns analytics off when set to anything but empty, 0,
 * false or no (any case, surrounding blanks ignored, so "  " is empty).
 * Privacy wins a typo: "2", "on", "y", "ture" all mean off; only
 * a value that plainly says "track" leaves the decision to config.toml. */
static int do_not_track(void)
{
  const char *v = getenv("DO_NOT_TRACK");
  if (!v)
    return 0;
  const char *end = v + strlen(v);
  while (v < end && is_space(*v))
    v++;
  while (end > v && is_space(end[-1]))
    end--;
  size_t n = (size_t)(end - v);
  return !(n == 0 || ascii_ieq(v, n, "0") || ascii_ieq(v, n, "false") || ascii_ieq(v, n, "no"));
}

/* Set @p mode (off or paused) with a reason. An opt-out wins over a
 * mistake: it is what the user asked for. Otherwise the first reason is
 * kept (it is the one to fix first), unless @p force: DO_NOT_TRACK always
 * wins. */
static void set_mode(ja__config *cfg, ja__mode mode, int force, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static void
set_mode(ja__config *cfg, ja__mode mode, int force, const char *fmt, va_list ap)
{
  if (!force && (cfg->mode == JA__MODE_OFF || (cfg->mode == JA__MODE_PAUSED && mode == JA__MODE_PAUSED)))
    return;
  cfg->mode = mode;
  cfg->enabled = 0;
  int n = vsnprintf(cfg->off_reason, sizeof cfg->off_reason, fmt, ap);
  if (n >= (int)sizeof cfg->off_reason) {
    /* Truncated (a very long path): do not end on half a UTF-8 sequence. */
    size_t i = sizeof cfg->off_reason - 1;
    while (i > 0 && ((unsigned char)cfg->off_reason[i - 1] & 0xC0) == 0x80)
      i--;
    if (i > 0 && ((unsigned char)cfg->off_reason[i - 1] & 0x80))
      cfg->off_reason[i - 1] = '\0';
  }
}

static void set_off(ja__config *cfg, int force, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_paused(ja__config *cfg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* An explicit opt-out (DO_NOT_TRACK, enabled = false): off. */
static void
set_off(ja__config *cfg, int force, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  set_mode(cfg, JA__MODE_OFF, force, fmt, ap);
  va_end(ap);
}

/* A mistake in the settings: paused. The reason names the key and where it
 * came from (a variable's name, or file:line), never its value. */
static void
set_paused(ja__config *cfg, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  set_mode(cfg, JA__MODE_PAUSED, 0, fmt, ap);
  va_end(ap);
}

/* 1 when every byte of @p s is printable ASCII other than a space: what a
 * host name or a project key is made of. A space, a control character, an
 * invisible one (U+200B) or any other non-ASCII character would reach the
 * server as something else than what the user sees in the file. */
static int
printable_ascii(const char *s)
{
  for (; *s; s++)
    if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7F)
      return 0;
  return 1;
}

/* home = override, else $OPENJARVIS_HOME (relative is kept as is), else
 * $HOME/.openjarvis. An empty override is an error: a caller that passes ""
 * asked for a home it did not name, and quietly using ~/.openjarvis would
 * put its events in another store (a bug once: "an empty home string
 * silently means ~/.openjarvis"). An empty $OPENJARVIS_HOME counts as unset,
 * the shell convention (`OPENJARVIS_HOME= cmd`). */
static ja_status resolve_home(ja__config *cfg, const char *home_override)
{
  if (home_override && !*home_override)
    return ja__error_set(JA_ECONFIG, "the analytics home is an empty string (ja_options.home)");
  const char *h = home_override ? home_override : env_get("OPENJARVIS_HOME");
  if (h) {
    size_t n = strlen(h);
    if (n >= sizeof cfg->home)
      return ja__error_set(JA_ECONFIG, "analytics home path too long (%zu bytes)", n);
    memcpy(cfg->home, h, n + 1);
    return JA_OK;
  }
  const char *user_home = env_get("HOME");
  if (!user_home)
    return ja__error_set(JA_ECONFIG, "cannot find the analytics home: set OPENJARVIS_HOME or HOME");
  return ja__path_join(cfg->home, sizeof cfg->home, user_home, ".openjarvis");
}

/* @p path for comparison into @p out: its directory resolved by realpath
 * (symlinks, "..") when it exists, then "//" and "/./" collapsed, so two
 * spellings of one name compare equal even before the home is created. */
static void canonical_path(const char *path, char *out, size_t outsz)
{
  char dir[JA_PATH_MAX], real[PATH_MAX];
  const char *slash = strrchr(path, '/');
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
  if (slash && realpath(dir[0] ? dir : "/", real))
    snprintf(out, outsz, "%s/%s", real, slash + 1);
  else if (!slash && realpath(".", real))
    snprintf(out, outsz, "%s/%s", real, path);
  else
    snprintf(out, outsz, "%s", path);
  size_t j = 0;
  for (size_t i = 0; out[i]; i++) {
    /* Drop a "/." or a "/" that another "/" follows. */
    if (out[i] == '/' && out[i + 1] == '.' && out[i + 2] == '/') {
      i++;
      continue;
    }
    if (out[i] == '/' && out[i + 1] == '/')
      continue;
    out[j++] = out[i];
  }
  out[j] = '\0';
}

/* Which of the home's other files @p anon is ("queue", "config file"), or
 * NULL. The anon_id is replaced when damaged and created when missing, so
 * pointing it at the queue (or its -wal, -shm, -journal, -busy) or at
 * config.toml would destroy acknowledged events or the user's settings
 * (a bug once: "anon_id_path pointing at the queue replaces that file"). Names
 * are compared resolved, and files that exist also by inode (hard links,
 * bind mounts). */
static const char *anon_id_path_clash(const ja__config *cfg, const char *anon)
{
  static const char *const suffix[] = {"", "-wal", "-shm", "-journal", "-busy"};
  char a[JA_PATH_MAX + 8], b[JA_PATH_MAX + 8], name[JA_PATH_MAX + 8];
  struct stat sa, sb;
  canonical_path(anon, a, sizeof a);
  int a_exists = stat(anon, &sa) == 0;
  for (size_t i = 0; i <= sizeof suffix / sizeof suffix[0]; i++) {
    int is_config = i == sizeof suffix / sizeof suffix[0];
    if (is_config)
      snprintf(name, sizeof name, "%s", cfg->config_path);
    else
      snprintf(name, sizeof name, "%s%s", cfg->db_path, suffix[i]);
    canonical_path(name, b, sizeof b);
    if (strcmp(a, b) == 0 ||
        (a_exists && stat(name, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino))
      return is_config ? "config file" : "queue";
  }
  return NULL;
}

/* [analytics] anon_id_path (found on @p line): "~/x" is under $HOME, "x"
 * under the analytics home, "/x" as is. 0, or -1 with analytics paused. */
static int apply_anon_id_path(ja__config *cfg, const char *path, long line)
{
  char tmp[JA_PATH_MAX];
  ja_status st;
  if (path[0] == '~' && path[1] == '/') {
    const char *user_home = env_get("HOME");
    if (!user_home) {
      set_paused(cfg, "%s:%ld: [analytics] 'anon_id_path' starts with '~/' but HOME is not set",
                 cfg->config_path, line);
      return -1;
    }
    st = ja__path_join(tmp, sizeof tmp, user_home, path + 2);
  } else if (path[0] == '/') {
    size_t n = strlen(path);  /* < JA_PATH_MAX: toml.c checked it */
    memcpy(tmp, path, n + 1);
    st = JA_OK;
  } else {
    st = ja__path_join(tmp, sizeof tmp, cfg->home, path);
  }
  if (st != JA_OK) {
    ja__error_clear();
    set_paused(cfg, "%s:%ld: [analytics] 'anon_id_path' is too long once expanded",
               cfg->config_path, line);
    return -1;
  }
  const char *clash = anon_id_path_clash(cfg, tmp);
  if (clash) {
    set_paused(cfg, "%s:%ld: [analytics] 'anon_id_path' '%s' is the %s", cfg->config_path, line,
               tmp, clash);
    return -1;
  }
  memcpy(cfg->anon_id_path, tmp, strlen(tmp) + 1);
  return 0;
}

/* Read <home>/config.toml and apply its [analytics] table. Missing: keep the
 * defaults. Unreadable or unparsable: paused, since we cannot know whether
 * the user opted out (and must not delete what they may want kept). */
static void load_file(ja__config *cfg)
{
  char *text = NULL;
  size_t len = 0;
  int missing = 0;
  errno = 0;
  ja__error_clear();
  ja_status st = ja__file_read(cfg->config_path, JA__CONFIG_MAX_BYTES, &text, &len, &missing);
  if (st != JA_OK) {
    /* util.c already says "cannot read '<path>': <why>", and knows the why
     * errno cannot tell (a directory, a file over 1 MiB). */
    const char *why = ja_last_error();
    if (why && *why) {
      set_paused(cfg, "%s", why);
    } else {
      int e = errno ? errno : EIO;
      char msg[256];
      /* The XSI strerror_r (selected by _POSIX_C_SOURCE): thread-safe. */
      if (strerror_r(e, msg, sizeof msg) != 0)
        snprintf(msg, sizeof msg, "error %d", e);
      set_paused(cfg, "cannot read '%s': %s", cfg->config_path, msg);
    }
    ja__error_clear();  /* swallowed: an unreadable config is not an error */
    return;
  }
  if (missing || !text)
    return;

  ja__toml_analytics t;
  char err[sizeof cfg->off_reason];
  int rc = ja__toml_read_analytics(text, len, cfg->config_path, &t, err, sizeof err);
  free(text);
  if (rc != 0) {
    set_paused(cfg, "%s", err);
    return;
  }
  if (t.has_enabled && !t.enabled)
    set_off(cfg, 0, "disabled by [analytics] enabled = false in %s", cfg->config_path);
  else if (t.has_mode && t.local)
    cfg->mode = JA__MODE_LOCAL;
  /* A misspelt `enabled` that is not true (enable = false, or enabled =
   * false under [Analytics]) surely meant out, but is a mistake, not the
   * opt-out that deletes: paused, so nothing leaves and nothing goes. */
  if (t.optout[0])
    set_paused(cfg, "%s", t.optout);
  cfg->nwarnings = t.nwarnings;
  memcpy(cfg->warnings, t.warnings, sizeof cfg->warnings);
  /* toml.c checked the lengths against buffers of the same size. */
  if (t.has_host && !printable_ascii(t.host))
    set_paused(cfg, "%s:%ld: [analytics] 'host': must be printable ASCII without spaces (it "
               "holds a space, an invisible or a non-ASCII character)", cfg->config_path,
               t.where[JA__TK_HOST].line);
  else if (t.has_host)
    memcpy(cfg->host, t.host, strlen(t.host) + 1);
  if (t.has_key && !printable_ascii(t.key))
    set_paused(cfg, "%s:%ld: [analytics] 'key': must be printable ASCII without spaces (it "
               "holds a space, an invisible or a non-ASCII character)", cfg->config_path,
               t.where[JA__TK_KEY].line);
  else if (t.has_key)
    memcpy(cfg->key, t.key, strlen(t.key) + 1);
  if (t.has_flush_interval)
    cfg->flush_interval_seconds = t.flush_interval_seconds;
  if (t.has_flush_at_size)
    cfg->flush_at_size = t.flush_at_size;
  /* The caps are configuration of the store, not of one handle, so that
   * every process that opens it prunes to the same limits (a handle's own
   * caps would let the smallest one prune what another keeps). */
  if (t.has_max_events)
    cfg->max_events = t.max_events;
  if (t.has_max_age_days)
    cfg->max_age_days = t.max_age_days;
  if (t.has_anon_id_path)
    (void)apply_anon_id_path(cfg, t.anon_id_path, t.where[JA__TK_ANON_ID_PATH].line);
}

/* OPENJARVIS_ANALYTICS_HOST / _KEY replace what config.toml said. A value
 * we cannot hold whole is never truncated (a cut host is a different host),
 * and one with a CR, a space or an invisible character is never sent: both
 * are mistakes, and pause analytics. The key's value is never printed. */
static void apply_env_string(ja__config *cfg, const char *var, const char *what, char *dst,
                             size_t dstsz)
{
  const char *v = env_get(var);
  if (!v)
    return;
  size_t n = strlen(v);
  if (n >= dstsz) {
    set_paused(cfg, "%s is too long (at most %zu bytes)", var, dstsz - 1);
    return;
  }
  if (ja__utf8_has_control(v, strlen(v))) {
    set_paused(cfg, "%s contains control characters", var);
    return;
  }
  if (!printable_ascii(v)) {
    set_paused(cfg, "%s: the %s must be printable ASCII without spaces (it holds a space, an "
               "invisible or a non-ASCII character)", var, what);
    return;
  }
  memcpy(dst, v, n + 1);
}

const char *
ja__config_mode_name(ja__mode mode)
{
  switch (mode) {
  case JA__MODE_ON: return "on";
  case JA__MODE_LOCAL: return "local";
  case JA__MODE_OFF: return "off";
  case JA__MODE_PAUSED: return "paused";
  }
  return "paused";
}

ja_status ja__config_load(ja__config *cfg, const char *home_override)
{
  JA_ASSERT(cfg != NULL);
  memset(cfg, 0, sizeof *cfg);
  cfg->mode = JA__MODE_ON;
  cfg->enabled = 1;
  memcpy(cfg->host, DEFAULT_HOST, sizeof DEFAULT_HOST);
  cfg->flush_interval_seconds = 60;
  cfg->flush_at_size = 100;
  cfg->max_events = 10000;
  cfg->max_age_days = 30;
  const char *level = getenv("OPENJARVIS_LOG_LEVEL");
  cfg->debug = level && ascii_ieq(level, strlen(level), "debug");

  ja_status st = resolve_home(cfg, home_override);
  if (st == JA_OK)
    st = ja__path_join(cfg->config_path, sizeof cfg->config_path, cfg->home, "config.toml");
  if (st == JA_OK)
    st = ja__path_join(cfg->db_path, sizeof cfg->db_path, cfg->home, "analytics_queue.db");
  if (st == JA_OK)
    st = ja__path_join(cfg->anon_id_path, sizeof cfg->anon_id_path, cfg->home, "anon_id");
  if (st != JA_OK)
    return st;

  load_file(cfg);
  apply_env_string(cfg, "OPENJARVIS_ANALYTICS_HOST", "host", cfg->host, sizeof cfg->host);
  apply_env_string(cfg, "OPENJARVIS_ANALYTICS_KEY", "key", cfg->key, sizeof cfg->key);
  if (do_not_track())
    set_off(cfg, 1, "DO_NOT_TRACK is set");
  return JA_OK;
}
