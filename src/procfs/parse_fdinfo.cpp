#include "procfs/parse_fdinfo.hpp"

#include <limits>

#include "procfs/text.hpp"

namespace fdscope::procfs {

namespace {

using text::KeyValues;
using text::to_num;
using text::trim;

// "tfd: %8d events: %8x data: %16llx  pos:%lli ino:%lx sdev:%x"
// (fs/eventpoll.c): tfd decimal, events and ino hex.
void parse_epoll_line(std::string_view line, FdInfo& fi) {
    EpollTarget t;
    bool has_tfd = false, has_events = false;
    KeyValues kv(line);
    std::string_view k, v;
    while (kv.next(k, v)) {
        if (k == "tfd") {
            if (auto n = to_num<std::int32_t>(v)) t.tfd = *n, has_tfd = true;
        } else if (k == "events") {
            if (auto n = to_num<std::uint32_t>(v, 16)) t.events = *n, has_events = true;
        } else if (k == "ino") {
            if (auto n = to_num<std::uint64_t>(v, 16)) t.inode = *n;
        }
    }
    if (has_tfd && has_events) {
        fi.detail.epoll_targets.push_back(t);
        fi.has_detail = true;
    }
}

// "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:%x ..."
// (fs/notify/fdinfo.c): every number is hex, wd included.
void parse_inotify_line(std::string_view line, FdInfo& fi) {
    InotifyWatch w;
    bool has_wd = false;
    KeyValues kv(line);
    std::string_view k, v;
    while (kv.next(k, v)) {
        if (k == "wd") {
            if (auto n = to_num<std::int32_t>(v, 16)) w.wd = *n, has_wd = true;
        } else if (k == "ino") {
            if (auto n = to_num<std::uint64_t>(v, 16)) w.inode = *n;
        } else if (k == "sdev") {
            if (auto n = to_num<std::uint32_t>(v, 16)) w.sdev = *n;
        } else if (k == "mask") {
            if (auto n = to_num<std::uint32_t>(v, 16)) w.mask = *n;
        }
    }
    if (has_wd) {
        fi.detail.inotify_watches.push_back(w);
        fi.has_detail = true;
    }
}

bool is_hex_digit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// render_sigset_t prints the whole sigset, highest signals first, one hex
// digit per four signals: 16 digits where _NSIG is 64, 32 on MIPS. The
// model keeps signals 1..64, i.e. the last 16 digits.
std::optional<std::uint64_t> parse_sigmask(std::string_view v) {
    constexpr std::size_t kDigits = 16;
    if (v.size() > kDigits) {
        for (char c : v.substr(0, v.size() - kDigits))
            if (!is_hex_digit(c)) return std::nullopt;
        v.remove_prefix(v.size() - kDigits);
    }
    return to_num<std::uint64_t>(v, 16);
}

}  // namespace

std::optional<FdInfo> parse_fdinfo(std::string_view text) {
    FdInfo fi;
    bool has_pos = false, has_flags = false, has_mnt = false;
    bool user_files_seen = false, in_user_files = false;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::string_view line = text::next_line(rest);
        std::size_t colon = line.find(':');
        if (in_user_files) {
            const std::string_view slot = colon == std::string_view::npos ? line : trim(line.substr(0, colon));
            if (colon != std::string_view::npos && !slot.empty() && to_num<std::uint32_t>(slot)) {
                ++fi.detail.io_uring_files;
                fi.has_detail = true;
                continue;
            }
            in_user_files = false;
        }
        if (colon == std::string_view::npos || colon == 0) continue;
        std::string_view key = line.substr(0, colon);
        std::string_view value = line.substr(colon + 1);

        // The generic lines come first; later copies are ignored because
        // some kinds print names the owner chose (io_uring's registered
        // files) and a name holding "\npos:\t..." must not override them.
        switch (key[0]) {
            case 'p':
                if (key == "pos" && !has_pos) {
                    std::string_view v = trim(value);
                    // loff_t, printed signed: /dev/mem and /proc/PID/mem
                    // positions above 2^63 appear negative.
                    if (!v.empty() && v[0] == '-') {
                        if (auto n = to_num<std::int64_t>(v)) {
                            fi.pos = static_cast<std::uint64_t>(*n);
                            has_pos = true;
                        }
                    } else if (auto n = to_num<std::uint64_t>(v)) {
                        fi.pos = *n;
                        has_pos = true;
                    }
                }
                break;
            case 'f':
                if (key == "flags" && !has_flags) {
                    if (auto n = to_num<std::uint32_t>(trim(value), 8)) {
                        fi.flags = *n;
                        has_flags = true;
                    }
                }
                break;
            case 'm':
                if (key == "mnt_id" && !has_mnt) {
                    if (auto n = to_num<std::int32_t>(trim(value))) {
                        fi.mnt_id = *n;
                        has_mnt = true;
                    }
                }
                break;
            case 'i':
                if (key == "ino") {
                    if (!fi.has_ino) {
                        if (auto n = to_num<std::uint64_t>(trim(value))) {
                            fi.ino = *n;
                            fi.has_ino = true;
                        }
                    }
                } else if (key.starts_with("inotify ")) {
                    parse_inotify_line(line, fi);
                }
                break;
            case 'e':
                if (key == "eventfd-count") {
                    // "%16llx": hex, left-padded with blanks. The counter may
                    // reach 2^64-2; the model's field is signed, so clamp.
                    if (auto n = to_num<std::uint64_t>(trim(value), 16)) {
                        constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
                        fi.detail.eventfd_count = static_cast<std::int64_t>(*n > kMax ? kMax : *n);
                        fi.has_detail = true;
                    }
                } else if (key == "eventfd-id") {
                    if (auto n = to_num<std::int32_t>(trim(value))) {
                        fi.detail.eventfd_id = *n;
                        fi.has_detail = true;
                    }
                }
                break;
            case 't':
                if (key == "tfd") parse_epoll_line(line, fi);
                break;
            case 's':
                if (key == "scm_fds") {
                    // Only a count above zero is worth a detail: every UNIX
                    // socket has the line.
                    if (auto n = to_num<std::int64_t>(trim(value)); n && *n > 0) {
                        fi.detail.scm_fds = *n;
                        fi.has_detail = true;
                    }
                } else if (key == "sigmask") {
                    if (auto n = parse_sigmask(trim(value))) {
                        // Signal n is bit n-1. Never -1: signalfd() always
                        // clears SIGKILL and SIGSTOP from the mask.
                        fi.detail.signalfd_mask = static_cast<std::int64_t>(*n);
                        fi.has_detail = true;
                    }
                }
                break;
            case 'c':
                if (key == "clockid") {
                    if (auto n = to_num<std::int32_t>(trim(value))) {
                        fi.detail.timerfd_clockid = *n;
                        fi.has_detail = true;
                    }
                }
                break;
            case 'U':
                // io_uring: "UserFiles: N" is the table's size, empty slots
                // included; the "  SLOT: path" lines after it are the files
                // actually registered (paths escaped, so one line each).
                if (key == "UserFiles" && !user_files_seen) {
                    user_files_seen = in_user_files = true;
                    fi.detail.io_uring_files = 0;
                    continue;
                }
                break;
            case 'P':
                if (key == "Pid") {
                    if (auto n = to_num<std::int32_t>(trim(value))) {
                        fi.detail.pidfd_pid = *n;
                        fi.has_detail = true;
                    }
                }
                break;
            default:
                break;
        }
    }
    if (!has_pos || !has_flags) return std::nullopt;
    return fi;
}

}  // namespace fdscope::procfs
