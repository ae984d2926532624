/*
 * test_suggest.c — the edit distance and nearest-candidate search behind
 * every "did you mean …" (util/suggest.c).
 */
#include "support.h"
#include "util/suggest.h"

#include <string.h>

static int
dist(const char *a, const char *b)
{
  return ja__suggest_distance(a, strlen(a), b, strlen(b), 10);
}

static void test_suggest__distance_counts_each_kind_of_edit(void **state)
{
  (void)state;
  assert_int_equal(dist("status", "status"), 0);
  assert_int_equal(dist("stauts", "status"), 1);   /* two neighbours swapped */
  assert_int_equal(dist("jsn", "json"), 1);        /* one left out */
  assert_int_equal(dist("jsoon", "json"), 1);      /* one added */
  assert_int_equal(dist("clii", "cli"), 1);
  assert_int_equal(dist("statos", "status"), 1);   /* one changed */
  assert_int_equal(dist("STATUS", "status"), 0);   /* ASCII case ignored */
  assert_int_equal(dist("", "abc"), 3);
  assert_int_equal(dist("kitten", "sitting"), 3);
  assert_int_equal(dist("ca", "abc"), 3);          /* OSA: no edit of a swapped pair */
  assert_int_equal(dist("app_opend", "app_opened"), 1);
}

static void test_suggest__distance_stops_past_the_cap(void **state)
{
  (void)state;
  assert_int_equal(ja__suggest_distance("abcdef", 6, "uvwxyz", 6, 2), 3);
  assert_int_equal(ja__suggest_distance("a", 1, "abcdefgh", 8, 2), 3); /* lengths alone */
  char long_word[100];
  memset(long_word, 'a', sizeof long_word);
  assert_int_equal(ja__suggest_distance(long_word, sizeof long_word, long_word,
                                        sizeof long_word, 2), 3); /* too long to compare */
}

/* The nearest of @p cands (NULL-terminated) to @p typed, or NULL. */
static const char *
nearest(const char *typed, const char *const *cands)
{
  ja__suggest s;
  ja__suggest_start(&s, typed, strlen(typed));
  for (; *cands; cands++)
    ja__suggest_offer(&s, *cands);
  return s.best;
}

static void test_suggest__nearest_within_the_limit(void **state)
{
  (void)state;
  static const char *const cmds[] = {"capture", "status", "show", "reset-id", "purge",
                                     "session", "rollup", "catalog", "redact", NULL};
  assert_string_equal(nearest("stauts", cmds), "status");
  assert_string_equal(nearest("shwo", cmds), "show");
  assert_string_equal(nearest("captur", cmds), "capture");
  assert_string_equal(nearest("Status", cmds), "status");
  assert_string_equal(nearest("cat", cmds), "catalog");   /* a beginning */
  assert_null(nearest("status", cmds));                  /* typed right: nothing to say */
  assert_null(nearest("frobnicate", cmds));
  assert_null(nearest("", cmds));
  assert_null(nearest("xy", cmds));
  /* one edit per three characters typed: 'sttaus' is two from status */
  assert_string_equal(nearest("sttaus", cmds), "status");
  assert_null(nearest("sxxxus", cmds)); /* three edits of six characters: too far */
  /* the nearest wins over the first; the first among equals */
  assert_string_equal(nearest("purgf", (const char *const[]){"pirge", "purge", NULL}), "purge");
  assert_string_equal(nearest("ab", (const char *const[]){"ac", "ad", NULL}), "ac");
  /* of two equally near, the one the typed word begins: 'of' is 'off' */
  assert_string_equal(nearest("of", (const char *const[]){"on", "off", "local", NULL}), "off");
}

static void test_suggest__a_beginning_never_beats_a_near_miss(void **state)
{
  (void)state;
  assert_string_equal(nearest("pend", (const char *const[]){"pending", "penda", NULL}), "penda");
  assert_string_equal(nearest("pend", (const char *const[]){"pending", NULL}), "pending");
  assert_null(nearest("pe", (const char *const[]){"pending", NULL})); /* too short to tell */
}
