// SPDX-License-Identifier: GPL-2.0
/* fdscope's BPF trace engine: the fd syscalls of one process tree, with
 * what their decoding reads from user memory, and the tree's forks, execs
 * and exits, as records (trace_records.h) in a ring buffer.
 *
 * Raw syscall tracepoints (tp_btf) fire for every task of the machine once
 * attached, so both programs return at once for syscall numbers outside
 * the `interest` bitmap, then for tasks whose process is not in `traced`.
 * Enter arguments wait in per-task storage (or, where that is refused, a
 * tid-keyed hash) for sys_exit, where user memory is read: the kernel has
 * just touched it (paths, the arrays it wrote, control messages), so the
 * pages are resident and reads do not fail for a page not yet faulted in.
 *
 * CO-RE: built against a vmlinux.h of the build kernel, relocated by libbpf
 * at load. `files` pointers in the records are identities for userspace;
 * never printed (trace_records.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "trace_records.h"

_Static_assert(sizeof(struct fds_tr_hdr) == 8, "record header layout");
_Static_assert(sizeof(struct fds_tr_syscall) == 112, "syscall record layout");
_Static_assert(sizeof(struct fds_tr_region) == 16, "region layout");
_Static_assert(sizeof(struct fds_tr_fork) == 72, "fork record layout");
_Static_assert(sizeof(struct fds_tr_exec) == 72, "exec record layout");
_Static_assert(sizeof(struct fds_tr_exit) == 32, "exit record layout");
_Static_assert(sizeof(struct fds_tr_task) == 16, "task record layout");
_Static_assert(FDS_STACK_MAX <= 128, "walk_step's index mask");

char LICENSE[] SEC("license") = "GPL"; /* bpf_probe_read_user_str, task storage */

#define FDS_TS_COMPAT 0x0002  /* arch/x86 thread_info status: an ia32 syscall (other numbers) */
#define FDS_NR_CLONE 56
#define FDS_NR_EXECVEAT 322
#define FDS_NR_CLONE3 435
#define FDS_CLONE_PIDFD 0x1000
#define E2BIG_FDS 7 /* E2BIG (no errno.h here) */

/* Set before load (rodata: the verifier prunes the branch not taken).
 * 0: enter arguments in the tid-keyed hash (task storage refused, or
 * refused for a test). */
const volatile int use_task_storage = 1;
/* 0: stacks are bpf_get_stack's only (the walk refused, or refused for a test). */
const volatile int use_cfi_walk = 1;

/* Set by userspace after load, before attach (bss). */
__u32 stack_bytes;   /* user stack bytes per syscall record; 0: no stacks */
__u64 wakeup_bytes;  /* wake the reader once this much is waiting (else it polls) */
__u64 compat_calls;  /* ia32 syscalls of traced tasks, not traced (other numbers) */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FDS_NR_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} interest SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FDS_NR_MAX);
	__type(key, __u32);
	__type(value, struct fds_plan);
} plans SEC(".maps");

/* The traced processes (tgids): seeded by userspace, grown on fork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, __u8);
} traced SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by the loader */
} ring SEC(".maps");

/* Records the ring had no room for: per CPU, and per process. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, __u64);
} lost_by_tgid SEC(".maps");

struct enter {
	__u64 args[6];
	__u64 files;
	__u32 nr;
	__u32 active;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct enter);
} enter_ts SEC(".maps");

/* Filled by userspace as stacks come in (trace/bpf/cfi_rules.hpp): for a
 * syscall wrapper without frame pointers, where its return address and its
 * caller's rbp are, so the walk starts at the caller (cfi_walk). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FDS_CFI_RULES_MAX);
	__type(key, struct fds_cfi_key);
	__type(value, struct fds_cfi_rule);
} cfi_rules SEC(".maps");

/* Filled once at load: rules by code signature (trace_records.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FDS_CFI_SIGS_MAX);
	__type(key, struct fds_cfi_sig);
	__type(value, struct fds_cfi_rule);
} cfi_sigs SEC(".maps");

/* The fallback: by tid; entries leave at sys_exit and at the thread's exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct enter);
} enter_tid SEC(".maps");

/* A record is built here, then copied into the ring at its real size.
 * Twice FDS_REC_MAX: offsets are masked below FDS_REC_MAX, and one more
 * region of at most FDS_STR_MAX fits after any of them (the verifier's
 * bounds). */
#define FDS_SCRATCH (2 * FDS_REC_MAX)
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[FDS_SCRATCH]);
} scratch SEC(".maps");

static __always_inline int interesting(long nr)
{
	if ((unsigned long)nr >= FDS_NR_MAX)
		return 0;
	__u32 word = (__u32)nr / 64;
	__u64 *bits = bpf_map_lookup_elem(&interest, &word);
	return bits && ((*bits >> (nr & 63)) & 1);
}

static __always_inline int is_traced(__u32 tgid)
{
	return bpf_map_lookup_elem(&traced, &tgid) != 0;
}

static __always_inline int in_compat_syscall(struct task_struct *task)
{
	if (!bpf_core_field_exists(task->thread_info.status))
		return 0;
	return BPF_CORE_READ(task, thread_info.status) & FDS_TS_COMPAT;
}

static __always_inline void count_lost(__u32 tgid)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);
	if (n)
		*n += 1;
	__u64 *t = bpf_map_lookup_elem(&lost_by_tgid, &tgid);
	if (t) {
		__sync_fetch_and_add(t, 1);
		return;
	}
	__u64 one = 1;
	if (bpf_map_update_elem(&lost_by_tgid, &tgid, &one, BPF_NOEXIST)) {
		t = bpf_map_lookup_elem(&lost_by_tgid, &tgid); /* another CPU created it first */
		if (t)
			__sync_fetch_and_add(t, 1);
	}
}

/* When each CPU last woke the reader. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_wake SEC(".maps");

#define FDS_WAKE_NS 250000 /* a record waits at most this long for the reader (a short-lived process must still be mapped when its stacks are read) */

/* Copies a finished record into the ring. Syscall records do not wake the
 * reader (a wake-up per record would cost more than the record) until
 * `wakeup_bytes` wait or FDS_WAKE_NS passed since this CPU's last wake-up:
 * the reader resolves stacks against the process's maps, which must still
 * be there; process events always wake it. */
static __always_inline void send(void *rec, __u64 len, __u32 tgid, int wake)
{
	__u64 flags = BPF_RB_NO_WAKEUP;
	__u32 zero = 0;
	__u64 now = bpf_ktime_get_ns();
	__u64 *last = bpf_map_lookup_elem(&last_wake, &zero);
	if (last && now - *last >= FDS_WAKE_NS)
		wake = 1;
	if (wake || bpf_ringbuf_query(&ring, BPF_RB_AVAIL_DATA) >= wakeup_bytes) {
		flags = BPF_RB_FORCE_WAKEUP;
		if (last)
			*last = now;
	}
	if (bpf_ringbuf_output(&ring, rec, len, flags))
		count_lost(tgid);
}

/* The enter state of the current task, taken (it is consumed once). */
static __always_inline int take_enter(struct task_struct *task, __u32 tid, struct enter *out)
{
	if (use_task_storage) {
		struct enter *e = bpf_task_storage_get(&enter_ts, task, 0, 0);
		if (!e || !e->active)
			return 0;
		*out = *e;
		e->active = 0;
		return 1;
	}
	struct enter *e = bpf_map_lookup_elem(&enter_tid, &tid);
	if (!e)
		return 0;
	*out = *e;
	bpf_map_delete_elem(&enter_tid, &tid);
	return out->active;
}

/* The enter state, left in place (fork and exec run inside the call). */
static __always_inline int peek_enter(struct task_struct *task, __u32 tid, struct enter *out)
{
	struct enter *e;
	if (use_task_storage)
		e = bpf_task_storage_get(&enter_ts, task, 0, 0);
	else
		e = bpf_map_lookup_elem(&enter_tid, &tid);
	if (!e || !e->active)
		return 0;
	*out = *e;
	return 1;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(fds_sys_enter, struct pt_regs *regs, long id)
{
	if (!interesting(id))
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (!is_traced(pid_tgid >> 32))
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	if (in_compat_syscall(task)) {
		__sync_fetch_and_add(&compat_calls, 1);
		return 0;
	}
	struct enter e = {
		.args = {regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9},
		.files = (__u64)BPF_CORE_READ(task, files),
		.nr = (__u32)id,
		.active = 1,
	};
	if (use_task_storage) {
		struct enter *slot = bpf_task_storage_get(&enter_ts, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (slot)
			*slot = e;
	} else {
		__u32 tid = (__u32)pid_tgid;
		bpf_map_update_elem(&enter_tid, &tid, &e, BPF_ANY);
	}
	return 0;
}

/* The inode mode of the file at `fd` in `files`, 0 when none. */
static __always_inline __u16 fd_mode(struct files_struct *files, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(files, fdt);
	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = 0;
	if (bpf_probe_read_kernel(&f, sizeof(f), fds + fd) || !f)
		return 0;
	return BPF_CORE_READ(f, f_inode, i_mode);
}

#define FDS_HOW_STR 0x100 /* put_region's `how`: the capture index, and this for a string */

/* One region of user memory at `off` of the record: its header, then up to
 * `want` bytes from `addr` (a string with FDS_HOW_STR in `how`). Returns the
 * offset after it. */
static __noinline __u32 put_region(char *buf, __u32 off, __u64 addr, __u32 want, __u32 how)
{
	int str = how & FDS_HOW_STR;
	__u32 cap = how & 0xff;
	off &= FDS_REC_MAX - 1;
	struct fds_tr_region *r = (void *)(buf + off);
	r->addr = addr;
	r->cap = (__u8)cap;
	r->pad = 0;
	r->len = 0;
	if (want > FDS_STR_MAX)
		want = FDS_STR_MAX;
	if (off + sizeof(*r) + want > FDS_REC_MAX) {
		r->status = FDS_REG_FULL;
		return off + sizeof(*r);
	}
	char *dst = buf + off + sizeof(*r);
	long n;
	barrier_var(want);
	if (want > FDS_STR_MAX)
		return off + sizeof(*r);
	if (str) {
		n = bpf_probe_read_user_str(dst, want, (const void *)addr);
		if (n > 0 && n == want) {
			r->status = FDS_REG_CUT;
			n -= 1; /* the helper's NUL, not the string's */
		} else {
			r->status = n > 0 ? FDS_REG_OK : FDS_REG_FAULT;
		}
	} else {
		n = bpf_probe_read_user(dst, want, (const void *)addr) ? -1 : (long)want;
		r->status = n >= 0 ? FDS_REG_OK : FDS_REG_FAULT;
	}
	if (n <= 0) {
		r->status = FDS_REG_FAULT;
		return off + sizeof(*r);
	}
	r->len = (__u16)n;
	return off + sizeof(*r) + (((__u32)n + 7) & ~7u);
}

/* A u64 of an already copied region (msghdr fields). */
static __always_inline __u64 field_at(char *buf, __u32 off)
{
	off &= FDS_REC_MAX - 1;
	return *(__u64 *)(buf + off);
}

struct cap_state {
	char *buf;
	__u32 off;
	__u32 nregions;
	__u32 vlen;
	__u32 cap;
	__u32 ctl_size;
	__u32 hdrs_data; /* offset of the copied mmsghdr array's bytes */
};

/* One mmsghdr's control (bpf_loop step). */
static long mmsg_step(__u32 i, void *data)
{
	struct cap_state *c = data;
	if (i >= c->vlen || i >= FDS_MMSG_MAX)
		return 1;
	__u32 base = c->hdrs_data + i * FDS_MMSGHDR_SIZE;
	__u64 control = field_at(c->buf, base + 32);
	__u64 controllen = field_at(c->buf, base + 40);
	if (!control || !controllen)
		return 0;
	__u32 want = controllen < c->ctl_size ? (__u32)controllen : c->ctl_size;
	c->off = put_region(c->buf, c->off, control, want, c->cap);
	c->nregions++;
	return 0;
}

/* The regions capture `cap` of the plan reads; returns regions added. */
struct capture_ctx {
	char *buf;
	__u32 off;
	struct enter *e;
};

static __noinline __u32 capture(struct capture_ctx *x, struct fds_cap *cap, __u32 index)
{
	char *buf = x->buf;
	__u32 *offp = &x->off;
	struct enter *e = x->e;
	__u32 arg = cap->arg;
	if (arg >= 6)
		return 0;
	__u64 addr = e->args[arg];
	__u32 size = cap->size;
	__u32 off = *offp;
	if (!addr)
		return 0;
	switch (cap->kind) {
	case FDS_CAP_STRING:
		*offp = put_region(buf, off, addr, size < FDS_STR_MAX ? size : FDS_STR_MAX, index | FDS_HOW_STR);
		return 1;
	case FDS_CAP_BYTES:
		*offp = put_region(buf, off, addr, size < FDS_BYTES_MAX ? size : FDS_BYTES_MAX, index);
		return 1;
	case FDS_CAP_MSG_CONTROL: {
		__u32 hdr = off;
		off = put_region(buf, off, addr, FDS_MSGHDR_SIZE, index);
		struct fds_tr_region *r = (void *)(buf + (hdr & (FDS_REC_MAX - 1)));
		if (r->status != FDS_REG_OK) {
			*offp = off;
			return 1;
		}
		/* msg_control at 32, msg_controllen at 40: the kernel's updated length. */
		__u64 control = field_at(buf, hdr + sizeof(*r) + 32);
		__u64 controllen = field_at(buf, hdr + sizeof(*r) + 40);
		__u32 ctl = size < FDS_CTRL_MAX ? size : FDS_CTRL_MAX;
		if (control && controllen) {
			off = put_region(buf, off, control, controllen < ctl ? (__u32)controllen : ctl, index);
			*offp = off;
			return 2;
		}
		*offp = off;
		return 1;
	}
	case FDS_CAP_CLONE3_PIDFD: {
		__u32 hdr = off;
		off = put_region(buf, off, addr, size < FDS_BYTES_MAX ? size : FDS_BYTES_MAX, index);
		struct fds_tr_region *r = (void *)(buf + (hdr & (FDS_REC_MAX - 1)));
		*offp = off;
		if (r->status != FDS_REG_OK || r->len < 16)
			return 1;
		/* clone_args.flags at 0, .pidfd at 8 */
		__u64 flags = field_at(buf, hdr + sizeof(*r));
		__u64 pidfd = field_at(buf, hdr + sizeof(*r) + 8);
		if (!(flags & FDS_CLONE_PIDFD) || !pidfd)
			return 1;
		*offp = put_region(buf, off, pidfd, 4, index);
		return 2;
	}
	case FDS_CAP_MMSG_CONTROL: {
		/* The headers the decoder reads: vlen's, up to FDS_MMSG_MAX. */
		__u64 vlen = e->args[2];
		if (vlen > FDS_MMSG_MAX)
			vlen = FDS_MMSG_MAX;
		if (!vlen)
			return 0;
		__u32 hdr = off;
		off = put_region(buf, off, addr, (__u32)vlen * FDS_MMSGHDR_SIZE, index);
		struct fds_tr_region *r = (void *)(buf + (hdr & (FDS_REC_MAX - 1)));
		if (r->status != FDS_REG_OK) {
			*offp = off;
			return 1;
		}
		struct cap_state c = {
			.buf = buf,
			.off = off,
			.nregions = 1,
			.vlen = (__u32)vlen,
			.cap = index,
			.ctl_size = size < FDS_CTRL_MAX ? size : FDS_CTRL_MAX,
			.hdrs_data = hdr + sizeof(*r),
		};
		bpf_loop(FDS_MMSG_MAX, mmsg_step, &c, 0);
		*offp = c.off;
		return c.nregions;
	}
	}
	return 0;
}

struct walk_state {
	__u64 *pcs;
	__u64 bp;
	__u32 n;
	__u32 max;
};

/* One frame of the rbp chain (bpf_loop step): the return address at
 * [rbp+8], the next rbp at [rbp]; ends at 0, a failed read, or an rbp that
 * does not grow (frames lie at rising addresses). */
static long walk_step(__u32 i, void *data)
{
	struct walk_state *w = data;
	/* From the step, not from w->n: a count carried from step to step
	 * would make the verifier check every step's value on its own. */
	__u32 n = i + 2;
	if (n >= w->max || n >= FDS_STACK_MAX || !w->bp)
		return 1;
	__u64 fr[2] = {};
	if (bpf_probe_read_user(fr, sizeof(fr), (const void *)w->bp) || !fr[1])
		return 1;
	barrier_var(n); /* keeps the mask: n < FDS_STACK_MAX, but the verifier needs the bound here */
	w->pcs[n & 127] = fr[1];
	w->n = n + 1;
	if (fr[0] <= w->bp)
		return 1;
	w->bp = fr[0];
	return 0;
}

/* The user stack from the wrapper's CFI rule, written as pcs at the stack's
 * place of this CPU's record: its pc, its return address, then the rbp
 * chain from the caller's rbp. Returns the pcs written, 0 when there is no
 * rule for this pc (bpf_get_stack's walk is right, or userspace has not
 * computed it yet) or the rule's reads fail. A global function: verified
 * once on its own, so its branches do not multiply the states of
 * fds_sys_exit's captures. */
__noinline int fds_cfi_walk(__u64 ip, __u64 sp, __u64 bp, __u32 tgid, __u32 max)
{
	if (max < 2)
		return 0;
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&scratch, &zero);
	if (!buf)
		return 0;
	struct fds_cfi_key k = {.ip = ip, .tgid = tgid};
	struct fds_cfi_rule *r = bpf_map_lookup_elem(&cfi_rules, &k);
	if (!r) {
		struct fds_cfi_sig sig = {.page_off = (__u32)(ip & 0xfff)};
		if (bpf_probe_read_user(sig.code, sizeof(sig.code), (const void *)(ip - sizeof(sig.code))))
			return 0;
		r = bpf_map_lookup_elem(&cfi_sigs, &sig);
		if (!r)
			return 0;
	}
	__u64 cfa = (r->cfa_bp ? bp : sp) + (__s64)r->cfa_off;
	__u64 ra = 0, caller_bp = bp;
	if (bpf_probe_read_user(&ra, sizeof(ra), (const void *)(cfa + (__s64)r->ra_off)) || !ra)
		return 0;
	if (r->bp_saved && bpf_probe_read_user(&caller_bp, sizeof(caller_bp), (const void *)(cfa + (__s64)r->bp_off)))
		caller_bp = 0;
	__u64 *pcs = (__u64 *)(buf + sizeof(struct fds_tr_hdr) + sizeof(struct fds_tr_syscall));
	pcs[0] = ip;
	pcs[1] = ra;
	/* The caller's frame is not below the wrapper's: a caller with a frame
	 * pointer has it right at the wrapper's CFA (its saved rbp's slot). */
	struct walk_state w = {.pcs = pcs, .bp = caller_bp >= cfa ? caller_bp : 0, .n = 2, .max = max};
	bpf_loop(FDS_STACK_MAX, walk_step, &w, 0);
	return (int)w.n;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(fds_sys_exit, struct pt_regs *regs, long ret)
{
	long id = regs->orig_ax;
	if (!interesting(id))
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	if (!is_traced(tgid))
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	if (in_compat_syscall(task))
		return 0;
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&scratch, &zero);
	if (!buf)
		return 0;

	struct enter e = {};
	int have_enter = take_enter(task, tid, &e) && e.nr == (__u32)id;
	struct fds_tr_hdr *h = (void *)buf;
	struct fds_tr_syscall *s = (void *)(buf + sizeof(*h));
	struct files_struct *files = BPF_CORE_READ(task, files);
	s->time_ns = bpf_ktime_get_ns();
	s->files = (__u64)files;
	s->enter_files = have_enter ? e.files : 0;
	for (int i = 0; i < 6; i++)
		s->args[i] = have_enter ? e.args[i] : 0;
	s->ret = ret;
	s->tgid = tgid;
	s->tid = tid;
	s->nr = (__u32)id;
	s->i_mode = 0;
	s->flags = have_enter ? 0 : FDS_SC_NO_ENTER;
	s->nregions = 0;
	s->nframes = 0;
	s->pad = 0;
	s->stack_err = 0;
	s->sp_word = 0;

	__u32 nr = (__u32)id;
	struct fds_plan *plan = bpf_map_lookup_elem(&plans, &nr);
	if (plan && (plan->flags & FDS_PLAN_RET_FD) && ret >= 0) {
		s->i_mode = fd_mode(files, ret);
		s->flags |= FDS_SC_MODE;
	}

	__u32 off = sizeof(*h) + sizeof(*s);
	__u32 want = stack_bytes;
	if (want) {
		if (want > FDS_STACK_MAX * 8)
			want = FDS_STACK_MAX * 8;
		long n = 0;
		if (use_cfi_walk) {
			n = fds_cfi_walk(regs->ip, regs->sp, regs->bp, tgid, want / 8);
			if (n < 2 || n > (long)(want / 8))
				n = 0;
			n *= 8;
			if (n > 0)
				s->flags |= FDS_SC_CFI_WALK;
		}
		if (n <= 0)
			n = bpf_get_stack(ctx, buf + sizeof(*h) + sizeof(*s), want, BPF_F_USER_STACK);
		/* Through memory: both ways join with one unknown length, so
		 * the verifier checks the captures below once, not per way. */
		s->stack_err = (__s32)n;
		n = *(volatile __s32 *)&s->stack_err;
		if (n > FDS_STACK_MAX * 8)
			n = -E2BIG_FDS;
		__u64 word = 0;
		if (!bpf_probe_read_user(&word, sizeof(word), (const void *)regs->sp))
			s->sp_word = word;
		if (n > 0) {
			s->stack_err = 0;
			s->nframes = (__u16)(n / 8);
			off += (__u32)n & ~7u;
		} else {
			s->stack_err = (__s32)n;
		}
	}

	/* After a successful exec the arguments point into the old image. */
	if (have_enter && plan && !((plan->flags & FDS_PLAN_EXEC) && ret == 0)) {
		__u32 n = 0;
		__u32 ncaps = plan->ncaps;
		struct capture_ctx x = {.buf = buf, .off = off, .e = &e};
		for (__u32 i = 0; i < FDS_MAX_CAPS; i++) {
			if (i >= ncaps)
				break;
			n += capture(&x, &plan->caps[i], i);
		}
		off = x.off;
		s->nregions = (__u8)n;
	}

	off &= FDS_REC_MAX - 1;
	h->type = FDS_TR_SYSCALL;
	h->pad = 0;
	h->len = off;
	barrier_var(off);
	if (off < sizeof(*h) + sizeof(*s) || off > FDS_REC_MAX)
		return 0;
	send(buf, off, tgid, 0);
	return 0;
}

struct fork_out {
	struct fds_tr_hdr hdr;
	struct fds_tr_fork rec;
};

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fds_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid;
	if (!is_traced(ptgid))
		return 0;
	__u32 ctgid = child->tgid;
	if (ctgid != ptgid) {
		__u8 one = 1;
		bpf_map_update_elem(&traced, &ctgid, &one, BPF_ANY);
	}
	struct fork_out out = {};
	out.hdr.type = FDS_TR_FORK;
	out.hdr.len = sizeof(out);
	out.rec.time_ns = bpf_ktime_get_ns();
	out.rec.parent_files = (__u64)BPF_CORE_READ(parent, files);
	out.rec.child_files = (__u64)BPF_CORE_READ(child, files);
	out.rec.parent_tgid = ptgid;
	out.rec.parent_tid = parent->pid;
	out.rec.child_tgid = ctgid;
	out.rec.child_tid = child->pid;
	out.rec.nr = FDS_NR_NONE;
	bpf_probe_read_kernel_str(out.rec.comm, sizeof(out.rec.comm), child->comm);

	/* The parent is the current task, inside its fork/clone call. */
	struct enter e;
	if (peek_enter(parent, parent->pid, &e)) {
		out.rec.nr = e.nr;
		if (e.nr == FDS_NR_CLONE)
			out.rec.flags = e.args[0];
		else if (e.nr == FDS_NR_CLONE3) /* clone_args.flags, just copied in by the kernel */
			bpf_probe_read_user(&out.rec.flags, sizeof(out.rec.flags), (const void *)e.args[0]);
	}
	send(&out, sizeof(out), ptgid, 1);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(fds_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	if (!is_traced(tgid))
		return 0;
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&scratch, &zero);
	if (!buf)
		return 0;
	struct fds_tr_hdr *h = (void *)buf;
	struct fds_tr_exec *x = (void *)(buf + sizeof(*h));
	__u32 tid = p->pid;
	x->time_ns = bpf_ktime_get_ns();
	x->new_files = (__u64)BPF_CORE_READ(p, files);
	x->old_files = 0;
	x->flags = 0;
	x->tgid = tgid;
	x->tid = tid;
	x->old_tid = (__u32)old_pid;
	x->nr = FDS_NR_NONE;
	x->name_status = FDS_REG_OK;
	x->args_len = 0;
	__builtin_memset(x->pad, 0, sizeof(x->pad));
	bpf_probe_read_kernel_str(x->comm, sizeof(x->comm), p->comm);

	struct enter e;
	/* The hash is keyed by the caller's tid, which a non-leader's exec has
	 * just replaced with the leader's: move its entry for sys_exit. */
	if (!use_task_storage && (__u32)old_pid != tid) {
		__u32 old = (__u32)old_pid;
		struct enter *moved = bpf_map_lookup_elem(&enter_tid, &old);
		if (moved) {
			e = *moved;
			bpf_map_update_elem(&enter_tid, &tid, &e, BPF_ANY);
			bpf_map_delete_elem(&enter_tid, &old);
		}
	}
	if (peek_enter(p, tid, &e)) {
		x->old_files = e.files;
		x->nr = e.nr;
		if (e.nr == FDS_NR_EXECVEAT)
			x->flags = e.args[4];
	}
	const char *filename = BPF_CORE_READ(bprm, filename);
	long n = bpf_probe_read_kernel_str(buf + sizeof(*h) + sizeof(*x), FDS_STR_MAX, filename);
	__u32 len = n > 0 ? (__u32)n - 1 : 0;
	if (n == FDS_STR_MAX)
		x->name_status = FDS_REG_CUT;
	len &= FDS_STR_MAX - 1;
	x->name_len = (__u16)len;
	/* The argv exec just copied onto the new stack (resident, current's mm):
	 * a process that exits at once still has its command line. */
	__u64 arg_start = BPF_CORE_READ(p, mm, arg_start), arg_end = BPF_CORE_READ(p, mm, arg_end);
	__u32 alen = 0;
	x->args_status = FDS_REG_FAULT;
	if (arg_end > arg_start) {
		__u64 want = arg_end - arg_start;
		x->args_status = FDS_REG_OK;
		if (want > FDS_STR_MAX - 1) {
			want = FDS_STR_MAX - 1;
			x->args_status = FDS_REG_CUT;
		}
		alen = (__u32)want & (FDS_STR_MAX - 1);
		if (bpf_probe_read_user(buf + sizeof(*h) + sizeof(*x) + len, alen, (const void *)arg_start)) {
			alen = 0;
			x->args_status = FDS_REG_FAULT;
		}
	}
	x->args_len = (__u16)alen;
	__u32 total = (sizeof(*h) + sizeof(*x) + len + alen + 7) & ~7u;
	h->type = FDS_TR_EXEC;
	h->pad = 0;
	h->len = total;
	barrier_var(total);
	if (total > FDS_REC_MAX)
		return 0;
	send(buf, total, tgid, 1);
	return 0;
}

struct exit_out {
	struct fds_tr_hdr hdr;
	struct fds_tr_exit rec;
};

SEC("tp_btf/sched_process_exit")
int BPF_PROG(fds_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	if (!is_traced(tgid))
		return 0;
	__u32 tid = p->pid;
	struct exit_out out = {};
	out.hdr.type = FDS_TR_EXIT;
	out.hdr.len = sizeof(out);
	out.rec.time_ns = bpf_ktime_get_ns();
	out.rec.files = (__u64)BPF_CORE_READ(p, files);
	out.rec.tgid = tgid;
	out.rec.tid = tid;
	out.rec.exit_code = BPF_CORE_READ(p, exit_code);
	/* do_exit decrements signal->live before this tracepoint: 0 = the
	 * last thread. (The tracepoint's own group_dead argument is newer.) */
	out.rec.group_dead = BPF_CORE_READ(p, signal, live.counter) == 0;
	if (!use_task_storage)
		bpf_map_delete_elem(&enter_tid, &tid);
	send(&out, sizeof(out), tgid, 1);
	if (out.rec.group_dead)
		bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

struct task_out {
	struct fds_tr_hdr hdr;
	struct fds_tr_task rec;
};

/* Every task's fd table identity, for the tables of processes that have
 * made no traced call yet (the launched child before its exec, attached
 * processes): userspace runs it over one process at a time. */
SEC("iter/task")
int fds_tables(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	if (!task)
		return 0;
	struct task_out out = {};
	out.hdr.type = FDS_TR_TASK;
	out.hdr.len = sizeof(out);
	out.rec.files = (__u64)task->files;
	out.rec.tgid = task->tgid;
	out.rec.tid = task->pid;
	bpf_seq_write(seq, &out, sizeof(out));
	return 0;
}
