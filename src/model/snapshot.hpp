// Everything one scan saw of the machine. Plain data: no I/O here.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/process.hpp"

namespace fdscope {

struct FileNr {
    std::uint64_t allocated = 0, free = 0, max = 0;
};

struct Mount {
    std::int32_t id = 0, parent = 0;
    std::uint32_t major = 0, minor = 0;
    std::string root, mount_point, fstype, source, options;
};

struct ShmSegment {
    std::int64_t key = 0;
    std::int64_t shmid = 0;
    std::uint32_t perms = 0;
    std::uint64_t size = 0;
    pid_t cpid = 0, lpid = 0;
    std::uint64_t nattch = 0;
    uid_t uid = 0;
};

// What sock_diag (or /proc/net) says of one socket inode.
struct SocketInfo {
    Kind kind = Kind::Socket;       // tcp, udp6, unix, ...
    std::string_view state;         // "LISTEN", "ESTAB", "UNCONN", ...: static text
    std::string local, remote;      // "127.0.0.1:80", "[::1]:22", unix path or "@abstract"
    // Inet sockets: what the text spells, as numbers (matched without
    // parsing it again). family 0: not an inet socket, the ports are 0.
    std::uint16_t family = 0;       // AF_INET, AF_INET6
    std::uint16_t local_port = 0, remote_port = 0;  // host order; raw sockets: the protocol
    std::uint64_t netns = 0;        // inode of the namespace it was found in
    std::uint64_t peer_inode = 0;   // unix peer
    std::uint32_t rqueue = 0, wqueue = 0;  // for LISTEN: accept queue now / backlog
    std::uint32_t protocol = 0;     // netlink protocol, packet protocol, raw protocol
    std::uint16_t type = 0;         // SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW
    bool listening = false;
    // sock_diag only (0 from /proc/net): the owner of an inet socket, and
    // the file a UNIX socket is bound at (st_dev as makedev gives it, st_ino).
    uid_t uid = 0;
    std::uint64_t vfs_dev = 0, vfs_ino = 0;
};

struct Skipped {
    std::uint64_t vanished = 0;    // processes or fds gone mid-scan
    std::uint64_t permission = 0;  // EACCES/EPERM
};

struct Snapshot {
    double time = 0;                  // Unix seconds
    std::string backend = "procfs";
    FileNr file_nr;
    std::uint64_t nr_open = 0;
    bool ids_exact = true;            // false when kcmp was not usable
    Skipped skipped_processes;
    Skipped skipped_fds;
    std::vector<Mount> mounts;        // of fdscope's own mount namespace
    std::vector<ShmSegment> shm;      // of fdscope's own IPC namespace
    std::uint64_t ipcns = 0;          // fdscope's IPC namespace (inode), 0 if unknown
    std::vector<Process> processes;   // sorted by pid
    std::unordered_map<std::uint64_t, SocketInfo> sockets;  // by socket inode
    std::uint32_t description_count = 0;  // distinct ids given out (BPF: mapping-only handles too)
    std::unordered_map<uid_t, std::string> users;  // names of the uids seen
    std::vector<std::string> notes;   // how things were read where it matters (fallbacks)
};

}  // namespace fdscope
