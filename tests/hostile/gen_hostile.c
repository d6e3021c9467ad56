/* Writes the hostile set: packages and scenarios that ringgate must refuse, and what each command
 * must answer. */
/*
 * gen_hostile OUT: OUT must hold vendor.pem (the trusted key; vendor.pub next to it) and
 * rogue.pem (a key nobody trusts). For every case NAME it writes NAME.case, one line per
 * command to run, "COMMAND EXIT [MESSAGE]" (run-hostile.sh knows the commands), and
 * NAME.rgpkg and/or NAME.yaml. The tar archives are written byte by byte here, not with
 * libarchive, so that they can be as wrong as an attacker likes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "package/package.h"
#include "package/sign.h"
#include "util/buf.h"
#include "util/digest.h"

static const char *g_out;
static char g_vendor[4096], g_rogue[4096];
static int g_cases;

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void write_file(const char *name, const void *data, size_t len)
{
    char path[4200];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", g_out, name);
    f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die(path);
}

/* ---- A ustar writer that writes whatever it is told ---- */

struct hdr {
    const char *name, *prefix, *link;
    unsigned mode;
    unsigned long long size;
    char type;    /* '0' regular, '2' symlink, 'x' pax, 'L' GNU long name, ... */
    bool gnu;     /* GNU magic "ustar  " instead of POSIX "ustar" "00" */
    bool bad_sum; /* a checksum that does not add up */
};

static void field(unsigned char *at, size_t width, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    memcpy(at, s ? s : "", n < width ? n : width);
}

static void octal(unsigned char *at, size_t width, unsigned long long v)
{
    char tmp[32];

    snprintf(tmp, sizeof(tmp), "%0*llo", (int)(width - 1), v);
    memcpy(at, tmp, width - 1);
}

static void tar_header(struct rg_buf *t, const struct hdr *h)
{
    unsigned char b[512] = {0};
    unsigned sum = 0;

    field(b, 100, h->name);
    octal(b + 100, 8, h->mode);
    octal(b + 108, 8, 0);
    octal(b + 116, 8, 0);
    octal(b + 124, 12, h->size);
    octal(b + 136, 12, 0);
    memset(b + 148, ' ', 8);
    b[156] = (unsigned char)h->type;
    field(b + 157, 100, h->link);
    memcpy(b + 257,
           h->gnu ? "ustar  "
                  : "ustar\0"
                    "00",
           8);
    field(b + 265, 32, "root");
    field(b + 297, 32, "root");
    field(b + 345, 155, h->prefix);
    for (size_t i = 0; i < sizeof(b); i++)
        sum += b[i];
    octal(b + 148, 7, h->bad_sum ? sum + 1 : sum);
    rg_buf_append(t, b, sizeof(b));
}

static void tar_data(struct rg_buf *t, const void *data, size_t len)
{
    static const unsigned char zero[512];

    rg_buf_append(t, data, len);
    if (len % 512)
        rg_buf_append(t, zero, 512 - len % 512);
}

/* A regular file; a name over 100 bytes goes into the prefix field, as ustar does it. */
static void tar_file(struct rg_buf *t, const char *path, const void *data, size_t len,
                     unsigned mode)
{
    char prefix[156] = "";
    const char *name = path;
    struct hdr h = {.mode = mode ? mode : 0644, .size = len, .type = '0'};

    if (strlen(path) > 100) {
        const char *slash = strchr(path + strlen(path) - 100, '/');
        if (slash && (size_t)(slash - path) < sizeof(prefix)) {
            memcpy(prefix, path, (size_t)(slash - path));
            prefix[slash - path] = '\0';
            name = slash + 1;
        }
    }
    h.name = name;
    h.prefix = prefix;
    tar_header(t, &h);
    tar_data(t, data, len);
}

static void tar_end(struct rg_buf *t)
{
    static const unsigned char zero[1024];

    rg_buf_append(t, zero, sizeof(zero));
}

/* ---- Manifests ---- */

static const char CHANNEL[] = "RGCHANNEL 1\nchannel 291\nversion 0292\ninputs 20\n"
                              "rule 1 match 1 x\n";
#define RGC "files/channels/291.rgc"

/* One files[] entry for data at path. */
static void entry(struct rg_buf *b, const char *path, const char *data, const char *mode)
{
    char sha[RG_SHA256_HEX];

    rg_sha256_hex(data, strlen(data), sha);
    rg_buf_printf(b, "%s{\"path\": \"%s\", \"sha256\": \"%s\", \"size\": %zu, \"mode\": \"%s\"}",
                  b->len ? ", " : "", path, sha, strlen(data), mode);
}

/* A manifest's members as raw JSON; NULL takes the good default, "" leaves it out. */
struct mf {
    const char *format, *name, *kind, *version, *extra, *files;
};

static char *manifest(const struct mf *m)
{
    struct rg_buf b = RG_BUF_INIT, files = RG_BUF_INIT;
    const char *keys[] = {"format", "name", "kind", "version", "files"};
    const char *vals[5] = {m->format ? m->format : "\"ringgate.pkg/v1\"",
                           m->name ? m->name : "\"hostile\"", m->kind ? m->kind : "\"content\"",
                           m->version ? m->version : "\"0292\"", m->files};

    if (!m->files) {
        entry(&files, RGC, CHANNEL, "0644");
        vals[4] = rg_buf_str(&files);
    }
    rg_buf_putc(&b, '{');
    for (size_t i = 0; i < 5; i++) {
        if (!*vals[i])
            continue;
        rg_buf_printf(&b, "%s\"%s\": %s%s%s", b.len > 1 ? ", " : "", keys[i], i == 4 ? "[" : "",
                      vals[i], i == 4 ? "]" : "");
    }
    rg_buf_printf(&b, "%s}", m->extra ? m->extra : "");
    rg_buf_free(&files);
    return rg_buf_detach(&b);
}

/* ---- Cases ---- */

/* What every command must answer when a package is refused for one reason. */
#define REFUSED(msg) "verify 2 " msg "\nshow-key 2 " msg "\nrun 2 " msg "\n"
#define SHOW(msg) "show 2 " msg "\n"

static void scenario(const char *name, const char *update, const char *baseline, const char *keys)
{
    struct rg_buf b = RG_BUF_INIT;
    char file[300];

    rg_buf_printf(&b,
                  "name: hostile\nupdate:\n  package: %s\n%s%s%strust:\n  keys: [%s]\n"
                  "images: catalog.json\nmatrix:\n  image: [tiny]\n",
                  update, baseline ? "baseline:\n  package: " : "", baseline ? baseline : "",
                  baseline ? "\n" : "", keys ? keys : "vendor.pub");
    snprintf(file, sizeof(file), "%s.yaml", name);
    write_file(file, b.data, b.len);
    rg_buf_free(&b);
}

static void expect(const char *name, const char *lines)
{
    char file[300];

    snprintf(file, sizeof(file), "%s.case", name);
    write_file(file, lines, strlen(lines));
    g_cases++;
}

/* A package as raw bytes, with its scenario. */
static void raw_case(const char *name, const void *data, size_t len, const char *lines)
{
    char file[300], pkg[300];

    snprintf(file, sizeof(file), "%s.rgpkg", name);
    write_file(file, data, len);
    snprintf(pkg, sizeof(pkg), "%s.rgpkg", name);
    scenario(name, pkg, NULL, NULL);
    expect(name, lines);
}

enum sig {
    SIG_VENDOR,
    SIG_ROGUE,
    SIG_ZERO,
    SIG_NONE,
    SIG_ALTERED /* the vendor's signature, then the version changed to 0299 */
};

/* manifest.json, manifest.sig (as told), then the members: the channel file unless given. */
struct member {
    const char *path, *data;
    unsigned mode;
};

static void pkg_case(const char *name, const char *json, enum sig sig, const struct member *m,
                     size_t n, const char *lines)
{
    struct rg_buf t = RG_BUF_INIT;
    unsigned char s[RG_SIG_BYTES] = {0};
    struct rg_error err;
    const struct member chan = {RGC, CHANNEL, 0};
    char *body = strdup(json), *v;

    if ((sig == SIG_VENDOR || sig == SIG_ROGUE || sig == SIG_ALTERED) &&
        rg_sign(sig == SIG_ROGUE ? g_rogue : g_vendor, json, strlen(json), s, NULL, &err) < 0) {
        fprintf(stderr, "gen_hostile: %s: %s\n", err.file, err.msg);
        exit(1);
    }
    if (sig == SIG_ALTERED && (v = strstr(body, "\"0292\"")))
        v[4] = '9';
    tar_file(&t, "manifest.json", body, strlen(body), 0644);
    free(body);
    if (sig != SIG_NONE)
        tar_file(&t, "manifest.sig", s, sizeof(s), 0644);
    if (!m) {
        m = &chan;
        n = 1;
    }
    for (size_t i = 0; i < n; i++)
        tar_file(&t, m[i].path, m[i].data, strlen(m[i].data), m[i].mode);
    tar_end(&t);
    raw_case(name, t.data, t.len, lines);
    rg_buf_free(&t);
}

/* A vendor-signed package whose manifest is m with the standard channel file. */
static void signed_case(const char *name, const struct mf *m, const char *lines)
{
    char *json = manifest(m);

    pkg_case(name, json, SIG_VENDOR, NULL, 0, lines);
    free(json);
}

/* A vendor-signed package listing the given files[] JSON and carrying the given members. */
static void files_case(const char *name, const char *files, const struct member *m, size_t n,
                       const char *lines)
{
    struct mf mf = {.files = files};
    char *json = manifest(&mf);

    pkg_case(name, json, SIG_VENDOR, m, n, lines);
    free(json);
}

/* A vendor-signed package with one listed file at path (mode) and one member at member_path
 * with member_mode. */
static void path_case(const char *name, const char *path, const char *mode, const char *member_path,
                      unsigned member_mode, const char *lines)
{
    struct rg_buf f = RG_BUF_INIT;
    struct member m = {member_path, CHANNEL, member_mode};

    entry(&f, path, CHANNEL, mode);
    files_case(name, f.data, &m, 1, lines);
    rg_buf_free(&f);
}

/* One member with a hand-made header (then the good manifest and signature). */
static void header_case(const char *name, const struct hdr *h, const char *data, const char *lines)
{
    struct rg_buf t = RG_BUF_INIT;
    unsigned char s[RG_SIG_BYTES];
    struct mf mf = {0};
    char *json = manifest(&mf);
    struct rg_error err;

    if (rg_sign(g_vendor, json, strlen(json), s, NULL, &err) < 0)
        exit(1);
    tar_file(&t, "manifest.json", json, strlen(json), 0644);
    tar_file(&t, "manifest.sig", s, sizeof(s), 0644);
    tar_header(&t, h);
    tar_data(&t, data, strlen(data));
    tar_file(&t, RGC, CHANNEL, strlen(CHANNEL), 0644);
    tar_end(&t);
    raw_case(name, t.data, t.len, lines);
    rg_buf_free(&t);
    free(json);
}

/* The controls: if these fail, the refusals below prove nothing. */
static void controls(void)
{
    struct mf mf = {0};
    char *json = manifest(&mf), *old;
    struct mf m0290 = {.version = "\"0290\""};
    static const char c0290[] = "RGCHANNEL 1\nchannel 291\nversion 0290\ninputs 20\n"
                                "rule 1 match 1 x\n";
    struct rg_buf f = RG_BUF_INIT;

    pkg_case("good", json, SIG_VENDOR, NULL, 0, "verify 0\nverify-content 0\nshow 0\nshow-key 0\n");
    entry(&f, RGC, c0290, "0644");
    m0290.files = f.data;
    old = manifest(&m0290);
    pkg_case("downgrade", old, SIG_VENDOR, (struct member[]){{RGC, c0290, 0}}, 1,
             "verify 0\nverify-candidate 2 downgrade refused\nrun 2 downgrade refused\n");
    scenario("downgrade", "downgrade.rgpkg", "good.rgpkg", NULL); /* with its baseline */
    free(json);
    free(old);
    rg_buf_free(&f);
}

/* Framing: refused before any signature is looked at. */
static void framing(void)
{
    struct rg_buf t = RG_BUF_INIT;
    static const char junk[] = "this is not a tar archive, only text that goes on a while...";

    raw_case("empty-file", "", 0, REFUSED("archive") SHOW("archive"));
    raw_case("not-tar", junk, strlen(junk), REFUSED("archive") SHOW("archive"));
    tar_end(&t);
    raw_case("empty-archive", t.data, t.len, REFUSED("no manifest.json") SHOW("no manifest.json"));
    rg_buf_reset(&t);

    /* Traversal through the tar headers. */
    header_case("tar-dotdot",
                &(struct hdr){.name = "../evil", .mode = 0644, .size = 1, .type = '0'}, "x",
                REFUSED("unsafe path") SHOW("unsafe path"));
    header_case("tar-absolute",
                &(struct hdr){.name = "/etc/cron.d/evil", .mode = 0644, .size = 1, .type = '0'},
                "x", REFUSED("unsafe path") SHOW("unsafe path"));
    header_case("tar-inner-dotdot",
                &(struct hdr){.name = "files/a/../../../x", .mode = 0644, .size = 1, .type = '0'},
                "x", REFUSED("unsafe path") SHOW("unsafe path"));
    header_case("tar-prefix-dotdot",
                &(struct hdr){.name = "x", .prefix = "../..", .mode = 0644, .size = 1, .type = '0'},
                "x", REFUSED("unsafe path") SHOW("unsafe path"));
    header_case("tar-dot-slash",
                &(struct hdr){.name = "./files/x", .mode = 0644, .size = 1, .type = '0'}, "x",
                REFUSED("unsafe path") SHOW("unsafe path"));
    header_case("tar-double-slash",
                &(struct hdr){.name = "files//x", .mode = 0644, .size = 1, .type = '0'}, "x",
                REFUSED("unsafe path") SHOW("unsafe path"));
    header_case("tar-backslash",
                &(struct hdr){.name = "files\\..\\..\\x", .mode = 0644, .size = 1, .type = '0'},
                "x", REFUSED("unsafe path") SHOW("unsafe path"));
    header_case(
        "tar-escape-in-name",
        &(struct hdr){
            .name = "files/\033]0;pwned\007\033[2J", .mode = 0644, .size = 1, .type = '0'},
        "x", REFUSED("unsafe path in the archive: 'files/\\x1b]0;pwned\\x07") SHOW("unsafe path"));
    header_case("tar-utf8-name",
                &(struct hdr){.name = "files/caf\xc3\xa9", .mode = 0644, .size = 1, .type = '0'},
                "x", REFUSED("unsafe path") SHOW("unsafe path"));
    header_case("tar-outside-files",
                &(struct hdr){.name = "etc/passwd", .mode = 0644, .size = 1, .type = '0'}, "x",
                REFUSED("'etc/passwd' is outside files/") SHOW("outside files/"));
    /* Entries that are not regular files. */
    header_case("tar-symlink",
                &(struct hdr){.name = "files/l", .link = "/etc/shadow", .mode = 0644, .type = '2'},
                "", REFUSED("not a regular file") SHOW("not a regular file"));
    header_case(
        "tar-hardlink",
        &(struct hdr){.name = "files/h", .link = "manifest.json", .mode = 0644, .type = '1'}, "",
        REFUSED("not a regular file") SHOW("not a regular file"));
    header_case("tar-folder", &(struct hdr){.name = "files/d", .mode = 0755, .type = '5'}, "",
                REFUSED("not a regular file") SHOW("not a regular file"));
    header_case("tar-trailing-slash",
                &(struct hdr){.name = "files/x/", .mode = 0644, .size = 1, .type = '0'}, "x",
                REFUSED("unsafe path") SHOW("unsafe path"));
    header_case("tar-char-device", &(struct hdr){.name = "files/zero", .mode = 0644, .type = '3'},
                "", REFUSED("not a regular file") SHOW("not a regular file"));
    header_case("tar-fifo", &(struct hdr){.name = "files/fifo", .mode = 0644, .type = '6'}, "",
                REFUSED("not a regular file") SHOW("not a regular file"));
    /* Extensions that rename entries: the guest's tar could read another name. */
    header_case("tar-pax-path",
                &(struct hdr){.name = "PaxHeaders/x", .mode = 0644, .size = 25, .type = 'x'},
                "25 path=../../etc/shadow\n", REFUSED("not a plain ustar") SHOW("ustar"));
    header_case("tar-pax-global",
                &(struct hdr){.name = "pax_global_header", .mode = 0644, .size = 19, .type = 'g'},
                "19 path=../../evil\n", REFUSED("ustar") SHOW("ustar"));
    header_case(
        "tar-gnu-longname",
        &(struct hdr){.name = "././@LongLink", .mode = 0644, .size = 15, .type = 'L', .gnu = true},
        "../../etc/evil\n", REFUSED("ustar") SHOW("ustar"));
    header_case("tar-gnu-magic",
                &(struct hdr){.name = "files/g", .mode = 0644, .size = 1, .type = '0', .gnu = true},
                "x", REFUSED("not a plain ustar") SHOW("ustar"));
    /* Modes no package gets, whatever it is signed with. */
    header_case("tar-setuid", &(struct hdr){.name = RGC, .mode = 04755, .size = 1, .type = '0'},
                "x", REFUSED("the tar header gives mode 4755") SHOW("mode 4755"));
    header_case("tar-world-writable",
                &(struct hdr){.name = "files/w", .mode = 0666, .size = 1, .type = '0'}, "x",
                REFUSED("the tar header gives mode 0666") SHOW("mode 0666"));
    header_case("tar-sticky",
                &(struct hdr){.name = "files/s", .mode = 01755, .size = 1, .type = '0'}, "x",
                REFUSED("mode 1755") SHOW("mode 1755"));
    /* Broken framing. */
    header_case(
        "tar-bad-checksum",
        &(struct hdr){.name = "files/c", .mode = 0644, .size = 1, .type = '0', .bad_sum = true},
        "x", REFUSED("archive") SHOW("archive"));
    header_case("tar-truncated",
                &(struct hdr){.name = "files/t", .mode = 0644, .size = 60ULL << 20, .type = '0'},
                "x", REFUSED("files/t") SHOW("files/t"));
    header_case("tar-member-too-big",
                &(struct hdr){.name = "files/t", .mode = 0644, .size = 65ULL << 20, .type = '0'},
                "x", REFUSED("makes the package larger") SHOW("larger"));
    header_case("tar-duplicate-member",
                &(struct hdr){.name = RGC, .mode = 0644, .size = 1, .type = '0'}, "x",
                REFUSED("duplicate entry") SHOW("duplicate entry"));
    header_case(
        "tar-case-twin",
        &(struct hdr){.name = "files/channels/291.RGC", .mode = 0644, .size = 1, .type = '0'}, "x",
        REFUSED("differ only in case") SHOW("differ only in case"));
    header_case("tar-file-and-folder",
                &(struct hdr){.name = "files/channels", .mode = 0644, .size = 1, .type = '0'}, "x",
                REFUSED("one is a folder of the other") SHOW("folder of the other"));
    header_case("tar-second-manifest",
                &(struct hdr){.name = "manifest.json", .mode = 0644, .size = 2, .type = '0'}, "{}",
                REFUSED("duplicate entry 'manifest.json'") SHOW("duplicate entry"));
    rg_buf_free(&t);
}

/* Signatures: an unauthenticated manifest is never parsed, however hostile. */
static void signatures(void)
{
    struct rg_buf files = RG_BUF_INIT;
    struct mf mf = {0};
    char *good = manifest(&mf), *dup;

    pkg_case("unsigned", good, SIG_NONE, NULL, 0,
             REFUSED("missing signature") SHOW("missing signature"));
    pkg_case("zero-signature", good, SIG_ZERO, NULL, 0, REFUSED("bad signature") "show 0\n");
    pkg_case("rogue-signed", good, SIG_ROGUE, NULL, 0, REFUSED("bad signature") "show 0\n");
    pkg_case("rogue-not-json", "this is not JSON {{{", SIG_ROGUE, NULL, 0,
             REFUSED("its manifest was not read") SHOW("manifest.json:1:"));
    entry(&files, RGC, CHANNEL, "0644");
    entry(&files, RGC, CHANNEL, "0644");
    mf.files = files.data;
    dup = manifest(&mf);
    pkg_case("rogue-duplicate-path", dup, SIG_ROGUE, NULL, 0,
             REFUSED("bad signature") SHOW("listed twice"));
    /* Signed, then one byte of the manifest changed: still a good manifest, not the signed one. */
    pkg_case("altered-after-signing", good, SIG_ALTERED, NULL, 0,
             REFUSED("bad signature") "show 0\n");
    free(good);
    free(dup);
    rg_buf_free(&files);
}

/* Signed by the vendor, and every field of the manifest wrong in its own way. */
static void manifest_fields(void)
{
    static const char *const bad_versions[] = {
        "\"..\"",      "\"\\u002e\\u002e\"",
        "\".\"",       "\"../../etc\"",
        "\".hidden\"", "\"-rf\"",
        "\"a/b\"",     "\"0292 \"",
        "\"\"",        "\"0123456789abcdef0123456789abcdef0\"",
        "292",         "null",
        "[\"0292\"]"};
    char name[64];

    for (size_t i = 0; i < sizeof(bad_versions) / sizeof(bad_versions[0]); i++) {
        snprintf(name, sizeof(name), "version-%02zu", i);
        signed_case(name, &(struct mf){.version = bad_versions[i]},
                    REFUSED("'version'") SHOW("'version'"));
    }
    signed_case("format-missing", &(struct mf){.format = ""},
                REFUSED("unknown format") SHOW("unknown format"));
    signed_case("format-v2", &(struct mf){.format = "\"ringgate.pkg/v2\""},
                REFUSED("unknown format") SHOW("unknown format"));
    signed_case("name-upper", &(struct mf){.name = "\"Evil\""}, REFUSED("'name'") SHOW("'name'"));
    signed_case("name-traversal", &(struct mf){.name = "\"../../x\""},
                REFUSED("'name'") SHOW("'name'"));
    signed_case("name-missing", &(struct mf){.name = ""}, REFUSED("'name'") SHOW("'name'"));
    signed_case("kind-firmware", &(struct mf){.kind = "\"firmware\""},
                REFUSED("'kind'") SHOW("'kind'"));
    signed_case("kind-number", &(struct mf){.kind = "1"}, REFUSED("'kind'") SHOW("'kind'"));
    signed_case("unknown-key", &(struct mf){.extra = ", \"postinstall\": \"rm -rf /\""},
                REFUSED("unknown key 'postinstall'") SHOW("unknown key"));
    signed_case("description-escapes",
                &(struct mf){.extra = ", \"description\": \"\\u001b]0;owned\\u0007\""},
                REFUSED("'description'") SHOW("'description'"));
    signed_case("description-c1", &(struct mf){.extra = ", \"description\": \"a\\u009b2Jb\""},
                REFUSED("'description'") SHOW("'description'"));
    signed_case("description-bidi",
                &(struct mf){.extra = ", \"description\": \"safe\\u202eexe.txt\""},
                REFUSED("'description'") SHOW("'description'"));
    signed_case("description-number", &(struct mf){.extra = ", \"description\": 7"},
                REFUSED("'description'") SHOW("'description'"));
    signed_case("target-list", &(struct mf){.extra = ", \"target\": [\"1\"]"},
                REFUSED("'target' must be an object") SHOW("'target'"));
    signed_case("target-shell", &(struct mf){.extra = ", \"target\": {\"kernel\": \"$(reboot)\"}"},
                REFUSED("'target.kernel'") SHOW("'target.kernel'"));
    signed_case("target-unknown", &(struct mf){.extra = ", \"target\": {\"arch\": \"x86\"}"},
                REFUSED("unknown key 'arch'") SHOW("unknown key"));
    signed_case("duplicate-json-key", &(struct mf){.extra = ", \"version\": \"9999\""},
                REFUSED("duplicate") SHOW("duplicate"));
    signed_case("trailing-garbage", &(struct mf){.extra = "} {"},
                REFUSED("manifest.json:1:") SHOW("manifest.json:1:"));
    signed_case("nul-in-string", &(struct mf){.extra = ", \"description\": \"a\\u0000b\""},
                REFUSED("manifest.json:1:") SHOW("manifest.json:1:"));
    signed_case("files-missing", &(struct mf){.files = ""},
                REFUSED("'files' must be a list") SHOW("'files'"));
    signed_case("files-object", &(struct mf){.extra = ", \"files\": {}", .files = ""},
                REFUSED("'files' must be a list") SHOW("'files'"));
    /* Whole manifests that are not objects, not UTF-8 or not JSON. */
    pkg_case("manifest-array", "[1, 2, 3]", SIG_VENDOR, NULL, 0,
             REFUSED("unknown format") SHOW("unknown format"));
    pkg_case("manifest-null", "null", SIG_VENDOR, NULL, 0,
             REFUSED("manifest.json:1:") SHOW("manifest.json:1:"));
    pkg_case("manifest-empty", "", SIG_VENDOR, NULL, 0,
             REFUSED("manifest.json:") SHOW("manifest.json:"));
    pkg_case("manifest-latin1", "{\"format\": \"ringgate.pkg/v1\", \"name\": \"caf\xe9\"}",
             SIG_VENDOR, NULL, 0, REFUSED("manifest.json:1:") SHOW("manifest.json:1:"));
    pkg_case("manifest-bom", "\xef\xbb\xbf{}", SIG_VENDOR, NULL, 0,
             REFUSED("manifest.json:1:") SHOW("manifest.json:1:"));
    pkg_case("manifest-huge-number", "{\"format\": 1e999999}", SIG_VENDOR, NULL, 0,
             REFUSED("manifest.json:1:") SHOW("manifest.json:1:"));
}

/* files[]: duplicate, missing and extra entries, traversal through the manifest, modes. */
static void manifest_files(void)
{
    static const char *const bad_paths[][2] = {
        {"path-dotdot", "files/../manifest.json"},
        {"path-dotdot-deep", "files/../../../etc/passwd"},
        {"path-absolute", "/etc/passwd"},
        {"path-outside-files", "manifest.json"},
        {"path-dot", "files/channels/./291.rgc"},
        {"path-double-slash", "files/channels//291.rgc"},
        {"path-trailing-slash", "files/channels/291.rgc/"},
        {"path-hidden", "files/channels/.291.rgc"},
        {"path-option", "files/channels/-rf"},
        {"path-escaped-dotdot", "files/\\u002e\\u002e/manifest.json"},
    };
    struct rg_buf f = RG_BUF_INIT;
    const struct member chan = {RGC, CHANNEL, 0};
    char sha[RG_SHA256_HEX], buf[512];

    /* The crash of issue 15: one path listed twice. */
    entry(&f, RGC, CHANNEL, "0644");
    entry(&f, RGC, CHANNEL, "0644");
    files_case("duplicate-path", f.data, &chan, 1,
               REFUSED("'files/channels/291.rgc' is listed twice") SHOW("listed twice"));
    rg_buf_reset(&f);
    entry(&f, RGC, CHANNEL, "0644");
    entry(&f, RGC, "other bytes", "0755");
    files_case("duplicate-path-other-hash", f.data, &chan, 1,
               REFUSED("listed twice") SHOW("listed twice"));
    rg_buf_reset(&f);
    entry(&f, RGC, CHANNEL, "0644");
    entry(&f, "files/channels/291.RGC", CHANNEL, "0644");
    files_case("case-twins", f.data,
               (struct member[]){chan, {"files/channels/291.RGC", CHANNEL, 0}}, 2,
               REFUSED("differ only in case") SHOW("differ only in case"));
    rg_buf_reset(&f);
    entry(&f, RGC, CHANNEL, "0644");
    entry(&f, "files/extra.rgc", CHANNEL, "0644");
    files_case("listed-not-carried", f.data, &chan, 1,
               REFUSED("in the manifest but not in the archive") SHOW("not in the archive"));
    rg_buf_reset(&f);
    entry(&f, RGC, CHANNEL, "0644");
    files_case("carried-not-listed", f.data,
               (struct member[]){chan, {"files/payload.sh", "#!/bin/sh\nreboot\n", 0755}}, 2,
               REFUSED("in the archive but not in the manifest") SHOW("not in the manifest"));
    files_case("files-empty", "", &chan, 1, REFUSED("1 to 1024") SHOW("1 to 1024"));
    files_case("files-not-objects", "1, 2", &chan, 1,
               REFUSED("files[0] must be an object") SHOW("files[0]"));
    rg_buf_free(&f);

    /* Traversal and second spellings through the manifest (the member is the real file). */
    for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++)
        path_case(bad_paths[i][0], bad_paths[i][1], "0644", RGC, 0,
                  REFUSED("files[0].path") SHOW("files[0].path"));
    path_case("path-other-file", "files/channels/290.rgc", "0644", RGC, 0,
              REFUSED("not in the archive") SHOW("not in the archive"));

    /* Modes: only 0644 and 0755, and the tar header must agree. */
    path_case("mode-setuid", RGC, "4755", RGC, 0755,
              REFUSED("files[0].mode '4755'") SHOW("mode '4755'"));
    path_case("mode-setgid", RGC, "2755", RGC, 0755, REFUSED("mode '2755'") SHOW("'2755'"));
    path_case("mode-sticky", RGC, "1755", RGC, 0755, REFUSED("mode '1755'") SHOW("'1755'"));
    path_case("mode-world-writable", RGC, "0666", RGC, 0644, REFUSED("mode '0666'") SHOW("'0666'"));
    path_case("mode-0777", RGC, "0777", RGC, 0755, REFUSED("mode '0777'") SHOW("'0777'"));
    path_case("mode-header-disagrees", RGC, "0644", RGC, 0755,
              REFUSED("the tar header gives mode 0755, the manifest 0644") SHOW("tar header"));

    /* Hashes, sizes and modes of the wrong type. */
    rg_sha256_hex(CHANNEL, strlen(CHANNEL), sha);
    snprintf(buf, sizeof(buf),
             "{\"path\": \"%s\", \"sha256\": \"%s\", \"size\": %zu, \"mode\": 493}", RGC, sha,
             strlen(CHANNEL));
    files_case("mode-number", buf, &chan, 1, REFUSED("files[0].mode") SHOW("files[0].mode"));
    snprintf(buf, sizeof(buf),
             "{\"path\": \"%s\", \"sha256\": \"%s\", \"size\": %zu, \"mode\": \"0644\"}", RGC,
             "0000000000000000000000000000000000000000000000000000000000000000", strlen(CHANNEL));
    files_case("hash-wrong", buf, &chan, 1,
               REFUSED("does not match its sha256") SHOW("does not match its sha256"));
    for (char *p = sha; *p; p++)
        *p = (char)(*p >= 'a' ? *p - 32 : *p);
    snprintf(buf, sizeof(buf),
             "{\"path\": \"%s\", \"sha256\": \"%s\", \"size\": %zu, \"mode\": \"0644\"}", RGC, sha,
             strlen(CHANNEL));
    files_case("hash-upper-case", buf, &chan, 1, REFUSED("files[0].sha256") SHOW("sha256"));
    rg_sha256_hex(CHANNEL, strlen(CHANNEL), sha);
    snprintf(buf, sizeof(buf),
             "{\"path\": \"%s\", \"sha256\": \"%s\", \"size\": -1, \"mode\": \"0644\"}", RGC, sha);
    files_case("size-negative", buf, &chan, 1, REFUSED("files[0].size") SHOW("size"));
    snprintf(buf, sizeof(buf),
             "{\"path\": \"%s\", \"sha256\": \"%s\", \"size\": 9e9, \"mode\": \"0644\"}", RGC, sha);
    files_case("size-float", buf, &chan, 1, REFUSED("files[0].size") SHOW("size"));
    snprintf(buf, sizeof(buf),
             "{\"path\": \"%s\", \"sha256\": \"%s\", \"size\": 1, \"mode\": \"0644\"}", RGC, sha);
    files_case("size-wrong", buf, &chan, 1, REFUSED("the manifest says 1") SHOW("manifest says"));
    snprintf(buf, sizeof(buf),
             "{\"path\": \"%s\", \"sha256\": \"%s\", \"size\": %zu, \"mode\": \"0644\", "
             "\"owner\": \"root\"}",
             RGC, sha, strlen(CHANNEL));
    files_case("file-unknown-key", buf, &chan, 1, REFUSED("unknown key 'owner'") SHOW("owner"));
}

/* Content that verifies but must not reach a guest: the validator's refusals (exit 1). */
static void content(void)
{
    static const char v9999[] = "RGCHANNEL 1\nchannel 291\nversion 9999\ninputs 20\n"
                                "rule 1 match 1 x\n";
    struct rg_buf f = RG_BUF_INIT;
    struct mf mf = {.version = "\"0293\""};
    char *json;

    entry(&f, RGC, v9999, "0644");
    mf.files = f.data;
    json = manifest(&mf);
    pkg_case("channel-version-mismatch", json, SIG_VENDOR, (struct member[]){{RGC, v9999, 0}}, 1,
             "verify 0\nverify-content 1 the channel file's version 9999 is not the package's "
             "version 0293\n");
    free(json);
    rg_buf_reset(&f);
    entry(&f, "files/readme.txt", "no channel here\n", "0644");
    mf = (struct mf){.files = f.data};
    json = manifest(&mf);
    pkg_case("content-without-channel", json, SIG_VENDOR,
             (struct member[]){{"files/readme.txt", "no channel here\n", 0}}, 1,
             "verify 0\nverify-content 1 carries no channel file\n");
    free(json);
    rg_buf_free(&f);
}

/* Huge, deep and empty inputs: refused within bounded time and memory. */
static void sizes(void)
{
    struct rg_buf b = RG_BUF_INIT, t = RG_BUF_INIT;
    char path[4200], name[64];
    FILE *f;

    /* 65 MiB (sparse): refused by its size before a byte is read. */
    snprintf(path, sizeof(path), "%s/huge-archive.rgpkg", g_out);
    f = fopen(path, "wb");
    if (!f || ftruncate(fileno(f), 65L << 20) != 0 || fclose(f) != 0)
        die(path);
    scenario("huge-archive", "huge-archive.rgpkg", NULL, NULL);
    expect("huge-archive", REFUSED("larger than") SHOW("larger than"));
    /* A manifest over 1 MiB. */
    rg_buf_puts(&b, "{\"format\": \"ringgate.pkg/v1\", \"description\": \"");
    while (b.len <= RG_PKG_MAX_MANIFEST)
        rg_buf_puts(&b, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    rg_buf_puts(&b, "\"}");
    pkg_case("huge-manifest", b.data, SIG_VENDOR, NULL, 0,
             REFUSED("manifest.json is larger than") SHOW("larger than"));
    /* 200 000 levels of nesting in 400 kB, signed and not. */
    rg_buf_reset(&b);
    for (int i = 0; i < 200000; i++)
        rg_buf_putc(&b, '[');
    for (int i = 0; i < 200000; i++)
        rg_buf_putc(&b, ']');
    pkg_case("deep-manifest", b.data, SIG_VENDOR, NULL, 0,
             REFUSED("manifest.json:1:") SHOW("manifest.json:1:"));
    pkg_case("deep-manifest-rogue", b.data, SIG_ROGUE, NULL, 0,
             REFUSED("bad signature") SHOW("manifest.json:1:"));
    /* Deep inside a good manifest's description. */
    rg_buf_reset(&b);
    rg_buf_puts(&b, ", \"description\": ");
    for (int i = 0; i < 100000; i++)
        rg_buf_puts(&b, "{\"a\":");
    rg_buf_puts(&b, "1");
    for (int i = 0; i < 100000; i++)
        rg_buf_putc(&b, '}');
    signed_case("deep-description", &(struct mf){.extra = b.data},
                REFUSED("manifest.json:1:") SHOW("manifest.json:1:"));
    /* 1025 entries. */
    rg_buf_reset(&b);
    for (int i = 0; i < 1025; i++) {
        snprintf(name, sizeof(name), "files/f%04d", i);
        tar_file(&t, name, "", 0, 0644);
    }
    tar_end(&t);
    raw_case("too-many-entries", t.data, t.len,
             REFUSED("more than 1024 entries") SHOW("more than 1024"));
    rg_buf_reset(&t);
    /* 1021 files listed and carried, the last one's hash wrong: every check runs. */
    {
        struct rg_buf files = RG_BUF_INIT;
        unsigned char s[RG_SIG_BYTES];
        struct rg_error err;
        struct mf mf = {0};
        char *json;

        for (int i = 0; i < 1021; i++) {
            snprintf(name, sizeof(name), "files/d%02d/f%04d", i % 50, i);
            entry(&files, name, name, "0644");
        }
        /* A digit inside the last sha256 (30 bytes of size and mode follow it). */
        files.data[files.len - 40] = files.data[files.len - 40] == '0' ? '1' : '0';
        mf.files = files.data;
        json = manifest(&mf);
        if (rg_sign(g_vendor, json, strlen(json), s, NULL, &err) < 0)
            exit(1);
        tar_file(&t, "manifest.json", json, strlen(json), 0644);
        tar_file(&t, "manifest.sig", s, sizeof(s), 0644);
        for (int i = 0; i < 1021; i++) {
            snprintf(name, sizeof(name), "files/d%02d/f%04d", i % 50, i);
            tar_file(&t, name, name, strlen(name), 0644);
        }
        tar_end(&t);
        raw_case("many-files-last-wrong", t.data, t.len,
                 REFUSED("'files/d20/f1020' does not match its sha256") SHOW("files/d20/f1020"));
        free(json);
        rg_buf_free(&files);
    }
    /* Names at and over the limits. */
    rg_buf_reset(&b);
    rg_buf_puts(&b, "files");
    for (int i = 0; i < 20; i++)
        rg_buf_puts(&b, "/d");
    path_case("path-too-deep", b.data, "0644", RGC, 0, REFUSED("files[0].path") SHOW("path"));
    /* 207 bytes through the ustar prefix field: over the 200 allowed. */
    rg_buf_reset(&b);
    rg_buf_puts(&b, "files/");
    while (b.len < 146)
        rg_buf_putc(&b, 'p');
    header_case(
        "tar-path-too-long",
        &(struct hdr){.name = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
                      .prefix = b.data,
                      .mode = 0644,
                      .size = 1,
                      .type = '0'},
        "x", REFUSED("unsafe path") SHOW("unsafe path"));
    rg_buf_free(&b);
    rg_buf_free(&t);
}

/* Scenarios that name hostile files: run must refuse them, and never wait on one. */
static void scenarios(void)
{
    char path[4200];
    static const char not_a_key[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    struct rg_buf b = RG_BUF_INIT;

    snprintf(path, sizeof(path), "%s/fifo.rgpkg", g_out);
    if (mkfifo(path, 0600) != 0)
        die(path);
    scenario("update-fifo", "fifo.rgpkg", NULL, NULL);
    expect("update-fifo", "run 2 is not a regular file\n");
    expect("fifo", "verify 2 not a regular file\nshow 2 not a regular file\n"
                   "run-update 2 not a regular file\n");
    snprintf(path, sizeof(path), "%s/key-fifo.key", g_out);
    if (mkfifo(path, 0600) != 0)
        die(path);
    scenario("key-fifo", "good.rgpkg", NULL, "key-fifo.key");
    expect("key-fifo", "run 2 is not a regular file\nverify-key 2 not a regular file\n");
    scenario("update-device", "/dev/zero", NULL, NULL);
    expect("update-device", "run 2 is not a regular file\n");
    write_file("not-a-key.pub", not_a_key, strlen(not_a_key));
    scenario("key-garbage", "good.rgpkg", NULL, "not-a-key.pub");
    expect("key-garbage", "run 2 not an Ed25519 public key\n");
    scenario("baseline-hostile", "good.rgpkg", "duplicate-path.rgpkg", NULL);
    expect("baseline-hostile", "run 2 listed twice\n");
    scenario("baseline-rogue", "good.rgpkg", "rogue-signed.rgpkg", NULL);
    expect("baseline-rogue", "run 2 bad signature\n");
    /* The scenario itself: deep, huge, an alias bomb. */
    rg_buf_puts(&b, "name: hostile\nupdate: ");
    for (int i = 0; i < 100000; i++)
        rg_buf_putc(&b, '[');
    write_file("deep-yaml.yaml", b.data, b.len);
    expect("deep-yaml", "run 2 nesting deeper than\n");
    rg_buf_reset(&b);
    rg_buf_puts(&b, "name: hostile\n");
    while (b.len <= (2u << 20))
        rg_buf_puts(&b, "# padding padding padding padding padding padding padding padding\n");
    write_file("huge-yaml.yaml", b.data, b.len);
    expect("huge-yaml", "run 2 larger than\n");
    rg_buf_reset(&b);
    rg_buf_puts(&b, "name: hostile\na: &a [x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'z'; c++)
        rg_buf_printf(&b, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c, c - 1,
                      c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
    write_file("alias-bomb.yaml", b.data, b.len);
    expect("alias-bomb", "run 2 aliases\n");
    snprintf(path, sizeof(path), "%s/scenario-fifo.yaml", g_out);
    if (mkfifo(path, 0600) != 0)
        die(path);
    expect("scenario-fifo", "run 2 not a regular file\n");
    rg_buf_free(&b);
}

int main(int argc, char **argv)
{
    static const char catalog[] =
        "{\"schema\": \"ringgate.catalog/v1\", \"images\": {\"tiny\": {\"kernel\": \"absent/k\", "
        "\"initrd\": \"absent/i\", \"disk\": \"absent/d\", \"cmdline\": \"console=ttyS0\", "
        "\"memory_mib\": 256}}}\n";

    if (argc != 2) {
        fprintf(stderr, "usage: gen_hostile OUT (holding vendor.pem and rogue.pem)\n");
        return 2;
    }
    g_out = argv[1];
    snprintf(g_vendor, sizeof(g_vendor), "%s/vendor.pem", g_out);
    snprintf(g_rogue, sizeof(g_rogue), "%s/rogue.pem", g_out);
    write_file("catalog.json", catalog, strlen(catalog));
    controls();
    framing();
    signatures();
    manifest_fields();
    manifest_files();
    content();
    sizes();
    scenarios();
    printf("%d cases in %s\n", g_cases, g_out);
    return 0;
}
