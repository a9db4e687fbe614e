// The BPF iterator backend's kernel side: load the iterators (iter.bpf.c)
// and read their binary record streams (records.hpp parses them).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "bpf/iter/records.hpp"

// libbpf's and the skeleton's types, global namespace.
struct bpf_link;
struct bpf_program;
struct fds_iter;

namespace fdscope::bpf {

enum class Iter : std::uint8_t { Task, TaskFile, TaskVma };

// What the programs may use. Each false is also a forced fallback for tests
// (FDSCOPE_BPF_REFUSE, see parse_refusals).
struct LoadOptions {
    bool paths = true;        // false: no path tails at all (counting)
    bool file_d_path = true;  // false: task_file walks dentries instead of bpf_d_path
    bool vma_d_path = true;   // false: task_vma never uses bpf_d_path (it walks where bpf_loop exists anyway)
    bool loop = true;         // false: no bpf_loop (fd counts from task_file, as before 5.17)
    bool min_btf = true;      // false: CO-RE against the whole kernel BTF, never the embedded subset
};

// Applies a comma-separated list of refusals ("file_d_path,vma_d_path,loop,min_btf";
// "d_path" for both paths) to `o`. False with `why` for an unknown word.
bool parse_refusals(std::string_view list, LoadOptions& o, std::string& why);

// The loaded iterators. Not thread-safe: one read at a time.
class Iterators {
public:
    // Loads and attaches the three iterators. On failure returns null and sets
    // `why` to a sentence for the user (errno text and the last lines of
    // libbpf's / the verifier's log). `notes` receives fallbacks taken
    // (e.g. paths read from the dentry name because bpf_d_path was refused).
    static std::unique_ptr<Iterators> load(std::string& why, std::string& notes, const LoadOptions& opts = {});
    ~Iterators();
    Iterators(const Iterators&) = delete;
    Iterators& operator=(const Iterators&) = delete;

    // Runs one iterator over the whole machine, appending its byte stream to
    // `out`. False with `why` set on a read error.
    bool read(Iter which, std::string& out, std::string& why);
    // The same over one process only (its threads): the kernel walks that
    // process alone (task iterators parameterised by pid, Linux >= 6.1).
    // False with `why` when the kernel refuses the parameter.
    bool read_process(Iter which, pid_t tgid, std::string& out, std::string& why);

    bool file_d_path() const { return file_d_path_; }
    bool vma_d_path() const { return vma_d_path_; }
    bool loop() const { return loop_; }
    // Whether CO-RE used the embedded BTF subset (the kernel is the build's).
    bool min_btf() const { return min_btf_; }

private:
    ::bpf_program* program(Iter which) const;
    static bool drain(int iter_fd, std::string& out, std::string& why);
    Iterators() = default;
    ::fds_iter* skel_ = nullptr;
    ::bpf_link* file_link_ = nullptr;
    ::bpf_link* vma_link_ = nullptr;
    ::bpf_link* task_link_ = nullptr;
    bool file_d_path_ = true, vma_d_path_ = true, loop_ = true, min_btf_ = false;
};

}  // namespace fdscope::bpf
