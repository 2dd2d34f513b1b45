// Loads plugin files in a forked child before the host loads them, so that a
// file whose code crashes while it is being loaded (a constructor that
// aborts, a bad static initialiser) is refused by name instead of taking
// `sluice plugins`, `check` and `run` down with it.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sluice::loader {

// dlopen()s `files` in order in one child process and returns, for each file
// during whose load the child died, why ("crashed while loading (signal 6,
// Aborted)"). After a death, a new child goes on with the next file, so the
// cost is one fork for a directory of good files. Files that merely fail to
// load are not listed: the host reports those with the loader's own text.
std::map<std::string, std::string> files_that_crash_when_loaded(
    const std::vector<std::string>& files, int dlopen_mode);

}  // namespace sluice::loader
