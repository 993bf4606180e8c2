// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * Writes two records, laid out exactly as capture__poll hands them to Java, built with
 * the real struct capture_event. EventDecoderTest compares its hand-written golden bytes
 * with this file: a change of the C layout that the Java side missed fails the build.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "capture_event.h"

_Static_assert(offsetof(struct capture_event, start_ns) == 16, "start_ns at 16");
_Static_assert(offsetof(struct capture_event, ret) == 24, "ret at 24");
_Static_assert(offsetof(struct capture_event, pid) == 32, "pid at 32");
_Static_assert(offsetof(struct capture_event, fd) == 40, "fd at 40");
_Static_assert(offsetof(struct capture_event, direction) == 44, "direction at 44");
_Static_assert(offsetof(struct capture_event, syscall) == 46, "syscall at 46");
_Static_assert(offsetof(struct capture_event, comm) == 48, "comm at 48");
_Static_assert(offsetof(struct capture_event, local) == 64, "local at 64");
_Static_assert(offsetof(struct capture_event, remote) == 84, "remote at 84");
_Static_assert(offsetof(struct capture_event, payload_len) == 104, "payload_len at 104");

static size_t put(unsigned char *out, const struct capture_event *ev, const void *payload)
{
	size_t size = sizeof(*ev) + ev->payload_len;

	memcpy(out, ev, sizeof(*ev));
	memcpy(out + sizeof(*ev), payload, ev->payload_len);
	return (size + CAPTURE_RECORD_ALIGN - 1) & ~(size_t)(CAPTURE_RECORD_ALIGN - 1);
}

int main(int argc, char **argv)
{
	unsigned char out[2 * (sizeof(struct capture_event) + 8)] = {0};
	struct capture_event data = {0}, accept = {0};
	size_t used = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTPUT\n", argv[0]);
		return 2;
	}

	/* A recvfrom that moved 300 bytes of which 5 were kept. */
	data.hdr.ts_ns = 1000000123456ULL;
	data.hdr.type = CAPTURE_EVENT_DATA;
	data.hdr.version = CAPTURE_EVENT_VERSION;
	data.hdr.size = sizeof(data) + 5;
	data.start_ns = 1000000000000ULL;
	data.ret = 300;
	data.pid = 4242;
	data.tid = 4243;
	data.fd = 7;
	data.direction = CAPTURE_DIR_INGRESS;
	data.flags = CAPTURE_FLAG_TRUNCATED;
	data.syscall = CAPTURE_SYS_RECVFROM;
	strcpy(data.comm, "python3");
	data.local.family = AF_INET;
	data.local.port = 8080;
	inet_pton(AF_INET, "127.0.0.1", data.local.addr);
	data.remote.family = AF_INET;
	data.remote.port = 54321;
	inet_pton(AF_INET, "10.1.2.3", data.remote.addr);
	data.payload_len = 5;
	used += put(out + used, &data, "GET /");

	/* An accept4 on a dual-stack listener: the peer is an IPv4-mapped IPv6 address. */
	accept.hdr.ts_ns = 2000000000999ULL;
	accept.hdr.type = CAPTURE_EVENT_ACCEPT;
	accept.hdr.version = CAPTURE_EVENT_VERSION;
	accept.hdr.size = sizeof(accept);
	accept.start_ns = 1999999000000ULL;
	accept.ret = 9;
	accept.pid = 77;
	accept.tid = 78;
	accept.fd = 9;
	accept.direction = CAPTURE_DIR_NONE;
	accept.syscall = CAPTURE_SYS_ACCEPT4;
	strcpy(accept.comm, "java");
	accept.local.family = AF_INET6;
	accept.local.port = 443;
	inet_pton(AF_INET6, "fd00::1", accept.local.addr);
	accept.remote.family = AF_INET6;
	accept.remote.port = 40000;
	inet_pton(AF_INET6, "::ffff:192.168.1.9", accept.remote.addr);
	used += put(out + used, &accept, "");

	f = fopen(argv[1], "wb");
	if (!f || fwrite(out, 1, used, f) != used || fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
