#include "procfs/parse_creds.hpp"

#include "procfs/text.hpp"

namespace fdscope::procfs {

namespace {

// "real\teffective\tsaved\tfs"
template <class T>
bool four_ids(std::string_view value, T& r, T& e, T& s, T& f) {
    T* out[] = {&r, &e, &s, &f};
    for (T* o : out) {
        auto v = text::to_num<T>(text::next_token(value));
        if (!v) return false;
        *o = *v;
    }
    return text::trim(value).empty();
}

std::optional<std::uint64_t> hex_mask(std::string_view value) {
    return text::to_num<std::uint64_t>(text::trim(value), 16);
}

bool id_list(std::string_view value, std::vector<gid_t>& out) {
    out.clear();
    for (;;) {
        std::string_view tok = text::next_token(value);
        if (tok.empty()) return true;
        auto v = text::to_num<gid_t>(tok);
        if (!v) return false;
        out.push_back(*v);
    }
}

}  // namespace

bool Creds::same_creds(const Creds& o) const {
    return ruid == o.ruid && euid == o.euid && suid == o.suid && fsuid == o.fsuid && rgid == o.rgid &&
           egid == o.egid && sgid == o.sgid && fsgid == o.fsgid && groups == o.groups &&
           cap_inheritable == o.cap_inheritable && cap_permitted == o.cap_permitted &&
           cap_effective == o.cap_effective && cap_bounding == o.cap_bounding && cap_ambient == o.cap_ambient &&
           no_new_privs == o.no_new_privs && seccomp_mode == o.seccomp_mode && seccomp_filters == o.seccomp_filters;
}

std::optional<Creds> parse_creds(std::string_view status) {
    Creds c;
    bool uid = false, gid = false, tgid = false, pid = false;
    std::string_view rest = status;
    std::string_view key, value;
    while (text::next_field(rest, key, value)) {
        // Keys are matched whole ("Pid" is not "PPid" nor "TracerPid").
        if (key == "State") {
            std::string_view s = text::trim(value);
            if (!s.empty()) c.state = s[0];
        } else if (key == "Tgid") {
            auto v = text::to_num<pid_t>(text::trim(value));
            if (!v) return std::nullopt;
            c.tgid = *v;
            tgid = true;
        } else if (key == "Pid") {
            auto v = text::to_num<pid_t>(text::trim(value));
            if (!v) return std::nullopt;
            c.pid = *v;
            pid = true;
        } else if (key == "Uid") {
            if (!four_ids(value, c.ruid, c.euid, c.suid, c.fsuid)) return std::nullopt;
            uid = true;
        } else if (key == "Gid") {
            if (!four_ids(value, c.rgid, c.egid, c.sgid, c.fsgid)) return std::nullopt;
            gid = true;
        } else if (key == "Groups") {
            if (!id_list(value, c.groups)) return std::nullopt;
        } else if (key == "CapInh" || key == "CapPrm" || key == "CapEff" || key == "CapBnd" || key == "CapAmb") {
            auto v = hex_mask(value);
            if (!v) return std::nullopt;
            std::uint64_t* out = key == "CapInh"   ? &c.cap_inheritable
                                 : key == "CapPrm" ? &c.cap_permitted
                                 : key == "CapEff" ? &c.cap_effective
                                 : key == "CapBnd" ? &c.cap_bounding
                                                   : &c.cap_ambient;
            *out = *v;
        } else if (key == "NoNewPrivs") {
            if (auto v = text::to_num<int>(text::trim(value))) c.no_new_privs = *v != 0;
        } else if (key == "Seccomp") {
            if (auto v = text::to_num<int>(text::trim(value))) c.seccomp_mode = *v;
        } else if (key == "Seccomp_filters") {
            if (auto v = text::to_num<std::uint32_t>(text::trim(value))) c.seccomp_filters = *v;
        }
    }
    if (!uid || !gid || !tgid || !pid) return std::nullopt;
    return c;
}

}  // namespace fdscope::procfs
