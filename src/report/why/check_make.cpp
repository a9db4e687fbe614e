#include "report/why/check_make.hpp"

#include <utility>

namespace fdscope::report::why {

namespace {

Check make(Layer layer, std::string path, Result result, std::string detail) {
    Check c;
    c.layer = layer;
    c.path = std::move(path);
    c.result = result;
    c.detail = std::move(detail);
    return c;
}

}  // namespace

Check passed(Layer layer, std::string path, std::string detail) {
    return make(layer, std::move(path), Result::Pass, std::move(detail));
}

Check skipped(Layer layer, std::string path, std::string detail) {
    return make(layer, std::move(path), Result::Skip, std::move(detail));
}

Check noted(Layer layer, std::string path, std::string detail) {
    return make(layer, std::move(path), Result::Note, std::move(detail));
}

Check unknown_check(Layer layer, std::string path, std::string detail, std::string explain) {
    Check c = make(layer, std::move(path), Result::Unknown, std::move(detail));
    c.explain = std::move(explain);
    return c;
}

Check failed(Layer layer, std::string path, int error, std::string detail, std::string explain,
             std::string fix) {
    Check c = make(layer, std::move(path), Result::Fail, std::move(detail));
    c.error = error;
    c.explain = std::move(explain);
    c.fix = std::move(fix);
    return c;
}

void append_checks(std::vector<Check>& out, std::vector<Check> more) {
    for (auto& c : more) out.push_back(std::move(c));
}

Check not_reached(Layer layer, std::string path, std::string what) {
    return skipped(layer, std::move(path), what + ": not reached (the path does not lead there)");
}

}  // namespace fdscope::report::why
