/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The user-space capture API: a narrow interface over an opaque context, so the JNI
 * file only marshals and the same library can be driven from a C test harness.
 *
 * Threading: capture__poll from one thread at a time; the setters and
 * capture__counters may run concurrently with it (they are map syscalls or aligned
 * stores into the mmap-ed .data map). capture__close must not race anything.
 */
#ifndef ROOTLINE_CAPTURE_H
#define ROOTLINE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "capture_event.h"

struct capture;

struct capture_opts {
	uint32_t ring_bytes;    /* power of two, multiple of the page size */
	uint32_t payload_bytes; /* 0..CAPTURE_MAX_PAYLOAD */
	uint32_t target_mode;   /* enum capture_target_mode */
	uint32_t self_pid;      /* excluded in ALL_BUT_SELF and NETNS; 0 means getpid() */
	/*
	 * Handover (NULL or "": off). A directory on a bpf filesystem, one per capturing host: the
	 * program, its links and maps are pinned there, so they outlive this process and the next
	 * process opened with the same directory takes them over, ring contents included. Taken by
	 * one process at a time (flock on the directory).
	 */
	const char *pin_dir;
	/*
	 * Handover: records stay in the ring until checkpointed, and this long before the checkpoint,
	 * for a successor to replay (at most half the ring: past that the oldest go regardless).
	 */
	uint64_t replay_window_ns;
	/* Handover: a pinned capture without a reader stops recording after this long; 0 never. */
	uint64_t orphan_after_ns;
	/* CLOCK_REALTIME - CLOCK_MONOTONIC as the caller measured it; a taken-over capture keeps its own. */
	int64_t epoch_offset_ns;
};

/* What capture__open found in the pin directory. */
struct capture_handover {
	uint32_t resumed;           /* 1: took over a pinned capture (else loaded a fresh one) */
	uint32_t pinned;            /* 1: pinned for a successor (handover on) */
	uint64_t replay_bytes;      /* ring bytes the predecessor read and turned into spans already */
	uint64_t pending_bytes;     /* ring bytes waiting at takeover, replay included */
	int64_t replay_clock_ns;    /* the predecessor's event clock at its last checkpoint */
	int64_t epoch_offset_ns;    /* the offset event times use (the predecessor's, when resumed) */
	uint32_t ring_bytes;        /* the ring's size (the pinned one's, when resumed) */
	char note[512];             /* when a pinned capture could not be taken over: why */
};

struct capture_counters {
	uint64_t emitted;   /* records written into the ring */
	uint64_t dropped;   /* records lost because the ring was full */
	uint64_t truncated; /* records whose payload is a prefix of what moved */
	uint64_t policy_refused; /* socket syscalls of muted processes, not recorded */
};

/*
 * Loads and attaches the program. On failure returns NULL and writes a readable
 * reason (what failed, what to do) into err.
 */
struct capture *capture__open(const struct capture_opts *opts, char *err, size_t err_len);

/*
 * Copies whole records, each 8-byte aligned, from the ring into buf until the ring is
 * empty or the next record does not fit; a record that does not fit stays in the ring
 * for the next call. Returns the bytes written (0 when nothing was pending), or
 * -ENOSPC when buf cannot hold even one record.
 */
long capture__poll(struct capture *ctx, void *buf, size_t cap);

/* 1 when the records of the last capture__poll were replayed: read by a predecessor before its last checkpoint. */
int capture__last_poll_replayed(struct capture *ctx);

/* Where the reader is: the ring position after the last record capture__poll returned. */
uint64_t capture__read_pos(struct capture *ctx);

/*
 * Records that the spans of every record before ring position pos (a value capture__read_pos
 * returned) are safe, with the consumer's event clock at clock_ns then: a successor replays up
 * to pos with its spans suppressed, and re-sends what comes after. With handover the ring keeps
 * everything after pos, and replay_window_ns of history before it. Never moves back; -EINVAL
 * for a position not yet read.
 */
int capture__checkpoint(struct capture *ctx, uint64_t pos, int64_t clock_ns);

void capture__handover(struct capture *ctx, struct capture_handover *out);

int capture__set_target_mode(struct capture *ctx, uint32_t mode);
int capture__set_payload_bytes(struct capture *ctx, uint32_t bytes);
int capture__add_target_pid(struct capture *ctx, uint32_t pid);
int capture__remove_target_pid(struct capture *ctx, uint32_t pid);
int capture__add_target_cgroup(struct capture *ctx, uint64_t cgroup_id);
int capture__remove_target_cgroup(struct capture *ctx, uint64_t cgroup_id);
/* Network namespaces by inode number (the st_ino of /proc/<pid>/ns/net). */
int capture__add_target_netns(struct capture *ctx, uint32_t netns_inum);
int capture__remove_target_netns(struct capture *ctx, uint32_t netns_inum);

/*
 * Capture policies, live. capture_enabled 0 stops every record at the next syscall entry, 1
 * resumes. The getters read the words the kernel program reads (the mmap-ed .data).
 */
int capture__set_capture_enabled(struct capture *ctx, uint32_t enabled);
uint32_t capture__get_capture_enabled(struct capture *ctx);
uint32_t capture__get_payload_bytes(struct capture *ctx);
/*
 * One process's policy (flags CAPTURE_POLICY_*, payload_bytes 0..CAPTURE_MAX_PAYLOAD) in the
 * `process_policy` map; -EINVAL for unknown flags or a payload above the ceiling, -E2BIG when
 * the 16384-entry map is full.
 */
int capture__set_process_policy(struct capture *ctx, uint32_t tgid, uint32_t flags, uint32_t payload_bytes);
/* Removes a process's policy; an unknown tgid is not an error. */
int capture__clear_process_policy(struct capture *ctx, uint32_t tgid);
/* Reads a process's policy back from the map: 0, or -ENOENT when it has none. */
int capture__get_process_policy(struct capture *ctx, uint32_t tgid, uint32_t *flags, uint32_t *payload_bytes);

/* Sums the per-CPU counters. Returns 0 or -errno. */
int capture__counters(struct capture *ctx, struct capture_counters *out);

/*
 * Frees mappings and the context. Without handover this detaches every program and frees the
 * maps; with handover the pins keep program, maps and ring alive for a successor, unless
 * release is 1 (then the pins are removed and everything goes). NULL is a no-op.
 */
void capture__close(struct capture *ctx, int release);

/* CLOCK_MONOTONIC now, in ns: the clock bpf_ktime_get_ns() reads. */
int64_t capture__monotonic_ns(void);

/* CLOCK_REALTIME - CLOCK_MONOTONIC in ns, from the tightest of a few paired reads. */
int64_t capture__realtime_offset_ns(void);

#endif /* ROOTLINE_CAPTURE_H */
