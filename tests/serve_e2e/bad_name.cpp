// serve_bad_name [N=60] [LIMIT=64]: names itself "b\xffd" (prctl
// PR_SET_NAME: a comm is any 15 bytes, here not UTF-8), sets its soft
// RLIMIT_NOFILE to LIMIT and holds N descriptors of /dev/null, so that its
// fds/limit ratio puts it among the processes `fdscope serve` lists one by
// one. One invalid UTF-8 byte in a label value makes Prometheus drop the
// whole scrape: the exporter must have replaced it.
//
// Facts: {"pid", "n", "limit"}
#include "fixture.hpp"

using fx::Json;

int main(int argc, char** argv) {
    const long long n = fx::arg_num(argc, argv, 1, 60);
    const long long limit = fx::arg_num(argc, argv, 2, 64);
    struct rlimit rl{};
    fx::check(getrlimit(RLIMIT_NOFILE, &rl), "getrlimit");
    rl.rlim_cur = static_cast<rlim_t>(limit);
    fx::check(setrlimit(RLIMIT_NOFILE, &rl), "setrlimit");
    fx::check(prctl(PR_SET_NAME, "b\xff" "d", 0, 0, 0), "prctl PR_SET_NAME");
    for (int have = fx::count_open_fds(); have < n; ++have)
        fx::check(open("/dev/null", O_RDONLY | O_CLOEXEC), "open /dev/null");
    Json facts = Json::object();
    facts["pid"] = getpid();
    facts["n"] = n;
    facts["limit"] = limit;
    fx::emit(facts);
    fx::wait_stdin_eof();
    fx::finish();
}
