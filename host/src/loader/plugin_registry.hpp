// Finds plugin shared objects in the plugin path, loads them with
// Boost.DLL, checks their ABI and names, and keeps them loaded for the
// life of the process. The one registry of the process.
#pragma once

#include <sluice/plugin.h>

#include <boost/dll/shared_library.hpp>
#include <memory>
#include <sluice/common/subject_pattern.hpp>
#include <string>
#include <vector>

namespace sluice::loader {

struct LoadedPlugin {
  std::string file;       // absolute path of the .so
  std::string directory;  // the plugin path entry it came from
  const sluice_plugin_descriptor* descriptor = nullptr;
  boost::dll::shared_library library;

  std::string name() const { return descriptor->name; }
  bool has(uint32_t capability) const { return (descriptor->capabilities & capability) != 0; }
  // How route patterns on this plugin's subjects are read: the syntax it
  // declares (ABI 1.1), or kAuto (guess per pattern) when it declares none.
  common::SubjectSyntax subject_syntax() const;
};

// A file that was not loaded, and why.
struct Refusal {
  std::string file;
  std::string reason;
  std::string str() const { return file + ": " + reason; }
};

class PluginRegistry {
 public:
  // Loads every plugin (*.so) found in `directories`, in order. A plugin
  // whose name was already loaded from an earlier directory is shadowed
  // (reported as a refusal that says so); two of one name in the same
  // directory are both refused, since neither can be preferred.
  // Directories that do not exist are skipped. Each directory's files are
  // first loaded in a forked child (load_probe.hpp): one that crashes there
  // is refused ("crashed while loading (signal 6, Aborted)") and not loaded.
  void load_directories(const std::vector<std::string>& directories);

  // Loads one file; returns the refusal reason, or "" on success.
  std::string load_file(const std::string& file, const std::string& directory);

  // Registers a plugin linked into this process (tests, embedding), after
  // the same checks as a file. Returns the refusal reason, or "".
  std::string add_linked(const sluice_plugin_descriptor* descriptor, const std::string& origin);

  const LoadedPlugin* find(const std::string& name) const;
  const std::vector<std::unique_ptr<LoadedPlugin>>& plugins() const { return plugins_; }
  const std::vector<Refusal>& refusals() const { return refusals_; }
  // Files not used because a plugin of the same name came earlier in the
  // path (like PATH lookup: not an error).
  const std::vector<Refusal>& shadowed() const { return shadowed_; }
  const std::vector<std::string>& searched() const { return searched_; }

 private:
  std::string admit(std::unique_ptr<LoadedPlugin> plugin, const sluice_plugin_descriptor* d);
  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
  std::vector<Refusal> refusals_;
  std::vector<Refusal> shadowed_;
  std::vector<std::string> searched_;
};

// The plugin path in search order: config `plugin_path`, then
// $SLUICE_PLUGIN_PATH (colon-separated), then the local drop-in directory
// and the system directory.
std::vector<std::string> plugin_search_path(const std::vector<std::string>& from_config);

std::string capabilities_text(uint32_t capabilities);

}  // namespace sluice::loader
