// `fdscope trace --why`: each distinct failing path operation of the traced
// tree explained by the `why` engine, as the traced thread at that moment
// (its credentials, namespaces, cwd and limits while it is stopped).
#pragma once
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "model/event.hpp"

namespace fdscope::cli {

struct FailureExplanation {
    Op op = Op::Open;
    std::string path;
    int error = 0;       // what the traced call got
    std::string layer;   // the layer `why` found blocking ("" when it found none)
    std::string text;    // one line: the blocking check's explanation, or why none was found
    std::string fix;     // the blocking check's fix, when it has one
    bool agrees = false; // why's predicted errno equals the one the call got
};

class FailureExplainer {
public:
    // Explains `e` the first time its (op, path, flags, errno) is seen;
    // nothing for events that are not failing path operations, or whose
    // path is relative to a directory fd other than the cwd.
    void observe(const FdEvent& e);
    const std::vector<FailureExplanation>& explanations() const { return explanations_; }

private:
    std::map<std::tuple<Op, std::string, std::uint64_t, int>, bool> seen_;
    std::vector<FailureExplanation> explanations_;
};

}  // namespace fdscope::cli
