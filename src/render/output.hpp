// Buffered writes to a file descriptor (stdout): renderers append to a
// string and flush in 64 KiB chunks, so 200,000 rows cost a few syscalls.
#pragma once
#include <string>
#include <string_view>

namespace fdscope::render {

class Output {
public:
    explicit Output(int fd = 1) : fd_(fd) { buf_.reserve(kChunk * 2); }
    // An Output that only collects: flush() keeps the text in buffer()
    // (blocks rendered on worker threads, written in order afterwards).
    static constexpr int kMemory = -1;
    ~Output() { flush(); }
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;

    std::string& buffer() { return buf_; }
    void write(std::string_view s) {
        buf_.append(s);
        maybe_flush();
    }
    // Writes `s` without copying it into the buffer (after what is buffered).
    void write_through(std::string_view s);
    void maybe_flush() {
        if (fd_ != kMemory && buf_.size() >= kChunk) flush();
    }
    void flush();
    // errno of the first failed write other than EPIPE (a reader that left
    // early, like head, is not an error); 0 when every write succeeded.
    int error() const { return error_; }

private:
    int error_ = 0;
    static constexpr std::size_t kChunk = 64 * 1024;
    int fd_;
    std::string buf_;
};

}  // namespace fdscope::render
