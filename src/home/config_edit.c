/*
 * home/config_edit.c — writing the user's choice (`jarvis-analytics on |
 * off | local`) into the [analytics] table of config.toml. OpenJarvis owns
 * the file, so only the values of `enabled` and `mode` change (a missing
 * key gets a line of its own right under the header, a missing table is
 * appended); every other byte — other tables, comments, spacing, line
 * endings — stays as it was. The file is replaced atomically, keeping its
 * mode, and never written through a symlink.
 */
#include "boot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "home/config.h"
#include "util/buf.h"
#include "util/fs.h"

/* What the file must be for us to rewrite it: besides a regular file
 * reached without a symlink, ours (root's we cannot replace, another
 * user's we must not), one link (a rename would leave the other name with
 * the old text) and not writable by everyone (config.c refuses to read
 * such a file: it would stay paused). */
#define EDIT_RULES (JA__FILE_OURS | JA__FILE_ONE_LINK | JA__FILE_NOT_OTHERS_WRITABLE)

/* One change to the text: replace [at, end) with @p with (at == end:
 * insert). */
typedef struct change {
  size_t at, end;
  const char *with;
} change;

/* The changes that make the table say @p choice. A missing key is written
 * on its own line right under the header, ending in @p nl (the file's line
 * ending). */
static size_t
plan(const ja__toml_analytics *t, ja__mode choice, const char *nl, change out[3], char *insert,
     size_t insz, char what[64])
{
  size_t n = 0;
  const char *enabled = choice == JA__MODE_OFF ? "false" : "true";
  /* `on` writes mode only where one is written already: a file without
   * it uploads by default, and stays as short as it was. */
  const char *mode = choice == JA__MODE_LOCAL ? "\"local\""
                   : choice == JA__MODE_ON && t->where[JA__TK_MODE].line ? "\"upload\""
                                                                         : NULL;
  insert[0] = '\0';
  snprintf(what, 64, "enabled = %s%s%s", enabled, mode ? ", mode = " : "", mode ? mode : "");
  const struct {
    int key;
    const char *name, *value;
  } want[2] = {{JA__TK_ENABLED, "enabled", enabled}, {JA__TK_MODE, "mode", mode}};
  for (int i = 0; i < 2; i++) {
    if (!want[i].value)
      continue;
    const ja__toml_where *w = &t->where[want[i].key];
    if (w->line)
      out[n++] = (change){w->value_at, w->value_end, want[i].value};
    else
      snprintf(insert + strlen(insert), insz - strlen(insert), "%s = %s%s", want[i].name,
               want[i].value, nl);
  }
  if (insert[0])
    out[n++] = (change){t->table_body_at, t->table_body_at, insert};
  return n;
}

/* The whole new text into @p b: @p text with the changes applied (they do
 * not overlap), or with an [analytics] table appended when it has none. */
static ja_status
rewrite(const char *text, size_t len, const ja__toml_analytics *t, ja__mode choice, ja__buf *b,
        char what[64])
{
  char insert[96];
  change c[3];
  ja_status st = JA_OK;
  if (!t->has_table) {
    /* Appended after what is there, which ends with a line ending first;
     * in the file's line ending (that of its first line): the header, then
     * the lines plan() puts under a header that has neither key. */
    const char *first_nl = memchr(text, '\n', len);
    int crlf = first_nl && first_nl > text && first_nl[-1] == '\r';
    const char *nl = crlf ? "\r\n" : "\n";
    (void)plan(t, choice, nl, c, insert, sizeof insert, what);
    st = ja__buf_append(b, text, len);
    if (st == JA_OK && len > 0 && text[len - 1] != '\n')
      st = ja__buf_printf(b, "%s", nl);
    if (st == JA_OK)
      st = ja__buf_printf(b, "%s[analytics]%s%s", len > 0 ? nl : "", nl, insert);
    return st;
  }
  size_t n = plan(t, choice, t->newline_crlf ? "\r\n" : "\n", c, insert, sizeof insert, what);
  /* In text order (the insertion under the header comes first). */
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && c[j].at < c[j - 1].at; j--) {
      change tmp = c[j];
      c[j] = c[j - 1];
      c[j - 1] = tmp;
    }
  size_t from = 0;
  for (size_t i = 0; i < n && st == JA_OK; i++) {
    st = ja__buf_append(b, text + from, c[i].at - from);
    /* A header on the file's last line, without a line ending. */
    if (st == JA_OK && c[i].at == c[i].end && c[i].at == len && len > 0 && text[len - 1] != '\n')
      st = ja__buf_printf(b, "%s", t->newline_crlf ? "\r\n" : "\n");
    if (st == JA_OK)
      st = ja__buf_printf(b, "%s", c[i].with);
    from = c[i].end;
  }
  if (st == JA_OK)
    st = ja__buf_append(b, text + from, len - from);
  return st;
}

ja_status
ja__config_write_mode(const ja__config *cfg, ja__mode choice, int *changed, char what[64])
{
  JA_ASSERT(choice == JA__MODE_ON || choice == JA__MODE_OFF || choice == JA__MODE_LOCAL);
  *changed = 0;
  what[0] = '\0';
  ja_status st = ja__dir_ensure(cfg->home);
  if (st != JA_OK)
    return st;
  char *text = NULL;
  size_t len = 0;
  int missing = 0;
  struct stat sb;
  memset(&sb, 0, sizeof sb);
  if ((st = ja__file_read_checked(cfg->config_path, JA__CONFIG_MAX_BYTES, EDIT_RULES, &text, &len,
                                  &missing, &sb)) != JA_OK)
    return st;
  ja__toml_analytics t;
  char err[512];
  if (ja__toml_read_analytics(text, len, cfg->config_path, &t, err, sizeof err) != 0) {
    /* Which line to change, and how, is not known in a table we cannot
     * read: the user fixes the mistake first (it is named). */
    free(text);
    return ja__error_set(JA_ECONFIG, "%s (fix it, then try again)", err);
  }
  ja__buf b = {NULL, 0, 0};
  st = rewrite(text ? text : "", len, &t, choice, &b, what);
  if (st == JA_OK && !missing && b.len == len && memcmp(b.ptr, text, len) == 0) {
    free(text);
    ja__buf_free(&b);
    return JA_OK; /* it says so already: nothing is written */
  }
  free(text);
  if (st == JA_OK && !missing) {
    /* Replaced since we read it (OpenJarvis saving its settings)? Then
     * our text is stale: writing it would undo that change. */
    struct stat now;
    if (lstat(cfg->config_path, &now) != 0 || now.st_dev != sb.st_dev ||
        now.st_ino != sb.st_ino || now.st_size != sb.st_size ||
        now.st_mtim.tv_sec != sb.st_mtim.tv_sec || now.st_mtim.tv_nsec != sb.st_mtim.tv_nsec)
      st = ja__error_set(JA_EBUSY, "'%s' changed while it was being rewritten; try again",
                         cfg->config_path);
  }
  int created = 1;
  if (st == JA_OK)
    st = ja__file_write_atomic(cfg->config_path, b.ptr ? b.ptr : "", b.len,
                               missing ? 0600 : (unsigned)(sb.st_mode & 07777), !missing,
                               &created);
  if (st == JA_OK && !created)
    st = ja__error_set(JA_EBUSY, "'%s' appeared while it was being written; try again",
                       cfg->config_path);
  ja__buf_free(&b);
  if (st == JA_OK)
    *changed = 1;
  return st;
}
