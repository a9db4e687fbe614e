// The terminal for `fdscope top`: curses mode held for as long as the
// object lives (endwin() on every way out), and a screen of styled lines
// (render/top_view) drawn onto it.
#pragma once
#include <vector>

#include "render/top_view.hpp"

namespace fdscope::tui {

class Screen {
public:
    explicit Screen(bool color);
    ~Screen();
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;
    void draw(const std::vector<render::ScreenLine>& lines);
    int width() const;
    int height() const;

private:
    bool color_ = false;
};

}  // namespace fdscope::tui
