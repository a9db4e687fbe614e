/* Binary records the fdscope BPF iterators write with bpf_seq_write.
 *
 * Shared by src/bpf/iter/iter.bpf.c (BPF side, after vmlinux.h) and the C++
 * loader (after <linux/types.h>). Every record is
 *
 *     struct fds_rec_hdr | fixed body for `type` | path bytes (path_len, no NUL)
 *
 * and hdr.len counts all three. Records are not padded: the reader must
 * memcpy fields out (the stream is not aligned).
 *
 * KERNEL ADDRESSES: file_id and files_id are raw kernel pointers (the
 * `struct file *` and the `struct files_struct *`). They are identities
 * only: userspace may use them as map keys and must map them to dense
 * integers before anything is rendered, logged, or written anywhere.
 * Never print them, never put them in an error message.
 */
#ifndef FDSCOPE_BPF_RECORDS_H
#define FDSCOPE_BPF_RECORDS_H

#define FDS_REC_FILE 1
#define FDS_REC_VMA 2
#define FDS_REC_TASK 3

#define FDS_PATH_MAX 4096 /* bytes of the path buffer (power of two) */

/* How the path tail was obtained. */
#define FDS_PATH_NONE 0   /* no path (path_len 0) */
#define FDS_PATH_DPATH 1  /* bpf_d_path(): full path as /proc/PID/fd shows it */
#define FDS_PATH_DNAME 2  /* a file whose dentry names itself (d_op->d_dname: anon inodes, nsfs,
                           * pidfs, ...): the dentry's own name, which userspace formats as
                           * readlink would ("anon_inode:[eventfd]") */
#define FDS_PATH_PSEUDO 3 /* a pipe or socket (s_magic PIPEFS/SOCKFS): no tail, readlink's
                           * "pipe:[ino]" / "socket:[ino]" follows from s_magic and ino */
#define FDS_PATH_WALK 4   /* bpf_d_path not used (refused by this kernel's verifier for this
                           * program): the components from a dentry walk that crosses mounts,
                           * leaf first, each NUL-terminated ("libc.so.6\0lib\0usr\0");
                           * userspace joins them root first. path_err -ENAMETOOLONG: the walk
                           * stopped early (too deep or too long), the components are partial */

/* Dentry walk limits: components and the bytes of one name read at a time. */
#define FDS_WALK_DEPTH 64
#define FDS_NAME_MAX 256

#define FDS_NSFS_MAGIC 0x6e736673 /* DNAME of an nsfs file: its namespace type ("net") */
#define FDS_PIPEFS_MAGIC 0x50495045
#define FDS_SOCKFS_MAGIC 0x534F434B

struct fds_rec_hdr {
	__u16 type;     /* FDS_REC_* */
	__u16 path_len; /* bytes of the tail */
	__u32 len;      /* whole record: header + body + tail */
};

struct fds_file_rec {
	__u64 file_id;  /* struct file * : identity only, never print */
	__u64 files_id; /* struct files_struct * of the task: identity only */
	__u64 pos;      /* f_pos */
	__u64 ino;
	__u64 s_magic;  /* superblock magic: PIPEFS_MAGIC, SOCKFS_MAGIC, ANON_INODE_FS_MAGIC, ... */
	__u32 tgid;
	__u32 tid;      /* task->pid of the task the iterator visited */
	__u32 fd;
	__u32 f_flags;  /* file->f_flags (O_CLOEXEC is not kept there: see cloexec) */
	__u32 f_mode;   /* FMODE_* bits */
	__u32 s_dev;    /* kernel dev_t encoding (major << 20 | minor) */
	__s32 mnt_id;
	__s32 path_err; /* bpf_d_path's error when path_kind != FDS_PATH_DPATH, else 0 */
	__u16 i_mode;
	__u8 cloexec;   /* the fd's bit in fdt->close_on_exec */
	__u8 path_kind; /* FDS_PATH_* */
	__u32 rdev;     /* inode->i_rdev, kernel dev_t encoding (chr/blk devices) */
	__u64 size;     /* inode->i_size (st_size of regular files) */
	/* What fdinfo would show for the anon inodes read here (FDS_EXTRA_*):
	 * eventfd: count, id; timerfd: clockid; signalfd: the mask as fdinfo's
	 * "sigmask:" prints it (bit n-1 = signal n); UNIX socket: "scm_fds:". */
	__u64 extra0;
	__u64 extra1;
	__u8 extra_kind;
	__u8 unlinked;  /* FDS_PATH_WALK: the dentry is unlinked (d_path would add " (deleted)") */
	__u8 pad[2];
	__u32 nlink;    /* inode->i_nlink: 0 for a deleted-but-open file (the name cannot tell:
	                 * a live file may be called "x (deleted)") */
};

#define FDS_EXTRA_NONE 0
#define FDS_EXTRA_EVENTFD 1
#define FDS_EXTRA_TIMERFD 2
#define FDS_EXTRA_SIGNALFD 3
#define FDS_EXTRA_UNIX 4 /* extra0: fds queued to this UNIX socket (SCM_RIGHTS), when above 0 */
#define FDS_ANON_INODE_MAGIC 0x09041934

struct fds_vma_rec {
	__u64 file_id;  /* vma->vm_file : identity only, never print */
	__u64 start;
	__u64 end;
	__u64 pgoff;    /* in pages */
	__u64 vm_flags;
	__u64 ino;
	__u64 s_magic;
	__u32 tgid;
	__u32 tid;
	__u32 s_dev;
	__s32 path_err;
	__u16 i_mode;
	__u8 path_kind;
	__u8 unlinked;  /* as in fds_file_rec */
	__u32 nlink;    /* inode->i_nlink, as in fds_file_rec */
};

struct fds_task_rec {
	__u64 files_id;   /* task->files: identity only, never print; 0 when the task has none (exited) */
	__u64 nofile_cur; /* signal->rlim[RLIMIT_NOFILE]: the process's limits, read without a syscall */
	__u64 nofile_max;
	__u32 tgid;
	__u32 tid;
	__u32 max_fds;    /* files->fdt->max_fds: the table's current capacity */
	__u32 open_fds;   /* bits set in files->fdt->open_fds: the table's fd count (only when
	                   * the task is its table's first visit: see fds_task) */
	__u32 flags;      /* FDS_TASK_* */
	__u32 pad;
};

#define FDS_TASK_SELF 1    /* the task reading the iterator (fdscope itself) */
#define FDS_TASK_COUNTED 2 /* open_fds was counted (kernels without bpf_loop, < 5.17, cannot) */

#endif
