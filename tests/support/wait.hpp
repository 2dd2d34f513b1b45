// Bounded polling: the way tests wait for something to happen instead of sleeping.
#pragma once

#include <chrono>
#include <functional>

namespace sluice::test {

// Calls `pred` every `poll` until it returns true (-> true) or `timeout` has
// passed (-> false; `pred` is evaluated one last time at the deadline).
bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds(20));

}  // namespace sluice::test
