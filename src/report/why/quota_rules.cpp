#include "report/why/quota_rules.hpp"

#include <cerrno>
#include <fmt/format.h>
#include <linux/capability.h>

#include "report/why/process_text.hpp"

namespace fdscope::report::why {
namespace {

using fdscope::why::QuotaUsage;

std::string_view kind_name(QuotaUsage::Kind k) {
    switch (k) {
    case QuotaUsage::Kind::User: return "user";
    case QuotaUsage::Kind::Group: return "group";
    case QuotaUsage::Kind::Project: return "project";
    }
    return "?";
}

bool charged(const QuotaUsage& q, const Allocation& a) {
    switch (q.kind) {
    case QuotaUsage::Kind::User: return q.id == a.uid;
    case QuotaUsage::Kind::Group: return q.id == a.gid;
    case QuotaUsage::Kind::Project: return true;  // the gatherer reads the project of the directory or file
    }
    return false;
}

enum class Over { No, Grace, Refused };

struct LimitState {
    Over over = Over::No;
    std::string why;
};

// One limit as check_idq/check_bdq apply it: `after` is the usage the
// allocation would leave.
LimitState judge(std::uint64_t after, std::uint64_t soft, std::uint64_t hard, std::int64_t grace_end, std::int64_t now,
               std::string_view what, std::string (*show)(std::uint64_t)) {
    if (hard && after > hard) return {Over::Refused, fmt::format("{} would reach {} over the hard limit {}", what, show(after), show(hard))};
    if (soft && after > soft) {
        if (grace_end && now >= grace_end)
            return {Over::Refused, fmt::format("{} {} over the soft limit {} and its grace time is over", what,
                                               show(after), show(soft))};
        return {Over::Grace, grace_end ? fmt::format("{} over the soft limit {}, grace for {} more seconds", what,
                                                      show(soft), grace_end - now)
                                       : fmt::format("{} over the soft limit {}: the grace time starts now", what,
                                                     show(soft))};
    }
    return {};
}

std::string bytes(std::uint64_t n) { return size_text(n); }
std::string count(std::uint64_t n) { return grouped(n) + " inodes"; }

std::string usage_text(const QuotaUsage& q) {
    auto lim = [](std::uint64_t v, std::string (*show)(std::uint64_t)) { return v ? show(v) : std::string("none"); };
    return fmt::format("{} {}: space {} (soft {}, hard {}), inodes {} (soft {}, hard {})", kind_name(q.kind), q.id,
                       size_text(q.space_used), lim(q.space_soft, bytes), lim(q.space_hard, bytes),
                       grouped(q.inodes_used), lim(q.inodes_soft, count), lim(q.inodes_hard, count));
}

std::string fix_text(const QuotaUsage& q, const std::string& mount_point) {
    if (q.kind == QuotaUsage::Kind::Project)
        return fmt::format("remove files of project {} on {}, or raise its limit as root: xfs_quota -x -c 'limit -p "
                           "bhard=... ihard=... {}' {}",
                           q.id, mount_point, q.id, mount_point);
    const char flag = q.kind == QuotaUsage::Kind::User ? 'u' : 'g';
    return fmt::format("remove files of {} {} on {} (find {} -xdev -{} {}), or raise the limits as root: setquota -{} "
                       "{} BSOFT BHARD ISOFT IHARD {}",
                       kind_name(q.kind), q.id, mount_point, mount_point, q.kind == QuotaUsage::Kind::User ? "user" : "group",
                       q.id, flag, q.id, mount_point);
}

}  // namespace

std::vector<Check> quota_checks(const Facts& facts, std::int32_t mount_id, const std::string& path,
                                const Allocation& alloc) {
    const auto& qf = facts.quota;
    Check base;
    base.layer = Layer::Quota;
    base.path = path;
    if (!qf.known || !qf.supported || (qf.mount_id && qf.mount_id != mount_id)) {
        base.result = Result::Skip;
        base.detail = !qf.known       ? "quotas not read"
                      : !qf.supported ? "no quotas: " + qf.reason
                                      : fmt::format("quotas read for mount {}, not {}", qf.mount_id, mount_id);
        return {base};
    }
    const auto* m = fdscope::why::find_mount(facts, mount_id);
    const std::string mount_point = m ? m->mount_point : fmt::format("mount {}", mount_id);
    const bool xfs = m && m->fstype == "xfs";
    // ignore_hardlimit(): CAP_SYS_RESOURCE passes hard and soft limits.
    const bool exempt = has_cap(facts.subject, CAP_SYS_RESOURCE) && facts.subject.init_user_ns;
    const std::uint64_t block = m && m->block_size ? m->block_size : 4096;
    std::vector<Check> checks;
    for (const QuotaUsage& q : qf.usage) {
        if (!charged(q, alloc)) continue;
        Check c = base;
        c.detail = usage_text(q);
        LimitState v;
        if (alloc.inode)
            v = judge(q.inodes_used + 1, q.inodes_soft, q.inodes_hard, q.inodes_grace_end, qf.now, "inodes", count);
        // A name alone takes no quota space: the directory's blocks are the
        // directory owner's, and only a full directory grows.
        if (v.over != Over::Refused && alloc.block) {
            LimitState s = judge(q.space_used + block, q.space_soft, q.space_hard, q.space_grace_end, qf.now, "space", bytes);
            if (s.over > v.over) v = s;
        }
        if (v.over == Over::No) {
            checks.push_back(c);
            continue;
        }
        if (exempt) {
            c.detail += "; " + v.why + ", but CAP_SYS_RESOURCE ignores quota limits";
            checks.push_back(c);
            continue;
        }
        if (v.over == Over::Grace) {
            c.result = Result::Note;
            c.explain = fmt::format("{} {} is {} on {}", kind_name(q.kind), q.id, v.why, mount_point);
            checks.push_back(c);
            continue;
        }
        c.result = Result::Fail;
        c.error = xfs && q.kind == QuotaUsage::Kind::Project ? ENOSPC : EDQUOT;
        c.explain = fmt::format("the {} quota of {} {} on {} refuses it: {}{}", kind_name(q.kind), kind_name(q.kind),
                                q.id, mount_point, v.why,
                                c.error == ENOSPC ? " (XFS reports a project quota as ENOSPC)" : "");
        c.fix = fix_text(q, mount_point);
        checks.push_back(c);
    }
    if (checks.empty()) {
        base.detail = fmt::format("no quota for uid {} or gid {} on {}", alloc.uid, alloc.gid, mount_point);
        checks.push_back(base);
    }
    return checks;
}

}  // namespace fdscope::report::why
