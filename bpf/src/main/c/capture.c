// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * User-space side of the capture: loads the embedded program (skeleton), keeps the
 * live settings, and drains the ring buffer.
 *
 * The ring is read through our own mapping of it rather than ring_buffer__consume():
 * libbpf 1.1 consumes a record even when its callback refuses it, so a batch buffer
 * that fills up would lose the record that did not fit. Reading the mapped ring lets
 * us stop before such a record and leave it for the next call.
 */
#define _GNU_SOURCE /* vasprintf */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "capture.h"
#include "capture.skel.h"

struct capture {
	struct capture_bpf *skel;
	int ring_fd;
	size_t page_size;
	uint64_t ring_mask;
	unsigned long *consumer_pos; /* read-write page 0 of the ring map */
	unsigned long *producer_pos; /* read-only page 1 ... */
	uint8_t *ring_data;          /* ... followed by the data area, mapped twice */
	size_t producer_map_len;
	int ncpus;
};

/* libbpf reports why a load failed (verifier log, missing tracefs) through its print
 * callback; keep the tail so the error handed to Java says it. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_tail[2048];

static int keep_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char *line = NULL;
	const char *tail;
	size_t have, add;
	int len;

	if (level == LIBBPF_DEBUG)
		return 0;
	/* A verifier log arrives as one message and its end says why: keep the end. */
	len = vasprintf(&line, fmt, args);
	if (len < 0)
		return 0;
	add = (size_t)len;
	tail = line;
	if (add >= sizeof(log_tail)) {
		tail = line + add - (sizeof(log_tail) - 1);
		add = sizeof(log_tail) - 1;
	}
	pthread_mutex_lock(&log_lock);
	have = strlen(log_tail);
	if (have + add >= sizeof(log_tail)) {
		size_t drop = have + add - (sizeof(log_tail) - 1);

		memmove(log_tail, log_tail + drop, have - drop + 1);
		have -= drop;
	}
	memcpy(log_tail + have, tail, add + 1);
	pthread_mutex_unlock(&log_lock);
	free(line);
	return 0;
}

static void fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list args;
	size_t used;

	if (!err || !err_len)
		return;
	va_start(args, fmt);
	vsnprintf(err, err_len, fmt, args);
	va_end(args);
	pthread_mutex_lock(&log_lock);
	used = strlen(err);
	if (log_tail[0] && used + 16 < err_len)
		snprintf(err + used, err_len - used, " | libbpf: %s", log_tail);
	pthread_mutex_unlock(&log_lock);
	/* one line: the message ends up in an exception and a log line */
	for (char *c = err; *c; c++)
		if (*c == '\n')
			*c = ' ';
}

/* 0 when path is a directory we can reach, else the errno of the failure. */
static int dir_errno(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno;
	return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

static const char *permission_hint(void)
{
	return geteuid() == 0 ? "" : " (not running as root: run as root or grant CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE)";
}

static int map_ring(struct capture *ctx, char *err, size_t err_len)
{
	uint32_t size = bpf_map__max_entries(ctx->skel->maps.events);
	void *cons, *prod;

	ctx->ring_fd = bpf_map__fd(ctx->skel->maps.events);
	ctx->page_size = (size_t)sysconf(_SC_PAGESIZE);
	ctx->ring_mask = (uint64_t)size - 1;
	cons = mmap(NULL, ctx->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, ctx->ring_fd, 0);
	if (cons == MAP_FAILED) {
		fail(err, err_len, "cannot map the ring buffer's consumer page: %s", strerror(errno));
		return -1;
	}
	/* producer page + data area twice: a record that wraps reads as one piece */
	ctx->producer_map_len = ctx->page_size + 2 * (size_t)size;
	prod = mmap(NULL, ctx->producer_map_len, PROT_READ, MAP_SHARED, ctx->ring_fd, ctx->page_size);
	if (prod == MAP_FAILED) {
		munmap(cons, ctx->page_size);
		fail(err, err_len, "cannot map the ring buffer's data (%u bytes): %s", size, strerror(errno));
		return -1;
	}
	ctx->consumer_pos = cons;
	ctx->producer_pos = prod;
	ctx->ring_data = (uint8_t *)prod + ctx->page_size;
	return 0;
}

struct capture *capture__open(const struct capture_opts *opts, char *err, size_t err_len)
{
	struct capture *ctx;
	long page = sysconf(_SC_PAGESIZE);
	int tracefs_err;
	int rc;

	if (err && err_len)
		err[0] = '\0';
	if (!opts) {
		fail(err, err_len, "no options given");
		return NULL;
	}
	if (opts->ring_bytes < (uint32_t)page || (opts->ring_bytes & (opts->ring_bytes - 1)) != 0) {
		fail(err, err_len, "ring buffer size %u is not a power of two of at least one page (%ld)",
		     opts->ring_bytes, page);
		return NULL;
	}
	if (opts->payload_bytes > CAPTURE_MAX_PAYLOAD) {
		fail(err, err_len, "payload size %u exceeds the compiled maximum %d", opts->payload_bytes,
		     CAPTURE_MAX_PAYLOAD);
		return NULL;
	}
	if (opts->target_mode > CAPTURE_TARGET_NETNS) {
		fail(err, err_len, "unknown target mode %u", opts->target_mode);
		return NULL;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		fail(err, err_len, "kernel BTF (/sys/kernel/btf/vmlinux) is not readable: %s%s; the kernel "
		     "needs CONFIG_DEBUG_INFO_BTF", strerror(errno), permission_hint());
		return NULL;
	}
	tracefs_err = dir_errno("/sys/kernel/tracing/events/syscalls");
	if (tracefs_err)
		tracefs_err = dir_errno("/sys/kernel/debug/tracing/events/syscalls");
	if (tracefs_err == EACCES || tracefs_err == EPERM || (tracefs_err && geteuid() != 0)) {
		fail(err, err_len, "tracefs events (/sys/kernel/tracing/events/syscalls) are not accessible: %s%s", strerror(tracefs_err),
		     permission_hint());
		return NULL;
	}
	if (tracefs_err) {
		fail(err, err_len, "tracefs is not mounted (no /sys/kernel/tracing/events/syscalls: %s); "
		     "mount it with: mount -t tracefs nodev /sys/kernel/tracing", strerror(tracefs_err));
		return NULL;
	}

	pthread_mutex_lock(&log_lock);
	log_tail[0] = '\0';
	pthread_mutex_unlock(&log_lock);
	libbpf_set_print(keep_libbpf_log);

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		fail(err, err_len, "out of memory");
		return NULL;
	}
	ctx->ring_fd = -1;
	ctx->ncpus = libbpf_num_possible_cpus();
	if (ctx->ncpus <= 0) {
		fail(err, err_len, "cannot count possible CPUs: %s", strerror(-ctx->ncpus));
		goto out;
	}
	ctx->skel = capture_bpf__open();
	if (!ctx->skel) {
		fail(err, err_len, "cannot open the embedded BPF object: %s", strerror(errno));
		goto out;
	}
	ctx->skel->rodata->self_tgid = opts->self_pid ? opts->self_pid : (uint32_t)getpid();
	ctx->skel->data->target_mode = opts->target_mode;
	ctx->skel->data->payload_bytes = opts->payload_bytes;
	ctx->skel->data->capture_enabled = 1;
	rc = bpf_map__set_max_entries(ctx->skel->maps.events, opts->ring_bytes);
	if (rc) {
		fail(err, err_len, "cannot size the ring buffer to %u bytes: %s", opts->ring_bytes, strerror(-rc));
		goto out;
	}
	rc = capture_bpf__load(ctx->skel);
	if (rc) {
		fail(err, err_len, "loading the BPF program failed: %s%s", strerror(-rc),
		     rc == -EPERM ? permission_hint() : "");
		goto out;
	}
	rc = capture_bpf__attach(ctx->skel);
	if (rc) {
		fail(err, err_len, "attaching the syscall tracepoints failed: %s%s", strerror(-rc),
		     rc == -EPERM || rc == -EACCES ? permission_hint() : "");
		goto out;
	}
	if (map_ring(ctx, err, err_len))
		goto out;
	return ctx;
out:
	capture__close(ctx);
	return NULL;
}

long capture__poll(struct capture *ctx, void *buf, size_t cap)
{
	unsigned long cons = __atomic_load_n(ctx->consumer_pos, __ATOMIC_ACQUIRE);
	unsigned long prod = __atomic_load_n(ctx->producer_pos, __ATOMIC_ACQUIRE);
	uint8_t *out = buf;
	size_t used = 0;

	while (cons < prod) {
		uint32_t *rec_hdr = (uint32_t *)(ctx->ring_data + (cons & ctx->ring_mask));
		uint32_t len = __atomic_load_n(rec_hdr, __ATOMIC_ACQUIRE);
		uint32_t sample_len;

		if (len & BPF_RINGBUF_BUSY_BIT)
			break; /* reserved but not yet committed: records after it wait too */
		sample_len = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			size_t stride = ((size_t)sample_len + CAPTURE_RECORD_ALIGN - 1) & ~(size_t)(CAPTURE_RECORD_ALIGN - 1);

			if (used + stride > cap) {
				if (used == 0) {
					__atomic_store_n(ctx->consumer_pos, cons, __ATOMIC_RELEASE);
					return -ENOSPC;
				}
				break;
			}
			memcpy(out + used, (uint8_t *)rec_hdr + BPF_RINGBUF_HDR_SZ, sample_len);
			memset(out + used + sample_len, 0, stride - sample_len);
			used += stride;
		}
		cons += ((unsigned long)sample_len + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
	}
	__atomic_store_n(ctx->consumer_pos, cons, __ATOMIC_RELEASE);
	return (long)used;
}

int capture__set_target_mode(struct capture *ctx, uint32_t mode)
{
	if (mode > CAPTURE_TARGET_NETNS)
		return -EINVAL;
	__atomic_store_n(&ctx->skel->data->target_mode, mode, __ATOMIC_RELEASE);
	return 0;
}

int capture__set_payload_bytes(struct capture *ctx, uint32_t bytes)
{
	if (bytes > CAPTURE_MAX_PAYLOAD)
		return -EINVAL;
	__atomic_store_n(&ctx->skel->data->payload_bytes, bytes, __ATOMIC_RELEASE);
	return 0;
}

static int update_or_errno(int rc)
{
	return rc < 0 ? -errno : 0;
}

int capture__add_target_pid(struct capture *ctx, uint32_t pid)
{
	uint8_t one = 1;

	return update_or_errno(bpf_map_update_elem(bpf_map__fd(ctx->skel->maps.target_pids), &pid, &one, BPF_ANY));
}

int capture__remove_target_pid(struct capture *ctx, uint32_t pid)
{
	int rc = bpf_map_delete_elem(bpf_map__fd(ctx->skel->maps.target_pids), &pid);

	return rc < 0 && errno != ENOENT ? -errno : 0;
}

int capture__add_target_cgroup(struct capture *ctx, uint64_t cgroup_id)
{
	uint8_t one = 1;

	return update_or_errno(bpf_map_update_elem(bpf_map__fd(ctx->skel->maps.target_cgroups), &cgroup_id, &one, BPF_ANY));
}

int capture__remove_target_cgroup(struct capture *ctx, uint64_t cgroup_id)
{
	int rc = bpf_map_delete_elem(bpf_map__fd(ctx->skel->maps.target_cgroups), &cgroup_id);

	return rc < 0 && errno != ENOENT ? -errno : 0;
}

int capture__add_target_netns(struct capture *ctx, uint32_t netns_inum)
{
	uint8_t one = 1;

	return update_or_errno(bpf_map_update_elem(bpf_map__fd(ctx->skel->maps.target_netns), &netns_inum, &one, BPF_ANY));
}

int capture__remove_target_netns(struct capture *ctx, uint32_t netns_inum)
{
	int rc = bpf_map_delete_elem(bpf_map__fd(ctx->skel->maps.target_netns), &netns_inum);

	return rc < 0 && errno != ENOENT ? -errno : 0;
}

int capture__set_capture_enabled(struct capture *ctx, uint32_t enabled)
{
	if (enabled > 1)
		return -EINVAL;
	__atomic_store_n(&ctx->skel->data->capture_enabled, enabled, __ATOMIC_RELEASE);
	return 0;
}

uint32_t capture__get_capture_enabled(struct capture *ctx)
{
	return __atomic_load_n(&ctx->skel->data->capture_enabled, __ATOMIC_ACQUIRE);
}

uint32_t capture__get_payload_bytes(struct capture *ctx)
{
	return __atomic_load_n(&ctx->skel->data->payload_bytes, __ATOMIC_ACQUIRE);
}

int capture__set_process_policy(struct capture *ctx, uint32_t tgid, uint32_t flags, uint32_t payload_bytes)
{
	struct capture_process_policy value = { .flags = flags, .payload_bytes = payload_bytes };

	if ((flags & ~(uint32_t)(CAPTURE_POLICY_MUTED | CAPTURE_POLICY_PAYLOAD_SET)) || payload_bytes > CAPTURE_MAX_PAYLOAD)
		return -EINVAL;
	return update_or_errno(bpf_map_update_elem(bpf_map__fd(ctx->skel->maps.process_policy), &tgid, &value, BPF_ANY));
}

int capture__clear_process_policy(struct capture *ctx, uint32_t tgid)
{
	int rc = bpf_map_delete_elem(bpf_map__fd(ctx->skel->maps.process_policy), &tgid);

	return rc < 0 && errno != ENOENT ? -errno : 0;
}

int capture__get_process_policy(struct capture *ctx, uint32_t tgid, uint32_t *flags, uint32_t *payload_bytes)
{
	struct capture_process_policy value;

	if (bpf_map_lookup_elem(bpf_map__fd(ctx->skel->maps.process_policy), &tgid, &value) < 0)
		return -errno;
	*flags = value.flags;
	*payload_bytes = value.payload_bytes;
	return 0;
}

int capture__counters(struct capture *ctx, struct capture_counters *out)
{
	int fd = bpf_map__fd(ctx->skel->maps.counters);
	uint64_t *per_cpu = calloc((size_t)ctx->ncpus, sizeof(uint64_t));
	uint64_t sums[CAPTURE_COUNTER_COUNT] = {0};

	if (!per_cpu)
		return -ENOMEM;
	for (uint32_t key = 0; key < CAPTURE_COUNTER_COUNT; key++) {
		if (bpf_map_lookup_elem(fd, &key, per_cpu) < 0) {
			int rc = -errno;

			free(per_cpu);
			return rc;
		}
		for (int cpu = 0; cpu < ctx->ncpus; cpu++)
			sums[key] += per_cpu[cpu];
	}
	free(per_cpu);
	out->emitted = sums[CAPTURE_COUNTER_EMITTED];
	out->dropped = sums[CAPTURE_COUNTER_DROPPED];
	out->truncated = sums[CAPTURE_COUNTER_TRUNCATED];
	out->policy_refused = sums[CAPTURE_COUNTER_POLICY_REFUSED];
	return 0;
}

void capture__close(struct capture *ctx)
{
	if (!ctx)
		return;
	if (ctx->producer_pos)
		munmap(ctx->producer_pos, ctx->producer_map_len);
	if (ctx->consumer_pos)
		munmap(ctx->consumer_pos, ctx->page_size);
	capture_bpf__destroy(ctx->skel); /* detaches the links, closes the maps; NULL-safe */
	free(ctx);
}

static int64_t read_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t capture__monotonic_ns(void)
{
	return read_clock(CLOCK_MONOTONIC);
}

int64_t capture__realtime_offset_ns(void)
{
	int64_t best_gap = INT64_MAX;
	int64_t offset = 0;

	/* A realtime read on each side of a monotonic one; the narrowest pair wins. */
	for (int i = 0; i < 16; i++) {
		int64_t before = read_clock(CLOCK_REALTIME);
		int64_t mono = read_clock(CLOCK_MONOTONIC);
		int64_t after = read_clock(CLOCK_REALTIME);

		if (after - before < best_gap) {
			best_gap = after - before;
			offset = before + (after - before) / 2 - mono;
		}
	}
	return offset;
}
