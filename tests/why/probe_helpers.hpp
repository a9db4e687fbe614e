// Helpers for the probe tests: a Subject read from /proc (the real gatherer
// is another part's; these tests need only ids, caps, no_new_privs), a
// fixture's seccomp filter, files
// with chosen modes, and a child process in a mount namespace of its own.
#pragma once
#include <dirent.h>
#include <linux/filter.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/why_facts.hpp"

namespace fdscope::test {

inline why::Subject subject_of(pid_t pid) {
    why::Subject s;
    s.kind = why::SubjectKind::Process;
    s.pid = pid;
    s.tid = pid;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line.substr(line.find(':') + 1));
        auto caps = [&f] {
            std::string hex;
            f >> hex;
            return std::stoull(hex, nullptr, 16);
        };
        if (line.starts_with("Uid:")) f >> s.ruid >> s.euid >> s.suid >> s.fsuid;
        else if (line.starts_with("Gid:")) f >> s.rgid >> s.egid >> s.sgid >> s.fsgid;
        else if (line.starts_with("Groups:")) {
            gid_t g;
            while (f >> g) s.groups.push_back(g);
        } else if (line.starts_with("CapInh:")) s.cap_inheritable = caps();
        else if (line.starts_with("CapPrm:")) s.cap_permitted = caps();
        else if (line.starts_with("CapEff:")) s.cap_effective = caps();
        else if (line.starts_with("CapBnd:")) s.cap_bounding = caps();
        else if (line.starts_with("CapAmb:")) s.cap_ambient = caps();
        else if (line.starts_with("NoNewPrivs:")) f >> s.no_new_privs;
        else if (line.starts_with("Seccomp:")) f >> s.seccomp_mode;
    }
    s.cwd = "/";
    s.root = "/";
    return s;
}

// The filter a seccomp_* fixture reports ([[code, jt, jf, k], ...]).
inline std::vector<sock_filter> filter_from(const nlohmann::json& facts) {
    std::vector<sock_filter> prog;
    for (const auto& insn : facts["filter"])
        prog.push_back({insn[0].get<std::uint16_t>(), insn[1].get<std::uint8_t>(), insn[2].get<std::uint8_t>(),
                        insn[3].get<std::uint32_t>()});
    return prog;
}

inline why::Subject caller_subject() {
    why::Subject s = subject_of(getpid());
    s.kind = why::SubjectKind::Caller;
    return s;
}

// A login of uid/gid `id` (no groups, no capabilities) in our namespaces.
inline why::Subject user_subject(uid_t id) {
    why::Subject s;
    s.kind = why::SubjectKind::User;
    s.ruid = s.euid = s.suid = s.fsuid = id;
    s.rgid = s.egid = s.sgid = s.fsgid = id;
    s.cap_bounding = ~0ULL;
    s.cwd = "/";
    return s;
}

inline why::Operation open_op(const std::string& path, bool write = false) {
    why::Operation op;
    op.op = why::Op::Open;
    op.path = path;
    op.open.read = !write;
    op.open.write = write;
    return op;
}

inline why::Operation path_op(why::Op kind, const std::string& path) {
    why::Operation op;
    op.op = kind;
    op.path = path;
    return op;
}

// A fresh 0755 directory under /tmp, removed with everything in it.
struct TempTree {
    std::string path;
    TempTree() {
        char name[] = "/tmp/fdscope-probe-XXXXXX";
        path = ::mkdtemp(name);
        ::chmod(path.c_str(), 0755);
    }
    ~TempTree() {
        ::umount2(path.c_str(), MNT_DETACH);
        std::string cmd = "rm -rf '" + path + "'";
        if (::system(cmd.c_str()) != 0) {}
    }
    std::string file(const std::string& name, mode_t mode, const std::string& text = "data\n") const {
        std::string p = path + "/" + name;
        int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd >= 0) {
            if (::write(fd, text.data(), text.size()) < 0) {}
            ::fchmod(fd, mode);
            ::close(fd);
        }
        return p;
    }
    std::string dir(const std::string& name, mode_t mode) const {
        std::string p = path + "/" + name;
        ::mkdir(p.c_str(), mode);
        ::chmod(p.c_str(), mode);
        return p;
    }
};

inline std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> out;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d))
            if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") out.push_back(e->d_name);
        ::closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// A child in a private mount namespace of its own: `setup` runs there (as
// root), then the child waits until killed. ok() is false if setup failed.
class NamespaceChild {
public:
    explicit NamespaceChild(const std::function<bool()>& setup) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) < 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::close(p[0]);
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            bool good = ::unshare(CLONE_NEWNS) == 0 && ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0 &&
                        setup();
            char c = good ? 'R' : 'E';
            if (::write(p[1], &c, 1) < 0) {}
            ::close(p[1]);
            for (;;) ::pause();
        }
        ::close(p[1]);
        char c = 0;
        ok_ = ::read(p[0], &c, 1) == 1 && c == 'R';
        ::close(p[0]);
    }
    ~NamespaceChild() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {}
        }
    }
    NamespaceChild(const NamespaceChild&) = delete;
    NamespaceChild& operator=(const NamespaceChild&) = delete;
    pid_t pid() const { return pid_; }
    bool ok() const { return ok_; }

private:
    pid_t pid_ = -1;
    bool ok_ = false;
};

// The names in /proc/PID/fd (the test's own view of the fd table).
inline std::vector<std::string> fd_names(pid_t pid) {
    std::vector<std::string> names = entries("/proc/" + std::to_string(pid) + "/fd");
    std::vector<std::string> out;
    for (const auto& n : names) {
        char target[512] = {};
        std::string link = "/proc/" + std::to_string(pid) + "/fd/" + n;
        ssize_t len = ::readlink(link.c_str(), target, sizeof target - 1);
        out.push_back(n + " -> " + (len > 0 ? std::string(target, static_cast<std::size_t>(len)) : std::string("?")));
    }
    return out;
}

// Waits (a bounded poll: a blocked thread sends no event) until thread tid
// sits in read(2).
inline bool wait_in_read(pid_t pid, pid_t tid) {
    std::string path = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/syscall";
    for (int i = 0; i < 5000; ++i) {
        std::ifstream in(path);
        std::string nr;
        in >> nr;
        if (nr == "0") return true;
        ::usleep(1000);
    }
    return false;
}

}  // namespace fdscope::test
