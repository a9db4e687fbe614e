// `fdscope top`'s state and loop: which rows, sort, filter, selection and
// drill-down; keys (tui/keys) change the state between ticks, the monitor
// supplies the data, the screen shows it.
#pragma once
#include <string>

#include "live/monitor.hpp"
#include "render/top_view.hpp"
#include "tui/keys.hpp"
#include "tui/screen.hpp"

namespace fdscope::tui {

class TopApp {
public:
    TopApp(live::Monitor& m, const std::string& sort);
    // Ticks on the monitor's interval until a quit key, a stop signal or
    // the terminal going away.
    void run(Screen& screen);
    // false: quit
    bool key(int ch);
    // A fresh inventory of the process drilled into, if any.
    void refresh_drill();
    void draw(Screen& screen);

private:
    // Handles keys as they come until `deadline`, redrawing after each;
    // false: quit.
    bool keys_until(double deadline, Screen& screen);
    bool prompt_key(int ch);
    void act(Action a);
    void move(int by);
    void drill();
    std::size_t visible() const;

    live::Monitor& m_;
    render::TopState st_;
};

}  // namespace fdscope::tui
