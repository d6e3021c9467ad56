/* junit.xml from report.json, with libxml2's xmlwriter; valid against the Apache Ant schema. */
#include <errno.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

/* The check classes every cell is a testcase of, and the findings that fail each. */
static const struct {
    const char *testcase;
    const char *classes[3];
} checks[] = {
    {"crash", {"crash", NULL}},
    {"boot-loop", {"boot-loop", NULL}},
    {"hang", {"hang", NULL}},
    {"warning", {"warning", NULL}},
    {"install", {"install-failed", NULL}},
    {"content-validator", {"content-rejected", NULL}},
    {"rollback", {"rollback-failed", NULL}},
    {"regression", {"perf-regression", "memory-regression", NULL}},
    {"infrastructure", {"infra", NULL}},
};
#define NCHECKS (sizeof(checks) / sizeof(checks[0]))

/* XML 1.0 allows neither most control bytes nor invalid UTF-8: console excerpts hold both. */
static char *xml_clean(const char *s)
{
    struct rg_buf b = RG_BUF_INIT;

    rg_buf_put_utf8(&b, s ? s : "", true);
    return rg_buf_detach(&b);
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void attr(xmlTextWriterPtr w, const char *name, const char *value)
{
    char *clean = xml_clean(value);

    xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST clean);
    free(clean);
}

static void attr_int(xmlTextWriterPtr w, const char *name, int v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%d", v);
    attr(w, name, buf);
}

static void attr_time(xmlTextWriterPtr w, double seconds)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%.3f", seconds);
    attr(w, "time", buf);
}

static void text(xmlTextWriterPtr w, const char *value)
{
    char *clean = xml_clean(value);

    xmlTextWriterWriteString(w, BAD_CAST clean);
    free(clean);
}

static bool class_in(const char *cls, size_t check)
{
    for (size_t i = 0; checks[check].classes[i]; i++)
        if (strcmp(cls, checks[check].classes[i]) == 0)
            return true;
    return false;
}

/* One testcase: the first blocking finding of its classes fails it (infrastructure errors
 * it); the others, and warnings, go to the suite's system-out (the schema gives testcases
 * none); an aborted cell skips it. */
static void write_case(xmlTextWriterPtr w, const json_t *cell, size_t check, int *failures,
                       int *errors, int *skipped, struct rg_buf *notes)
{
    const json_t *findings = json_object_get(cell, "findings"), *f, *blocking = NULL;
    char classname[256];
    size_t i;

    snprintf(classname, sizeof(classname), "%s.%s", jstr(cell, "scenario"), jstr(cell, "id"));
    xmlTextWriterStartElement(w, BAD_CAST "testcase");
    attr(w, "classname", classname);
    attr(w, "name", checks[check].testcase);
    attr_time(w, check == 0 ? json_number_value(json_object_get(cell, "duration_s")) : 0.0);
    json_array_foreach(findings, i, f)
    {
        if (!class_in(jstr(f, "class"), check))
            continue;
        if (!blocking && strcmp(jstr(f, "action"), "block") == 0)
            blocking = f;
        else
            rg_buf_printf(notes, "%s %s: %s (%s): %s\n", classname, checks[check].testcase,
                          jstr(f, "class"), jstr(f, "action"), jstr(f, "title"));
    }
    if (strcmp(jstr(cell, "verdict"), "aborted") == 0 && !blocking) {
        xmlTextWriterStartElement(w, BAD_CAST "skipped");
        attr(w, "message", "the cell was aborted (fail-fast or interrupt)");
        xmlTextWriterEndElement(w);
        (*skipped)++;
    } else if (blocking) {
        bool infra = strcmp(jstr(blocking, "class"), "infra") == 0;
        xmlTextWriterStartElement(w, BAD_CAST(infra ? "error" : "failure"));
        attr(w, "message", jstr(blocking, "title"));
        attr(w, "type", jstr(blocking, "class"));
        text(w, jstr(blocking, "excerpt"));
        xmlTextWriterEndElement(w);
        if (infra)
            (*errors)++;
        else
            (*failures)++;
    }
    xmlTextWriterEndElement(w);
}

static void write_suite(xmlTextWriterPtr w, const json_t *report, const json_t *scenario,
                        int id)
{
    const char *name = jstr(scenario, "name");
    const json_t *cells = json_object_get(report, "cells"), *c;
    int tests = 0, failures = 0, errors = 0, skipped = 0;
    struct rg_buf notes = RG_BUF_INIT;
    char stamp[32], host[128];
    xmlBufferPtr body = xmlBufferCreate();
    xmlTextWriterPtr bw = xmlNewTextWriterMemory(body, 0);
    size_t i;

    /* Counts come first in the XML but are known only after the testcases: write those to
     * a buffer, then the suite around them. */
    json_array_foreach(cells, i, c)
    {
        if (strcmp(jstr(c, "scenario"), name) != 0)
            continue;
        for (size_t k = 0; k < NCHECKS; k++, tests++)
            write_case(bw, c, k, &failures, &errors, &skipped, &notes);
    }
    xmlTextWriterFlush(bw);
    snprintf(stamp, sizeof(stamp), "%.19s", jstr(report, "started_at"));
    snprintf(host, sizeof(host), "%s", jstr(json_object_get(report, "host"), "hostname"));
    xmlTextWriterStartElement(w, BAD_CAST "testsuite");
    attr(w, "name", name);
    attr(w, "package", "ringgate");
    attr_int(w, "id", id);
    attr(w, "timestamp", strlen(stamp) == 19 ? stamp : "1970-01-01T00:00:00");
    attr(w, "hostname", host[0] ? host : "localhost");
    attr_int(w, "tests", tests);
    attr_int(w, "failures", failures);
    attr_int(w, "errors", errors);
    attr_int(w, "skipped", skipped);
    attr_time(w, json_number_value(json_object_get(report, "duration_s")));
    xmlTextWriterStartElement(w, BAD_CAST "properties");
    {
        const char *props[][2] = {
            {"verdict", jstr(scenario, "verdict")},
            {"run_id", jstr(report, "run_id")},
            {"scenario_sha256", jstr(scenario, "sha256")},
            {"update", jstr(json_object_get(scenario, "update"), "name")},
            {"update_version", jstr(json_object_get(scenario, "update"), "version")},
            {"update_sha256", jstr(json_object_get(scenario, "update"), "sha256")},
            {"accelerator", jstr(json_object_get(report, "host"), "accelerator")},
        };
        for (size_t k = 0; k < sizeof(props) / sizeof(props[0]); k++) {
            xmlTextWriterStartElement(w, BAD_CAST "property");
            attr(w, "name", props[k][0]);
            attr(w, "value", props[k][1]);
            xmlTextWriterEndElement(w);
        }
    }
    xmlTextWriterEndElement(w);
    xmlTextWriterWriteRaw(w, xmlBufferContent(body));
    xmlTextWriterStartElement(w, BAD_CAST "system-out");
    text(w, "ringgate verdict for this scenario: ");
    text(w, jstr(scenario, "verdict"));
    text(w, "\n");
    text(w, rg_buf_str(&notes));
    xmlTextWriterEndElement(w);
    rg_buf_free(&notes);
    xmlTextWriterWriteElement(w, BAD_CAST "system-err", BAD_CAST "");
    xmlTextWriterEndElement(w);
    xmlFreeTextWriter(bw);
    xmlBufferFree(body);
}

int rg_report_write_junit(const json_t *report, const char *path, struct rg_error *err)
{
    const json_t *scenarios = json_object_get(report, "scenarios"), *s;
    char tmp[4200];
    xmlTextWriterPtr w;
    size_t i;
    int rc = -1;

    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    w = xmlNewTextWriterFilename(tmp, 0);
    if (!w)
        return rg_error_set(err, tmp, 0, 0, "cannot write: %s", strerror(errno));
    xmlTextWriterSetIndent(w, 1);
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    xmlTextWriterStartElement(w, BAD_CAST "testsuites");
    json_array_foreach(scenarios, i, s) write_suite(w, report, s, (int)i);
    xmlTextWriterEndElement(w);
    if (xmlTextWriterEndDocument(w) >= 0)
        rc = 0;
    xmlFreeTextWriter(w);
    if (rc == 0 && rename(tmp, path) < 0)
        rc = -1;
    if (rc < 0) {
        unlink(tmp);
        return rg_error_set(err, path, 0, 0, "cannot write the JUnit report");
    }
    return 0;
}
