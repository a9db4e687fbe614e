/* The BPF trace engine's records and maps, shared by trace.bpf.c (after
 * vmlinux.h) and the C++ loader and parser (after <linux/types.h>).
 *
 * Ring-buffer records (one ring-buffer sample each) and the table iterator's
 * stream (several, back to back) are
 *
 *     struct fds_tr_hdr | fixed body for `type` | tail
 *
 * hdr.len counts all three and is a multiple of 8. The tail of a syscall
 * record is `nframes` user-stack pcs (u64, innermost first), then `nregions`
 * regions of user memory, each a struct fds_tr_region and its `len` bytes,
 * padded to 8; an exec record's tail is the new program's name, then its argv.
 *
 * KERNEL ADDRESSES: every *_files field is a raw `struct files_struct *`.
 * It is an identity only: userspace maps it to a small FdTableId and never
 * prints, logs or writes it anywhere.
 */
#ifndef FDSCOPE_TRACE_RECORDS_H
#define FDSCOPE_TRACE_RECORDS_H

#define FDS_TR_SYSCALL 1 /* sys_exit of a traced syscall of a traced task */
#define FDS_TR_FORK 2    /* sched_process_fork of a traced parent (processes and threads) */
#define FDS_TR_EXEC 3    /* sched_process_exec of a traced task */
#define FDS_TR_EXIT 4    /* sched_process_exit of a traced task (every thread) */
#define FDS_TR_TASK 5    /* the table iterator: one per task visited */

struct fds_tr_hdr {
	__u16 type; /* FDS_TR_* */
	__u16 pad;
	__u32 len;  /* whole record, a multiple of 8 */
};

/* Syscall record flags. */
#define FDS_SC_MODE 1      /* i_mode is the inode mode of fd `ret` after the call */
#define FDS_SC_NO_ENTER 2  /* the enter was not seen (the task joined mid-call): args are 0 */
#define FDS_SC_CFI_WALK 4  /* the pcs are the program's own walk from a `cfi_rules` rule, not bpf_get_stack's */

struct fds_tr_syscall {
	__u64 time_ns;   /* bpf_ktime_get_ns() at sys_exit: CLOCK_MONOTONIC */
	__u64 files;     /* task->files at sys_exit: identity only, never print */
	__u64 enter_files; /* at sys_enter (unshare, close_range UNSHARE: the table before); 0 without enter */
	__u64 args[6];   /* at sys_enter: di, si, dx, r10, r8, r9 */
	__s64 ret;       /* -errno on failure */
	__u32 tgid;
	__u32 tid;
	__u32 nr;        /* x86_64 syscall number */
	__u16 i_mode;
	__u8 flags;      /* FDS_SC_* */
	__u8 nregions;
	__u16 nframes;   /* user-stack pcs after the body */
	__u16 pad;
	__s32 stack_err; /* bpf_get_stack's error (< 0) when stacks were asked and none came */
	__u64 sp_word;   /* with a stack: the word at the user sp, the return address of a
	                  * frameless syscall wrapper (the walk by rbp skips its caller) */
};

/* What a capture read (fds_tr_region.status). */
#define FDS_REG_OK 0    /* len bytes copied (a string: with its NUL) */
#define FDS_REG_CUT 1   /* a string longer than the capture: len bytes, no NUL */
#define FDS_REG_FAULT 2 /* unreadable (not mapped, not resident): len 0 */
#define FDS_REG_FULL 3  /* the record had no room left: len 0 */

struct fds_tr_region {
	__u64 addr;  /* user address the bytes were read from */
	__u16 len;
	__u8 status; /* FDS_REG_* */
	__u8 cap;    /* index of the capture (in the syscall's plan) it serves */
	__u32 pad;
};

struct fds_tr_fork {
	__u64 time_ns;
	__u64 parent_files; /* identity only, never print */
	__u64 child_files;  /* == parent_files: CLONE_FILES (one shared table) */
	__u64 flags;        /* clone flags when the parent's call said them (clone, clone3), else 0 */
	__u32 parent_tgid;
	__u32 parent_tid;
	__u32 child_tgid;   /* == parent_tgid: a thread */
	__u32 child_tid;
	__u32 nr;           /* the parent's syscall (fork, vfork, clone, clone3), FDS_NR_NONE when unknown */
	__u32 pad;
	char comm[16];      /* the child's */
};

#define FDS_NR_NONE 0xffffffffu

struct fds_tr_exec {
	__u64 time_ns;
	__u64 old_files;    /* at sys_enter of the exec (0 when the enter was not seen) */
	__u64 new_files;    /* after: an exec unshares a shared table */
	__u64 flags;        /* execveat's flags argument, else 0 */
	__u32 tgid;
	__u32 tid;          /* after the exec (== tgid) */
	__u32 old_tid;      /* the thread that called exec (a non-leader's tid before it took the leader's) */
	__u32 nr;           /* execve or execveat, FDS_NR_NONE when unknown */
	__u16 name_len;     /* bytes of the name after the body (no NUL) */
	__u8 name_status;   /* FDS_REG_OK or FDS_REG_CUT */
	__u8 args_status;   /* FDS_REG_OK, FDS_REG_CUT (longer than FDS_STR_MAX) or FDS_REG_FAULT */
	__u16 args_len;     /* bytes of the new argv after the name: NUL-separated, as mm->arg_start holds them */
	__u8 pad[2];
	char comm[16];
};

struct fds_tr_exit {
	__u64 time_ns;
	__u64 files;        /* task->files at exit (still holding its fds): identity only */
	__u32 tgid;
	__u32 tid;
	__s32 exit_code;    /* task->exit_code: the wait status bits */
	__u8 group_dead;    /* the last thread of the process */
	__u8 pad[3];
};

struct fds_tr_task {
	__u64 files;        /* identity only, never print; 0 for a task without one */
	__u32 tgid;
	__u32 tid;
};

/* The capture plan, one entry per syscall number (map `plans`), filled by
 * userspace from capture_plan(Abi::X86_64, nr) so that the BPF side and the
 * decoder share one list. Kinds are trace::CaptureKind's values. */
#define FDS_CAP_STRING 0
#define FDS_CAP_BYTES 1
#define FDS_CAP_MSG_CONTROL 2
#define FDS_CAP_MMSG_CONTROL 3
#define FDS_CAP_CLONE3_PIDFD 4 /* clone_args (size bytes) and, with CLONE_PIDFD, the int at its pidfd */

#define FDS_MAX_CAPS 4
#define FDS_PLAN_RET_FD 1 /* the call returns an fd: read its inode mode */
#define FDS_PLAN_EXEC 2   /* execve/execveat: after success the pointers name the new image's memory */

struct fds_cap {
	__u8 kind;
	__u8 arg;
	__u16 size;
};

struct fds_plan {
	__u8 ncaps;
	__u8 flags; /* FDS_PLAN_* */
	__u16 pad;
	struct fds_cap caps[FDS_MAX_CAPS];
};

/* Map `cfi_rules`: per process and syscall-instruction pc (the ip at
 * sys_exit, after the `syscall`), where a wrapper without frame pointers
 * keeps its return address and its caller's rbp (trace/bpf/cfi_rules.hpp):
 * CFA = (rbp if cfa_bp, else rsp) + cfa_off; the return address at
 * CFA + ra_off; the caller's rbp at CFA + bp_off when bp_saved, else rbp. */
struct fds_cfi_key {
	__u64 ip;
	__u32 tgid;
	__u32 pad;
};

struct fds_cfi_rule {
	__s32 cfa_off;
	__s32 ra_off;
	__s32 bp_off;
	__u8 cfa_bp;
	__u8 bp_saved;
	__u16 pad;
};

#define FDS_CFI_RULES_MAX 8192

/* Map `cfi_sigs`: the same rules for the syscall sites of the C library and
 * the dynamic loader fdscope itself maps (nearly every traced program maps
 * the same files), known before any traced process runs, so that a
 * wrapper's first calls walk too. Keyed by what ASLR does not move: the
 * pc's offset in its page and the 16 code bytes before it. */
struct fds_cfi_sig {
	__u32 page_off;
	__u8 code[16];
	__u32 pad;
};

#define FDS_CFI_SIGS_MAX 8192

#define FDS_NR_MAX 512           /* syscall numbers 0..511 (x86_64 ends near 470) */
#define FDS_NR_WORDS (FDS_NR_MAX / 64)

/* Limits of one record. Regions that do not fit come as FDS_REG_FULL. */
#define FDS_REC_MAX 16384        /* a syscall record's bytes (twice this is the largest per-CPU value) */
#define FDS_STR_MAX 4096         /* PATH_MAX */
#define FDS_BYTES_MAX 256
#define FDS_CTRL_MAX 4096        /* control bytes per message (the plan's size, at most) */
#define FDS_MSGHDR_SIZE 56       /* struct msghdr, x86_64 */
#define FDS_MMSGHDR_SIZE 64      /* struct mmsghdr */
#define FDS_MMSG_MAX 16          /* messages of one recvmmsg read (the decoder's kMaxMmsgMessages) */
#define FDS_STACK_MAX 127        /* PERF_MAX_STACK_DEPTH */

#endif
