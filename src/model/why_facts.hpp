// What `fdscope why` knows before it judges: the operation asked about and
// every fact the kernel would consult for it, gathered first (src/why/) and
// then judged by pure rules (src/report/why/). Plain data, no I/O: the
// rules are tested on hand-built Facts.
//
// Ids are as the kernel holds them (host ids, kuid/kgid); a subject in a
// user namespace carries its maps so the rules can say what maps and what
// does not. Capabilities are masks of CAP_* bit numbers (linux/capability.h).
#pragma once
#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fdscope::why {

// ---------------------------------------------------------------- operation

enum class Op {
    Open, Mkdir, Rmdir, Unlink, Rename, Link, Symlink, Exec, Chdir,
    BindInet, BindUnix, ConnectUnix, Write, Read,
};

struct OpenFlags {
    bool read = false, write = false, create = false, trunc = false, append = false;
    bool excl = false, directory = false, nofollow = false, noatime = false;
};

struct Operation {
    Op op = Op::Open;
    std::string path;    // open/mkdir/...: the path; rename/link: OLD; symlink: TARGET (never resolved)
    std::string path2;   // rename/link: NEW; symlink: the link's PATH
    OpenFlags open;      // Op::Open only; read is implied when neither read nor write is set
    // Op::BindInet
    int protocol = 0;            // IPPROTO_TCP or IPPROTO_UDP
    std::string address;         // as given; "" = the wildcard
    int family = 0;              // AF_INET or AF_INET6 (from the address; wildcard: AF_INET)
    std::uint16_t port = 0;
    // Op::Read / Op::Write
    int fd = -1;
};

// ---------------------------------------------------------------- subject

struct IdMapExtent {
    std::uint32_t inside = 0, outside = 0, count = 0;  // one /proc/PID/uid_map line
};

enum class SubjectKind { Caller, User, Process };

struct Limits {
    static constexpr std::uint64_t kUnlimited = ~std::uint64_t{0};
    std::uint64_t nofile_soft = kUnlimited, nofile_hard = kUnlimited;
    std::uint64_t fsize_soft = kUnlimited;
    std::uint64_t nproc_soft = kUnlimited;
    bool known = false;
    bool from_caller = false;  // a -u subject: fdscope's own limits stand in for a login's
};

struct Subject {
    SubjectKind kind = SubjectKind::Caller;
    pid_t pid = 0;               // Process: the process; Caller: fdscope's own pid
    pid_t tid = 0;               // the thread whose credentials are used (--as-thread)
    std::string command;         // comm, or the user name for SubjectKind::User
    std::string user_name;       // name of the effective uid, "" if none
    uid_t ruid = 0, euid = 0, suid = 0, fsuid = 0;
    gid_t rgid = 0, egid = 0, sgid = 0, fsgid = 0;
    std::vector<gid_t> groups;   // supplementary groups
    std::uint64_t cap_effective = 0, cap_permitted = 0, cap_inheritable = 0;
    std::uint64_t cap_bounding = 0, cap_ambient = 0;
    bool no_new_privs = false;
    int seccomp_mode = 0;        // 0 none, 1 strict, 2 filter (/proc/PID/status Seccomp:)
    std::uint32_t seccomp_filter_count = 0;  // Seccomp_filters:

    // Namespaces, as inode numbers (0 = unknown), and whether each is the caller's.
    std::uint64_t user_ns = 0, mnt_ns = 0, net_ns = 0;
    bool same_mnt_ns = true, same_net_ns = true, init_user_ns = true;
    std::vector<IdMapExtent> uid_map, gid_map;  // empty = identity (the initial namespace)

    std::string cwd, root;       // as the subject sees them ("/" for a user)
    std::string cgroup;          // v2 path or the first v1 line's path
    std::string lsm_label;       // /proc/PID/attr/current, "" if no LSM provides one
    Limits limits;
    std::optional<std::uint64_t> fd_count;  // open fds now
    // Read when fd_count reaches RLIMIT_NOFILE: the number an open would
    // take (the lowest not open); EMFILE only when it is at or past the limit.
    std::optional<std::uint64_t> lowest_free_fd;
    std::optional<std::uint64_t> user_tasks;  // tasks of its real uid, what RLIMIT_NPROC counts
    pid_t tracer_pid = 0;        // TracerPid: (decides SECCOMP_RET_TRACE)

    // Seccomp filters, index 0 the oldest (PTRACE_SECCOMP_GET_FILTER order).
    // Unset: not read, and seccomp_unreadable says why.
    std::optional<std::vector<std::vector<sock_filter>>> seccomp_filters;
    std::string seccomp_unreadable;
    std::vector<std::uint32_t> audit_arches;  // AUDIT_ARCH_* the process may issue syscalls as
    bool threads_differ = false; // some thread has other credentials or filters (note)
};

// ---------------------------------------------------------------- inodes and mounts

struct AclEntry {
    enum class Tag { UserObj, User, GroupObj, Group, Mask, Other };
    Tag tag = Tag::Other;
    std::uint32_t id = 0;        // User/Group only
    std::uint8_t perm = 0;       // 4 read, 2 write, 1 execute
};

struct Inode {
    std::uint32_t mode = 0;      // st_mode, type bits included
    uid_t uid = 0;
    gid_t gid = 0;
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::uint64_t rdev = 0;      // st_rdev of a device node (makedev form)
    std::uint32_t nlink = 0;
    std::int32_t mount_id = 0;   // statx STATX_MNT_ID
    bool attributes_known = false;  // immutable/append_only were read
    bool immutable = false, append_only = false;
    bool acl_known = false;
    std::vector<AclEntry> acl;   // the access ACL; empty = none beyond the mode
    std::string acl_unreadable;  // !acl_known: why
    std::string symlink_target;  // S_ISLNK only
    bool swapfile = false;
    std::optional<bool> empty;   // directories: no entries but . and .. (rmdir, rename onto it); unset: not read
};

struct MountFacts {
    std::int32_t id = 0, parent = 0;
    std::string mount_point, root, fstype, source;
    std::string options, super_options;  // mountinfo fields 6 and 11, as written
    bool ro = false, nosuid = false, nodev = false, noexec = false;
    bool nosymfollow = false, idmapped = false;  // per-mount flags
    bool super_ro = false;                      // the superblock is read-only
    std::uint64_t name_max = 255;               // statfs f_namelen
    bool space_known = false;                   // statvfs below was read
    std::uint64_t block_size = 0, blocks = 0, blocks_free = 0, blocks_avail = 0;
    std::uint64_t files = 0, files_free = 0, files_avail = 0;
    std::optional<uid_t> reserved_uid;          // ext4 resuid, when known
    std::optional<gid_t> reserved_gid;
};

// ---------------------------------------------------------------- the walk

// One name looked up on the way, in the kernel's order: components of the
// path, with a symlink's target spliced in where it is followed.
struct Step {
    std::string path;            // as the subject sees it, up to and including this name
    std::string name;            // the component ("" for the starting directory)
    std::optional<Inode> dir;    // the directory the name is looked up in (search permission)
    std::optional<Inode> inode;  // what the name is; unset: not there (lookup_error says why)
    int lookup_error = 0;        // ENOENT, ENOTDIR, ... as the gatherer's lookup saw it
    bool last = false;           // the final component of the whole operation's path
                                 // (a followed trailing symlink is last and followed: the
                                 // object the path names is then the walk's last step)
    bool followed = false;       // a symlink here was followed (its target steps come next)
    std::uint32_t links_so_far = 0;  // symlinks followed before this step
};

struct Walk {
    std::string path;            // as given
    std::vector<Step> steps;
    bool complete = false;       // the walk reached the last component (present or not)
    int error = 0;               // what stopped it early: ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EACCES (gatherer)
    std::string error_detail;
    // The parent directory of the last component and its inode (create,
    // delete and rename judge the parent).
    std::optional<Inode> parent;
    std::string parent_path;
    bool last_exists = false;    // the final name is there (complete walks)
    bool trailing_slash = false; // the path (or a followed trailing link's body) ends in '/'
};

// ---------------------------------------------------------------- machine and other processes

struct Sysctls {
    int protected_symlinks = 0, protected_hardlinks = 0;
    int protected_fifos = 0, protected_regular = 0;
    int ip_unprivileged_port_start = 1024;   // in the subject's network namespace
    std::uint64_t file_nr = 0, file_max = 0;  // allocated handles, fs.file-max
    bool known = false;
};

struct Holder {
    pid_t pid = 0;
    std::string command;
    int fd = -1;                 // -1: not by an fd (exe, a mapping)
    std::string note;            // "executing", "open for write", "inherited from 812", ...
    std::uint64_t count = 0;     // fd_groups, file_holders: how many fds the note counts
};

struct SocketHolder {
    std::string local;           // "127.0.0.1:8080"
    std::string state;           // "LISTEN", "TIME_WAIT", "UNCONN"
    uid_t uid = 0;
    bool reuseaddr = false, reuseport = false;  // when known
    int protocol = 0;            // IPPROTO_TCP or IPPROTO_UDP; 0: the operation's
    bool v6only = false;         // an IPv6 socket with IPV6_V6ONLY (else it takes the v4 port too)
    std::vector<Holder> holders; // every process with it open, inheritors included
};

struct DeletedOpen {
    std::string path;            // "(deleted)" name
    std::uint64_t size = 0;
    std::vector<Holder> holders;
};

struct FdFacts {                 // Op::Read / Op::Write
    bool exists = false;
    std::uint32_t flags = 0;     // fdinfo flags (O_ACCMODE, O_APPEND, O_PATH, ...)
    std::string target;          // readlink of /proc/PID/fd/N
    std::optional<Inode> inode;
    std::int32_t mount_id = 0;
    enum class PeerState { Unknown, NotApplicable, Open, Closed } peer = PeerState::NotApplicable;
    bool socket_connected = true;
    std::optional<std::uint64_t> pos;  // fdinfo pos (where a write without O_APPEND lands)
};

struct CgroupFacts {
    bool known = false;
    std::string path;
    bool devices_v1 = false;                   // in a v1 devices hierarchy: devices_list was read
    std::vector<std::string> devices_list;     // v1 devices.list lines
    std::string devices_path;                  // the cgroup in the v1 devices hierarchy ("/a/b"; not path on hybrids)
    std::string devices_dir;                   // its directory here: the hierarchy's mount point + devices_path
    bool device_bpf = false;                   // a v2 device program is attached
    std::optional<std::uint64_t> pids_max, pids_current;
    std::optional<std::uint64_t> memory_high, memory_max;
    std::uint64_t memory_high_events = 0, memory_max_events = 0;
    std::string io_max;
    std::optional<double> memory_pressure_avg10, io_pressure_avg10;  // "some" avg10
};

// What an LSM adapter (libselinux, libapparmor) answered for this
// operation; the adapters live in src/why/, behind an interface.
struct LsmAnswer {
    std::string lsm;             // as in /sys/kernel/security/lsm: "selinux", "apparmor"
    bool allowed = false;
    int error = 0;               // denied: what the hook returns (EACCES)
    bool permissive = false;     // SELinux permissive: the denial is logged, not enforced
    std::string detail;          // "scontext=... tcontext=... tclass=file perm=write"
    std::string fix;
};

struct LsmFacts {
    std::vector<std::string> active;           // /sys/kernel/security/lsm, in order
    std::vector<LsmAnswer> answers;            // one per adapter that answered
    std::vector<Holder> fanotify_permission;   // fanotify fds with permission events
    std::vector<Holder> seccomp_supervisors;   // seccomp user-notification fds
};

// Disk quotas of the filesystem the operation creates on or writes to, as
// quotactl(Q_GETQUOTA) returns them (space in bytes; 0 = no limit).
struct QuotaUsage {
    enum class Kind { User, Group, Project };
    Kind kind = Kind::User;
    std::uint32_t id = 0;
    std::uint64_t space_used = 0, space_soft = 0, space_hard = 0;
    std::uint64_t inodes_used = 0, inodes_soft = 0, inodes_hard = 0;
    // dqb_btime / dqb_itime: unix time from which an exceeded soft limit
    // is enforced; 0 = the soft limit is not exceeded yet.
    std::int64_t space_grace_end = 0, inodes_grace_end = 0;
};

struct QuotaFacts {
    bool known = false;          // quotactl was asked (or why not is in reason)
    bool supported = true;       // false: no quota on this kernel or filesystem (reason)
    std::string reason;          // "kernel built without CONFIG_QUOTA"
    std::int32_t mount_id = 0;   // the filesystem they are for
    std::vector<QuotaUsage> usage;  // user, group and project ids that may be charged
    std::int64_t now = 0;        // unix time of reading (grace periods)
};

// What exec would find in the file once its checks pass: a script's #!
// interpreter, an ELF program's interpreter (PT_INTERP), both looked up as
// the subject would.
struct ExecFormat {
    enum class Kind { Unread, Elf, Script, Other };
    Kind kind = Kind::Unread;
    std::string unread;           // Unread: why
    std::string interpreter;      // Script: the #! path as written (a CR kept); Elf: PT_INTERP ("" static)
    bool interpreter_exists = true;
    int interpreter_error = 0;    // the lookup's errno when it does not exist
};

// Everything gathered for one question.
struct Facts {
    Operation operation;
    Subject subject;
    Walk walk;                   // path (OLD for rename/link; the link PATH for symlink)
    std::optional<Walk> walk2;   // NEW for rename/link
    std::vector<MountFacts> mounts;  // of the subject's mount namespace, those the walks touched
    Sysctls sysctls;
    std::vector<Holder> executing;   // the target is some process's program (ETXTBSY on write)
    ExecFormat exec_format;          // Op::Exec
    std::vector<Holder> leases;      // file leases on the target (/proc/locks), note "read lease"/"write lease"
    std::uint64_t lease_break_seconds = 45;  // fs.lease-break-time
    std::vector<Holder> writers;     // the target is open for write (ETXTBSY on exec)
    std::vector<SocketHolder> address_holders;  // Op::BindInet, BindUnix, ConnectUnix
    std::vector<DeletedOpen> deleted_open;      // deleted files holding space on the target's fs
    std::vector<Holder> fd_groups;   // largest groups of the subject's fds (EMFILE), note = "412 sockets"
    std::vector<Holder> file_holders;  // top holders of file handles (ENFILE)
    FdFacts fd;
    CgroupFacts cgroup;
    LsmFacts lsm;
    QuotaFacts quota;
    std::vector<std::string> unreadable;  // facts that could not be read, and why
    // Names of the ids the rules print (owners, ACL entries, the subject);
    // an id without a name is printed as its number.
    std::map<uid_t, std::string> user_names;
    std::map<gid_t, std::string> group_names;
};

const MountFacts* find_mount(const Facts& facts, std::int32_t id);

}  // namespace fdscope::why
