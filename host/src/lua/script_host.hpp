// Connects the user's script to a Runtime: the script's routes and
// handlers join the router, and a reload (SIGHUP) loads it again.
#pragma once

#include "runtime/runtime.hpp"

namespace sluice::lua {

// Does nothing when the config names no script.
void attach_script(runtime::Runtime& runtime);

}  // namespace sluice::lua
