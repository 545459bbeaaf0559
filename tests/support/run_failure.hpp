#pragma once

#include "streams/actors/runtime.hpp"

#include <string>

namespace streams::test {

/// Why the run failed, or "" when it did not: for INFO and for looking into the text.
inline std::string failure_text(const run_result& r) { return r.failure ? r.failure->what() : ""; }

} // namespace streams::test
