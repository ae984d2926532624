/*
 * filter/catalog.c — the event catalog: the single source of truth for which events
 * and properties exist and what values they accept. The
 * `catalog` command and the README's catalog section render from this table;
 * tests/e2e checks the README has not drifted from it.
 */
#include "boot.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "filter/catalog.h"
#include "filter/event.h"
#include "util/buf.h"

/* ---------------------------------------------------------------- enums */

#define ENUM(var, label, ...)                                                  \
  static const char *const var##_values[] = {__VA_ARGS__, NULL};             \
  static const ja__enum var = {label, var##_values}

ENUM(e_os, "OS", "darwin", "linux", "wsl", "windows", "unknown");
ENUM(e_arch, "ARCH", "x86_64", "arm64", "aarch64", "unknown");
ENUM(e_platform, "PLATFORM", "cli", "macos", "linux", "windows", "tauri-macos", "tauri-linux",
     "tauri-windows", "web");
ENUM(e_stage, "STAGE", "deps", "uv", "python", "venv", "package", "ollama", "model_download",
     "config", "verify", "complete");
ENUM(e_preset, "PRESET", "morning-digest-mac", "deep-research", "code-assistant", "minimal",
     "custom", "default");
ENUM(e_error, "ERROR", "network_error", "engine_unreachable", "model_not_found", "tool_timeout",
     "tool_error", "rate_limit", "auth_failure", "permission_denied", "validation_error",
     "config_error", "unknown_error");
ENUM(e_feature, "FEATURE", "chat", "voice", "agents", "skills", "memory", "tools", "connectors",
     "scheduler", "workflows", "digest", "research", "evals", "feedback", "telemetry_dashboard",
     "settings");
ENUM(e_tool, "TOOL", "http_request", "file_read", "file_write", "shell", "search_web",
     "calculator", "memory_search", "memory_store", "code_exec", "image_view", "gmail",
     "calendar", "drive", "github", "hackernews", "weather", "notion", "strava", "custom_tool");
ENUM(e_connector, "CONNECTOR", "google", "gmail", "calendar", "drive", "github", "notion",
     "strava", "weather", "hackernews", "slack", "telegram", "discord", "webhook", "sendblue",
     "whatsapp", "signal", "custom");
ENUM(e_engine, "ENGINE", "ollama", "vllm", "mlx", "llama_cpp", "openai", "anthropic", "google",
     "unknown");

const ja__enum *const ja__catalog_enums[] = {&e_os,      &e_arch,    &e_platform, &e_stage,
                                             &e_preset,  &e_error,   &e_feature,  &e_tool,
                                             &e_connector, &e_engine, NULL};

/* ----------------------------------------------------------- properties */

#define P_BOOL(n) {n, JA__V_BOOL, NULL, sizeof(n) - 1}
#define P_INT(n) {n, JA__V_INT, NULL, sizeof(n) - 1}
#define P_NUM(n) {n, JA__V_NUM, NULL, sizeof(n) - 1}
#define P_STR64(n) {n, JA__V_STR64, NULL, sizeof(n) - 1}
#define P_VERSION(n) {n, JA__V_VERSION, NULL, sizeof(n) - 1}
#define P_KEY(n) {n, JA__V_KEY, NULL, sizeof(n) - 1}
#define P_HASH16(n) {n, JA__V_HASH16, NULL, sizeof(n) - 1}
#define P_ENUM(n, e) {n, JA__V_ENUM, &e, sizeof(n) - 1}
#define P_END {NULL, JA__V_BOOL, NULL, 0}

static const ja__prop_spec p_install_started[] = {P_ENUM("os", e_os), P_ENUM("arch", e_arch),
                                                  P_VERSION("installer_version"), P_END};
static const ja__prop_spec p_install_stage_completed[] = {
    P_ENUM("stage", e_stage), P_INT("elapsed_ms"), P_ENUM("os", e_os), P_END};
static const ja__prop_spec p_install_completed[] = {P_INT("total_elapsed_ms"), P_ENUM("os", e_os),
                                                    P_ENUM("arch", e_arch), P_END};
static const ja__prop_spec p_install_failed[] = {P_ENUM("stage", e_stage), P_INT("exit_code"),
                                                 P_ENUM("os", e_os), P_ENUM("arch", e_arch),
                                                 P_END};
static const ja__prop_spec p_uninstall_started[] = {P_INT("days_since_install"),
                                                    P_ENUM("os", e_os), P_END};
static const ja__prop_spec p_app_opened[] = {P_VERSION("version"), P_ENUM("platform", e_platform),
                                             P_END};
static const ja__prop_spec p_setup_completed[] = {
    P_ENUM("preset", e_preset), P_HASH16("model_hash"), P_ENUM("engine", e_engine), P_END};
static const ja__prop_spec p_first_chat_sent[] = {P_ENUM("platform", e_platform), P_END};
static const ja__prop_spec p_chat_session_ended[] = {
    P_INT("turn_count"),     P_INT("tokens_in"),     P_INT("tokens_out"),
    P_NUM("latency_ms_p50"), P_NUM("latency_ms_p95"), P_INT("tool_count"),
    P_INT("unique_tools"),   P_INT("unique_models"), P_INT("error_count"),
    P_HASH16("model_hash"),  P_ENUM("engine", e_engine), P_INT("duration_ms"),
    P_END};
static const ja__prop_spec p_tool_first_used[] = {P_ENUM("tool_name", e_tool), P_END};
static const ja__prop_spec p_model_changed[] = {P_HASH16("from_model_hash"),
                                                P_HASH16("to_model_hash"),
                                                P_ENUM("engine", e_engine), P_END};
static const ja__prop_spec p_connector_auth_completed[] = {
    P_ENUM("connector_name", e_connector), P_END};
static const ja__prop_spec p_feature_used[] = {P_ENUM("feature_name", e_feature), P_END};
static const ja__prop_spec p_feedback_submitted[] = {P_INT("rating"), P_BOOL("has_comment"),
                                                     P_END};
static const ja__prop_spec p_error_shown_to_user[] = {P_ENUM("error_class", e_error),
                                                      P_ENUM("platform", e_platform), P_END};
static const ja__prop_spec p_settings_changed[] = {P_KEY("setting_key"), P_END};
static const ja__prop_spec p_usage_daily_summary[] = {
    P_INT("sessions"),      P_INT("total_tokens"),  P_INT("total_inferences"),
    P_INT("unique_tools"),  P_INT("unique_models"), P_INT("total_errors"),
    P_INT("total_duration_ms"), P_END};

/* --------------------------------------------------------------- events */

const ja__event_spec ja__catalog[] = {
    {"install_started", p_install_started},
    {"install_stage_completed", p_install_stage_completed},
    {"install_completed", p_install_completed},
    {"install_failed", p_install_failed},
    {"uninstall_started", p_uninstall_started},
    {"app_opened", p_app_opened},
    {"setup_completed", p_setup_completed},
    {"first_chat_sent", p_first_chat_sent},
    {"chat_session_ended", p_chat_session_ended},
    {"tool_first_used", p_tool_first_used},
    {"model_changed", p_model_changed},
    {"connector_auth_completed", p_connector_auth_completed},
    {"feature_used", p_feature_used},
    {"feedback_submitted", p_feedback_submitted},
    {"error_shown_to_user", p_error_shown_to_user},
    {"settings_changed", p_settings_changed},
    {"usage_daily_summary", p_usage_daily_summary},
    {NULL, NULL},
};

const ja__event_spec *
ja__catalog_event(const char *name)
{
  for (const ja__event_spec *e = ja__catalog; e->name; e++)
    if (strcmp(e->name, name) == 0)
      return e;
  return NULL;
}

const ja__prop_spec *
ja__catalog_prop(const ja__event_spec *ev, const char *name)
{
  return ja__catalog_prop_len(ev, name, strlen(name));
}

static int
is_named(const ja__prop_spec *p, const char *name, size_t len)
{
  return p->len == len && memcmp(p->name, name, len) == 0;
}

const ja__prop_spec *
ja__catalog_prop_len(const ja__event_spec *ev, const char *name, size_t len)
{
  return ja__catalog_prop_next(ev, NULL, name, len);
}

const ja__prop_spec *
ja__catalog_prop_next(const ja__event_spec *ev, const ja__prop_spec *prev, const char *name,
                      size_t len)
{
  if (prev && prev[1].name && is_named(&prev[1], name, len))
    return &prev[1];
  for (const ja__prop_spec *p = ev->props; p->name; p++)
    if (is_named(p, name, len))
      return p;
  return NULL;
}

/* ----------------------------------------------------------- validators */

const ja__validator_doc ja__catalog_validators[] = {
    {JA__V_BOOL, "bool", "true or false"},
    {JA__V_INT, "int", "integer >= 0 (booleans are not integers)"},
    {JA__V_NUM, "num", "finite number >= 0 (not a boolean)"},
    {JA__V_STR64, "str64", "string of 1-64 characters"},
    {JA__V_VERSION, "version",
     "a str64 shaped like a version: an optional lowercase `v`, a digit, then ASCII letters, "
     "digits and `. - + _`, ending in a letter or digit, no two of `. - + _` in a row "
     "(`0.4.2`, `v1.2.3-rc.1+build.5`, `2024.10.1`, `6.8.0-45-generic`)"},
    {JA__V_KEY, "key",
     "a str64 shaped like a settings key: ASCII letters, digits and `. _ - : /`, at least one "
     "letter, starting and ending with a letter or digit, no two of `. - : /` in a row; no "
     "spaces, no `@` (`ui.theme`, `engine.ollama.host`, `tools/search_web:enabled`)"},
    {JA__V_HASH16, "hash16", "exactly 16 lowercase hex characters"},
    {JA__V_ENUM, NULL, NULL},
};

const char *
ja__catalog_kind_name(const ja__prop_spec *p)
{
  if (p->kind == JA__V_ENUM)
    return p->enumeration->name;
  for (const ja__validator_doc *v = ja__catalog_validators; v->name; v++)
    if (v->kind == p->kind)
      return v->name;
  return "?";
}

int
ja__catalog_is_shape(ja__vkind kind)
{
  return kind == JA__V_VERSION || kind == JA__V_KEY;
}

static int
is_alpha(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnum(unsigned char c)
{
  return is_alpha(c) || (c >= '0' && c <= '9');
}

/* The shape both validators share: 1-64 bytes (ASCII only, so bytes are
 * characters), each a letter, a digit or one of @p seps; first and last a
 * letter or digit; no two of @p lone (a subset of @p seps) in a row. Any
 * byte >= 0x80 fails: "letters" are ASCII letters (fail closed: look-alike
 * and fullwidth forms are what redaction has to normalise away). */
static int
shaped(const char *s, size_t n, const char *seps, const char *lone)
{
  if (n < 1 || n > 64)
    return 0;
  if (!is_alnum((unsigned char)s[0]) || !is_alnum((unsigned char)s[n - 1]))
    return 0;
  int prev_lone = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (is_alnum(c)) {
      prev_lone = 0;
      continue;
    }
    if (c == 0 || !strchr(seps, c))
      return 0;
    int l = strchr(lone, c) != NULL;
    if (l && prev_lone)
      return 0;
    prev_lone = l;
  }
  return 1;
}

int
ja__catalog_is_version(const char *s, size_t n)
{
  if (n > 0 && s[0] == 'v') {
    s++;
    n--;
  }
  return n > 0 && s[0] >= '0' && s[0] <= '9' && shaped(s, n, ".-+_", ".-+_");
}

int
ja__catalog_is_key(const char *s, size_t n)
{
  if (!shaped(s, n, "._-:/", ".-:/"))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (is_alpha((unsigned char)s[i]))
      return 1;
  return 0; /* "123", "12:30:45": a number or a time, not a name */
}

/* ------------------------------------------------------------ rendering */

ja_status
ja__catalog_json(char **out)
{
  cJSON *root = cJSON_CreateObject();
  cJSON *enums = cJSON_AddObjectToObject(root, "enums");
  cJSON *events = cJSON_AddObjectToObject(root, "events");
  cJSON *validators = cJSON_AddObjectToObject(root, "validators");
  if (!root || !enums || !events || !validators)
    goto oom;
  for (const ja__validator_doc *v = ja__catalog_validators; v->name; v++)
    if (!cJSON_AddStringToObject(validators, v->name, v->doc))
      goto oom;
  for (const ja__enum *const *e = ja__catalog_enums; *e; e++) {
    cJSON *arr = cJSON_AddArrayToObject(enums, (*e)->name);
    if (!arr)
      goto oom;
    for (const char *const *v = (*e)->values; *v; v++)
      cJSON_AddItemToArray(arr, cJSON_CreateString(*v));
  }
  for (const ja__event_spec *ev = ja__catalog; ev->name; ev++) {
    cJSON *props = cJSON_AddObjectToObject(events, ev->name);
    if (!props)
      goto oom;
    for (const ja__prop_spec *p = ev->props; p->name; p++)
      cJSON_AddStringToObject(props, p->name, ja__catalog_kind_name(p));
  }
  *out = cJSON_Print(root);
  cJSON_Delete(root);
  if (!*out)
    return ja__error_set(JA_ENOMEM, "out of memory rendering the catalog");
  return JA_OK;
oom:
  cJSON_Delete(root);
  return ja__error_set(JA_ENOMEM, "out of memory rendering the catalog");
}

/* What is never collected, whatever a caller passes: the promises the two
 * filters and the uploader keep (docs/guarantees.md). */
const char *const ja__catalog_never[] = {
    "free text of any kind (prompts, answers, messages, documents, file contents): no catalog "
    "property takes text; values are numbers, booleans, hashes, fixed lists of words, and "
    "version or settings-key shapes",
    "a value that looks like personal data or a secret (e-mail, phone, card or account "
    "number, postal address, home path, IP or MAC address, API key, token, password ...): it "
    "is dropped and counted, never stored",
    "session ids, model names and tool names in the clear: only their hash_id",
    "the value of anything dropped: only a count by reason",
    "any event or property that is not in the catalog",
    "where you are: PostHog is asked not to look up the sender's address ($geoip_disable) "
    "and to make no person profile",
    NULL,
};

ja_status
ja__catalog_markdown(char **out)
{
  ja__buf b = {0};
  ja_status st = ja__buf_printf(&b, "%s", "| validator | a value must be |\n|---|---|\n");
  for (const ja__validator_doc *v = ja__catalog_validators; st == JA_OK && v->name; v++)
    st = ja__buf_printf(&b, "| `%s` | %s |\n", v->name, v->doc);
  if (st == JA_OK)
    st = ja__buf_printf(&b, "%s", "| an UPPERCASE name | one of the values listed below |\n"
                                  "\n| event | properties |\n|---|---|\n");
  for (const ja__event_spec *ev = ja__catalog; st == JA_OK && ev->name; ev++) {
    st = ja__buf_printf(&b, "| `%s` |", ev->name);
    for (const ja__prop_spec *p = ev->props; st == JA_OK && p->name; p++)
      st = ja__buf_printf(&b, "%s `%s`: %s", p == ev->props ? "" : ",", p->name,
                          ja__catalog_kind_name(p));
    if (st == JA_OK)
      st = ja__buf_append(&b, " |\n", 3);
  }
  if (st == JA_OK)
    st = ja__buf_printf(&b, "%s", "\n| enum | values |\n|---|---|\n");
  for (const ja__enum *const *e = ja__catalog_enums; st == JA_OK && *e; e++) {
    st = ja__buf_printf(&b, "| %s |", (*e)->name);
    for (const char *const *v = (*e)->values; st == JA_OK && *v; v++)
      st = ja__buf_printf(&b, " `%s`", *v);
    if (st == JA_OK)
      st = ja__buf_append(&b, " |\n", 3);
  }
  if (st == JA_OK)
    st = ja__buf_printf(&b, "%s", "\nNever collected:\n\n");
  for (const char *const *n = ja__catalog_never; st == JA_OK && *n; n++)
    st = ja__buf_printf(&b, "- %s\n", *n);
  if (st != JA_OK) {
    ja__buf_free(&b);
    return st;
  }
  *out = b.ptr;
  return JA_OK;
}
