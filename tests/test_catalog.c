/*
 * test_catalog.c — the catalog table against the catalog as OpenJarvis
 * defines it, written here by hand (events, property
 * validators, enum values) and its two renderings.
 */
#include "support.h"
#include "filter/catalog.h"
#include "filter/event.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static void test_catalog__events_in_design_order(void **state)
{
  (void)state;
  const char *want[] = {"install_started", "install_stage_completed", "install_completed",
                        "install_failed", "uninstall_started", "app_opened", "setup_completed",
                        "first_chat_sent", "chat_session_ended", "tool_first_used",
                        "model_changed", "connector_auth_completed", "feature_used",
                        "feedback_submitted", "error_shown_to_user", "settings_changed",
                        "usage_daily_summary"};
  size_t n = 0;
  for (const ja__event_spec *e = ja__catalog; e->name; e++, n++) {
    assert_true(n < sizeof want / sizeof want[0]);
    assert_string_equal(e->name, want[n]);
  }
  assert_int_equal(n, sizeof want / sizeof want[0]);
}

/* The whole property list of every event, written out by hand. */
static void test_catalog__properties_match_design(void **state)
{
  (void)state;
  const char *want[][2] = {
      {"install_started", "os:OS arch:ARCH installer_version:version"},
      {"install_stage_completed", "stage:STAGE elapsed_ms:int os:OS"},
      {"install_completed", "total_elapsed_ms:int os:OS arch:ARCH"},
      {"install_failed", "stage:STAGE exit_code:int os:OS arch:ARCH"},
      {"uninstall_started", "days_since_install:int os:OS"},
      {"app_opened", "version:version platform:PLATFORM"},
      {"setup_completed", "preset:PRESET model_hash:hash16 engine:ENGINE"},
      {"first_chat_sent", "platform:PLATFORM"},
      {"chat_session_ended", "turn_count:int tokens_in:int tokens_out:int latency_ms_p50:num "
                             "latency_ms_p95:num tool_count:int unique_tools:int "
                             "unique_models:int error_count:int model_hash:hash16 "
                             "engine:ENGINE duration_ms:int"},
      {"tool_first_used", "tool_name:TOOL"},
      {"model_changed", "from_model_hash:hash16 to_model_hash:hash16 engine:ENGINE"},
      {"connector_auth_completed", "connector_name:CONNECTOR"},
      {"feature_used", "feature_name:FEATURE"},
      {"feedback_submitted", "rating:int has_comment:bool"},
      {"error_shown_to_user", "error_class:ERROR platform:PLATFORM"},
      {"settings_changed", "setting_key:key"},
      {"usage_daily_summary", "sessions:int total_tokens:int total_inferences:int "
                              "unique_tools:int unique_models:int total_errors:int "
                              "total_duration_ms:int"},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    const ja__event_spec *e = ja__catalog_event(want[i][0]);
    assert_non_null(e);
    char got[512] = "";
    size_t len = 0;
    for (const ja__prop_spec *p = e->props; p->name; p++)
      len += (size_t)snprintf(got + len, sizeof got - len, "%s%s:%s", len ? " " : "", p->name,
                              ja__catalog_kind_name(p));
    if (strcmp(got, want[i][1]) != 0)
      fail_msg("%s: got '%s'", want[i][0], got);
  }
}

/* Each property carries its name's length (the filter compares names by
 * it), and no event has more than 64 properties (the filter finds a
 * repeated one by its bit). */
static void test_catalog__property_lengths_and_counts(void **state)
{
  (void)state;
  for (const ja__event_spec *e = ja__catalog; e->name; e++) {
    size_t n = 0;
    for (const ja__prop_spec *p = e->props; p->name; p++, n++) {
      if (p->len != strlen(p->name))
        fail_msg("%s.%s: len %zu", e->name, p->name, p->len);
      assert_ptr_equal(ja__catalog_prop_len(e, p->name, p->len), p);
      assert_null(ja__catalog_prop_len(e, p->name, p->len - 1));
    }
    assert_true(n <= 64);
  }
}

static void test_catalog__enums_match_design(void **state)
{
  (void)state;
  const char *want[][2] = {
      {"OS", "darwin linux wsl windows unknown"},
      {"ARCH", "x86_64 arm64 aarch64 unknown"},
      {"PLATFORM", "cli macos linux windows tauri-macos tauri-linux tauri-windows web"},
      {"STAGE", "deps uv python venv package ollama model_download config verify complete"},
      {"PRESET", "morning-digest-mac deep-research code-assistant minimal custom default"},
      {"ERROR", "network_error engine_unreachable model_not_found tool_timeout tool_error "
                "rate_limit auth_failure permission_denied validation_error config_error "
                "unknown_error"},
      {"FEATURE", "chat voice agents skills memory tools connectors scheduler workflows digest "
                  "research evals feedback telemetry_dashboard settings"},
      {"TOOL", "http_request file_read file_write shell search_web calculator memory_search "
               "memory_store code_exec image_view gmail calendar drive github hackernews "
               "weather notion strava custom_tool"},
      {"CONNECTOR", "google gmail calendar drive github notion strava weather hackernews slack "
                    "telegram discord webhook sendblue whatsapp signal custom"},
      {"ENGINE", "ollama vllm mlx llama_cpp openai anthropic google unknown"},
  };
  size_t n = 0;
  for (const ja__enum *const *e = ja__catalog_enums; *e; e++, n++) {
    assert_string_equal((*e)->name, want[n][0]);
    char got[1024] = "";
    size_t len = 0;
    for (const char *const *v = (*e)->values; *v; v++)
      len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", len ? " " : "", *v);
    if (strcmp(got, want[n][1]) != 0)
      fail_msg("%s: got '%s'", want[n][0], got);
  }
  assert_int_equal(n, 10);
}

static void test_catalog__json_rendering(void **state)
{
  (void)state;
  char *text = NULL;
  assert_int_equal(ja__catalog_json(&text), JA_OK);
  cJSON *doc = cJSON_Parse(text);
  assert_non_null(doc);
  cJSON *events = cJSON_GetObjectItem(doc, "events");
  assert_int_equal(cJSON_GetArraySize(events), 17);
  cJSON *app = cJSON_GetObjectItem(events, "app_opened");
  assert_string_equal(cJSON_GetObjectItem(app, "platform")->valuestring, "PLATFORM");
  assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "enums"), "TOOL")), 19);
  cJSON_Delete(doc);
  free(text);
}

static void test_catalog__markdown_rendering(void **state)
{
  (void)state;
  char *md = NULL;
  assert_int_equal(ja__catalog_markdown(&md), JA_OK);
  assert_non_null(strstr(md, "| `app_opened` | `version`: version, `platform`: PLATFORM |\n"));
  assert_non_null(strstr(md, "| `settings_changed` | `setting_key`: key |\n"));
  /* every validator is explained before the table */
  const char *table = strstr(md, "| event |");
  assert_non_null(table);
  static const char *const names[] = {"`bool`", "`int`", "`num`", "`str64`", "`version`",
                                      "`key`", "`hash16`"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    const char *at = strstr(md, names[i]);
    if (!at || at > table)
      fail_msg("%s not explained before the table", names[i]);
  }
  assert_non_null(strstr(md, "`v1.2.3-rc.1+build.5`"));
  assert_non_null(strstr(md, "`tools/search_web:enabled`"));
  assert_non_null(strstr(md, "| ENGINE | `ollama` `vllm` `mlx` `llama_cpp` `openai` `anthropic` `google` `unknown` |\n"));
  free(md);
}

/* --json names every validator a property uses, with its description. */
static void test_catalog__json_describes_every_validator(void **state)
{
  (void)state;
  char *text = NULL;
  assert_int_equal(ja__catalog_json(&text), JA_OK);
  cJSON *doc = cJSON_Parse(text);
  assert_non_null(doc);
  cJSON *validators = cJSON_GetObjectItem(doc, "validators");
  static const char *const want[] = {"bool", "int", "num", "str64", "version", "key", "hash16"};
  assert_int_equal(cJSON_GetArraySize(validators), sizeof want / sizeof want[0]);
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    cJSON *d = cJSON_GetObjectItem(validators, want[i]);
    if (!cJSON_IsString(d) || strlen(d->valuestring) < 10)
      fail_msg("validator %s has no description", want[i]);
  }
  assert_non_null(strstr(cJSON_GetObjectItem(validators, "version")->valuestring, "0.4.2"));
  assert_non_null(strstr(cJSON_GetObjectItem(validators, "key")->valuestring, "no spaces"));
  /* and every kind an event uses is either a validator or an enum */
  cJSON *enums = cJSON_GetObjectItem(doc, "enums");
  cJSON *ev = NULL, *p = NULL;
  cJSON_ArrayForEach(ev, cJSON_GetObjectItem(doc, "events"))
    cJSON_ArrayForEach(p, ev)
      if (!cJSON_GetObjectItem(validators, p->valuestring) &&
          !cJSON_GetObjectItem(enums, p->valuestring))
        fail_msg("%s.%s: kind %s is described nowhere", ev->string, p->string, p->valuestring);
  cJSON *app = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "events"), "app_opened");
  assert_string_equal(cJSON_GetObjectItem(app, "version")->valuestring, "version");
  cJSON *set = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "events"), "settings_changed");
  assert_string_equal(cJSON_GetObjectItem(set, "setting_key")->valuestring, "key");
  cJSON_Delete(doc);
  free(text);
}
