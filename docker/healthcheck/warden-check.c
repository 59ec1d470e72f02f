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
 * Exit codes, as `warden check`: 0 healthy, 1 unhealthy (the daemon said so), 4 warden unreachable or its
 * answer unusable, 2 usage. One line on stdout (healthy) or stderr (otherwise) says why.
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

/* ---- a small JSON reader: just enough to find top-level "ok" and "result"."healthy" -------------------- */

struct cursor {
    const char *p;
    const char *end;
};

static void ws(struct cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')) c->p++;
}

/* Skips a string (cursor on the opening quote); copies up to cap-1 bytes of its raw text into out. */
static int string(struct cursor *c, char *out, size_t cap) {
    size_t n = 0;
    if (c->p >= c->end || *c->p != '"') return -1;
    c->p++;
    while (c->p < c->end && *c->p != '"') {
        if (*c->p == '\\') {
            c->p++;
            if (c->p >= c->end) return -1;
        }
        if (out && n + 1 < cap) out[n++] = *c->p;
        c->p++;
    }
    if (c->p >= c->end) return -1;
    c->p++;
    if (out) out[n] = 0;
    return 0;
}

static int literal(struct cursor *c, const char *word) {
    size_t n = strlen(word);
    if ((size_t) (c->end - c->p) < n || memcmp(c->p, word, n) != 0) return -1;
    c->p += n;
    return 0;
}

static int value(struct cursor *c, int depth);

/* Reads an object; for each member calls back with the key (cursor on the value) or skips the value. */
typedef int (*member_fn)(struct cursor *c, const char *key, void *ctx);

static int object(struct cursor *c, int depth, member_fn fn, void *ctx) {
    char key[64];
    if (depth > 32) return -1;
    ws(c);
    if (c->p >= c->end || *c->p != '{') return -1;
    c->p++;
    ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return 0;
    }
    for (;;) {
        ws(c);
        if (string(c, key, sizeof key) < 0) return -1;
        ws(c);
        if (c->p >= c->end || *c->p != ':') return -1;
        c->p++;
        ws(c);
        if (fn) {
            int r = fn(c, key, ctx);
            if (r < 0) return -1;
            if (r == 0 && value(c, depth + 1) < 0) return -1; /* 0: not consumed by fn */
        } else if (value(c, depth + 1) < 0) {
            return -1;
        }
        ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '}') {
            c->p++;
            return 0;
        }
        return -1;
    }
}

static int value(struct cursor *c, int depth) {
    ws(c);
    if (c->p >= c->end || depth > 32) return -1;
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
            return -1;
        }
    case '"':
        return string(c, NULL, 0);
    case 't':
        return literal(c, "true");
    case 'f':
        return literal(c, "false");
    case 'n':
        return literal(c, "null");
    default:
        if (*c->p != '-' && (*c->p < '0' || *c->p > '9')) return -1;
        while (c->p < c->end && strchr("+-.eE0123456789", *c->p)) c->p++;
        return 0;
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
    if (literal(c, "true") == 0) {
        *out = 1;
        return 1;
    }
    if (literal(c, "false") == 0) {
        *out = 0;
        return 1;
    }
    return 0; /* another type: left for the caller to skip */
}

static int result_member(struct cursor *c, const char *key, void *ctx) {
    struct verdict *v = ctx;
    if (strcmp(key, "healthy") == 0) return boolean(c, &v->healthy);
    if (strcmp(key, "desired") == 0 && c->p < c->end && *c->p == '"')
        return string(c, v->desired, sizeof v->desired) < 0 ? -1 : 1;
    if (strcmp(key, "observed") == 0 && c->p < c->end && *c->p == '"')
        return string(c, v->observed, sizeof v->observed) < 0 ? -1 : 1;
    return 0;
}

static int error_member(struct cursor *c, const char *key, void *ctx) {
    struct verdict *v = ctx;
    if (strcmp(key, "message") == 0 && c->p < c->end && *c->p == '"')
        return string(c, v->error, sizeof v->error) < 0 ? -1 : 1;
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

/* Control characters never reach the terminal or the health log. */
static void printable(char *s) {
    for (; *s; s++)
        if ((unsigned char) *s < 0x20 || *s == 0x7f) *s = '?';
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
    struct cursor c = {buf, nl};
    if (object(&c, 0, top_member, &v) < 0) return unreachable("the daemon's answer is not valid JSON", 0);
    ws(&c);
    if (c.p != nl) return unreachable("the daemon's answer is not valid JSON", 0);
    printable(v.desired);
    printable(v.observed);
    printable(v.error);
    if (v.ok != 1) {
        /* an error answer: `warden check` exits 4 (UNREACHABLE) for every error code check can get */
        fprintf(stderr, "warden: %s\n", v.error[0] ? v.error : "malformed answer");
        return EXIT_UNREACHABLE;
    }
    if (v.healthy == 1) {
        printf("healthy: desired %s, observed %s\n", v.desired, v.observed);
        return EXIT_HEALTHY;
    }
    fprintf(stderr, "unhealthy: desired %s, observed %s\n", v.desired, v.observed);
    return EXIT_UNHEALTHY;
}
