// `fdscope top`'s keys and state: which rows, sort, filter, selection and
// drill-down; the monitor supplies the data, the screen shows it.
#pragma once
#include <string>

#include "live/monitor.hpp"
#include "render/top_view.hpp"
#include "tui/screen.hpp"

namespace fdscope::tui {

class TopApp {
public:
    TopApp(live::Monitor& m, const std::string& sort);
    // false: quit
    bool key(int ch);
    // A fresh inventory of the process drilled into, if any.
    void refresh_drill();
    void draw(Screen& screen);

private:
    bool prompt_key(int ch);
    void move(int by);
    void drill();
    std::size_t visible() const;

    live::Monitor& m_;
    render::TopState st_;
};

}  // namespace fdscope::tui
