// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * JNI glue for dev.rootline.bpf.NativeCapture: marshalling only. One call per batch
 * (the records are copied into a direct ByteBuffer), never an upcall per event.
 * Errors become a Java exception thrown here, at the boundary; nothing native unwinds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jni.h>

#include "capture.h"
#include "dev_rootline_bpf_NativeCapture.h"

static void throw_java(JNIEnv *env, const char *class_name, const char *message)
{
	jclass cls = (*env)->FindClass(env, class_name);

	if (cls) /* else FindClass already left a NoClassDefFoundError pending */
		(*env)->ThrowNew(env, cls, message);
}

static void throw_errno(JNIEnv *env, const char *what, int rc)
{
	char message[256];

	snprintf(message, sizeof(message), "%s failed: %s", what, strerror(rc < 0 ? -rc : rc));
	throw_java(env, rc == -EINVAL ? "java/lang/IllegalArgumentException" : "java/lang/IllegalStateException",
		   message);
}

static struct capture *ctx_of(jlong handle)
{
	return (struct capture *)(intptr_t)handle;
}

JNIEXPORT jlong JNICALL Java_dev_rootline_bpf_NativeCapture_open(JNIEnv *env, jclass cls, jint ring_bytes,
								  jint payload_bytes, jint target_mode, jint self_pid,
								  jstring pin_dir, jlong replay_window_ns,
								  jlong orphan_after_ns, jlong epoch_offset_ns)
{
	char err[4096];
	struct capture_opts opts = {
		.ring_bytes = (uint32_t)ring_bytes,
		.payload_bytes = (uint32_t)payload_bytes,
		.target_mode = (uint32_t)target_mode,
		.self_pid = (uint32_t)self_pid,
		.replay_window_ns = (uint64_t)replay_window_ns,
		.orphan_after_ns = (uint64_t)orphan_after_ns,
		.epoch_offset_ns = (int64_t)epoch_offset_ns,
	};
	const char *dir = NULL;
	struct capture *ctx;

	(void)cls;
	if (ring_bytes <= 0 || payload_bytes < 0 || target_mode < 0 || self_pid < 0 || replay_window_ns < 0 ||
	    orphan_after_ns < 0) {
		throw_java(env, "java/lang/IllegalArgumentException", "negative capture option");
		return 0;
	}
	if (pin_dir) {
		dir = (*env)->GetStringUTFChars(env, pin_dir, NULL);
		if (!dir)
			return 0; /* OutOfMemoryError pending */
	}
	opts.pin_dir = dir;
	ctx = capture__open(&opts, err, sizeof(err));
	if (dir)
		(*env)->ReleaseStringUTFChars(env, pin_dir, dir);
	if (!ctx) {
		throw_java(env, "dev/rootline/bpf/CaptureUnavailableException", err);
		return 0;
	}
	return (jlong)(intptr_t)ctx;
}

JNIEXPORT jboolean JNICALL Java_dev_rootline_bpf_NativeCapture_lastPollReplayed(JNIEnv *env, jclass cls,
									       jlong handle)
{
	(void)env;
	(void)cls;
	return capture__last_poll_replayed(ctx_of(handle)) ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jlong JNICALL Java_dev_rootline_bpf_NativeCapture_readPosition(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	return (jlong)capture__read_pos(ctx_of(handle));
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_checkpoint(JNIEnv *env, jclass cls, jlong handle,
								       jlong position, jlong clock_ns)
{
	int rc;

	(void)cls;
	if (position < 0) {
		throw_java(env, "java/lang/IllegalArgumentException", "negative ring position");
		return;
	}
	rc = capture__checkpoint(ctx_of(handle), (uint64_t)position, (int64_t)clock_ns);
	if (rc)
		throw_errno(env, "checkpointing a ring position not read yet", rc);
}

JNIEXPORT jstring JNICALL Java_dev_rootline_bpf_NativeCapture_handover(JNIEnv *env, jclass cls, jlong handle,
									jlongArray out)
{
	struct capture_handover h;
	jlong values[7];

	(void)cls;
	if (!out || (*env)->GetArrayLength(env, out) < 7) {
		throw_java(env, "java/lang/IllegalArgumentException", "handover needs a long[7]");
		return NULL;
	}
	capture__handover(ctx_of(handle), &h);
	values[0] = h.resumed;
	values[1] = h.pinned;
	values[2] = (jlong)h.replay_bytes;
	values[3] = (jlong)h.pending_bytes;
	values[4] = h.replay_clock_ns;
	values[5] = h.epoch_offset_ns;
	values[6] = h.ring_bytes;
	(*env)->SetLongArrayRegion(env, out, 0, 7, values);
	return (*env)->NewStringUTF(env, h.note);
}

JNIEXPORT jint JNICALL Java_dev_rootline_bpf_NativeCapture_poll(JNIEnv *env, jclass cls, jlong handle,
								 jobject batch)
{
	void *buf = (*env)->GetDirectBufferAddress(env, batch);
	jlong cap = (*env)->GetDirectBufferCapacity(env, batch);
	long rc;

	(void)cls;
	if (!buf || cap < 0) {
		throw_java(env, "java/lang/IllegalArgumentException", "poll needs a direct ByteBuffer");
		return 0;
	}
	if (cap > INT32_MAX)
		cap = INT32_MAX; /* the byte count goes back as a jint */
	rc = capture__poll(ctx_of(handle), buf, (size_t)cap);
	if (rc < 0) {
		throw_errno(env, "draining the capture ring buffer", (int)rc);
		return 0;
	}
	return (jint)rc;
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_setTargetMode(JNIEnv *env, jclass cls, jlong handle,
									  jint mode)
{
	int rc = capture__set_target_mode(ctx_of(handle), (uint32_t)mode);

	(void)cls;
	if (rc)
		throw_errno(env, "setting the target mode", rc);
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_setPayloadBytes(JNIEnv *env, jclass cls, jlong handle,
									    jint bytes)
{
	int rc = capture__set_payload_bytes(ctx_of(handle), (uint32_t)bytes);

	(void)cls;
	if (rc)
		throw_errno(env, "setting the payload size", rc);
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_addTargetPid(JNIEnv *env, jclass cls, jlong handle,
									 jint pid)
{
	int rc = capture__add_target_pid(ctx_of(handle), (uint32_t)pid);

	(void)cls;
	if (rc)
		throw_errno(env, "adding a target pid (is the 16384-entry pid map full?)", rc);
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_removeTargetPid(JNIEnv *env, jclass cls, jlong handle,
									    jint pid)
{
	int rc = capture__remove_target_pid(ctx_of(handle), (uint32_t)pid);

	(void)cls;
	if (rc)
		throw_errno(env, "removing a target pid", rc);
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_addTargetCgroup(JNIEnv *env, jclass cls, jlong handle,
									    jlong cgroup_id)
{
	int rc = capture__add_target_cgroup(ctx_of(handle), (uint64_t)cgroup_id);

	(void)cls;
	if (rc)
		throw_errno(env, "adding a target cgroup (is the 4096-entry cgroup map full?)", rc);
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_removeTargetCgroup(JNIEnv *env, jclass cls,
									       jlong handle, jlong cgroup_id)
{
	int rc = capture__remove_target_cgroup(ctx_of(handle), (uint64_t)cgroup_id);

	(void)cls;
	if (rc)
		throw_errno(env, "removing a target cgroup", rc);
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_addTargetNetns(JNIEnv *env, jclass cls, jlong handle,
									   jint netns_inum)
{
	int rc = capture__add_target_netns(ctx_of(handle), (uint32_t)netns_inum);

	(void)cls;
	if (rc)
		throw_errno(env, "adding a target network namespace (is the 1024-entry netns map full?)", rc);
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_removeTargetNetns(JNIEnv *env, jclass cls,
									      jlong handle, jint netns_inum)
{
	int rc = capture__remove_target_netns(ctx_of(handle), (uint32_t)netns_inum);

	(void)cls;
	if (rc)
		throw_errno(env, "removing a target network namespace", rc);
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_setCaptureEnabled(JNIEnv *env, jclass cls,
									      jlong handle, jboolean enabled)
{
	int rc = capture__set_capture_enabled(ctx_of(handle), enabled ? 1 : 0);

	(void)cls;
	if (rc)
		throw_errno(env, "switching capture on or off", rc);
}

JNIEXPORT jboolean JNICALL Java_dev_rootline_bpf_NativeCapture_captureEnabled(JNIEnv *env, jclass cls,
									      jlong handle)
{
	(void)env;
	(void)cls;
	return capture__get_capture_enabled(ctx_of(handle)) ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jint JNICALL Java_dev_rootline_bpf_NativeCapture_payloadBytes(JNIEnv *env, jclass cls, jlong handle)
{
	(void)env;
	(void)cls;
	return (jint)capture__get_payload_bytes(ctx_of(handle));
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_setProcessPolicy(JNIEnv *env, jclass cls,
									     jlong handle, jint pid, jint flags,
									     jint payload_bytes)
{
	int rc;

	(void)cls;
	if (pid <= 0 || flags < 0 || payload_bytes < 0) {
		throw_java(env, "java/lang/IllegalArgumentException", "negative process policy argument");
		return;
	}
	rc = capture__set_process_policy(ctx_of(handle), (uint32_t)pid, (uint32_t)flags, (uint32_t)payload_bytes);
	if (rc)
		throw_errno(env, "setting a process policy (is the 16384-entry policy map full?)", rc);
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_clearProcessPolicy(JNIEnv *env, jclass cls,
									       jlong handle, jint pid)
{
	int rc = capture__clear_process_policy(ctx_of(handle), (uint32_t)pid);

	(void)cls;
	if (rc)
		throw_errno(env, "clearing a process policy", rc);
}

JNIEXPORT jboolean JNICALL Java_dev_rootline_bpf_NativeCapture_processPolicy(JNIEnv *env, jclass cls,
									      jlong handle, jint pid, jintArray out)
{
	uint32_t flags = 0, payload = 0;
	jint values[2];
	int rc;

	(void)cls;
	if (!out || (*env)->GetArrayLength(env, out) < 2) {
		throw_java(env, "java/lang/IllegalArgumentException", "a process policy needs an int[2]");
		return JNI_FALSE;
	}
	rc = capture__get_process_policy(ctx_of(handle), (uint32_t)pid, &flags, &payload);
	if (rc == -ENOENT)
		return JNI_FALSE;
	if (rc) {
		throw_errno(env, "reading a process policy", rc);
		return JNI_FALSE;
	}
	values[0] = (jint)flags;
	values[1] = (jint)payload;
	(*env)->SetIntArrayRegion(env, out, 0, 2, values);
	return JNI_TRUE;
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_counters(JNIEnv *env, jclass cls, jlong handle,
								     jlongArray out)
{
	struct capture_counters c;
	jlong values[4];
	int rc;

	(void)cls;
	if (!out || (*env)->GetArrayLength(env, out) < 4) {
		throw_java(env, "java/lang/IllegalArgumentException", "counters need a long[4]");
		return;
	}
	rc = capture__counters(ctx_of(handle), &c);
	if (rc) {
		throw_errno(env, "reading the capture counters", rc);
		return;
	}
	values[0] = (jlong)c.emitted;
	values[1] = (jlong)c.dropped;
	values[2] = (jlong)c.truncated;
	values[3] = (jlong)c.policy_refused;
	(*env)->SetLongArrayRegion(env, out, 0, 4, values);
}

JNIEXPORT void JNICALL Java_dev_rootline_bpf_NativeCapture_close(JNIEnv *env, jclass cls, jlong handle,
								  jboolean release)
{
	(void)env;
	(void)cls;
	capture__close(ctx_of(handle), release == JNI_TRUE);
}

JNIEXPORT jlong JNICALL Java_dev_rootline_bpf_NativeCapture_monotonicNanos(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return (jlong)capture__monotonic_ns();
}

JNIEXPORT jlong JNICALL Java_dev_rootline_bpf_NativeCapture_realtimeOffsetNanos(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return (jlong)capture__realtime_offset_ns();
}
