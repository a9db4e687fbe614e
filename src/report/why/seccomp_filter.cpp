#include "report/why/seccomp_filter.hpp"

#include <array>
#include <cstring>
#include <fmt/format.h>

namespace fdscope::report::why {
namespace {

// The kernel compares actions as signed 32-bit values of the action bits,
// so KILL_PROCESS (0x80000000) is the lowest of all.
std::int32_t action_rank(std::uint32_t value) {
    return static_cast<std::int32_t>(value & SECCOMP_RET_ACTION_FULL);
}

FilterRun invalid(std::size_t pc, const std::string& why) {
    FilterRun r;
    r.pc = pc;
    r.error = fmt::format("instruction {}: {}", pc, why);
    return r;
}

// The instructions seccomp_check_filter accepts (after the classic-BPF
// checks): no packet loads but 32-bit words of seccomp_data, no MOD, no
// LDX MSH.
bool allowed_code(std::uint16_t code) {
    switch (code) {
    case BPF_LD | BPF_W | BPF_ABS: case BPF_LD | BPF_W | BPF_LEN: case BPF_LDX | BPF_W | BPF_LEN:
    case BPF_RET | BPF_K: case BPF_RET | BPF_A:
    case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
    case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
    case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
    case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
    case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
    case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
    case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
    case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
    case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
    case BPF_ALU | BPF_NEG:
    case BPF_LD | BPF_IMM: case BPF_LDX | BPF_IMM:
    case BPF_MISC | BPF_TAX: case BPF_MISC | BPF_TXA:
    case BPF_LD | BPF_MEM: case BPF_LDX | BPF_MEM: case BPF_ST: case BPF_STX:
    case BPF_JMP | BPF_JA:
    case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
    case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
    case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
    case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
        return true;
    default:
        return false;
    }
}

// bpf_check_classic and seccomp_check_filter: the program the kernel would
// have refused is not evaluated. Empty string: accepted.
std::string check(std::span<const sock_filter> prog, std::size_t& bad_pc) {
    const std::size_t n = prog.size();
    if (n == 0 || n > BPF_MAXINSNS) return fmt::format("{} instructions (1 to {})", n, BPF_MAXINSNS);
    // Scratch words must be stored on every path before they are loaded
    // (check_load_and_stores): a mask of the words valid at each pc.
    std::vector<std::uint16_t> valid_at(n, 0xffff);
    std::uint16_t valid = 0;
    for (std::size_t pc = 0; pc < n; ++pc) {
        bad_pc = pc;
        const sock_filter& f = prog[pc];
        if (!allowed_code(f.code)) return fmt::format("code {:#06x} is not allowed in a seccomp filter", f.code);
        valid &= valid_at[pc];
        switch (BPF_CLASS(f.code)) {
        case BPF_LD:
        case BPF_LDX:
            if (BPF_MODE(f.code) == BPF_ABS && (f.k >= sizeof(seccomp_data) || f.k % 4 != 0))
                return fmt::format("load at offset {} outside seccomp_data or unaligned", f.k);
            if (BPF_MODE(f.code) == BPF_MEM) {
                if (f.k >= BPF_MEMWORDS) return fmt::format("scratch word {} (0 to 15)", f.k);
                if (!(valid & (1u << f.k))) return fmt::format("scratch word {} loaded before it is stored", f.k);
            }
            break;
        case BPF_ST:
        case BPF_STX:
            if (f.k >= BPF_MEMWORDS) return fmt::format("scratch word {} (0 to 15)", f.k);
            valid = static_cast<std::uint16_t>(valid | (1u << f.k));
            break;
        case BPF_ALU:
            if (BPF_SRC(f.code) == BPF_K && BPF_OP(f.code) == BPF_DIV && f.k == 0) return "division by constant 0";
            if (BPF_SRC(f.code) == BPF_K && (BPF_OP(f.code) == BPF_LSH || BPF_OP(f.code) == BPF_RSH) && f.k >= 32)
                return fmt::format("shift by {}", f.k);
            break;
        case BPF_JMP:
            if (BPF_OP(f.code) == BPF_JA) {
                if (f.k >= n - pc - 1) return "jump past the end";
                valid_at[pc + 1 + f.k] &= valid;
            } else {
                if (pc + f.jt + 1 >= n || pc + f.jf + 1 >= n) return "jump past the end";
                valid_at[pc + 1 + f.jt] &= valid;
                valid_at[pc + 1 + f.jf] &= valid;
            }
            valid = 0xffff;
            break;
        case BPF_RET:
            valid = 0xffff;
            break;
        default:
            break;
        }
    }
    bad_pc = n - 1;
    if (BPF_CLASS(prog[n - 1].code) != BPF_RET) return "the last instruction is not a return";
    return {};
}

std::uint32_t word_at(const seccomp_data& data, std::uint32_t offset) {
    std::uint32_t v;
    std::memcpy(&v, reinterpret_cast<const unsigned char*>(&data) + offset, sizeof v);
    return v;
}

}  // namespace

FilterRun run_filter(std::span<const sock_filter> prog, const seccomp_data& data) {
    std::size_t bad_pc = 0;
    if (auto why = check(prog, bad_pc); !why.empty()) return invalid(bad_pc, why);
    std::uint32_t a = 0, x = 0;
    std::array<std::uint32_t, BPF_MEMWORDS> mem{};
    // Jumps only go forward (checked above), so this ends within n steps.
    for (std::size_t pc = 0; pc < prog.size(); ++pc) {
        const sock_filter& f = prog[pc];
        const std::uint32_t src = BPF_SRC(f.code) == BPF_X ? x : f.k;
        switch (BPF_CLASS(f.code)) {
        case BPF_LD:
            if (BPF_MODE(f.code) == BPF_ABS) a = word_at(data, f.k);
            else if (BPF_MODE(f.code) == BPF_LEN) a = sizeof(seccomp_data);
            else if (BPF_MODE(f.code) == BPF_IMM) a = f.k;
            else a = mem[f.k];
            break;
        case BPF_LDX:
            if (BPF_MODE(f.code) == BPF_LEN) x = sizeof(seccomp_data);
            else if (BPF_MODE(f.code) == BPF_IMM) x = f.k;
            else x = mem[f.k];
            break;
        case BPF_ST: mem[f.k] = a; break;
        case BPF_STX: mem[f.k] = x; break;
        case BPF_ALU:
            switch (BPF_OP(f.code)) {
            case BPF_ADD: a += src; break;
            case BPF_SUB: a -= src; break;
            case BPF_MUL: a *= src; break;
            case BPF_DIV:
                // Classic BPF ends the program with 0 on A / 0 (the
                // kernel's conversion inserts that exit): KILL_THREAD.
                if (src == 0) {
                    FilterRun r;
                    r.valid = true;
                    r.pc = pc;
                    return r;
                }
                a /= src;
                break;
            case BPF_AND: a &= src; break;
            case BPF_OR: a |= src; break;
            case BPF_XOR: a ^= src; break;
            // A shift by X of 32 or more: the x86 JIT and interpreter use
            // the low five bits of the count, as the CPU does.
            case BPF_LSH: a <<= (src & 31u); break;
            case BPF_RSH: a >>= (src & 31u); break;
            case BPF_NEG: a = 0u - a; break;
            default: break;
            }
            break;
        case BPF_MISC:
            if (BPF_MISCOP(f.code) == BPF_TAX) x = a;
            else a = x;
            break;
        case BPF_JMP:
            switch (BPF_OP(f.code)) {
            case BPF_JA: pc += f.k; break;
            case BPF_JEQ: pc += a == src ? f.jt : f.jf; break;
            case BPF_JGT: pc += a > src ? f.jt : f.jf; break;
            case BPF_JGE: pc += a >= src ? f.jt : f.jf; break;
            case BPF_JSET: pc += (a & src) != 0 ? f.jt : f.jf; break;
            default: break;
            }
            break;
        case BPF_RET: {
            FilterRun r;
            r.valid = true;
            r.value = BPF_RVAL(f.code) == BPF_A ? a : f.k;
            r.pc = pc;
            return r;
        }
        default:
            break;
        }
    }
    return invalid(prog.size() - 1, "ran off the end");  // unreachable after check()
}

Decision decide(const std::vector<std::vector<sock_filter>>& filters, const seccomp_data& data) {
    Decision d;
    d.valid = true;
    // Newest first, as the kernel walks them, from ALLOW: only a strictly
    // lower action replaces the one found so far.
    for (std::size_t i = filters.size(); i-- > 0;) {
        const FilterRun r = run_filter(filters[i], data);
        if (!r.valid) {
            Decision bad;
            bad.filter = i;
            bad.pc = r.pc;
            bad.error = fmt::format("filter {}: {}", i, r.error);
            return bad;
        }
        if (action_rank(r.value) < action_rank(d.value)) {
            d.value = r.value;
            d.filter = i;
            d.pc = r.pc;
        }
    }
    return d;
}

std::string action_text(std::uint32_t value) {
    const std::uint32_t data = value & SECCOMP_RET_DATA;
    switch (value & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_KILL_PROCESS: return "KILL_PROCESS";
    case SECCOMP_RET_KILL_THREAD: return "KILL_THREAD";
    case SECCOMP_RET_TRAP: return fmt::format("TRAP({})", data);
    // The kernel caps the errno at MAX_ERRNO (4095).
    case SECCOMP_RET_ERRNO: return fmt::format("ERRNO({})", data > 4095 ? 4095 : data);
    case SECCOMP_RET_USER_NOTIF: return "USER_NOTIF";
    case SECCOMP_RET_TRACE: return fmt::format("TRACE({})", data);
    case SECCOMP_RET_LOG: return "LOG";
    case SECCOMP_RET_ALLOW: return "ALLOW";
    default: return fmt::format("KILL_PROCESS (unknown action {:#010x})", value);
    }
}

bool allows(std::uint32_t value) {
    const std::uint32_t action = value & SECCOMP_RET_ACTION_FULL;
    return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG;
}

}  // namespace fdscope::report::why
