// Scrapes the export tests share: one with every feature (the goldens) and
// a machine of 1,000 processes (the cardinality bound).
#pragma once
#include "export/metrics.hpp"

namespace fdscope::exporter::sample {

// Every family and every hazard: a comm with a newline, a tab, a quote, a
// backslash and an invalid UTF-8 byte; NaN and +Inf values; file-max at
// LONG_MAX; groups past the cap folded into __other__; leak suspects; the
// optional collectors on. Rendered with all_features_options().
ScrapeData all_features();
CardinalityOptions all_features_options();

// The comm all_features() gives pid 4242, as bytes.
inline constexpr std::string_view kHostileComm = "ev\nil\t\"q\\\xff";

ScrapeData thousand_processes();

}  // namespace fdscope::exporter::sample
