/* The guest agent's protocol: JSON commands built and parsed with jansson, sent over the seam. */
#include "hv/agent.h"

#include "util/digest.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define AGENT_CHUNK (48 * 1024) /* raw bytes per guest-file-write; the agent caps a message */

/* Sends cmd (stolen) and returns the reply's "return" member (new reference). */
static json_t *agent_call(const struct rg_agent *a, json_t *cmd, struct rg_error *err)
{
    char *text = json_dumps(cmd, JSON_COMPACT), *reply = NULL;
    json_t *root = NULL, *ret = NULL;
    json_error_t jerr;
    const char *execute = json_string_value(json_object_get(cmd, "execute"));
    char name[64];

    /* A copy: the command is freed before the messages that name it are written. */
    snprintf(name, sizeof(name), "%s", execute ? execute : "command");
    json_decref(cmd);
    if (!text) {
        rg_error_set(err, NULL, 0, 0, "cannot encode an agent command");
        return NULL;
    }
    if (a->ops->agent(a->dom, text, a->timeout_s, &reply, err) < 0) {
        rg_error_prefix(err, "guest agent %s", name);
        goto out;
    }
    root = json_loads(reply, 0, &jerr);
    if (!root) {
        rg_error_set(err, NULL, 0, 0, "guest agent %s: unreadable reply: %s", name, jerr.text);
        goto out;
    }
    ret = json_object_get(root, "return");
    if (!ret) {
        json_t *e = json_object_get(root, "error");
        const char *desc = json_string_value(json_object_get(e, "desc"));

        rg_error_set(err, NULL, 0, 0, "guest agent %s failed: %s", name,
                     desc ? desc : e ? "no description" : "no return value");
        goto out;
    }
    json_incref(ret);
out:
    json_decref(root);
    free(text);
    free(reply);
    return ret;
}

int rg_agent_ping(const struct rg_agent *a, struct rg_error *err)
{
    json_t *ret = agent_call(a, json_pack("{s:s}", "execute", "guest-ping"), err);

    if (!ret)
        return -1;
    json_decref(ret);
    return 0;
}

char *rg_agent_cmd_file_write(long handle, const void *data, size_t len)
{
    char *b64 = rg_b64_encode(data, len), *text;
    json_t *cmd = json_pack("{s:s, s:{s:I, s:s}}", "execute", "guest-file-write", "arguments",
                            "handle", (json_int_t)handle, "buf-b64", b64);

    text = json_dumps(cmd, JSON_COMPACT);
    json_decref(cmd);
    free(b64);
    return text;
}

int rg_agent_write_file(const struct rg_agent *a, const char *path, const void *data, size_t len,
                        struct rg_error *err)
{
    json_t *ret = agent_call(a,
                             json_pack("{s:s, s:{s:s, s:s}}", "execute", "guest-file-open",
                                       "arguments", "path", path, "mode", "w"),
                             err);
    long handle;
    int rc = 0;

    if (!ret)
        return -1;
    handle = (long)json_integer_value(ret);
    json_decref(ret);
    for (size_t off = 0; off < len && rc == 0; off += AGENT_CHUNK) {
        size_t n = len - off < AGENT_CHUNK ? len - off : AGENT_CHUNK;
        char *b64 = rg_b64_encode((const char *)data + off, n);
        json_t *w = agent_call(a,
                               json_pack("{s:s, s:{s:I, s:s}}", "execute", "guest-file-write",
                                         "arguments", "handle", (json_int_t)handle, "buf-b64",
                                         b64),
                               err);
        free(b64);
        if (!w || json_integer_value(json_object_get(w, "count")) != (json_int_t)n) {
            if (w)
                rg_error_set(err, NULL, 0, 0, "guest agent wrote a short chunk to %s", path);
            rc = -1;
        }
        json_decref(w);
    }
    ret = agent_call(a,
                     json_pack("{s:s, s:{s:I}}", "execute", "guest-file-close", "arguments",
                               "handle", (json_int_t)handle),
                     rc == 0 ? err : NULL);
    if (!ret)
        rc = -1;
    json_decref(ret);
    return rc;
}

int rg_agent_exec(const struct rg_agent *a, const char *const *argv, long *pid,
                  struct rg_error *err)
{
    json_t *args = json_array(), *ret;

    for (size_t i = 1; argv[i]; i++)
        json_array_append_new(args, json_string(argv[i]));
    ret = agent_call(a,
                     json_pack("{s:s, s:{s:s, s:o, s:b}}", "execute", "guest-exec", "arguments",
                               "path", argv[0], "arg", args, "capture-output", 1),
                     err);
    if (!ret)
        return -1;
    *pid = (long)json_integer_value(json_object_get(ret, "pid"));
    json_decref(ret);
    return 0;
}

int rg_agent_exec_status(const struct rg_agent *a, long pid, struct rg_agent_exec_status *st,
                         struct rg_error *err)
{
    json_t *ret = agent_call(a,
                             json_pack("{s:s, s:{s:I}}", "execute", "guest-exec-status",
                                       "arguments", "pid", (json_int_t)pid),
                             err);
    const char *out, *errout;

    memset(st, 0, sizeof(*st));
    if (!ret)
        return -1;
    st->exited = json_is_true(json_object_get(ret, "exited"));
    st->exitcode = json_object_get(ret, "exitcode")
                       ? (int)json_integer_value(json_object_get(ret, "exitcode"))
                       : -1;
    out = json_string_value(json_object_get(ret, "out-data"));
    errout = json_string_value(json_object_get(ret, "err-data"));
    st->out = out ? (char *)rg_b64_decode(out, NULL) : NULL;
    st->errout = errout ? (char *)rg_b64_decode(errout, NULL) : NULL;
    json_decref(ret);
    return 0;
}

void rg_agent_exec_status_free(struct rg_agent_exec_status *st)
{
    free(st->out);
    free(st->errout);
    st->out = st->errout = NULL;
}
