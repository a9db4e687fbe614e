// SPDX-License-Identifier: GPL-2.0
/* fdscope's BPF iterators: every (task, fd, file) and every file-backed
 * mapping, written as binary records (see records.h) with bpf_seq_write.
 *
 * CO-RE: built against a vmlinux.h generated from /sys/kernel/btf/vmlinux
 * at build time; field offsets are relocated by libbpf at load time.
 *
 * The struct file and files_struct pointers are written as identities for
 * userspace to key maps with; they must never be printed (records.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "records.h"

_Static_assert(sizeof(struct fds_rec_hdr) == 8, "record header layout");
_Static_assert(sizeof(struct fds_file_rec) == 112, "file record layout");
_Static_assert(sizeof(struct fds_vma_rec) == 80, "vma record layout");
_Static_assert(sizeof(struct fds_task_rec) == 48, "task record layout");

#define FDS_RLIMIT_NOFILE 7 /* asm-generic/resource.h; macros are not in vmlinux.h */

char LICENSE[] SEC("license") = "GPL"; /* bpf_d_path and bpf_seq_write are GPL-only */

/* The path buffer: too large for the 512-byte BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[FDS_PATH_MAX]);
} path_buf SEC(".maps");

/* Set by the loader before load (rodata; the verifier prunes what they turn
 * off). file_d_path 0: task_file reads paths with a dentry walk instead of
 * bpf_d_path; vma_d_path 0: task_vma never uses bpf_d_path (it walks
 * wherever bpf_loop exists anyway: some verifiers refuse bpf_d_path on
 * vma->vm_file, an untrusted pointer there, while task_file's is trusted); want_paths 0: no path tails at all; use_loop 0: never bpf_loop
 * (as on kernels before 5.17), for tests of that fallback. */
const volatile int file_d_path = 1;
const volatile int vma_d_path = 1;
const volatile int want_paths = 1;
const volatile int use_loop = 1;

static __always_inline __s32 mount_id_of(struct vfsmount *mnt)
{
	/* container_of(mnt, struct mount, mnt)->mnt_id, offset relocated. */
	struct mount *m = (void *)mnt - bpf_core_field_offset(struct mount, mnt);
	return BPF_CORE_READ(m, mnt_id);
}

static __always_inline struct mount *real_mount_of(struct vfsmount *mnt)
{
	return (void *)mnt - bpf_core_field_offset(struct mount, mnt);
}

/* A dentry walk in progress (bpf_loop's state: one step per call keeps the
 * verifier's work to one step, however deep the walk). */
struct walk_ctx {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	__u32 off;
	int done;
};

/* One step of the walk: a mount crossing, or one component appended.
 * The context's fields are copied to locals first: inside BPF_CORE_READ a
 * w->field access would itself become a (failing) CO-RE relocation. */
static long walk_step(__u32 i, void *data)
{
	struct walk_ctx *w = data;
	struct dentry *dentry = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt;
	__u32 zero = 0;

	if (dentry == w->root_dentry && vfsmnt == w->root_mnt) {
		w->done = 1;
		return 1;
	}
	if (dentry == BPF_CORE_READ(vfsmnt, mnt_root)) {
		struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);
		if (parent == mnt) { /* the root of its mount tree */
			w->done = 1;
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = parent;
		w->vfsmnt = (void *)parent + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	char *buf = bpf_map_lookup_elem(&path_buf, &zero);
	if (!buf)
		return 1;
	__u32 off = w->off;
	if (off > FDS_PATH_MAX - FDS_NAME_MAX - 1)
		return 1;
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
	if (parent == dentry) {
		/* Disconnected (open_by_handle_at, exportfs): d_path's "escaped"
		 * case, which it prints as "/". */
		w->off = 0;
		w->done = 1;
		return 1;
	}
	const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
	long n = bpf_probe_read_kernel_str(buf + off, FDS_NAME_MAX, name);
	/* n == FDS_NAME_MAX: the name may be longer (kernfs): partial. */
	if (n <= 0 || n >= FDS_NAME_MAX)
		return 1;
	w->off = off + (__u32)n;
	w->dentry = parent;
	return 0;
}

/* The path as a list of components, leaf first (FDS_PATH_WALK), as d_path
 * walks it: up the dentries to the mount's root, then on from the
 * mountpoint in the parent mount, until the reader's root or the root of
 * the file's mount tree (a file of another mount namespace: its path there,
 * as readlink of /proc/PID/fd shows it). Into path_buf; returns the bytes
 * used. Without bpf_loop (< 5.17, or refused for a test) no walk:
 * -ENOSYS, and userspace asks /proc. */
static __always_inline __u32 walk_path(struct file *file, __s32 *err, __u8 *unlinked)
{
	struct task_struct *me = (struct task_struct *)bpf_get_current_task();
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	struct walk_ctx w = {
		.dentry = dentry,
		.vfsmnt = vfsmnt,
		.mnt = real_mount_of(vfsmnt),
		.root_dentry = BPF_CORE_READ(me, fs, root.dentry),
		.root_mnt = BPF_CORE_READ(me, fs, root.mnt),
	};

	*err = 0;
	/* d_unlinked(): unhashed and not a root, as d_path's " (deleted)". */
	*unlinked = !BPF_CORE_READ(dentry, d_hash.pprev) && BPF_CORE_READ(dentry, d_parent) != dentry;
	if (!use_loop || !bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop)) {
		*err = -38; /* -ENOSYS */
		return 0;
	}
	bpf_loop(2 * FDS_WALK_DEPTH, walk_step, &w, 0);
	if (!w.done)
		*err = -36; /* -ENAMETOOLONG: partial */
	return w.off & (FDS_PATH_MAX - 1);
}

/* Fills buf with the file's path and returns its length without the NUL
 * (0 when none); *kind and *err say how it was read. */
static __always_inline __u32 path_of(struct file *file, char *buf, __u8 *kind, __s32 *err, __u8 *unlinked,
				     int use_d_path)
{
	long n = -1;
	*err = 0;
	*unlinked = 0;
	if (!want_paths) {
		*kind = FDS_PATH_NONE;
		return 0;
	}
	/* Files that name themselves (anon inodes, nsfs, pidfs: d_op->d_dname)
	 * have no path to walk: their dentry name, formatted in userspace. */
	/* As d_path: not for a mount's root (a bind-mounted nsfs file,
	 * /run/netns/x, keeps its path). */
	struct dentry *fd_dentry = BPF_CORE_READ(file, f_path.dentry);
	if (!use_d_path && BPF_CORE_READ(fd_dentry, d_op, d_dname) &&
	    !(BPF_CORE_READ(fd_dentry, d_parent) == fd_dentry &&
	      fd_dentry == BPF_CORE_READ(file, f_path.mnt, mnt_root))) {
		const unsigned char *name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
		/* nsfs names itself by its namespace type ("net:[ino]"): the type. */
		if (BPF_CORE_READ(file, f_inode, i_sb, s_magic) == FDS_NSFS_MAGIC) {
			struct ns_common *ns = BPF_CORE_READ(file, f_inode, i_private);
			name = (const unsigned char *)BPF_CORE_READ(ns, ops, name);
		}
		n = bpf_probe_read_kernel_str(buf, FDS_PATH_MAX, name);
		if (n > 0) {
			*kind = FDS_PATH_DNAME;
			return (__u32)(n - 1) & (FDS_PATH_MAX - 1);
		}
		*kind = FDS_PATH_NONE;
		return 0;
	}
	if (use_d_path) {
		n = bpf_d_path((struct path *)&file->f_path, buf, FDS_PATH_MAX);
		if (n > 0) {
			*kind = FDS_PATH_DPATH;
			return (__u32)(n - 1) & (FDS_PATH_MAX - 1);
		}
		*err = (__s32)n;
	}
	*kind = FDS_PATH_WALK;
	return walk_path(file, err, unlinked);
}

/* "[eventfd]" etc.: the dentry name anon_inode_getfile() gives these files.
 * `want` is compared whole, its NUL included ("[eventpoll]" is not "[eventfd]"). */
static __always_inline int is_anon(const char *n, const char *want)
{
#pragma unroll
	for (int i = 0; i < 12; i++) {
		if (n[i] != want[i])
			return 0;
		if (!want[i])
			return 1;
	}
	return 0;
}

/* The per-kind state fdinfo shows, read from the file's private data for
 * the common anon inodes, so that no /proc/PID/fdinfo read is needed. */
static __always_inline void anon_extra(struct file *file, struct fds_file_rec *rec)
{
	char n[12] = {};
	const unsigned char *name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel_str(n, sizeof(n), name) < 5)
		return;
	void *priv = BPF_CORE_READ(file, private_data);
	if (!priv)
		return;
	if (is_anon(n, "[eventfd]") && bpf_core_type_exists(struct eventfd_ctx)) {
		struct eventfd_ctx *ctx = priv;
		rec->extra0 = BPF_CORE_READ(ctx, count);
		rec->extra1 = (__u64)(__s64)BPF_CORE_READ(ctx, id);
		rec->extra_kind = FDS_EXTRA_EVENTFD;
	} else if (is_anon(n, "[timerfd]") && bpf_core_type_exists(struct timerfd_ctx)) {
		struct timerfd_ctx *ctx = priv;
		rec->extra0 = (__u64)(__s64)BPF_CORE_READ(ctx, clockid);
		rec->extra_kind = FDS_EXTRA_TIMERFD;
	} else if (is_anon(n, "[signalfd]") && bpf_core_type_exists(struct signalfd_ctx)) {
		struct signalfd_ctx *ctx = priv;
		/* The context keeps the complement; fdinfo prints it inverted back. */
		rec->extra0 = ~BPF_CORE_READ(ctx, sigmask.sig[0]);
		rec->extra_kind = FDS_EXTRA_SIGNALFD;
	}
}

#define FDS_AF_UNIX 1

/* A UNIX socket's queued SCM_RIGHTS fds (fdinfo's "scm_fds:"). */
static __always_inline void unix_extra(struct file *file, struct fds_file_rec *rec)
{
	if (!bpf_core_type_exists(struct unix_sock) || !bpf_core_field_exists(struct unix_sock, scm_stat))
		return;
	struct socket *sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != FDS_AF_UNIX)
		return;
	struct unix_sock *u = (void *)sk; /* struct sock is its first member */
	int n = BPF_CORE_READ(u, scm_stat.nr_fds.counter);
	if (n > 0) {
		rec->extra0 = (__u64)n;
		rec->extra_kind = FDS_EXTRA_UNIX;
	}
}

/* Writes one record: `hdr` heads a `size`-byte header + body, then the
 * path's `plen` bytes from `buf`. */
static __always_inline void emit(struct seq_file *seq, struct fds_rec_hdr *hdr, __u16 type, __u32 size, char *buf,
				 __u32 plen)
{
	hdr->type = type;
	hdr->path_len = plen;
	hdr->len = size + plen;
	bpf_seq_write(seq, hdr, size);
	if (plen)
		bpf_seq_write(seq, buf, plen);
}

struct file_out {
	struct fds_rec_hdr hdr;
	struct fds_file_rec rec;
};

struct vma_out {
	struct fds_rec_hdr hdr;
	struct fds_vma_rec rec;
};

SEC("iter/task_file")
int fds_task_file(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct file_out out = {};
	__u32 zero = 0;
	char *buf;

	if (!task || !file)
		return 0;
	buf = bpf_map_lookup_elem(&path_buf, &zero);
	if (!buf)
		return 0;

	/* ctx->task and ctx->file are trusted BTF pointers: direct loads (CO-RE
	 * relocated, checked by the verifier, faulting safely) are much cheaper
	 * than a bpf_probe_read_kernel per field. */
	__u32 fd = ctx->fd;
	struct files_struct *files = task->files;
	struct inode *inode = file->f_inode;
	struct super_block *sb = inode->i_sb;

	out.rec.file_id = (__u64)file;
	out.rec.files_id = (__u64)files;
	out.rec.pos = file->f_pos;
	out.rec.ino = inode->i_ino;
	out.rec.s_magic = sb->s_magic;
	out.rec.tgid = task->tgid;
	out.rec.tid = task->pid;
	out.rec.fd = fd;
	out.rec.f_flags = file->f_flags;
	out.rec.f_mode = file->f_mode;
	out.rec.s_dev = sb->s_dev;
	out.rec.i_mode = inode->i_mode;
	out.rec.rdev = inode->i_rdev;
	out.rec.size = inode->i_size;
	out.rec.mnt_id = mount_id_of(file->f_path.mnt);
	out.rec.nlink = inode->i_nlink;
	if (out.rec.s_magic == FDS_ANON_INODE_MAGIC)
		anon_extra(file, &out.rec);
	else if (out.rec.s_magic == FDS_SOCKFS_MAGIC)
		unix_extra(file, &out.rec);

	/* close_on_exec is a bitmap of longs in the current fdtable. */
	unsigned long *coe = BPF_CORE_READ(files, fdt, close_on_exec); /* not BTF-walkable: a pointer to longs */
	unsigned long word = 0;
	if (coe && bpf_probe_read_kernel(&word, sizeof(word), coe + fd / (8 * sizeof(long))) == 0)
		out.rec.cloexec = (word >> (fd % (8 * sizeof(long)))) & 1;

	__u8 kind = FDS_PATH_PSEUDO;
	__s32 err = 0;
	__u32 plen = 0;
	/* Pipes and sockets (most fds on a busy machine) are named from their
	 * inode in userspace: d_path would only format "pipe:[N]" here. */
	if (!want_paths || (out.rec.s_magic != FDS_PIPEFS_MAGIC && out.rec.s_magic != FDS_SOCKFS_MAGIC))
		plen = path_of(file, buf, &kind, &err, &out.rec.unlinked, file_d_path);
	out.rec.path_kind = kind;
	out.rec.path_err = err;
	emit(seq, &out.hdr, FDS_REC_FILE, sizeof(out), buf, plen);
	return 0;
}

SEC("iter/task_vma")
int fds_task_vma(struct bpf_iter__task_vma *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct vm_area_struct *vma = ctx->vma;
	struct vma_out out = {};
	__u32 zero = 0;
	char *buf;

	if (!task || !vma)
		return 0;
	struct file *file = vma->vm_file;
	if (!file)
		return 0;
	buf = bpf_map_lookup_elem(&path_buf, &zero);
	if (!buf)
		return 0;

	struct inode *inode = BPF_CORE_READ(file, f_inode);
	out.rec.file_id = (__u64)file;
	out.rec.start = BPF_CORE_READ(vma, vm_start);
	out.rec.end = BPF_CORE_READ(vma, vm_end);
	out.rec.pgoff = BPF_CORE_READ(vma, vm_pgoff);
	out.rec.vm_flags = BPF_CORE_READ(vma, vm_flags);
	out.rec.ino = BPF_CORE_READ(inode, i_ino);
	out.rec.s_magic = BPF_CORE_READ(inode, i_sb, s_magic);
	out.rec.tgid = BPF_CORE_READ(task, tgid);
	out.rec.tid = BPF_CORE_READ(task, pid);
	out.rec.s_dev = BPF_CORE_READ(inode, i_sb, s_dev);
	out.rec.i_mode = BPF_CORE_READ(inode, i_mode);
	out.rec.nlink = BPF_CORE_READ(inode, i_nlink);

	__u8 kind;
	__s32 err;
	/* The walk where bpf_loop exists: some verifiers refuse bpf_d_path on
	 * vm_file (untrusted here), and trying it first would cost a failed
	 * load on every start there. bpf_d_path only where there is no walk. */
	const int vma_uses_d_path =
		vma_d_path && !(use_loop && bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop));
	__u32 plen = path_of(file, buf, &kind, &err, &out.rec.unlinked, vma_uses_d_path);
	out.rec.path_kind = kind;
	out.rec.path_err = err;
	emit(seq, &out.hdr, FDS_REC_VMA, sizeof(out), buf, plen);
	return 0;
}

struct count_ctx {
	const unsigned long *bits;
	__u32 words;
	__u32 count;
};

static __always_inline __u32 popcount64(__u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (__u32)((x * 0x0101010101010101ULL) >> 56);
}

static long count_word(__u32 i, void *data)
{
	struct count_ctx *c = data;
	unsigned long word = 0;

	if (i >= c->words)
		return 1;
	if (bpf_probe_read_kernel(&word, sizeof(word), c->bits + i))
		return 1;
	c->count += popcount64(word);
	return 0;
}

struct task_out {
	struct fds_rec_hdr hdr;
	struct fds_task_rec rec;
};

/* Every task: which fd table it uses. task_file reports only tables with fds
 * and skips threads sharing their leader's table, so an emptied unshared
 * table is seen only here. RLIMIT_NOFILE and the table's capacity come along. */
SEC("iter/task")
int fds_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct task_out out = {};

	if (!task)
		return 0;
	struct files_struct *files = task->files;
	struct signal_struct *sig = task->signal;
	out.rec.files_id = (__u64)files;
	out.rec.tgid = task->tgid;
	out.rec.tid = task->pid;
	/* Lets userspace check that the iterator numbers tasks as its /proc does
	 * (task->pid is the initial pid namespace's number). */
	if (task->pid == (__u32)bpf_get_current_pid_tgid())
		out.rec.flags |= FDS_TASK_SELF;
	if (files) {
		struct fdtable *fdt = BPF_CORE_READ(files, fdt);
		out.rec.max_fds = BPF_CORE_READ(fdt, max_fds);
		/* The fd count, as st_size of /proc/PID/fd gives it: the open_fds
		 * bitmap's population. Counted once per table: threads sharing
		 * their leader's table skip it. bpf_loop needs Linux 5.17: older
		 * kernels leave FDS_TASK_COUNTED clear and userspace counts the
		 * task_file records instead. */
		struct task_struct *leader = task->group_leader;
		if (use_loop && bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop) &&
		    (task == leader || BPF_CORE_READ(leader, files) != files)) {
			__u32 words = out.rec.max_fds / (8 * sizeof(long));
			/* fs.nr_open is at most 2^30: never walk more than its bitmap. */
			if (words > (1U << 24))
				words = 1U << 24;
			struct count_ctx c = {
				.bits = BPF_CORE_READ(fdt, open_fds),
				.words = words,
			};
			if (bpf_loop(words, count_word, &c, 0) >= 0) {
				out.rec.open_fds = c.count;
				out.rec.flags |= FDS_TASK_COUNTED;
			}
		}
	}
	if (sig) {
		out.rec.nofile_cur = BPF_CORE_READ(sig, rlim[FDS_RLIMIT_NOFILE].rlim_cur);
		out.rec.nofile_max = BPF_CORE_READ(sig, rlim[FDS_RLIMIT_NOFILE].rlim_max);
	}
	out.hdr.type = FDS_REC_TASK;
	out.hdr.len = sizeof(out);
	bpf_seq_write(seq, &out, sizeof(out));
	return 0;
}
