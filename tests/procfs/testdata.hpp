// Reads a captured sample from tests/data/procfs. A missing file fails the
// test instead of parsing "" silently.
#pragma once
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace fdscope::procfs::testing {

inline std::string sample(const std::string& rel) {
    std::string path = std::string(FDSCOPE_TESTDATA) + "/procfs/" + rel;
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << "missing test data: " << path;
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace fdscope::procfs::testing
