/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The record format shared by the kernel program (capture.bpf.c), the user-space
 * library (capture.c) and, byte for byte, the Java decoder (EventDecoder.java).
 *
 * Rules that keep the three in step:
 *  - fixed-width, packed, little-endian (x86-64) fields; no kernel headers here;
 *    every field sits at a multiple of its own size, and the aligned() attributes tell
 *    the compiler so (packed alone makes clang store byte by byte);
 *  - a {ts, type, version} header first, so a reader can skip what it does not know;
 *  - every size is pinned with _Static_assert and repeated as a constant in Java;
 *  - bump CAPTURE_EVENT_VERSION on any layout change and update the golden-bytes test.
 */
#ifndef ROOTLINE_CAPTURE_EVENT_H
#define ROOTLINE_CAPTURE_EVENT_H

#ifdef __bpf__
/* vmlinux.h already defines the __uN/__sN types. */
typedef __u8 cap_u8;
typedef __u16 cap_u16;
typedef __u32 cap_u32;
typedef __s32 cap_s32;
typedef __u64 cap_u64;
typedef __s64 cap_s64;
#else
#include <stdint.h>
typedef uint8_t cap_u8;
typedef uint16_t cap_u16;
typedef uint32_t cap_u32;
typedef int32_t cap_s32;
typedef uint64_t cap_u64;
typedef int64_t cap_s64;
#endif

#define CAPTURE_EVENT_VERSION 1

/* Compile-time ceiling of the payload prefix; the live size (<= this) sits in a map. */
#define CAPTURE_MAX_PAYLOAD 4096
#define CAPTURE_DEFAULT_PAYLOAD 256

/* Records are laid out 8-byte aligned in the ring and in the batch buffer. */
#define CAPTURE_RECORD_ALIGN 8

enum capture_event_type {
	CAPTURE_EVENT_CONNECT = 1,
	CAPTURE_EVENT_ACCEPT = 2,
	CAPTURE_EVENT_DATA = 3,
	CAPTURE_EVENT_CLOSE = 4,
};

enum capture_direction {
	CAPTURE_DIR_NONE = 0,
	CAPTURE_DIR_INGRESS = 1,
	CAPTURE_DIR_EGRESS = 2,
};

/* Which syscall produced the record: diagnostic only, the type says what it means. */
enum capture_syscall {
	CAPTURE_SYS_READ = 1,
	CAPTURE_SYS_WRITE = 2,
	CAPTURE_SYS_RECVFROM = 3,
	CAPTURE_SYS_SENDTO = 4,
	CAPTURE_SYS_READV = 5,
	CAPTURE_SYS_WRITEV = 6,
	CAPTURE_SYS_RECVMSG = 7,
	CAPTURE_SYS_SENDMSG = 8,
	CAPTURE_SYS_ACCEPT = 9,
	CAPTURE_SYS_ACCEPT4 = 10,
	CAPTURE_SYS_CONNECT = 11,
	CAPTURE_SYS_CLOSE = 12,
};

#define CAPTURE_FLAG_TRUNCATED 0x01

/* Target selection modes (the live value sits in the program's .data map). */
enum capture_target_mode {
	CAPTURE_TARGET_ALL_BUT_SELF = 0,
	CAPTURE_TARGET_PIDS = 1,
	CAPTURE_TARGET_CGROUPS = 2,
	CAPTURE_TARGET_NETNS = 3,
};

/* Indexes of the per-CPU counter array. */
enum capture_counter {
	CAPTURE_COUNTER_EMITTED = 0,
	CAPTURE_COUNTER_DROPPED = 1,
	CAPTURE_COUNTER_TRUNCATED = 2,
	CAPTURE_COUNTER_POLICY_REFUSED = 3, /* socket syscalls of muted processes not recorded */
	CAPTURE_COUNTER_COUNT = 4,
};

/*
 * Per-process capture policy (the value of the `process_policy` hash map, keyed by tgid),
 * written live by user space. No entry: the process follows the global settings.
 */
#define CAPTURE_POLICY_MUTED 0x1       /* no record for this process while set */
#define CAPTURE_POLICY_PAYLOAD_SET 0x2 /* payload_bytes is in force, even when 0 */

struct capture_process_policy {
	cap_u32 flags;         /* CAPTURE_POLICY_* */
	cap_u32 payload_bytes; /* 0..CAPTURE_MAX_PAYLOAD; without PAYLOAD_SET a 0 means "the global value" */
};

_Static_assert(sizeof(struct capture_process_policy) == 8, "capture_process_policy is 8 bytes");

struct capture_header {
	cap_u64 ts_ns;   /* CLOCK_MONOTONIC at syscall exit: when the record was made */
	cap_u16 type;    /* enum capture_event_type */
	cap_u16 version; /* CAPTURE_EVENT_VERSION */
	cap_u32 size;    /* whole record: sizeof(struct capture_event) + payload_len */
} __attribute__((packed, aligned(8)));

_Static_assert(sizeof(struct capture_header) == 16, "capture_header is 16 bytes");

struct capture_addr {
	cap_u8 addr[16];  /* network byte order; IPv4 uses the first 4 bytes */
	cap_u16 port;     /* host byte order; 0 when unknown */
	cap_u16 family;   /* AF_INET (2), AF_INET6 (10), 0 when unknown */
} __attribute__((packed, aligned(4)));

_Static_assert(sizeof(struct capture_addr) == 20, "capture_addr is 20 bytes");

struct capture_event {
	struct capture_header hdr;   /*   0 */
	cap_u64 start_ns;            /*  16: CLOCK_MONOTONIC at syscall entry */
	cap_s64 ret;                 /*  24: syscall return (bytes, new fd, 0 or -errno) */
	cap_u32 pid;                 /*  32: tgid */
	cap_u32 tid;                 /*  36 */
	cap_s32 fd;                  /*  40: for ACCEPT the new fd when ret >= 0 */
	cap_u8 direction;            /*  44: enum capture_direction */
	cap_u8 flags;                /*  45: CAPTURE_FLAG_* */
	cap_u16 syscall;             /*  46: enum capture_syscall */
	char comm[16];               /*  48: NUL-padded */
	struct capture_addr local;   /*  64 */
	struct capture_addr remote;  /*  84 */
	cap_u32 payload_len;         /* 104: bytes of payload following this struct */
	cap_u32 reserved;            /* 108: zero; keeps the struct a multiple of 8 */
	/* cap_u8 payload[payload_len] follows */
} __attribute__((packed, aligned(8)));

_Static_assert(sizeof(struct capture_event) == 112, "capture_event is 112 bytes");

#endif /* ROOTLINE_CAPTURE_EVENT_H */
