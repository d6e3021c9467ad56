/* Unit tests for `run --json-events` lines: guest bytes (invalid UTF-8, control characters)
 * must still give one line of valid JSON that says what the guest printed, as far as it can. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "report/events.h"
#include "util/buf.h"

/* Parses line strictly (jansson checks UTF-8 too) and returns the object. */
static json_t *parse(const char *line)
{
    json_error_t jerr;
    json_t *ev;

    assert_non_null(line);
    assert_null(strchr(line, '\n'));
    ev = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
    if (!ev)
        fail_msg("not JSON (%s): %s", jerr.text, line);
    assert_true(json_is_object(ev));
    assert_int_equal(json_object_size(ev), 5);
    return ev;
}

static const char *str(const json_t *ev, const char *key)
{
    const json_t *v = json_object_get(ev, key);

    assert_true(json_is_string(v));
    return json_string_value(v);
}

static void test_plain_event(void **state)
{
    char *line = rg_event_json(1712345678.1234, "smoke", "tiny-1c-256m", "boot", "ready in 2.1 s");
    json_t *ev = parse(line);

    (void)state;
    assert_string_equal(line, "{\"t\":1712345678.123,\"scenario\":\"smoke\",\"cell\":"
                              "\"tiny-1c-256m\",\"type\":\"boot\",\"detail\":\"ready in 2.1 s\"}");
    assert_string_equal(str(ev, "type"), "boot");
    json_decref(ev);
    free(line);
}

/* What a crashing guest may print: stray bytes, a truncated sequence, an overlong slash, a
 * surrogate, a code point beyond U+10FFFF, quotes, backslashes and control characters. */
static void test_guest_bytes_stay_json(void **state)
{
    static const char detail[] = "BUG \xff\xfe at \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 "
                                 "\"q\" \\ \x01\x1b[31m\t\r\n\x7f caf\xc3\xa9 \xe2\x82";
    char *line = rg_event_json(0.5, "s\xc3", "c", "crash", detail);
    json_t *ev = parse(line);
    const char *d = str(ev, "detail");

    (void)state;
    /* Valid sequences and control characters survive (escaped in the line, decoded here)... */
    assert_non_null(strstr(d, "\"q\" \\ \x01\x1b[31m\t\r\n\x7f caf\xc3\xa9"));
    /* ...every byte that starts no well-formed sequence is one U+FFFD. */
    assert_non_null(strstr(d, "BUG \xef\xbf\xbd\xef\xbf\xbd at \xef\xbf\xbd\xef\xbf\xbd "));
    assert_non_null(strstr(d, " \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "));
    assert_non_null(strstr(d, " \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "));
    assert_string_equal(d + strlen(d) - 9, "\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(str(ev, "scenario"), "s\xef\xbf\xbd");
    /* No raw control byte in the line itself: one line per event, whatever the guest sent. */
    for (const char *p = line; *p; p++)
        assert_true((unsigned char)*p >= 0x20);
    json_decref(ev);
    free(line);
}

static void test_null_detail(void **state)
{
    char *line = rg_event_json(1, "s", "c", "start", NULL);
    json_t *ev = parse(line);

    (void)state;
    assert_string_equal(str(ev, "detail"), "");
    json_decref(ev);
    free(line);
}

/* The sanitizer under the line: well-formed sequences at the edges of Unicode's table pass. */
static void test_utf8_edges(void **state)
{
    static const char *const good[] = {"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
                                       "\xee\x80\x80", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf"};
    static const char *const bad[] = {"\xc1\xbf",         "\xe0\x9f\xbf",     "\xed\xa0\x80",
                                      "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
                                      "\x80"};
    struct rg_buf b = RG_BUF_INIT;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        rg_buf_reset(&b);
        rg_buf_put_utf8(&b, good[i], false);
        assert_string_equal(rg_buf_str(&b), good[i]);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *v;

        rg_buf_reset(&b);
        rg_buf_put_utf8(&b, bad[i], false);
        assert_non_null(strstr(rg_buf_str(&b), "\xef\xbf\xbd"));
        v = json_string(rg_buf_str(&b));
        assert_non_null(v);
        json_decref(v);
    }
    rg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_event),
        cmocka_unit_test(test_guest_bytes_stay_json),
        cmocka_unit_test(test_null_detail),
        cmocka_unit_test(test_utf8_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
