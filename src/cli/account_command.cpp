// `fdscope account`: where every kernel file handle went.
#include <unistd.h>

#include "cli/backend_option.hpp"
#include "cli/commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/shared_options.hpp"
#include "cli/terminal.hpp"
#include "collect/scan.hpp"
#include "render/account_view.hpp"
#include "report/account.hpp"

namespace fdscope::cli {

void add_account(CLI::App& cmd, AccountArgs& a) {
    add_json_flag(cmd, a.json);
    cmd.add_option("--top", a.top, "how many processes to list (default 20; JSON lists all)")
        ->check(CLI::Range(1, 1000000))
        ->option_text("N");
    add_scan_options(cmd, a.threads, a.backend);
}

int run_account(const AccountArgs& a) {
    collect::ScanOptions opts;
    opts.threads = a.threads;
    opts.sockets = false;      // a socket is a handle like any file; its addresses do not matter here
    opts.identity = true;      // procfs: descriptions through kcmp; BPF has them anyway
    opts.read.assocs = false;  // cwd/root/exe hold paths, not open files
    opts.read.maps = true;     // mappings and SysV attaches hold handles
    opts.read.details = true;  // scm_fds (both backends) and io_uring's registered files (fdinfo)
    Snapshot snap;
    std::string why;
    if (!scan_with(a.backend, opts, snap, why)) return backend_unavailable("account", why);
    const auto acc = report::account(snap, collect::read_filp_active(), ::geteuid() == 0);
    render::Output out;
    if (a.json) {
        render::write_account_json(out, acc);
    } else {
        render::TableStyle style;
        style.width = terminal_width();
        style.color = use_color();
        render::write_account_text(out, acc, a.top, style);
    }
    return finish_output(out);
}

}  // namespace fdscope::cli
