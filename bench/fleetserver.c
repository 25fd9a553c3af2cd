/*
 * fleetserver - one process that plays a fleet of closed mail servers for
 * bench/fleet.sh, fast enough that the audit, not the server, sets the
 * pace: it listens on PORT of N loopback addresses (127.1.0.1, 127.1.0.2,
 * ...) and answers each as a closed Postfix would (PIPELINING; the
 * postmaster accepted; every other recipient refused with 554).  Every
 * 50th address has no listener (a dead host); every 50th, offset by 25,
 * is slow: its banner comes SLOW seconds late.  Loopback only.
 *
 *   fleetserver N PORT SLOW TARGETSFILE   (writes the targets, prints
 *                                          "ready", serves until killed)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXFD 65536

struct conn {
	int listener;		/* 1: a listening socket; 2: slow listener */
	int slow;		/* banner due at due_ms */
	long long due_ms;
	char in[4096];
	size_t len;
};

static struct conn *conns[MAXFD];
static const char banner[] = "220 mx.fleet.test ESMTP fleetserver\r\n";

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void drop(int ep, int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	free(conns[fd]);
	conns[fd] = NULL;
}

/* answer - the replies to the complete lines in C's buffer, in one write */
static int answer(int fd, struct conn *c)
{
	char out[16384];
	size_t off = 0, start = 0, i;
	int quit = 0;

	for (i = 0; i < c->len && !quit; i++) {
		const char *line = c->in + start, *r;
		if (c->in[i] != '\n')
			continue;
		if (strncasecmp(line, "EHLO", 4) == 0 ||
		    strncasecmp(line, "HELO", 4) == 0)
			r = "250-mx.fleet.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n";
		else if (strncasecmp(line, "RCPT", 4) == 0)
			r = memmem(line, i - start, "<postmaster@fleet.test>", 23) ?
			    "250 2.1.5 Ok\r\n" : "554 5.7.1 Relay access denied\r\n";
		else if (strncasecmp(line, "QUIT", 4) == 0) {
			r = "221 2.0.0 Bye\r\n";
			quit = 1;
		} else if (strncasecmp(line, "MAIL", 4) == 0 ||
		    strncasecmp(line, "RSET", 4) == 0 ||
		    strncasecmp(line, "NOOP", 4) == 0)
			r = "250 2.0.0 Ok\r\n";
		else
			r = "502 5.5.2 Error: command not recognized\r\n";
		if (off + strlen(r) < sizeof(out)) {
			memcpy(out + off, r, strlen(r));
			off += strlen(r);
		}
		start = i + 1;
	}
	memmove(c->in, c->in + start, c->len - start);
	c->len -= start;
	if (off > 0 && write(fd, out, off) < 0)
		return -1;
	return quit ? -1 : 0;
}

int main(int argc, char **argv)
{
	int n, port, ep, i;
	double slow;
	FILE *f;
	struct epoll_event ev, evs[256];

	if (argc != 5) {
		fprintf(stderr, "usage: fleetserver N PORT SLOW TARGETSFILE\n");
		return 2;
	}
	n = atoi(argv[1]);
	port = atoi(argv[2]);
	slow = atof(argv[3]);
	if ((f = fopen(argv[4], "w")) == NULL || (ep = epoll_create1(0)) < 0) {
		perror("fleetserver");
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct sockaddr_in sin = { 0 };
		int fd, one = 1;
		fprintf(f, "127.1.%d.%d:%d\n", 1 + i / 250, 1 + i % 250, port);
		if (i % 50 == 0)
			continue;	/* dead: nobody listens */
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)port);
		sin.sin_addr.s_addr = htonl((127u << 24) | (1u << 16) |
		    ((unsigned)(1 + i / 250) << 8) | (unsigned)(1 + i % 250));
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (fd < 0 || fd >= MAXFD || bind(fd, (struct sockaddr *)&sin,
		    sizeof(sin)) < 0 || listen(fd, 128) < 0) {
			perror("fleetserver: listen");
			return 1;
		}
		conns[fd] = calloc(1, sizeof(struct conn));
		conns[fd]->listener = i % 50 == 25 ? 2 : 1;
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	}
	fclose(f);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		long long now = now_ms(), next = -1;
		int k, timeout, got;
		/* late banners that are due */
		for (k = 0; k < MAXFD; k++) {
			struct conn *c = conns[k];
			if (c == NULL || !c->slow)
				continue;
			if (c->due_ms <= now) {
				c->slow = 0;
				if (write(k, banner, sizeof(banner) - 1) < 0)
					drop(ep, k);
			} else if (next < 0 || c->due_ms < next) {
				next = c->due_ms;
			}
		}
		timeout = next < 0 ? -1 : (int)(next - now);
		got = epoll_wait(ep, evs, 256, timeout);
		for (k = 0; k < got; k++) {
			int fd = evs[k].data.fd;
			struct conn *c = conns[fd];
			if (c == NULL)
				continue;
			if (c->listener) {
				int cfd;
				while ((cfd = accept4(fd, NULL, NULL,
				    SOCK_NONBLOCK)) >= 0) {
					if (cfd >= MAXFD) {
						close(cfd);
						continue;
					}
					conns[cfd] = calloc(1, sizeof(struct conn));
					ev.events = EPOLLIN;
					ev.data.fd = cfd;
					epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev);
					if (c->listener == 2) {
						conns[cfd]->slow = 1;
						conns[cfd]->due_ms = now_ms() +
						    (long long)(slow * 1000);
					} else if (write(cfd, banner,
					    sizeof(banner) - 1) < 0) {
						drop(ep, cfd);
					}
				}
				continue;
			}
			for (;;) {
				ssize_t r = read(fd, c->in + c->len,
				    sizeof(c->in) - c->len);
				if (r == 0 || (r < 0 && errno != EAGAIN)) {
					drop(ep, fd);
					break;
				}
				if (r < 0)
					break;
				c->len += (size_t)r;
				if (c->slow)
					continue;	/* no banner yet: wait */
				if (answer(fd, c) < 0 || c->len == sizeof(c->in)) {
					drop(ep, fd);
					break;
				}
			}
		}
	}
}
