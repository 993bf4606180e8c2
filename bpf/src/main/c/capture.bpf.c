// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Socket syscall capture on syscall tracepoints (this kernel family has no kprobes
 * and refuses fentry trampolines; tracepoints are also stable across kernels).
 *
 * sys_enter: reject everything while capture is off (one global load), then non-targets
 * (one global load and a compare, or one hash lookup), then keep only TCP sockets of
 * AF_INET/AF_INET6, then drop muted processes (one lookup in `process_policy`, which also
 * gives the process's payload cap), and park the arguments in `inflight` keyed by thread. sys_exit: a miss in `inflight` ends the program at once;
 * a hit builds the record in a per-CPU scratch buffer (header + payload prefix) and
 * copies it into the ring with BPF_RB_NO_WAKEUP: user space drains on a timer, so no
 * wakeup is paid per event.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "capture_event.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Not in vmlinux.h (macros in the kernel's uapi headers). */
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define EAGAIN 11

#define MAX_IOV 8
#define PAYLOAD_MASK (CAPTURE_MAX_PAYLOAD - 1)

_Static_assert((CAPTURE_MAX_PAYLOAD & PAYLOAD_MASK) == 0, "payload ceiling is a power of 2");

/*
 * The capturing process (the JVM) never captures itself in ALL_BUT_SELF or NETNS. In .data, not
 * .rodata: a process that takes over a pinned capture (handover, see capture.c) writes its own
 * pid here.
 */
volatile __u32 self_tgid SEC(".data") = 0;

/*
 * Live settings: .data is an mmap-ed array map, user space writes these words in place
 * (aligned 32-bit stores, so a reader sees the old or the new value, never a mix).
 */
volatile __u32 target_mode SEC(".data") = CAPTURE_TARGET_ALL_BUT_SELF; /* 0: would land in .bss */
volatile __u32 payload_bytes SEC(".data") = CAPTURE_DEFAULT_PAYLOAD;
/* 0: no record for anyone (capture policy "capture = false" for this host). */
volatile __u32 capture_enabled SEC(".data") = 1;
/*
 * Handover: the reader stamps reader_seen_ns (CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns) at
 * every poll. A pinned capture whose reader is gone keeps recording for its successor, but only
 * for orphan_after_ns (0: no limit); after that it records nothing until a reader polls again.
 */
volatile __u64 reader_seen_ns SEC(".data") = 0;
volatile __u64 orphan_after_ns SEC(".data") = 0;
/*
 * Never read by the program: the reader's bookkeeping, kept in this map because a pinned map
 * outlives the reader. read_pos is where the reader stopped reading; checkpoint_pos and
 * checkpoint_clock_ns say up to which ring position and event time its spans went out;
 * epoch_offset_ns is the CLOCK_REALTIME - CLOCK_MONOTONIC its event times used.
 */
volatile __u64 read_pos SEC(".data") = 0;
volatile __u64 checkpoint_pos SEC(".data") = 0;
volatile __s64 checkpoint_clock_ns SEC(".data") = 0;
volatile __s64 epoch_offset_ns SEC(".data") = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);   /* tgid */
	__type(value, __u8);
} target_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);   /* cgroup v2 id (inode number of the cgroup directory) */
	__type(value, __u8);
} target_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);   /* network namespace inode number (stat -L /proc/<pid>/ns/net) */
	__type(value, __u8);
} target_netns SEC(".maps");

/* Capture policies of services, per process: muted, or another payload cap. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);   /* tgid */
	__type(value, struct capture_process_policy);
} process_policy SEC(".maps");

/* inflight.payload_cap when the process has no cap of its own: use payload_bytes. */
#define PAYLOAD_CAP_GLOBAL 0xffff
_Static_assert(CAPTURE_MAX_PAYLOAD < PAYLOAD_CAP_GLOBAL, "a cap fits below the marker");

/* Syscall arguments between enter and exit, per thread. */
struct inflight {
	__u64 start_ns;
	__u64 sk;        /* struct sock * of the fd at entry */
	__u64 buf;       /* data buffer, iovec array, user_msghdr or sockaddr */
	__u64 arg;       /* count, iovcnt or addrlen */
	__s32 fd;
	__u16 syscall;   /* enum capture_syscall */
	__u16 payload_cap; /* the process's own payload cap, or PAYLOAD_CAP_GLOBAL */
	struct capture_addr local;   /* CLOSE: taken at entry, the socket is gone at exit */
	struct capture_addr remote;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);   /* pid_tgid */
	__type(value, struct inflight);
} inflight SEC(".maps");

/* Room for a full header and twice the ceiling, so `off & MASK` + a clamped length
 * always stays inside the buffer where the verifier can prove it. */
struct scratch {
	struct capture_event ev;
	__u8 payload[CAPTURE_MAX_PAYLOAD * 2];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CAPTURE_COUNTER_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024 * 1024); /* resized before load from the settings */
} events SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		*c += 1; /* per-CPU slot: no atomic needed */
}

static __always_inline bool is_target(__u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32;
	__u32 mode;

	/* Not counted: while capture is off the whole host pays one load per syscall, no more. */
	if (!capture_enabled)
		return false;
	mode = target_mode;
	if (mode == CAPTURE_TARGET_ALL_BUT_SELF)
		return tgid != self_tgid;
	if (mode == CAPTURE_TARGET_PIDS)
		return bpf_map_lookup_elem(&target_pids, &tgid) != NULL;
	if (mode == CAPTURE_TARGET_CGROUPS) {
		__u64 cg = bpf_get_current_cgroup_id();

		return bpf_map_lookup_elem(&target_cgroups, &cg) != NULL;
	}
	if (mode == CAPTURE_TARGET_NETNS) {
		/* One "host" per network namespace: several nodes on one machine each see only
		 * their own. The capturing JVM shares its namespace, so it is excluded here too. */
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();
		__u32 inum = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);

		return tgid != self_tgid && bpf_map_lookup_elem(&target_netns, &inum) != NULL;
	}
	return false;
}

/* fd -> struct sock *, only for TCP sockets of the inet families; NULL otherwise. */
static __always_inline struct sock *inet_tcp_sock(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;
	struct socket *sock;
	struct sock *sk;
	__u16 family;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	if ((BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	if (BPF_CORE_READ(sk, sk_type) != SOCK_STREAM || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return NULL;
	return sk;
}

static __always_inline void read_addrs(struct sock *sk, struct capture_addr *local,
				       struct capture_addr *remote)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	local->family = family;
	remote->family = family;
	local->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	remote->port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		bpf_core_read(local->addr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(remote->addr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(local->addr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(remote->addr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

/* The peer as the caller named it in connect(): known even while the handshake runs. */
static __always_inline void read_user_sockaddr(const void *uaddr, __u64 len, struct capture_addr *out)
{
	struct sockaddr_in6 sa = {};

	if (!uaddr || len < sizeof(struct sockaddr_in))
		return;
	if (len > sizeof(sa))
		len = sizeof(sa);
	if (bpf_probe_read_user(&sa, len, uaddr))
		return;
	if (sa.sin6_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;

		out->family = AF_INET;
		out->port = bpf_ntohs(in->sin_port);
		__builtin_memcpy(out->addr, &in->sin_addr, 4);
	} else if (sa.sin6_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		out->family = AF_INET6;
		out->port = bpf_ntohs(sa.sin6_port);
		__builtin_memcpy(out->addr, &sa.sin6_addr, 16);
	}
}

static __always_inline int on_enter(int fd, __u16 syscall, __u64 buf, __u64 arg)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct inflight in = {};
	struct capture_process_policy *policy;
	struct sock *sk;

	if (!is_target(id))
		return 0;
	sk = inet_tcp_sock(fd);
	if (!sk)
		return 0;
	/* A capture left pinned for a successor that never came stops here (not counted). */
	if (orphan_after_ns && bpf_ktime_get_ns() - reader_seen_ns > orphan_after_ns)
		return 0;
	/* After the socket check, not before: the lookup is paid by socket syscalls only, and a
	 * refusal counted here is one record that would have been written. */
	in.payload_cap = PAYLOAD_CAP_GLOBAL;
	policy = bpf_map_lookup_elem(&process_policy, &tgid);
	if (policy) {
		__u32 flags = policy->flags;
		__u32 cap = policy->payload_bytes;

		if (flags & CAPTURE_POLICY_MUTED) {
			count(CAPTURE_COUNTER_POLICY_REFUSED);
			return 0;
		}
		if ((flags & CAPTURE_POLICY_PAYLOAD_SET) || cap) {
			if (cap > CAPTURE_MAX_PAYLOAD)
				cap = CAPTURE_MAX_PAYLOAD;
			in.payload_cap = cap;
		}
	}
	in.start_ns = bpf_ktime_get_ns();
	in.sk = (__u64)sk;
	in.buf = buf;
	in.arg = arg;
	in.fd = fd;
	in.syscall = syscall;
	if (syscall == CAPTURE_SYS_CLOSE)
		read_addrs(sk, &in.local, &in.remote);
	bpf_map_update_elem(&inflight, &id, &in, BPF_ANY);
	return 0;
}

/* Copies up to `want` bytes from `src` into the payload; returns the bytes copied. */
static __always_inline __u32 copy_flat(struct scratch *s, __u64 src, __u64 want)
{
	if (want > CAPTURE_MAX_PAYLOAD)
		want = CAPTURE_MAX_PAYLOAD;
	if (bpf_probe_read_user(s->payload, want, (void *)src))
		return 0;
	return want;
}

/* Gathers up to `want` bytes from the first iovecs, in order, as the syscall moved them. */
static __always_inline __u32 copy_iov(struct scratch *s, __u64 iov_ptr, __u64 iovcnt, __u64 want)
{
	const struct iovec *iov = (const struct iovec *)iov_ptr;
	__u32 copied = 0;

	if (want > CAPTURE_MAX_PAYLOAD)
		want = CAPTURE_MAX_PAYLOAD;
	for (int i = 0; i < MAX_IOV; i++) {
		struct iovec v;
		__u64 len;
		__u32 off;

		if (i >= iovcnt || copied >= want)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		len = v.iov_len;
		if (len > want - copied)
			len = want - copied;
		off = copied & PAYLOAD_MASK;
		if (len > CAPTURE_MAX_PAYLOAD)
			len = CAPTURE_MAX_PAYLOAD;
		if (bpf_probe_read_user(&s->payload[off], len, v.iov_base))
			break;
		copied += len;
	}
	return copied;
}

static __always_inline __u8 direction_of(__u16 syscall)
{
	switch (syscall) {
	case CAPTURE_SYS_READ:
	case CAPTURE_SYS_RECVFROM:
	case CAPTURE_SYS_READV:
	case CAPTURE_SYS_RECVMSG:
		return CAPTURE_DIR_INGRESS;
	case CAPTURE_SYS_WRITE:
	case CAPTURE_SYS_SENDTO:
	case CAPTURE_SYS_WRITEV:
	case CAPTURE_SYS_SENDMSG:
		return CAPTURE_DIR_EGRESS;
	default:
		return CAPTURE_DIR_NONE;
	}
}

static __always_inline int on_exit(__u16 syscall, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight *in = bpf_map_lookup_elem(&inflight, &id);
	struct inflight saved;
	struct scratch *s;
	struct capture_event *ev;
	struct task_struct *task;
	__u32 zero = 0;
	__u64 copied = 0; /* 64-bit: a 32-bit clamp is checked on a copy the verifier cannot tie back */
	__u64 size;
	__u16 type;

	if (!in)
		return 0;
	saved = *in;
	bpf_map_delete_elem(&inflight, &id);
	/* A stale entry (its exit never seen) must not pass for this syscall. */
	if (saved.syscall != syscall)
		return 0;

	switch (syscall) {
	case CAPTURE_SYS_CONNECT:
		type = CAPTURE_EVENT_CONNECT;
		break;
	case CAPTURE_SYS_ACCEPT:
	case CAPTURE_SYS_ACCEPT4:
		/* Non-blocking accept loops poll with EAGAIN: nothing happened, say nothing. */
		if (ret == -EAGAIN)
			return 0;
		type = CAPTURE_EVENT_ACCEPT;
		break;
	case CAPTURE_SYS_CLOSE:
		type = CAPTURE_EVENT_CLOSE;
		break;
	default:
		/* Same for non-blocking reads and writes that found nothing to move. */
		if (ret == -EAGAIN)
			return 0;
		type = CAPTURE_EVENT_DATA;
		break;
	}

	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	ev = &s->ev;
	ev->hdr.ts_ns = bpf_ktime_get_ns();
	ev->hdr.type = type;
	ev->hdr.version = CAPTURE_EVENT_VERSION;
	ev->start_ns = saved.start_ns;
	ev->ret = ret;
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->fd = saved.fd;
	ev->direction = direction_of(syscall);
	ev->flags = 0;
	ev->syscall = syscall;
	ev->reserved = 0;
	/* The process's name: bpf_get_current_comm() would give the thread's ("HTTP-Dispatcher"). */
	task = (struct task_struct *)bpf_get_current_task();
	BPF_CORE_READ_STR_INTO(&ev->comm, task, group_leader, comm);
	__builtin_memset(&ev->local, 0, sizeof(ev->local));
	__builtin_memset(&ev->remote, 0, sizeof(ev->remote));

	if (type == CAPTURE_EVENT_DATA) {
		read_addrs((struct sock *)saved.sk, &ev->local, &ev->remote);
		if (ret > 0) {
			/* 64-bit: a 32-bit value clamps a zero-extended copy, and the helper would get
			 * the unclamped original (the verifier cannot tie the two together). */
			__u64 want = saved.payload_cap == PAYLOAD_CAP_GLOBAL ? payload_bytes : saved.payload_cap;

			if (want > CAPTURE_MAX_PAYLOAD)
				want = CAPTURE_MAX_PAYLOAD;
			if ((__u64)ret < want)
				want = ret;
			switch (syscall) {
			case CAPTURE_SYS_READV:
			case CAPTURE_SYS_WRITEV:
				copied = copy_iov(s, saved.buf, saved.arg, want);
				break;
			case CAPTURE_SYS_RECVMSG:
			case CAPTURE_SYS_SENDMSG: {
				struct user_msghdr msg;

				if (!bpf_probe_read_user(&msg, sizeof(msg), (void *)saved.buf))
					copied = copy_iov(s, (__u64)msg.msg_iov, msg.msg_iovlen, want);
				break;
			}
			default:
				copied = copy_flat(s, saved.buf, want);
				break;
			}
			if ((__u64)ret > copied) {
				ev->flags |= CAPTURE_FLAG_TRUNCATED;
				count(CAPTURE_COUNTER_TRUNCATED);
			}
		}
	} else if (type == CAPTURE_EVENT_ACCEPT) {
		struct sock *sk = ret >= 0 ? inet_tcp_sock(ret) : NULL;

		if (sk) {
			ev->fd = ret;
			read_addrs(sk, &ev->local, &ev->remote);
		} else {
			read_addrs((struct sock *)saved.sk, &ev->local, &ev->remote);
		}
	} else if (type == CAPTURE_EVENT_CONNECT) {
		read_addrs((struct sock *)saved.sk, &ev->local, &ev->remote);
		/* Before the handshake completes (EINPROGRESS) or after it failed the socket
		 * may not hold the peer yet; the caller's sockaddr always does. */
		read_user_sockaddr((void *)saved.buf, saved.arg, &ev->remote);
	} else {
		ev->local = saved.local;
		ev->remote = saved.remote;
	}

	/* clang knows copied <= the ceiling and would drop this clamp; the verifier does not. */
	barrier_var(copied);
	if (copied > CAPTURE_MAX_PAYLOAD)
		copied = CAPTURE_MAX_PAYLOAD;
	ev->payload_len = copied;
	size = sizeof(struct capture_event) + copied;
	ev->hdr.size = size;
	if (bpf_ringbuf_output(&events, s, size, BPF_RB_NO_WAKEUP))
		count(CAPTURE_COUNTER_DROPPED);
	else
		count(CAPTURE_COUNTER_EMITTED);
	return 0;
}

#define ARG(ctx, n) ((ctx)->args[n])

/* Every hooked syscall takes the fd first; args 1 and 2 are kept for the exit side.
 * read/write/recvfrom/sendto(fd, buf, len, ...) */
#define SYSCALL_PAIR(name, SYS)                                                 \
	SEC("tp/syscalls/sys_enter_" #name)                                     \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                 \
	{                                                                       \
		return on_enter((int)ARG(ctx, 0), SYS, ARG(ctx, 1), ARG(ctx, 2)); \
	}                                                                       \
	SEC("tp/syscalls/sys_exit_" #name)                                      \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)                   \
	{                                                                       \
		return on_exit(SYS, ctx->ret);                                  \
	}

SYSCALL_PAIR(read, CAPTURE_SYS_READ)
SYSCALL_PAIR(write, CAPTURE_SYS_WRITE)
SYSCALL_PAIR(recvfrom, CAPTURE_SYS_RECVFROM)
SYSCALL_PAIR(sendto, CAPTURE_SYS_SENDTO)
/* readv/writev(fd, iov, iovcnt) */
SYSCALL_PAIR(readv, CAPTURE_SYS_READV)
SYSCALL_PAIR(writev, CAPTURE_SYS_WRITEV)
/* recvmsg/sendmsg(fd, msghdr, flags): the iovecs are read from the msghdr at exit */
SYSCALL_PAIR(recvmsg, CAPTURE_SYS_RECVMSG)
SYSCALL_PAIR(sendmsg, CAPTURE_SYS_SENDMSG)
/* accept/accept4(fd, addr, addrlen[, flags]): the new fd's socket gives the addresses */
SYSCALL_PAIR(accept, CAPTURE_SYS_ACCEPT)
SYSCALL_PAIR(accept4, CAPTURE_SYS_ACCEPT4)
/* connect(fd, sockaddr, addrlen) */
SYSCALL_PAIR(connect, CAPTURE_SYS_CONNECT)

SEC("tp/syscalls/sys_enter_close")
int enter_close(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter((int)ARG(ctx, 0), CAPTURE_SYS_CLOSE, 0, 0);
}

SEC("tp/syscalls/sys_exit_close")
int exit_close(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(CAPTURE_SYS_CLOSE, ctx->ret);
}
