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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/magic.h>

#include "capture.h"
#include "capture.skel.h"

/* Read positions remembered for the replay window: one per poll at most every window/64. */
#define MARKS 128

struct mark {
	uint64_t ns;  /* CLOCK_MONOTONIC when the reader had read up to pos */
	uint64_t pos;
};

struct capture {
	struct capture_bpf *skel;         /* NULL when a pinned capture was taken over */
	struct capture_bpf__data *data;   /* the mmap-ed .data: the skeleton's, or our own mapping */
	size_t data_map_len;              /* length of our own .data mapping (0: the skeleton's) */
	/* Map fds: the skeleton's, or our own from the pins (owned_fds). */
	int data_fd, ring_fd, target_pids_fd, target_cgroups_fd, target_netns_fd, process_policy_fd, counters_fd;
	int owned_fds;
	size_t page_size;
	uint64_t ring_size;
	uint64_t ring_mask;
	unsigned long *consumer_pos; /* read-write page 0 of the ring map */
	unsigned long *producer_pos; /* read-only page 1 ... */
	uint8_t *ring_data;          /* ... followed by the data area, mapped twice */
	size_t producer_map_len;
	int ncpus;
	/* Reading runs ahead of the consumer position by the replay window (handover). */
	uint64_t read_pos;
	uint64_t replay_until;       /* records before this were turned into spans by a predecessor */
	uint64_t checkpoint_pos;     /* our last checkpoint ... */
	uint64_t checkpoint_ns;      /* ... and when (at the latest) what it covers had been read */
	int last_replayed;
	uint64_t window_ns;
	uint64_t max_lag;
	struct mark marks[MARKS];
	unsigned mark_first, mark_count;
	/* Handover: the lock on the pin directory and where this program's pins are. */
	int lock_fd;
	char base_dir[PATH_MAX];
	char pin_path[PATH_MAX];
	struct capture_handover handover;
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
	uint64_t size = ctx->ring_size;
	void *cons, *prod;

	ctx->page_size = (size_t)sysconf(_SC_PAGESIZE);
	ctx->ring_mask = size - 1;
	ctx->max_lag = size / 2;
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
		fail(err, err_len, "cannot map the ring buffer's data (%llu bytes): %s", (unsigned long long)size,
		     strerror(errno));
		return -1;
	}
	ctx->consumer_pos = cons;
	ctx->producer_pos = prod;
	ctx->ring_data = (uint8_t *)prod + ctx->page_size;
	return 0;
}

/* ---- handover: pins ---- */

/* The maps a reader needs, by the name they are pinned under. */
#define PINNED_MAPS 7

static const char *const pinned_map_names[PINNED_MAPS] = {
	"events", "data", "target_pids", "target_cgroups", "target_netns", "process_policy", "counters",
};

static int *pinned_map_fd(struct capture *ctx, int i)
{
	int *fds[PINNED_MAPS] = {
		&ctx->ring_fd, &ctx->data_fd, &ctx->target_pids_fd, &ctx->target_cgroups_fd,
		&ctx->target_netns_fd, &ctx->process_policy_fd, &ctx->counters_fd,
	};

	return fds[i];
}

static struct bpf_map *skel_map(struct capture *ctx, int i)
{
	struct bpf_map *maps[PINNED_MAPS] = {
		ctx->skel->maps.events, ctx->skel->maps.data, ctx->skel->maps.target_pids,
		ctx->skel->maps.target_cgroups, ctx->skel->maps.target_netns, ctx->skel->maps.process_policy,
		ctx->skel->maps.counters,
	};

	return maps[i];
}

/*
 * Pins of one build of the program live in a directory named after the embedded object and
 * the .data layout: a successor built from other sources does not take over what it cannot read.
 */
static void version_name(char *out, size_t len)
{
	size_t sz = 0;
	const uint8_t *elf = capture_bpf__elf_bytes(&sz);
	uint64_t h = 1469598103934665603ULL; /* FNV-1a 64 */

	for (size_t i = 0; i < sz; i++) {
		h ^= elf[i];
		h *= 1099511628211ULL;
	}
	h ^= sizeof(struct capture_bpf__data);
	h *= 1099511628211ULL;
	snprintf(out, len, "v%016llx", (unsigned long long)h);
}

/* Removes every pin in dir and the directory itself; returns how many pins went. */
static int remove_pins(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX + 64];
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(d);
	rmdir(dir);
	return n;
}

static int mkdirs(const char *dir)
{
	char path[PATH_MAX + 64];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (char *c = path + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
		*c = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Takes the pin directory: on a bpf filesystem, created if missing, locked for this process.
 * Pins of another build are removed (their records cannot be read by this one).
 */
static int prepare_pin_dir(struct capture *ctx, const char *dir, char *err, size_t err_len)
{
	struct statfs fs;
	char version[32];
	DIR *d;
	struct dirent *e;
	int rc;

	if (strlen(dir) + 40 >= sizeof(ctx->pin_path)) {
		fail(err, err_len, "handover directory name too long: %s", dir);
		return -1;
	}
	snprintf(ctx->base_dir, sizeof(ctx->base_dir), "%s", dir);
	rc = mkdirs(dir);
	if (rc) {
		fail(err, err_len, "cannot create the handover directory %s: %s", dir, strerror(-rc));
		return -1;
	}
	if (statfs(dir, &fs) || fs.f_type != BPF_FS_MAGIC) {
		fail(err, err_len, "handover directory %s is not on a bpf filesystem; mount one where it lives "
		     "(mount -t bpf bpf /run/rootline/bpf, as ./rootline setup does), outside /sys: "
		     "`ip netns exec` gives each node a /sys of its own", dir);
		rmdir(dir);
		return -1;
	}
	ctx->lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ctx->lock_fd < 0 || flock(ctx->lock_fd, LOCK_EX | LOCK_NB)) {
		fail(err, err_len, "handover directory %s is held by another capturing process (%s): "
		     "give each node on this machine a handover name of its own", dir, strerror(errno));
		return -1;
	}
	version_name(version, sizeof(version));
	snprintf(ctx->pin_path, sizeof(ctx->pin_path), "%s/%s", dir, version);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char stale[PATH_MAX + 64];

		if (e->d_name[0] == '.' || !strcmp(e->d_name, version))
			continue;
		snprintf(stale, sizeof(stale), "%s/%s", dir, e->d_name);
		remove_pins(stale);
		snprintf(ctx->handover.note, sizeof(ctx->handover.note),
			 "a capture pinned by another build (%.200s) was removed, its unread records with it", e->d_name);
	}
	closedir(d);
	return 0;
}

static int pin_all(struct capture *ctx, char *err, size_t err_len)
{
	char path[PATH_MAX + 64];
	int rc;

	rc = mkdirs(ctx->pin_path);
	if (rc) {
		fail(err, err_len, "cannot create %s: %s", ctx->pin_path, strerror(-rc));
		return -1;
	}
	for (int i = 0; i < PINNED_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/map_%s", ctx->pin_path, pinned_map_names[i]);
		rc = bpf_obj_pin(*pinned_map_fd(ctx, i), path);
		if (rc) {
			fail(err, err_len, "cannot pin map %s at %s: %s", pinned_map_names[i], path, strerror(errno));
			return -1;
		}
	}
	for (int i = 0; i < ctx->skel->skeleton->prog_cnt; i++) {
		struct bpf_prog_skeleton *p = &ctx->skel->skeleton->progs[i];

		snprintf(path, sizeof(path), "%s/link_%s", ctx->pin_path, p->name);
		rc = bpf_link__pin(*p->link, path);
		if (rc) {
			fail(err, err_len, "cannot pin the link of %s at %s: %s", p->name, path, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

/*
 * Takes over the capture pinned in ctx->pin_path: its maps by their pins (the program and
 * its links stay as they are). Returns 1 when taken over, 0 when nothing usable was pinned
 * (whatever was there is removed), -1 on error.
 */
static int take_over(struct capture *ctx, char *err, size_t err_len)
{
	char path[PATH_MAX + 64];
	struct bpf_map_info info;
	uint32_t info_len = sizeof(info);
	void *data;

	snprintf(path, sizeof(path), "%s/map_events", ctx->pin_path);
	if (access(path, F_OK) != 0) {
		remove_pins(ctx->pin_path);
		return 0;
	}
	ctx->owned_fds = 1;
	for (int i = 0; i < PINNED_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/map_%s", ctx->pin_path, pinned_map_names[i]);
		*pinned_map_fd(ctx, i) = bpf_obj_get(path);
		if (*pinned_map_fd(ctx, i) < 0) {
			snprintf(ctx->handover.note, sizeof(ctx->handover.note),
				 "the pinned capture in %.200s was incomplete (%.200s: %s) and was removed", ctx->pin_path, path,
				 strerror(errno));
			goto unusable;
		}
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(ctx->data_fd, &info, &info_len) || info.value_size != sizeof(struct capture_bpf__data)) {
		snprintf(ctx->handover.note, sizeof(ctx->handover.note),
			 "the pinned capture in %.300s has another settings layout and was removed", ctx->pin_path);
		goto unusable;
	}
	ctx->data_map_len = ((size_t)info.value_size + ctx->page_size - 1) & ~(ctx->page_size - 1);
	data = mmap(NULL, ctx->data_map_len, PROT_READ | PROT_WRITE, MAP_SHARED, ctx->data_fd, 0);
	if (data == MAP_FAILED) {
		ctx->data_map_len = 0;
		fail(err, err_len, "cannot map the pinned capture's settings: %s", strerror(errno));
		return -1;
	}
	ctx->data = data;
	memset(&info, 0, sizeof(info));
	info_len = sizeof(info);
	if (bpf_obj_get_info_by_fd(ctx->ring_fd, &info, &info_len)) {
		fail(err, err_len, "cannot read the pinned ring buffer's size: %s", strerror(errno));
		return -1;
	}
	ctx->ring_size = info.max_entries;
	return 1;
unusable:
	for (int i = 0; i < PINNED_MAPS; i++) {
		if (*pinned_map_fd(ctx, i) >= 0)
			close(*pinned_map_fd(ctx, i));
		*pinned_map_fd(ctx, i) = -1;
	}
	ctx->owned_fds = 0;
	remove_pins(ctx->pin_path);
	return 0;
}

/* Forgets the predecessor's process policies: pids are reused, the new owner sets its own. */
static void clear_process_policies(struct capture *ctx)
{
	uint32_t key, next;
	int have = 0;

	while (bpf_map_get_next_key(ctx->process_policy_fd, have ? &key : NULL, &next) == 0) {
		bpf_map_delete_elem(ctx->process_policy_fd, &next);
		key = next;
		have = 1;
	}
}

static int load_fresh(struct capture *ctx, const struct capture_opts *opts, char *err, size_t err_len)
{
	int rc;

	ctx->skel = capture_bpf__open();
	if (!ctx->skel) {
		fail(err, err_len, "cannot open the embedded BPF object: %s", strerror(errno));
		return -1;
	}
	ctx->skel->data->self_tgid = opts->self_pid ? opts->self_pid : (uint32_t)getpid();
	ctx->skel->data->target_mode = opts->target_mode;
	ctx->skel->data->payload_bytes = opts->payload_bytes;
	ctx->skel->data->capture_enabled = 1;
	ctx->skel->data->epoch_offset_ns = opts->epoch_offset_ns;
	rc = bpf_map__set_max_entries(ctx->skel->maps.events, opts->ring_bytes);
	if (rc) {
		fail(err, err_len, "cannot size the ring buffer to %u bytes: %s", opts->ring_bytes, strerror(-rc));
		return -1;
	}
	rc = capture_bpf__load(ctx->skel);
	if (rc) {
		fail(err, err_len, "loading the BPF program failed: %s%s", strerror(-rc),
		     rc == -EPERM ? permission_hint() : "");
		return -1;
	}
	rc = capture_bpf__attach(ctx->skel);
	if (rc) {
		fail(err, err_len, "attaching the syscall tracepoints failed: %s%s", strerror(-rc),
		     rc == -EPERM || rc == -EACCES ? permission_hint() : "");
		return -1;
	}
	ctx->data = ctx->skel->data;
	for (int i = 0; i < PINNED_MAPS; i++)
		*pinned_map_fd(ctx, i) = bpf_map__fd(skel_map(ctx, i));
	ctx->ring_size = bpf_map__max_entries(ctx->skel->maps.events);
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
	ctx->lock_fd = -1;
	for (int i = 0; i < PINNED_MAPS; i++)
		*pinned_map_fd(ctx, i) = -1;
	ctx->page_size = (size_t)page;
	ctx->ncpus = libbpf_num_possible_cpus();
	if (ctx->ncpus <= 0) {
		fail(err, err_len, "cannot count possible CPUs: %s", strerror(-ctx->ncpus));
		goto out;
	}
	if (opts->pin_dir && opts->pin_dir[0]) {
		if (prepare_pin_dir(ctx, opts->pin_dir, err, err_len))
			goto out;
		rc = take_over(ctx, err, err_len);
		if (rc < 0)
			goto out;
		ctx->handover.resumed = rc == 1;
	}
	if (!ctx->handover.resumed) {
		if (load_fresh(ctx, opts, err, err_len))
			goto out;
		if (ctx->pin_path[0] && pin_all(ctx, err, err_len)) {
			remove_pins(ctx->pin_path);
			goto out;
		}
	}
	ctx->handover.pinned = ctx->pin_path[0] != '\0';
	if (map_ring(ctx, err, err_len))
		goto out;
	ctx->window_ns = ctx->handover.pinned ? opts->replay_window_ns : 0;
	if (ctx->handover.resumed) {
		unsigned long cons = __atomic_load_n(ctx->consumer_pos, __ATOMIC_ACQUIRE);
		unsigned long prod = __atomic_load_n(ctx->producer_pos, __ATOMIC_ACQUIRE);
		uint64_t until = ctx->data->checkpoint_pos;

		/* Re-read what the predecessor kept for us; what it turned into spans is a replay. */
		ctx->read_pos = cons;
		ctx->replay_until = until > cons && until <= prod ? until : cons;
		ctx->handover.replay_bytes = ctx->replay_until - cons;
		ctx->handover.pending_bytes = prod - cons;
		ctx->handover.replay_clock_ns = ctx->data->checkpoint_clock_ns;
		__atomic_store_n(&ctx->data->self_tgid, opts->self_pid ? opts->self_pid : (uint32_t)getpid(), __ATOMIC_RELEASE);
		__atomic_store_n(&ctx->data->target_mode, opts->target_mode, __ATOMIC_RELEASE);
		__atomic_store_n(&ctx->data->payload_bytes, opts->payload_bytes, __ATOMIC_RELEASE);
		__atomic_store_n(&ctx->data->capture_enabled, 1, __ATOMIC_RELEASE);
		clear_process_policies(ctx);
	} else {
		ctx->data->read_pos = 0;
		ctx->data->checkpoint_pos = 0;
		ctx->data->checkpoint_clock_ns = 0;
	}
	ctx->handover.epoch_offset_ns = ctx->data->epoch_offset_ns;
	ctx->handover.ring_bytes = (uint32_t)ctx->ring_size;
	ctx->data->read_pos = ctx->read_pos;
	ctx->data->orphan_after_ns = ctx->handover.pinned ? opts->orphan_after_ns : 0;
	__atomic_store_n(&ctx->data->reader_seen_ns, (uint64_t)capture__monotonic_ns(), __ATOMIC_RELEASE);
	return ctx;
out:
	capture__close(ctx, 0);
	return NULL;
}

/* The oldest mark; NULL when there is none. */
static struct mark *oldest_mark(struct capture *ctx)
{
	return ctx->mark_count ? &ctx->marks[ctx->mark_first] : NULL;
}

static void pop_mark(struct capture *ctx)
{
	ctx->mark_first = (ctx->mark_first + 1) % MARKS;
	ctx->mark_count--;
}

/*
 * Lets the kernel reuse ring space. Without handover everything read goes at once. With it,
 * what the reader's consumer has not checkpointed (its spans not yet safe) stays, and so does
 * replay_window_ns of history before the checkpoint, for a successor to rebuild the requests
 * that were open there; only past max_lag (half the ring) does the oldest go regardless, so the
 * kernel always has room for new records.
 */
static void release(struct capture *ctx, uint64_t now)
{
	uint64_t cons = __atomic_load_n(ctx->consumer_pos, __ATOMIC_ACQUIRE);
	uint64_t target = cons;
	struct mark *m;

	if (ctx->window_ns == 0) {
		target = ctx->read_pos;
	} else {
		struct mark *last = ctx->mark_count ? &ctx->marks[(ctx->mark_first + ctx->mark_count - 1) % MARKS] : NULL;

		/* When full, no new mark: coarser, never unsafe. */
		if (ctx->mark_count < MARKS && (!last || (last->pos != ctx->read_pos && now - last->ns >= ctx->window_ns / 64))) {
			ctx->marks[(ctx->mark_first + ctx->mark_count) % MARKS] = (struct mark){ now, ctx->read_pos };
			ctx->mark_count++;
		}
		/* A mark may go once a checkpoint came at least window_ns after it was read. */
		while ((m = oldest_mark(ctx)) && m->pos <= ctx->checkpoint_pos && m->ns + ctx->window_ns <= ctx->checkpoint_ns) {
			target = m->pos;
			pop_mark(ctx);
		}
		while (ctx->read_pos - target > ctx->max_lag) {
			if ((m = oldest_mark(ctx))) {
				target = m->pos;
				pop_mark(ctx);
			} else {
				target = ctx->read_pos;
			}
		}
	}
	if (target > cons)
		__atomic_store_n(ctx->consumer_pos, (unsigned long)target, __ATOMIC_RELEASE);
}

long capture__poll(struct capture *ctx, void *buf, size_t cap)
{
	uint64_t now = (uint64_t)capture__monotonic_ns();
	unsigned long cons = ctx->read_pos;
	unsigned long prod = __atomic_load_n(ctx->producer_pos, __ATOMIC_ACQUIRE);
	uint8_t *out = buf;
	size_t used = 0;
	int replay = cons < ctx->replay_until;

	/* A batch never mixes replayed records with new ones. */
	if (replay && prod > ctx->replay_until)
		prod = ctx->replay_until;
	__atomic_store_n(&ctx->data->reader_seen_ns, now, __ATOMIC_RELEASE);
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
				if (used == 0)
					return -ENOSPC;
				break;
			}
			memcpy(out + used, (uint8_t *)rec_hdr + BPF_RINGBUF_HDR_SZ, sample_len);
			memset(out + used + sample_len, 0, stride - sample_len);
			used += stride;
		}
		cons += ((unsigned long)sample_len + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
	}
	ctx->read_pos = cons;
	ctx->data->read_pos = cons;
	ctx->last_replayed = replay && used > 0;
	release(ctx, now);
	return (long)used;
}

int capture__last_poll_replayed(struct capture *ctx)
{
	return ctx->last_replayed;
}

uint64_t capture__read_pos(struct capture *ctx)
{
	return ctx->read_pos;
}

int capture__checkpoint(struct capture *ctx, uint64_t pos, int64_t clock_ns)
{
	struct mark *m;
	uint64_t read_ns = 0;

	if (pos > ctx->read_pos)
		return -EINVAL;
	/* While replaying, the predecessor's checkpoint still says more than ours would. */
	if (pos < ctx->replay_until || pos < ctx->data->checkpoint_pos)
		return 0;
	if (clock_ns > ctx->data->checkpoint_clock_ns)
		ctx->data->checkpoint_clock_ns = clock_ns;
	ctx->data->checkpoint_pos = pos;
	/* When pos had been read at the latest: the newest mark at or before it (marks are in order). */
	for (unsigned i = 0; i < ctx->mark_count; i++) {
		m = &ctx->marks[(ctx->mark_first + i) % MARKS];
		if (m->pos > pos)
			break;
		read_ns = m->ns;
	}
	ctx->checkpoint_pos = pos;
	if (read_ns > ctx->checkpoint_ns)
		ctx->checkpoint_ns = read_ns;
	return 0;
}

void capture__handover(struct capture *ctx, struct capture_handover *out)
{
	*out = ctx->handover;
}

int capture__set_target_mode(struct capture *ctx, uint32_t mode)
{
	if (mode > CAPTURE_TARGET_NETNS)
		return -EINVAL;
	__atomic_store_n(&ctx->data->target_mode, mode, __ATOMIC_RELEASE);
	return 0;
}

int capture__set_payload_bytes(struct capture *ctx, uint32_t bytes)
{
	if (bytes > CAPTURE_MAX_PAYLOAD)
		return -EINVAL;
	__atomic_store_n(&ctx->data->payload_bytes, bytes, __ATOMIC_RELEASE);
	return 0;
}

static int update_or_errno(int rc)
{
	return rc < 0 ? -errno : 0;
}

int capture__add_target_pid(struct capture *ctx, uint32_t pid)
{
	uint8_t one = 1;

	return update_or_errno(bpf_map_update_elem(ctx->target_pids_fd, &pid, &one, BPF_ANY));
}

int capture__remove_target_pid(struct capture *ctx, uint32_t pid)
{
	int rc = bpf_map_delete_elem(ctx->target_pids_fd, &pid);

	return rc < 0 && errno != ENOENT ? -errno : 0;
}

int capture__add_target_cgroup(struct capture *ctx, uint64_t cgroup_id)
{
	uint8_t one = 1;

	return update_or_errno(bpf_map_update_elem(ctx->target_cgroups_fd, &cgroup_id, &one, BPF_ANY));
}

int capture__remove_target_cgroup(struct capture *ctx, uint64_t cgroup_id)
{
	int rc = bpf_map_delete_elem(ctx->target_cgroups_fd, &cgroup_id);

	return rc < 0 && errno != ENOENT ? -errno : 0;
}

int capture__add_target_netns(struct capture *ctx, uint32_t netns_inum)
{
	uint8_t one = 1;

	return update_or_errno(bpf_map_update_elem(ctx->target_netns_fd, &netns_inum, &one, BPF_ANY));
}

int capture__remove_target_netns(struct capture *ctx, uint32_t netns_inum)
{
	int rc = bpf_map_delete_elem(ctx->target_netns_fd, &netns_inum);

	return rc < 0 && errno != ENOENT ? -errno : 0;
}

int capture__set_capture_enabled(struct capture *ctx, uint32_t enabled)
{
	if (enabled > 1)
		return -EINVAL;
	__atomic_store_n(&ctx->data->capture_enabled, enabled, __ATOMIC_RELEASE);
	return 0;
}

uint32_t capture__get_capture_enabled(struct capture *ctx)
{
	return __atomic_load_n(&ctx->data->capture_enabled, __ATOMIC_ACQUIRE);
}

uint32_t capture__get_payload_bytes(struct capture *ctx)
{
	return __atomic_load_n(&ctx->data->payload_bytes, __ATOMIC_ACQUIRE);
}

int capture__set_process_policy(struct capture *ctx, uint32_t tgid, uint32_t flags, uint32_t payload_bytes)
{
	struct capture_process_policy value = { .flags = flags, .payload_bytes = payload_bytes };

	if ((flags & ~(uint32_t)(CAPTURE_POLICY_MUTED | CAPTURE_POLICY_PAYLOAD_SET)) || payload_bytes > CAPTURE_MAX_PAYLOAD)
		return -EINVAL;
	return update_or_errno(bpf_map_update_elem(ctx->process_policy_fd, &tgid, &value, BPF_ANY));
}

int capture__clear_process_policy(struct capture *ctx, uint32_t tgid)
{
	int rc = bpf_map_delete_elem(ctx->process_policy_fd, &tgid);

	return rc < 0 && errno != ENOENT ? -errno : 0;
}

int capture__get_process_policy(struct capture *ctx, uint32_t tgid, uint32_t *flags, uint32_t *payload_bytes)
{
	struct capture_process_policy value;

	if (bpf_map_lookup_elem(ctx->process_policy_fd, &tgid, &value) < 0)
		return -errno;
	*flags = value.flags;
	*payload_bytes = value.payload_bytes;
	return 0;
}

int capture__counters(struct capture *ctx, struct capture_counters *out)
{
	int fd = ctx->counters_fd;
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

void capture__close(struct capture *ctx, int release_pins)
{
	if (!ctx)
		return;
	if (ctx->producer_pos)
		munmap(ctx->producer_pos, ctx->producer_map_len);
	if (ctx->consumer_pos)
		munmap(ctx->consumer_pos, ctx->page_size);
	if (ctx->data_map_len)
		munmap(ctx->data, ctx->data_map_len);
	if (ctx->owned_fds) {
		for (int i = 0; i < PINNED_MAPS; i++)
			if (*pinned_map_fd(ctx, i) >= 0)
				close(*pinned_map_fd(ctx, i));
	}
	/*
	 * Without pins this detaches the links and frees the maps. With pins it only closes our
	 * fds: the pinned links keep the program attached, and it keeps recording into the pinned
	 * ring for the next owner.
	 */
	capture_bpf__destroy(ctx->skel); /* NULL-safe */
	if (release_pins && ctx->pin_path[0]) {
		remove_pins(ctx->pin_path);
		rmdir(ctx->base_dir); /* only when empty */
	}
	if (ctx->lock_fd >= 0)
		close(ctx->lock_fd);
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
