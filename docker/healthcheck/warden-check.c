/*
 * warden-check: the image's HEALTHCHECK without a JVM.
 *
 * Asks the running daemon exactly what `warden check` asks ({"v":1,"op":"check"} on its unix socket) and
 * exits by the daemon's verdict, so both give the same answer in every case: the daemon alone decides what
 * healthy means. A warden that is not running, does not accept, or does not answer within the deadline is
 * unhealthy: there is no cached verdict, so nothing can be stale.
 *
 *   warden-check [--socket PATH] [--timeout-ms N]     (socket default: $WARDEN_SOCKET, else
 *                                                      /run/warden/warden.sock; deadline default 3000 ms)
 * Exit codes, as `warden check`: 0 healthy, 1 unhealthy (the daemon said so), 4 warden unreachable, a socket
 * that is not root's (SO_PEERCRED), or an answer that is not strict JSON, 2 usage. One line on stdout (healthy)
 * or stderr (otherwise) says why; text taken from the answer is printed with its control characters escaped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define EXIT_HEALTHY 0
#define EXIT_UNHEALTHY 1
#define EXIT_USAGE 2
#define EXIT_UNREACHABLE 4

#define DEFAULT_SOCKET "/run/warden/warden.sock"
#define DEFAULT_TIMEOUT_MS 3000
#define MAX_ANSWER 65536

static const char *sock_path;

static int unreachable(const char *what, int err) {
    if (err)
        fprintf(stderr, "unhealthy: warden daemon is not running (%s: %s: %s)\n", sock_path, what, strerror(err));
    else
        fprintf(stderr, "unhealthy: warden daemon is not running (%s: %s)\n", sock_path, what);
    return EXIT_UNREACHABLE;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- a small, strict JSON reader: it finds top-level "ok" and "result"."healthy", and refuses whatever RFC 8259
 * does not allow (a number such as 01, 1., .5 or +1; a raw control character or an unknown escape in a string;
 * a lone surrogate; bytes that are not UTF-8) and an object that names a member twice, as the daemon's own
 * parser does: an answer that could be read two ways is not an answer. ------------------------------------- */

struct cursor {
    const char *p;
    const char *end;
    const char *start;
    const char *err; /* the first reason the answer was refused, and where */
    long errat;
};

static int fail(struct cursor *c, const char *why) {
    if (c->err == NULL) {
        c->err = why;
        c->errat = (long) (c->p - c->start);
    }
    return -1;
}

static void ws(struct cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')) c->p++;
}

/* Appends code point cp as UTF-8 when it fits whole; once one did not fit, nothing more is added (cut, not mixed). */
struct text {
    char *buf;
    size_t cap;
    size_t len;
    int full;
};

static void put(struct text *t, unsigned long cp) {
    char u[4];
    size_t n;
    if (t == NULL || t->buf == NULL || t->full) return;
    if (cp == 0) {
        /* U+0000 as C0 80 (as Java's modified UTF-8): the text stays a C string and still shows its NUL */
        u[0] = (char) 0xc0;
        u[1] = (char) 0x80;
        n = 2;
    } else if (cp < 0x80) {
        u[0] = (char) cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char) (0xc0 | (cp >> 6));
        u[1] = (char) (0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char) (0xe0 | (cp >> 12));
        u[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char) (0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char) (0xf0 | (cp >> 18));
        u[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char) (0x80 | (cp & 0x3f));
        n = 4;
    }
    if (t->len + n + 1 > t->cap) {
        t->full = 1;
        return;
    }
    memcpy(t->buf + t->len, u, n);
    t->len += n;
    t->buf[t->len] = 0;
}

static int hex4(struct cursor *c, unsigned long *out) {
    unsigned long v = 0;
    if (c->end - c->p < 4) return fail(c, "a \\u escape cut short");
    for (int i = 0; i < 4; i++) {
        char h = c->p[i];
        v <<= 4;
        if (h >= '0' && h <= '9') v |= (unsigned long) (h - '0');
        else if (h >= 'a' && h <= 'f') v |= (unsigned long) (h - 'a' + 10);
        else if (h >= 'A' && h <= 'F') v |= (unsigned long) (h - 'A' + 10);
        else return fail(c, "a \\u escape that is not four hex digits");
    }
    c->p += 4;
    *out = v;
    return 0;
}

/* One code point of raw UTF-8 (cursor on its first byte), refusing overlong forms, surrogates and > U+10FFFF. */
static int utf8(struct cursor *c, unsigned long *out) {
    unsigned char b = (unsigned char) *c->p;
    int n;
    unsigned long cp, min;
    if (b < 0x80) {
        *out = b;
        c->p++;
        return 0;
    }
    if ((b & 0xe0) == 0xc0) { n = 1; cp = b & 0x1f; min = 0x80; }
    else if ((b & 0xf0) == 0xe0) { n = 2; cp = b & 0x0f; min = 0x800; }
    else if ((b & 0xf8) == 0xf0) { n = 3; cp = b & 0x07; min = 0x10000; }
    else return fail(c, "bytes that are not UTF-8");
    if (c->end - c->p <= n) return fail(c, "bytes that are not UTF-8");
    for (int i = 1; i <= n; i++) {
        unsigned char k = (unsigned char) c->p[i];
        if ((k & 0xc0) != 0x80) return fail(c, "bytes that are not UTF-8");
        cp = (cp << 6) | (k & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return fail(c, "bytes that are not UTF-8");
    c->p += n + 1;
    *out = cp;
    return 0;
}

/* A string (cursor on the opening quote), decoded into t when given. */
static int string(struct cursor *c, struct text *t) {
    if (c->p >= c->end || *c->p != '"') return fail(c, "a string was expected");
    c->p++;
    for (;;) {
        unsigned long cp;
        if (c->p >= c->end) return fail(c, "a string that does not end");
        unsigned char b = (unsigned char) *c->p;
        if (b == '"') {
            c->p++;
            return 0;
        }
        if (b < 0x20) return fail(c, "a raw control character in a string");
        if (b != '\\') {
            if (utf8(c, &cp) < 0) return -1;
            put(t, cp);
            continue;
        }
        c->p++;
        if (c->p >= c->end) return fail(c, "a string that does not end");
        char e = *c->p++;
        switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = 0x08; break;
        case 'f': cp = 0x0c; break;
        case 'n': cp = 0x0a; break;
        case 'r': cp = 0x0d; break;
        case 't': cp = 0x09; break;
        case 'u':
            if (hex4(c, &cp) < 0) return -1;
            if (cp >= 0xdc00 && cp <= 0xdfff) return fail(c, "a lone surrogate escape");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                unsigned long lo;
                if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u') return fail(c, "a lone surrogate escape");
                c->p += 2;
                if (hex4(c, &lo) < 0) return -1;
                if (lo < 0xdc00 || lo > 0xdfff) return fail(c, "a lone surrogate escape");
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            break;
        default:
            c->p--;
            return fail(c, "an unknown escape in a string");
        }
        put(t, cp);
    }
}

static int literal(struct cursor *c, const char *word) {
    size_t n = strlen(word);
    if ((size_t) (c->end - c->p) < n || memcmp(c->p, word, n) != 0) return fail(c, "an unknown literal");
    c->p += n;
    return 0;
}

static int digits(struct cursor *c) {
    const char *from = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    return c->p > from ? 0 : -1;
}

/* RFC 8259's number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number(struct cursor *c) {
    if (c->p < c->end && *c->p == '-') c->p++;
    if (c->p < c->end && *c->p == '0') {
        c->p++;
    } else if (c->p >= c->end || *c->p < '1' || *c->p > '9' || digits(c) < 0) {
        return fail(c, "an invalid number");
    }
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (digits(c) < 0) return fail(c, "an invalid number");
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
        if (digits(c) < 0) return fail(c, "an invalid number");
    }
    if (c->p < c->end && (*c->p == '.' || (*c->p >= '0' && *c->p <= '9'))) return fail(c, "an invalid number");
    return 0;
}

/* The decoded member names of the objects being read, innermost last: a name met twice in one object is refused. */
static char names[MAX_ANSWER];
static size_t names_used;

static int value(struct cursor *c, int depth);

/* Reads an object; for each member calls back with the key (cursor on the value) or skips the value. */
typedef int (*member_fn)(struct cursor *c, const char *key, void *ctx);

static int object(struct cursor *c, int depth, member_fn fn, void *ctx) {
    if (depth > 32) return fail(c, "nesting deeper than 32");
    ws(c);
    if (c->p >= c->end || *c->p != '{') return fail(c, "an object was expected");
    c->p++;
    ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return 0;
    }
    size_t mark = names_used;
    int r = -1;
    for (;;) {
        ws(c);
        const char *at = c->p;
        if (names_used >= sizeof names) {
            fail(c, "more member names than the answer can hold");
            break;
        }
        names[names_used] = 0; /* an empty name puts nothing */
        struct text key = {names + names_used, sizeof names - names_used, 0, 0};
        if (string(c, &key) < 0) break;
        if (key.full) {
            c->p = at;
            fail(c, "a member name that cannot be compared");
            break;
        }
        int dup = 0;
        for (size_t k = mark; k < names_used; k += strlen(names + k) + 1) {
            if (strcmp(names + k, key.buf) == 0) dup = 1;
        }
        if (dup) {
            c->p = at;
            fail(c, "a member named twice in one object");
            break;
        }
        names_used += key.len + 1;
        ws(c);
        if (c->p >= c->end || *c->p != ':') {
            fail(c, "':' was expected");
            break;
        }
        c->p++;
        ws(c);
        if (fn) {
            int m = fn(c, key.buf, ctx);
            if (m < 0) break;
            if (m == 0 && value(c, depth + 1) < 0) break; /* 0: not consumed by fn */
        } else if (value(c, depth + 1) < 0) {
            break;
        }
        ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '}') {
            c->p++;
            r = 0;
            break;
        }
        fail(c, "',' or '}' was expected");
        break;
    }
    names_used = mark;
    return r;
}

static int value(struct cursor *c, int depth) {
    ws(c);
    if (depth > 32) return fail(c, "nesting deeper than 32");
    if (c->p >= c->end) return fail(c, "a value was expected");
    switch (*c->p) {
    case '{':
        return object(c, depth, NULL, NULL);
    case '[':
        c->p++;
        ws(c);
        if (c->p < c->end && *c->p == ']') {
            c->p++;
            return 0;
        }
        for (;;) {
            if (value(c, depth + 1) < 0) return -1;
            ws(c);
            if (c->p < c->end && *c->p == ',') {
                c->p++;
                continue;
            }
            if (c->p < c->end && *c->p == ']') {
                c->p++;
                return 0;
            }
            return fail(c, "',' or ']' was expected");
        }
    case '"':
        return string(c, NULL);
    case 't':
        return literal(c, "true");
    case 'f':
        return literal(c, "false");
    case 'n':
        return literal(c, "null");
    default:
        return number(c);
    }
}

/* -1 absent, 0 false, 1 true */
struct verdict {
    int ok;
    int healthy;
    char desired[32];
    char observed[32];
    char error[256];
};

static int boolean(struct cursor *c, int *out) {
    if (c->end - c->p >= 4 && memcmp(c->p, "true", 4) == 0) {
        c->p += 4;
        *out = 1;
        return 1;
    }
    if (c->end - c->p >= 5 && memcmp(c->p, "false", 5) == 0) {
        c->p += 5;
        *out = 0;
        return 1;
    }
    return 0; /* another type: left for the caller to read */
}

static int text_member(struct cursor *c, char *buf, size_t cap) {
    struct text t = {buf, cap, 0, 0};
    buf[0] = 0;
    return string(c, &t) < 0 ? -1 : 1;
}

static int result_member(struct cursor *c, const char *key, void *ctx) {
    struct verdict *v = ctx;
    if (strcmp(key, "healthy") == 0) return boolean(c, &v->healthy);
    if (strcmp(key, "desired") == 0 && c->p < c->end && *c->p == '"')
        return text_member(c, v->desired, sizeof v->desired);
    if (strcmp(key, "observed") == 0 && c->p < c->end && *c->p == '"')
        return text_member(c, v->observed, sizeof v->observed);
    return 0;
}

static int error_member(struct cursor *c, const char *key, void *ctx) {
    struct verdict *v = ctx;
    if (strcmp(key, "message") == 0 && c->p < c->end && *c->p == '"')
        return text_member(c, v->error, sizeof v->error);
    return 0;
}

static int top_member(struct cursor *c, const char *key, void *ctx) {
    struct verdict *v = ctx;
    if (strcmp(key, "ok") == 0) return boolean(c, &v->ok);
    if (strcmp(key, "result") == 0 && c->p < c->end && *c->p == '{')
        return object(c, 1, result_member, v) < 0 ? -1 : 1;
    if (strcmp(key, "error") == 0 && c->p < c->end && *c->p == '{')
        return object(c, 1, error_member, v) < 0 ? -1 : 1;
    return 0;
}

/*
 * Text from the answer, printed with every control character (C0, DEL and C1: U+0000-U+001F, U+007F-U+009F)
 * written as \u00XX, as the command line prints stored text (io.warden.api.PrintableText): it can neither drive a
 * terminal nor forge a line in Docker's health log. The text is valid UTF-8 (the reader made it).
 */
static void print_text(FILE *f, const char *s) {
    struct cursor c = {s, s + strlen(s), s, NULL, 0};
    while (c.p < c.end) {
        const char *from = c.p;
        unsigned long cp;
        if (c.end - c.p >= 2 && (unsigned char) c.p[0] == 0xc0 && (unsigned char) c.p[1] == 0x80) {
            fputs("\\u0000", f); /* the reader's NUL (see put) */
            c.p += 2;
            continue;
        }
        if (utf8(&c, &cp) < 0) {
            fputs("?", f);
            c.p = from + 1;
            continue;
        }
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) fprintf(f, "\\u%04lx", cp);
        else fwrite(from, 1, (size_t) (c.p - from), f);
    }
}

static int usage(void) {
    fprintf(stderr, "usage: warden-check [--socket PATH] [--timeout-ms N]\n");
    return EXIT_USAGE;
}

int main(int argc, char **argv) {
    long timeout_ms = DEFAULT_TIMEOUT_MS;
    sock_path = getenv("WARDEN_SOCKET");
    if (sock_path == NULL || *sock_path == 0) sock_path = DEFAULT_SOCKET;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
            sock_path = argv[++i];
        } else if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc) {
            char *e;
            timeout_ms = strtol(argv[++i], &e, 10);
            if (*e || timeout_ms <= 0 || timeout_ms > 600000) return usage();
        } else {
            return usage();
        }
    }

    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(sock_path) >= sizeof addr.sun_path) return unreachable("socket path too long", 0);
    strcpy(addr.sun_path, sock_path);

    long long deadline = now_ms() + timeout_ms;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return unreachable("socket", errno);
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
        /* a full listen backlog gives EAGAIN on a non-blocking unix connect: the daemon is not keeping up */
        return unreachable("connect", errno);
    }
    /* whoever listens there must be root or this very user (SO_PEERCRED): another user's socket in warden's place
     * is asked nothing and its verdict never taken for warden's */
    struct ucred peer;
    socklen_t peer_len = sizeof peer;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) < 0) return unreachable("SO_PEERCRED", errno);
    if (peer.uid != 0 && peer.uid != geteuid()) {
        fprintf(stderr, "unhealthy: the process that answers on %s runs as uid %ld, not as root or as you: it is not"
                " warden; nothing was sent\n", sock_path, (long) peer.uid);
        return EXIT_UNREACHABLE;
    }

    /* "pid" as the command line sends it: the daemon may log who asked */
    char req[128];
    int len = snprintf(req, sizeof req, "{\"v\":1,\"op\":\"check\",\"pid\":%ld}\n", (long) getpid());
    int sent = 0;
    char buf[MAX_ANSWER];
    size_t have = 0;
    char *nl = NULL;
    while (nl == NULL) {
        long long left = deadline - now_ms();
        if (left <= 0) return unreachable("no answer within the deadline", 0);
        struct pollfd p = {fd, sent < len ? POLLOUT : POLLIN, 0};
        int r = poll(&p, 1, (int) left);
        if (r < 0) {
            if (errno == EINTR) continue;
            return unreachable("poll", errno);
        }
        if (r == 0) continue;
        if (sent < len) {
            ssize_t w = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                return unreachable("send", errno);
            }
            sent += (int) w;
            continue;
        }
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return unreachable("read", errno);
        }
        if (n == 0) return unreachable("the daemon closed the connection without an answer", 0);
        have += (size_t) n;
        buf[have] = 0;
        nl = memchr(buf, '\n', have);
        if (nl == NULL && have == sizeof buf - 1) return unreachable("answer too large", 0);
    }
    close(fd);

    struct verdict v = {-1, -1, "", "", ""};
    struct cursor c = {buf, nl, buf, NULL, 0};
    if (object(&c, 0, top_member, &v) == 0) {
        ws(&c);
        if (c.p != nl) fail(&c, "text after the answer");
    }
    if (c.err != NULL) {
        fprintf(stderr, "unhealthy: the daemon's answer is not valid JSON (%s, at byte %ld); not trusted\n", c.err,
                c.errat);
        return EXIT_UNREACHABLE;
    }
    if (v.ok != 1) {
        /* an error answer: `warden check` exits 4 (UNREACHABLE) for every error code check can get */
        fputs("warden: ", stderr);
        print_text(stderr, v.error[0] ? v.error : "malformed answer");
        fputs("\n", stderr);
        return EXIT_UNREACHABLE;
    }
    FILE *out = v.healthy == 1 ? stdout : stderr;
    fputs(v.healthy == 1 ? "healthy: desired " : "unhealthy: desired ", out);
    print_text(out, v.desired);
    fputs(", observed ", out);
    print_text(out, v.observed);
    fputs("\n", out);
    return v.healthy == 1 ? EXIT_HEALTHY : EXIT_UNHEALTHY;
}
