/*
 * cli/view.c — `jarvis-analytics view [--output FILE] [--json]`: the report
 * model (store/report.h) with its history as one self-contained HTML page
 * — inline style, inline SVG charts, no script, nothing fetched — or as
 * the status document with a "history" part. Every stored text is
 * HTML-escaped: a hand-edited row can hold markup.
 *
 * Sections: html text · charts · sections of the page · the command
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli.h"
#include "filter/catalog.h"
#include "store/report.h"
#include "util/buf.h"
#include "util/clock.h"

/* ------------------------------------------------------------ html text */

/* The page being written; the first failure (out of memory) sticks. */
typedef struct page {
  ja__buf b;
  ja_status st;
} page;

static void
put(page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
put(page *p, const char *fmt, ...)
{
  if (p->st != JA_OK)
    return;
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) {
    p->st = JA_EINTERNAL;
  } else if ((size_t)n < sizeof small) {
    p->st = ja__buf_append(&p->b, small, (size_t)n);
  } else {
    char *big = malloc((size_t)n + 1);
    if (!big) {
      p->st = JA_ENOMEM;
      return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    p->st = ja__buf_append(&p->b, big, (size_t)n);
    free(big);
  }
}

/* @p s as HTML text or attribute value: & < > " ' escaped, so no stored
 * value can open a tag or leave an attribute. */
static void
esc(page *p, const char *s)
{
  if (!s)
    return;
  const char *run = s;
  for (; *s; s++) {
    const char *e = *s == '&'    ? "&amp;"
                    : *s == '<'  ? "&lt;"
                    : *s == '>'  ? "&gt;"
                    : *s == '"'  ? "&quot;"
                    : *s == '\'' ? "&#39;"
                                 : NULL;
    if (!e)
      continue;
    if (p->st == JA_OK && s > run)
      p->st = ja__buf_append(&p->b, run, (size_t)(s - run));
    put(p, "%s", e);
    run = s + 1;
  }
  if (p->st == JA_OK && s > run)
    p->st = ja__buf_append(&p->b, run, (size_t)(s - run));
}

/* A ms time as "2026-03-01 10:00:00 UTC", or "—" for 0 (never). */
static void
when(page *p, int64_t ms)
{
  if (ms == 0) {
    put(p, "&mdash;");
    return;
  }
  char iso[32];
  ja__iso8601_ms(ms, iso);
  put(p, "<time datetime=\"%s\">%.10s %.8s UTC</time>", iso, iso, iso + 11);
}

static void
day_text(int64_t day, char out[11])
{
  char iso[32];
  ja__iso8601_ms(day * 86400000, iso);
  snprintf(out, 11, "%.10s", iso);
}

/* ---------------------------------------------------------------- charts */

/* One series of a stacked bar chart. */
typedef struct series {
  const char *name;          /* legend */
  const char *cls;           /* CSS class of its bars */
  const int64_t *v;          /* one value per column */
} series;

/* A stacked bar chart in inline SVG: @p ncols columns (labelled by UTC
 * day) of @p nser series. Every bar has a <title> (its day, series and
 * value), so the numbers can be read without the axis. */
static void
bar_chart(page *p, const char *label, const int64_t *days, size_t ncols, const series *ser,
          size_t nser)
{
  int64_t top = 0;
  for (size_t c = 0; c < ncols; c++) {
    int64_t sum = 0;
    for (size_t s = 0; s < nser; s++)
      sum += ser[s].v[c];
    if (sum > top)
      top = sum;
  }
  const int w = 720, h = 160, left = 44, bottom = 22, plot_h = h - bottom - 8;
  int slot = ncols ? (w - left) / (int)ncols : 0;
  if (slot > 48)
    slot = 48;
  int bar = slot > 3 ? slot - 2 : slot;
  put(p, "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
         "xmlns=\"http://www.w3.org/2000/svg\"><title>", w, h, w, h);
  esc(p, label);
  put(p, "</title><line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", left,
      h - bottom, w, h - bottom);
  put(p, "<text class=\"tick\" x=\"%d\" y=\"16\" text-anchor=\"end\">%lld</text>", left - 6,
      (long long)top);
  put(p, "<text class=\"tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>", left - 6,
      h - bottom);
  for (size_t c = 0; c < ncols; c++) {
    int x = left + (int)c * slot + 1;
    double y = h - bottom;
    char day[11];
    day_text(days[c], day);
    for (size_t s = 0; s < nser; s++) {
      int64_t v = ser[s].v[c];
      if (v <= 0 || top <= 0)
        continue;
      double bh = (double)plot_h * (double)v / (double)top;
      y -= bh;
      put(p, "<rect class=\"%s\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"><title>%s ",
          ser[s].cls, x, y, bar, bh, day);
      esc(p, ser[s].name);
      put(p, ": %lld</title></rect>", (long long)v);
    }
    /* a day label under the first, the last and every seventh column */
    if (c == 0 || c + 1 == ncols || c % 7 == 0)
      put(p, "<text class=\"tick\" x=\"%d\" y=\"%d\">%.5s</text>", x, h - 6, day + 5);
  }
  put(p, "</svg><p class=\"legend\">");
  for (size_t s = 0; s < nser; s++) {
    put(p, "<span class=\"key %s\"></span>", ser[s].cls);
    esc(p, ser[s].name);
    put(p, " ");
  }
  put(p, "</p>");
}

/* ---------------------------------------------------- sections of the page */

static const char *const STYLE =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;"
    "max-width:960px;padding:24px;color:#1d232a;background:#fbfbfa}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;"
    "border-bottom:1px solid #d8dadd;padding-bottom:4px}"
    "p.lead,p.note{color:#4a525b}code{font-size:13px;background:#eef0f2;padding:1px 4px;"
    "border-radius:3px;word-break:break-all}"
    "table{border-collapse:collapse;margin:8px 0;font-size:14px}"
    "th,td{padding:3px 10px;border-bottom:1px solid #e4e6e8;text-align:left}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".tiles{display:flex;flex-wrap:wrap;gap:10px;margin:0;padding:0}"
    ".tiles div{background:#fff;border:1px solid #d8dadd;border-radius:6px;padding:8px 14px;"
    "min-width:120px}.tiles dt{font-size:12px;color:#5a636d;text-transform:uppercase}"
    ".tiles dd{margin:0;font-size:22px;font-variant-numeric:tabular-nums}"
    ".chart{max-width:100%;height:auto;background:#fff;border:1px solid #e4e6e8}"
    ".axis{stroke:#8a929b}.tick{font-size:10px;fill:#5a636d}"
    ".legend{font-size:13px;color:#4a525b}.key{display:inline-block;width:10px;height:10px;"
    "margin:0 4px 0 10px}"
    ".s0{fill:#3b6ea8;background:#3b6ea8}.s1{fill:#8fb3dc;background:#8fb3dc}"
    ".s2{fill:#c2612d;background:#c2612d}.s3{fill:#e0a458;background:#e0a458}"
    ".s4{fill:#5b8c5a;background:#5b8c5a}.s5{fill:#9d6ab5;background:#9d6ab5}"
    ".s6{fill:#b5485d;background:#b5485d}.s7{fill:#6b7a8f;background:#6b7a8f}"
    ".off{color:#a33}ul.never li{margin:4px 0}";

static void
head(page *p, const ja__report *r)
{
  put(p, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         /* Nothing may be fetched, whatever the page holds. */
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<title>jarvis-analytics: what was collected</title>\n<style>%s</style>\n</head>\n"
         "<body>\n<h1>What jarvis-analytics collected</h1>\n<p class=\"lead\">Made ",
      STYLE);
  when(p, r->now_ms);
  put(p, " by jarvis-analytics %s from <code>", r->version);
  esc(p, r->database);
  put(p, "</code>. This page is a file: it loads nothing and sends nothing.</p>\n");
}

static void
tile(page *p, const char *label, const char *key, int64_t n)
{
  put(p, "<div><dt>%s</dt><dd data-k=\"%s\">%lld</dd></div>", label, key, (long long)n);
}

static void
summary(page *p, const ja__report *r)
{
  /* on, local, off or paused (a mistake in the settings) */
  put(p, "<section id=\"summary\"><h2>Summary</h2>\n<p>Analytics is <b data-k=\"enabled\"%s>%s</b>",
      r->enabled ? "" : " class=\"off\"", r->mode);
  if (!r->enabled) {
    /* "paused: <why>", as status says it: a reason can hold parentheses
     * itself ("(did you mean true?)"), so it is never wrapped in more */
    put(p, ": <span data-k=\"off_reason\">");
    esc(p, r->off_reason);
    put(p, "</span>");
  }
  put(p, ".%s</p>\n<dl class=\"tiles\">", r->queue_exists ? "" : " No queue has been created yet.");
  int64_t dropped = 0;
  for (size_t i = 0; i < r->ndrops; i++)
    dropped += r->drops[i].count;
  tile(p, "waiting to be sent", "queue.pending", r->pending);
  tile(p, "reserved by an upload", "queue.leased", r->leased);
  tile(p, "sent, last 30 days", "sent.count", r->sent_count);
  tile(p, "dropped, ever", "drops.total", dropped);
  tile(p, "open chat sessions", "rollup.open_sessions", r->rollup.open_sessions);
  tile(p, "days waiting for a summary", "rollup.days_waiting", r->rollup.days_waiting);
  put(p, "</dl>\n<p>Oldest waiting: ");
  when(p, r->oldest_ms);
  put(p, " &middot; newest: ");
  when(p, r->newest_ms);
  put(p, "</p>\n");
  for (int i = 0; i < r->nwarnings_kept; i++) {
    put(p, "<p class=\"off\">config.toml: ");
    esc(p, r->warnings[i]);
    put(p, "</p>\n");
  }
  put(p, "</section>\n");
}

/* The days' values of one field, for a chart. */
static int64_t *
column(const ja__report *r, size_t offset, page *p)
{
  int64_t *v = calloc(r->ndays ? r->ndays : 1, sizeof *v);
  if (!v) {
    p->st = JA_ENOMEM;
    return NULL;
  }
  for (size_t i = 0; i < r->ndays; i++)
    v[i] = *(const int64_t *)((const char *)&r->days[i] + offset);
  return v;
}

static void
events_by_day(page *p, const ja__report *r)
{
  put(p, "<section id=\"events\"><h2>Events by day</h2>\n");
  if (r->ndays == 0) {
    put(p, "<p>No event queued or sent yet.</p></section>\n");
    return;
  }
  int64_t *days = column(r, offsetof(ja__report_day, day), p);
  int64_t *pend = column(r, offsetof(ja__report_day, pending), p);
  int64_t *sent = column(r, offsetof(ja__report_day, sent), p);
  if (days && pend && sent) {
    series s[] = {{"waiting", "s0", pend}, {"sent", "s1", sent}};
    bar_chart(p, "events waiting and sent, by UTC day", days, r->ndays, s, 2);
  }
  free(days);
  free(pend);
  free(sent);
  put(p, "<p class=\"note\">Waiting events by the day of their time (a rollup's events carry "
         "the time of the session or day they sum up); sent events by the day they were "
         "sent.%s</p>\n<table id=\"days\"><tr><th>day (UTC)</th><th class=\"n\">waiting</th>"
         "<th class=\"n\">sent</th></tr>\n",
      r->days_left_out ? " Older days are left out." : "");
  for (size_t i = r->ndays; i-- > 0;) {
    const ja__report_day *d = &r->days[i];
    if (d->pending == 0 && d->sent == 0)
      continue;
    char day[11];
    day_text(d->day, day);
    put(p, "<tr data-day=\"%s\"><td>%s</td><td class=\"n\" data-k=\"pending\">%lld</td>"
           "<td class=\"n\" data-k=\"sent\">%lld</td></tr>\n",
        day, day, (long long)d->pending, (long long)d->sent);
  }
  put(p, "</table></section>\n");
}

static void
drops(page *p, const ja__report *r)
{
  put(p, "<section id=\"drops\"><h2>Dropped, by reason</h2>\n<p class=\"note\">Only a count "
         "by reason is kept, never the value that was dropped.</p>\n<table id=\"drop-totals\">"
         "<tr><th>reason</th><th class=\"n\">count</th><th>last</th></tr>\n");
  for (size_t i = 0; i < r->ndrops; i++) {
    const ja__report_drop *d = &r->drops[i];
    if (d->count == 0)
      continue;
    put(p, "<tr><td>");
    esc(p, d->reason);
    put(p, "</td><td class=\"n\" data-k=\"drops.");
    esc(p, d->reason);
    put(p, "\">%lld</td><td>", (long long)d->count);
    when(p, d->last_ms);
    put(p, "</td></tr>\n");
  }
  put(p, "</table>\n<h3>Over time</h3>\n");
  if (!r->drop_days_kept) {
    put(p, "<p>This store keeps only the totals and the time of the last drop of each reason "
           "(drops by day are counted from schema version 13 on).</p></section>\n");
    return;
  }
  if (r->ndrop_days == 0) {
    put(p, "<p>No drops in the last 90 days.</p></section>\n");
    return;
  }
  /* Columns: the days with drops; series: the reasons (at most 8 colours,
   * the rest together as "other"). */
  int64_t *days = calloc(r->ndrop_days, sizeof *days);
  const char *reasons[9] = {0};
  size_t nreasons = 0, ndays = 0;
  int64_t *vals = calloc(9 * r->ndrop_days, sizeof *vals);
  if (!days || !vals) {
    p->st = JA_ENOMEM;
  } else {
    for (size_t i = 0; i < r->ndrop_days; i++) {
      const ja__report_drop_day *dd = &r->drop_days[i];
      if (ndays == 0 || days[ndays - 1] != dd->day)
        days[ndays++] = dd->day;
      size_t k = 0;
      while (k < nreasons && strcmp(reasons[k], dd->reason) != 0)
        k++;
      if (k == nreasons && nreasons < 8)
        reasons[nreasons++] = dd->reason;
      else if (k == nreasons)
        k = 8; /* other */
      vals[k * r->ndrop_days + ndays - 1] += dd->count;
    }
    static const char *const cls[9] = {"s2", "s3", "s0", "s4", "s5", "s6", "s1", "s7", "s7"};
    series ser[9];
    size_t ns = 0;
    for (size_t k = 0; k < nreasons; k++)
      ser[ns++] = (series){reasons[k], cls[k], vals + k * r->ndrop_days};
    int other = 0;
    for (size_t c = 0; c < ndays; c++)
      other |= vals[8 * r->ndrop_days + c] != 0;
    if (other)
      ser[ns++] = (series){"other", cls[8], vals + 8 * r->ndrop_days};
    bar_chart(p, "drops by UTC day and reason", days, ndays, ser, ns);
  }
  free(days);
  free(vals);
  put(p, "<table id=\"drop-days\"><tr><th>day (UTC)</th><th>reason</th><th class=\"n\">count"
         "</th></tr>\n");
  for (size_t i = r->ndrop_days; i-- > 0;) {
    char day[11];
    day_text(r->drop_days[i].day, day);
    put(p, "<tr><td>%s</td><td>", day);
    esc(p, r->drop_days[i].reason);
    put(p, "</td><td class=\"n\">%lld</td></tr>\n", (long long)r->drop_days[i].count);
  }
  put(p, "</table></section>\n");
}

static void
latency(page *p, double v)
{
  if (v < 0)
    put(p, "&mdash;");
  else
    put(p, "%.1f", v);
}

static void
rollups(page *p, const ja__report *r)
{
  put(p, "<section id=\"rollups\"><h2>Chat sessions, by day</h2>\n<p class=\"note\">Chat "
         "signals stay on this machine; a rollup turns each closed session into one "
         "chat_session_ended event (turns, tokens, latency percentiles; hashed model and "
         "tools), counted here from the queue and the sent log.</p>\n");
  int64_t *days = column(r, offsetof(ja__report_day, day), p);
  int64_t *sess = column(r, offsetof(ja__report_day, sessions), p);
  int any = 0;
  for (size_t i = 0; i < r->ndays; i++)
    any |= r->days[i].sessions > 0;
  if (any && days && sess) {
    series s[] = {{"sessions", "s4", sess}};
    bar_chart(p, "closed chat sessions by UTC day", days, r->ndays, s, 1);
  }
  free(days);
  free(sess);
  if (!any) {
    put(p, "<p>No closed chat session in the queue or the sent log.</p></section>\n");
    return;
  }
  put(p, "<table id=\"sessions-by-day\"><tr><th>day (UTC)</th><th class=\"n\">sessions</th>"
         "<th class=\"n\">turns</th><th class=\"n\">tokens</th><th class=\"n\">latency p50 (ms)"
         "</th><th class=\"n\">latency p95 (ms)</th></tr>\n");
  for (size_t i = r->ndays; i-- > 0;) {
    const ja__report_day *d = &r->days[i];
    if (d->sessions == 0)
      continue;
    char day[11];
    day_text(d->day, day);
    put(p, "<tr data-day=\"%s\"><td>%s</td><td class=\"n\" data-k=\"sessions\">%lld</td>"
           "<td class=\"n\" data-k=\"turns\">%lld</td><td class=\"n\" data-k=\"tokens\">%lld</td>"
           "<td class=\"n\">",
        day, day, (long long)d->sessions, (long long)d->turns, (long long)d->tokens);
    latency(p, d->latency_p50);
    put(p, "</td><td class=\"n\">");
    latency(p, d->latency_p95);
    put(p, "</td></tr>\n");
  }
  put(p, "</table><p class=\"note\">Latency: the median over the day's sessions of each "
         "session's p50 and p95.</p></section>\n");
}

static void
open_sessions(page *p, const ja__report *r)
{
  put(p, "<section id=\"open\"><h2>Open chat sessions</h2>\n<p><span data-k=\"open\">%lld"
         "</span> open; a session closes at the first rollup after its end, or once idle for "
         "more than 300 s.%s</p>\n",
      (long long)r->rollup.open_sessions,
      (int64_t)r->nsessions < r->rollup.open_sessions ? " The latest are listed." : "");
  if (r->nsessions == 0) {
    put(p, "</section>\n");
    return;
  }
  put(p, "<table id=\"open-sessions\"><tr><th>session (hash)</th><th>first activity</th>"
         "<th>last activity</th><th>ended</th><th class=\"n\">turns</th><th class=\"n\">signals"
         "</th></tr>\n");
  for (size_t i = 0; i < r->nsessions; i++) {
    const ja__report_session *se = &r->sessions[i];
    put(p, "<tr><td><code>");
    esc(p, se->session);
    put(p, "</code></td><td>");
    when(p, se->first_ms);
    put(p, "</td><td>");
    when(p, se->last_ms);
    put(p, "</td><td>");
    when(p, se->ended_ms);
    put(p, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>\n",
        (long long)se->turns, (long long)se->signals);
  }
  put(p, "</table></section>\n");
}

static void
upload(page *p, const ja__report *r)
{
  const ja__upload_state *u = &r->upload;
  put(p, "<section id=\"upload\"><h2>Upload</h2>\n<table>\n<tr><th>to</th><td><code>");
  esc(p, r->host);
  put(p, "</code> (project key %s)</td></tr>\n<tr><th>mode</th><td>", r->key_set ? "set" : "not set");
  if (strcmp(r->mode, "on") == 0) {
    put(p, "on: events are sent by <code>jarvis-analytics-upload</code>");
  } else if (strcmp(r->mode, "local") == 0) {
    put(p, "local: events are captured and kept on this machine, never sent");
  } else {
    put(p, "%s", strcmp(r->mode, "paused") == 0
                     ? "paused by a mistake in the settings: nothing is captured, sent or deleted ("
                     : "off: nothing is captured or sent (");
    esc(p, r->off_reason);
    put(p, ")");
  }
  put(p, "</td></tr>\n<tr><th>last attempt</th><td data-k=\"upload.last_attempt_at\">");
  when(p, u->last_attempt_ms);
  put(p, "</td></tr>\n<tr><th>last success</th><td data-k=\"upload.last_success_at\">");
  when(p, u->last_success_ms);
  put(p, "</td></tr>\n<tr><th>next attempt not before</th><td data-k=\"upload.next_attempt_at\">");
  when(p, u->next_attempt_ms);
  put(p, "</td></tr>\n<tr><th>last error</th><td>");
  if (u->last_error[0]) {
    esc(p, u->last_error);
    if (u->last_status > 0)
      put(p, " (HTTP %d)", u->last_status);
    else
      put(p, " (no answer from the server)");
  } else {
    put(p, "none");
  }
  put(p, "</td></tr>\n<tr><th>reserved by an upload run</th><td><span data-k=\"queue.leased\">"
         "%lld</span> event%s",
      (long long)r->leased, r->leased == 1 ? "" : "s");
  if (r->leased_until_ms) {
    put(p, ", until ");
    when(p, r->leased_until_ms);
  }
  put(p, "</td></tr>\n</table></section>\n");
}

static void
never(page *p)
{
  put(p, "<section id=\"never\"><h2>Never collected</h2>\n<ul class=\"never\">\n");
  for (const char *const *n = ja__catalog_never; *n; n++) {
    put(p, "<li>");
    esc(p, *n);
    put(p, "</li>\n");
  }
  put(p, "</ul>\n<p class=\"note\">Every event and property allowed is listed by "
         "<code>jarvis-analytics catalog</code>.</p></section>\n");
}

static void
store_events(page *p, const ja__report *r)
{
  if (r->nstore_events == 0)
    return;
  put(p, "<section id=\"store\"><h2>What the store did to itself</h2>\n<table>\n");
  for (size_t i = 0; i < r->nstore_events; i++) {
    const ja__report_store_event *e = &r->store_events[i];
    put(p, "<tr><td>");
    esc(p, e->at);
    put(p, "</td><td>");
    esc(p, e->kind);
    put(p, "</td><td>");
    esc(p, e->detail);
    put(p, "</td></tr>\n");
  }
  put(p, "</table></section>\n");
}

ja_status
ja__cli_view_html(const ja__report *r, char **out)
{
  page p = {{NULL, 0, 0}, JA_OK};
  head(&p, r);
  summary(&p, r);
  events_by_day(&p, r);
  drops(&p, r);
  rollups(&p, r);
  open_sessions(&p, r);
  upload(&p, r);
  never(&p);
  store_events(&p, r);
  put(&p, "</body>\n</html>\n");
  if (p.st != JA_OK) {
    ja__buf_free(&p.b);
    return p.st == JA_ENOMEM ? ja__error_set(JA_ENOMEM, "out of memory rendering the page")
                             : ja__error_set(p.st, "cannot render the page");
  }
  *out = p.b.ptr;
  return JA_OK;
}

/* ---------------------------------------------------------- the command */

/* Write @p text to @p path whole or not at all: a temporary file in the
 * same folder (mode 0600: the page shows the install's id and paths),
 * then rename. */
static int
write_file(const char *cmd, const char *path, const char *text, FILE *err)
{
  size_t n = strlen(path);
  char *tmp = malloc(n + 16);
  if (!tmp) {
    ja__cli_errorf(err, cmd, "out of memory");
    return JA_EXIT_OSERR;
  }
  snprintf(tmp, n + 16, "%s.tmp-XXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    ja__cli_errorf(err, cmd, "cannot write '%s': %s", path, strerror(errno));
    free(tmp);
    return errno == EACCES || errno == ENOENT || errno == EROFS ? JA_EXIT_CANTCREAT
                                                                : JA_EXIT_IOERR;
  }
  size_t len = strlen(text), off = 0;
  int e = 0;
  while (off < len) {
    ssize_t w = write(fd, text + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      e = w < 0 ? errno : EIO;
      break;
    }
    off += (size_t)w;
  }
  if (!e && fsync(fd) != 0)
    e = errno;
  if (close(fd) != 0 && !e)
    e = errno;
  if (!e && rename(tmp, path) != 0)
    e = errno;
  if (e) {
    unlink(tmp);
    ja__cli_errorf(err, cmd, "cannot write '%s': %s", path, strerror(e));
  }
  free(tmp);
  return e ? JA_EXIT_IOERR : JA_EXIT_OK;
}

int
ja__cli_view(const cli_args *a, FILE *out, FILE *err)
{
  ja_store *s = NULL;
  int rc = ja__cli_open_store(a, err, JA_OPEN_NO_CREATE, &s);
  if (rc)
    return rc;
  ja__report r;
  ja_status st = ja__report_collect(s, JA__REPORT_HISTORY, &r);
  char *text = NULL;
  if (st == JA_OK && a->on[OPT_JSON]) {
    cJSON *doc = NULL;
    if ((st = ja__report_json(&r, &doc)) == JA_OK) {
      char *t = cJSON_Print(doc);
      if (t && (text = malloc(strlen(t) + 2)) != NULL)
        snprintf(text, strlen(t) + 2, "%s\n", t);
      cJSON_free(t);
      if (!text)
        st = ja__error_set(JA_ENOMEM, "out of memory printing the JSON");
    }
    cJSON_Delete(doc);
  } else if (st == JA_OK) {
    st = ja__cli_view_html(&r, &text);
  }
  ja__report_free(&r);
  ja_store_close(s);
  if (st != JA_OK)
    return ja__cli_fail(err, a->command, st);
  /* JSON goes to standard output, the page to a file, unless --output
   * says otherwise ("-": standard output). */
  const char *path = a->val[OPT_OUTPUT];
  if (!path && !a->on[OPT_JSON])
    path = "jarvis-analytics-report.html";
  if (!path || strcmp(path, "-") == 0) {
    fputs(text, out);
  } else if ((rc = write_file(a->command, path, text, err)) == 0 && !a->on[OPT_JSON]) {
    fprintf(out, "wrote %s (open it in a browser: it loads nothing)\n", path);
  }
  free(text);
  return rc;
}
