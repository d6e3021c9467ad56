/* Unit tests for the guest agent's protocol: the JSON each call sends over the seam, how it
 * reads replies (values, errors, garbage), files written in chunks, and command output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "hv/agent.h"
#include "util/digest.h"

/* A scripted agent behind the seam: it records every command and answers with the next of
 * the replies a test queued (NULL: the hypervisor call itself fails). */
#define SCRIPT_MAX 16

static struct {
    json_t *sent[SCRIPT_MAX];
    const char *replies[SCRIPT_MAX];
    size_t nsent, nreplies;
    int timeout_s;
} g;

static int scripted_agent(struct rg_hv_domain *dom, const char *cmd, int timeout_s, char **reply,
                          struct rg_error *err)
{
    size_t i = g.nsent;

    (void)dom;
    assert_true(i < SCRIPT_MAX);
    g.sent[g.nsent++] = json_loads(cmd, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(g.sent[i]); /* every command is one JSON text */
    g.timeout_s = timeout_s;
    if (i >= g.nreplies)
        fail_msg("an unexpected command: %s", cmd);
    if (!g.replies[i])
        return rg_error_set(err, NULL, 0, 0, "the domain is gone");
    *reply = strdup(g.replies[i]);
    return 0;
}

static const struct rg_hv_ops scripted_ops = {.name = "scripted", .agent = scripted_agent};
static const struct rg_agent agent = {.ops = &scripted_ops, .dom = NULL, .timeout_s = 7};

static void script(size_t n, const char *const *replies)
{
    for (size_t i = 0; i < g.nsent; i++)
        json_decref(g.sent[i]);
    memset(&g, 0, sizeof(g));
    for (size_t i = 0; i < n; i++)
        g.replies[i] = replies[i];
    g.nreplies = n;
}

static int teardown(void **state)
{
    (void)state;
    script(0, NULL);
    return 0;
}

/* The i-th command sent, as compact JSON with sorted keys. */
static char *sent(size_t i)
{
    assert_true(i < g.nsent);
    return json_dumps(g.sent[i], JSON_COMPACT | JSON_SORT_KEYS);
}

static void sent_is(size_t i, const char *want)
{
    char *got = sent(i);

    assert_string_equal(got, want);
    free(got);
}

static void test_ping(void **state)
{
    static const char *const ok[] = {"{\"return\": {}}"};
    struct rg_error err = {0};

    (void)state;
    script(1, ok);
    assert_int_equal(rg_agent_ping(&agent, &err), 0);
    assert_int_equal(g.nsent, 1);
    sent_is(0, "{\"execute\":\"guest-ping\"}");
    assert_int_equal(g.timeout_s, 7);
}

/* Every way a call fails names the command. */
static void test_failures(void **state)
{
    static const char *const gone[] = {NULL};
    static const char *const garbage[] = {"{\"return\": "};
    static const char *const refused[] = {
        "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Guest agent is not responding\"}}"};
    static const char *const empty[] = {"{}"};
    static const char *const terse[] = {"{\"error\": {\"class\": \"GenericError\"}}"};
    struct rg_error err = {0};

    (void)state;
    script(1, gone);
    assert_int_equal(rg_agent_ping(&agent, &err), -1);
    assert_string_equal(err.msg, "guest agent guest-ping: the domain is gone");
    script(1, garbage);
    assert_int_equal(rg_agent_ping(&agent, &err), -1);
    assert_non_null(strstr(err.msg, "guest agent guest-ping: unreadable reply: "));
    script(1, refused);
    assert_int_equal(rg_agent_ping(&agent, &err), -1);
    assert_string_equal(err.msg, "guest agent guest-ping failed: Guest agent is not responding");
    script(1, empty);
    assert_int_equal(rg_agent_ping(&agent, &err), -1);
    assert_string_equal(err.msg, "guest agent guest-ping failed: no return value");
    script(1, terse);
    assert_int_equal(rg_agent_ping(&agent, &err), -1);
    assert_string_equal(err.msg, "guest agent guest-ping failed: no description");
}

/* Decodes the buf-b64 of write command i and checks it against the bytes expected there. */
static void chunk_is(size_t i, long handle, const unsigned char *want, size_t len)
{
    json_t *args = json_object_get(g.sent[i], "arguments");
    unsigned char *got;
    size_t n;

    assert_string_equal(json_string_value(json_object_get(g.sent[i], "execute")),
                        "guest-file-write");
    assert_int_equal(json_integer_value(json_object_get(args, "handle")), handle);
    got = rg_b64_decode(json_string_value(json_object_get(args, "buf-b64")), &n);
    assert_non_null(got);
    assert_int_equal(n, len);
    assert_memory_equal(got, want, len);
    free(got);
}

static void test_write_file_in_chunks(void **state)
{
    /* 48 KiB a chunk: 100000 bytes are two full chunks and 1696 bytes. */
    static const char *const replies[] = {
        "{\"return\": 42}", "{\"return\": {\"count\": 49152, \"eof\": false}}",
        "{\"return\": {\"count\": 49152, \"eof\": false}}",
        "{\"return\": {\"count\": 1696, \"eof\": false}}", "{\"return\": {}}"};
    static unsigned char data[100000];
    struct rg_error err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 7 + i / 251);
    script(5, replies);
    assert_int_equal(rg_agent_write_file(&agent, "/tmp/rg/update.rgpkg", data, sizeof(data), &err),
                     0);
    assert_int_equal(g.nsent, 5);
    sent_is(0, "{\"arguments\":{\"mode\":\"w\",\"path\":\"/tmp/rg/update.rgpkg\"},"
               "\"execute\":\"guest-file-open\"}");
    chunk_is(1, 42, data, 49152);
    chunk_is(2, 42, data + 49152, 49152);
    chunk_is(3, 42, data + 98304, 1696);
    sent_is(4, "{\"arguments\":{\"handle\":42},\"execute\":\"guest-file-close\"}");
}

static void test_write_file_empty(void **state)
{
    static const char *const replies[] = {"{\"return\": 3}", "{\"return\": {}}"};
    struct rg_error err = {0};

    (void)state;
    script(2, replies);
    assert_int_equal(rg_agent_write_file(&agent, "/empty", "", 0, &err), 0);
    assert_int_equal(g.nsent, 2);
    sent_is(1, "{\"arguments\":{\"handle\":3},\"execute\":\"guest-file-close\"}");
}

/* A short or failed write stops the upload; the handle is closed all the same, and the error
 * says what went wrong first. */
static void test_write_file_short(void **state)
{
    static const char *const short_write[] = {
        "{\"return\": 5}", "{\"return\": {\"count\": 10, \"eof\": false}}", "{\"return\": {}}"};
    static const char *const failed_write[] = {"{\"return\": 5}", NULL, "{\"error\": {}}"};
    static const char *const no_open[] = {
        "{\"error\": {\"desc\": \"open(/ro/x): Read-only file system\"}}"};
    struct rg_error err = {0};

    (void)state;
    script(3, short_write);
    assert_int_equal(rg_agent_write_file(&agent, "/x", "0123456789ab", 12, &err), -1);
    assert_string_equal(err.msg, "guest agent wrote a short chunk to /x");
    assert_int_equal(g.nsent, 3);
    sent_is(2, "{\"arguments\":{\"handle\":5},\"execute\":\"guest-file-close\"}");

    script(3, failed_write);
    assert_int_equal(rg_agent_write_file(&agent, "/x", "abc", 3, &err), -1);
    assert_string_equal(err.msg, "guest agent guest-file-write: the domain is gone");
    assert_int_equal(g.nsent, 3); /* closed, and the close's own failure did not hide it */

    script(1, no_open);
    assert_int_equal(rg_agent_write_file(&agent, "/ro/x", "abc", 3, &err), -1);
    assert_string_equal(err.msg,
                        "guest agent guest-file-open failed: open(/ro/x): Read-only file system");
    assert_int_equal(g.nsent, 1);
}

static void test_exec(void **state)
{
    static const char *const replies[] = {"{\"return\": {\"pid\": 4242}}"};
    static const char *const argv[] = {"/usr/local/sbin/rg-install", "/tmp/rg/update.rgpkg",
                                       "--quiet \"x\"", NULL};
    static const char *const bare[] = {"/bin/true", NULL};
    struct rg_error err = {0};
    long pid = 0;

    (void)state;
    script(1, replies);
    assert_int_equal(rg_agent_exec(&agent, argv, &pid, &err), 0);
    assert_int_equal(pid, 4242);
    sent_is(0, "{\"arguments\":{\"arg\":[\"/tmp/rg/update.rgpkg\",\"--quiet \\\"x\\\"\"],"
               "\"capture-output\":true,\"path\":\"/usr/local/sbin/rg-install\"},"
               "\"execute\":\"guest-exec\"}");
    script(1, replies);
    assert_int_equal(rg_agent_exec(&agent, bare, &pid, &err), 0);
    sent_is(0, "{\"arguments\":{\"arg\":[],\"capture-output\":true,\"path\":\"/bin/true\"},"
               "\"execute\":\"guest-exec\"}");
}

static void test_exec_status(void **state)
{
    /* "RINGGATE-INSTALLED ok\n" and "warning: old\n" in base64. */
    static const char *const done[] = {
        "{\"return\": {\"exited\": true, \"exitcode\": 3,"
        " \"out-data\": \"UklOR0dBVEUtSU5TVEFMTEVEIG9rCg==\","
        " \"err-data\": \"d2FybmluZzogb2xkCg==\"}}"};
    static const char *const running[] = {"{\"return\": {\"exited\": false}}"};
    static const char *const signalled[] = {"{\"return\": {\"exited\": true, \"signal\": 9}}"};
    struct rg_agent_exec_status st;
    struct rg_error err = {0};

    (void)state;
    script(1, done);
    assert_int_equal(rg_agent_exec_status(&agent, 4242, &st, &err), 0);
    sent_is(0, "{\"arguments\":{\"pid\":4242},\"execute\":\"guest-exec-status\"}");
    assert_true(st.exited);
    assert_int_equal(st.exitcode, 3);
    assert_string_equal(st.out, "RINGGATE-INSTALLED ok\n");
    assert_string_equal(st.errout, "warning: old\n");
    rg_agent_exec_status_free(&st);
    assert_null(st.out);
    rg_agent_exec_status_free(&st); /* twice is harmless */

    script(1, running);
    assert_int_equal(rg_agent_exec_status(&agent, 1, &st, &err), 0);
    assert_false(st.exited);
    assert_null(st.out);
    assert_null(st.errout);
    rg_agent_exec_status_free(&st);

    script(1, signalled);
    assert_int_equal(rg_agent_exec_status(&agent, 1, &st, &err), 0);
    assert_true(st.exited);
    assert_int_equal(st.exitcode, -1);
    rg_agent_exec_status_free(&st);

    script(1, (const char *const[]){NULL});
    memset(&st, 0x55, sizeof(st));
    assert_int_equal(rg_agent_exec_status(&agent, 1, &st, &err), -1);
    assert_null(st.out); /* cleared: safe to free */
    rg_agent_exec_status_free(&st);
}

static void test_cmd_file_write(void **state)
{
    char *text = rg_agent_cmd_file_write(9, "hi\n", 3);
    json_t *cmd = json_loads(text, 0, NULL);

    (void)state;
    assert_non_null(cmd);
    assert_string_equal(json_string_value(json_object_get(cmd, "execute")), "guest-file-write");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(cmd, "arguments"),
                                                        "handle")),
                     9);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(cmd, "arguments"), "buf-b64")),
        "aGkK");
    json_decref(cmd);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_ping, teardown),
        cmocka_unit_test_teardown(test_failures, teardown),
        cmocka_unit_test_teardown(test_write_file_in_chunks, teardown),
        cmocka_unit_test_teardown(test_write_file_empty, teardown),
        cmocka_unit_test_teardown(test_write_file_short, teardown),
        cmocka_unit_test_teardown(test_exec, teardown),
        cmocka_unit_test_teardown(test_exec_status, teardown),
        cmocka_unit_test_teardown(test_cmd_file_write, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
