#include "loader/plugin_registry.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <boost/system/error_code.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "loader/load_probe.hpp"
#include "log/logger.hpp"

namespace sluice::loader {
namespace fs = std::filesystem;

namespace {
// RTLD_NOW: an unresolved symbol is reported here, with the loader's own
// text, instead of crashing later. RTLD_LOCAL keeps plugins apart.
// RTLD_NODELETE: client libraries (cnats, librdkafka) keep internal threads
// and globals past the last destroy call; unmapping their code at exit
// would crash those threads and turn their globals into leaks.
constexpr int kDlopenMode = RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE;

std::string version_text(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

bool valid_plugin_name(const char* name) {
  if (!name || !*name) return false;
  for (const char* p = name; *p; ++p)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
  return true;
}
}  // namespace

common::SubjectSyntax LoadedPlugin::subject_syntax() const {
  if (!SLUICE_HAS_FIELD(descriptor, sluice_plugin_descriptor, subject_syntax))
    return common::SubjectSyntax::kAuto;
  switch (descriptor->subject_syntax) {
    case SLUICE_SUBJECT_SYNTAX_LITERAL:
      return common::SubjectSyntax::kLiteral;
    case SLUICE_SUBJECT_SYNTAX_NATS:
      return common::SubjectSyntax::kNats;
    case SLUICE_SUBJECT_SYNTAX_MQTT:
      return common::SubjectSyntax::kMqtt;
    case SLUICE_SUBJECT_SYNTAX_AMQP:
      return common::SubjectSyntax::kAmqp;
    case SLUICE_SUBJECT_SYNTAX_GLOB:
      return common::SubjectSyntax::kGlob;
    default:
      return common::SubjectSyntax::kAuto;
  }
}

std::string capabilities_text(uint32_t caps) {
  std::string out;
  auto add = [&](const char* s) { out += (out.empty() ? "" : ",") + std::string(s); };
  if (caps & SLUICE_CAP_SOURCE) add("source");
  if (caps & SLUICE_CAP_SINK) add("sink");
  if (caps & SLUICE_CAP_REQUEST) add("request");
  return out;
}

std::vector<std::string> plugin_search_path(const std::vector<std::string>& from_config) {
  std::vector<std::string> dirs = from_config;
  if (const char* env = std::getenv("SLUICE_PLUGIN_PATH")) {
    std::string s(env);
    size_t start = 0;
    while (start <= s.size()) {
      size_t end = s.find(':', start);
      if (end == std::string::npos) end = s.size();
      if (end > start) dirs.push_back(s.substr(start, end - start));
      start = end + 1;
    }
  }
  dirs.emplace_back(SLUICE_LOCAL_PLUGIN_DIR);
  dirs.emplace_back(SLUICE_SYSTEM_PLUGIN_DIR);
  // Keep the first occurrence of each directory.
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (auto& d : dirs) {
    std::error_code ec;
    auto canon = fs::weakly_canonical(d, ec).string();
    if (seen.insert(ec ? d : canon).second) unique.push_back(ec ? d : canon);
  }
  return unique;
}

std::string PluginRegistry::load_file(const std::string& file, const std::string& directory) {
  auto plugin = std::make_unique<LoadedPlugin>();
  plugin->file = file;
  plugin->directory = directory;
  boost::system::error_code ec;
  // The last line before a crash inside dlopen names the file.
  log::debug("loader", "loading plugin file " + file);
  plugin->library.load(boost::dll::fs::path(file),
                       static_cast<boost::dll::load_mode::type>(kDlopenMode), ec);
  if (ec) {
    const char* why = dlerror();
    return std::string("cannot be loaded: ") + (why ? why : ec.message());
  }
  if (!plugin->library.has(SLUICE_PLUGIN_ENTRY_SYMBOL))
    return "is not a sluice plugin: it does not export the entry symbol "
           "'" SLUICE_PLUGIN_ENTRY_SYMBOL "'";
  auto entry = plugin->library.get<const sluice_plugin_descriptor*()>(SLUICE_PLUGIN_ENTRY_SYMBOL);
  return admit(std::move(plugin), entry());
}

std::string PluginRegistry::add_linked(const sluice_plugin_descriptor* descriptor,
                                       const std::string& origin) {
  auto plugin = std::make_unique<LoadedPlugin>();
  plugin->file = origin;
  plugin->directory = origin;
  if (descriptor && descriptor->name && find(descriptor->name))
    return "a plugin named '" + std::string(descriptor->name) + "' is already loaded";
  return admit(std::move(plugin), descriptor);
}

std::string PluginRegistry::admit(std::unique_ptr<LoadedPlugin> plugin,
                                  const sluice_plugin_descriptor* d) {
  if (!d) return "its entry point returned no descriptor";
  if (d->struct_size < offsetof(sluice_plugin_descriptor, vtable) + sizeof(d->vtable))
    return "its descriptor is truncated (struct_size " + std::to_string(d->struct_size) + ")";
  if (d->abi_major != SLUICE_ABI_MAJOR)
    return "was built for plugin ABI " + version_text(d->abi_major, d->abi_minor) +
           ", but this sluice speaks ABI " + version_text(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR) +
           " (the major version must match; rebuild the plugin against this SDK)";
  if (d->abi_minor > SLUICE_ABI_MINOR)
    return "was built for plugin ABI " + version_text(d->abi_major, d->abi_minor) +
           ", newer than this sluice's ABI " + version_text(SLUICE_ABI_MAJOR, SLUICE_ABI_MINOR) +
           " (upgrade sluice or rebuild the plugin against an older SDK)";
  if (!valid_plugin_name(d->name))
    return "has an invalid name '" + std::string(d->name ? d->name : "") +
           "' (use lowercase letters, digits and _)";
  const sluice_plugin_vtable* v = d->vtable;
  if (!v || v->struct_size < offsetof(sluice_plugin_vtable, destroy) + sizeof(v->destroy) ||
      !v->validate || !v->create || !v->start || !v->stop || !v->destroy)
    return "has an incomplete function table (validate, create, start, stop and destroy are "
           "required)";
  if ((d->capabilities & SLUICE_CAP_SINK) && !v->publish)
    return "declares the sink capability but has no publish function";
  if ((d->capabilities & SLUICE_CAP_SOURCE) && !v->ack)
    return "declares the source capability but has no ack function";
  if (SLUICE_HAS_FIELD(d, sluice_plugin_descriptor, subject_syntax) &&
      d->subject_syntax > SLUICE_SUBJECT_SYNTAX_GLOB)
    return "declares an unknown subject syntax (" + std::to_string(d->subject_syntax) +
           "; known: 0 any, 1 literal, 2 NATS, 3 MQTT, 4 AMQP, 5 glob)";
  plugin->descriptor = d;
  plugins_.push_back(std::move(plugin));
  return "";
}

void PluginRegistry::load_directories(const std::vector<std::string>& directories) {
  for (const auto& dir : directories) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    searched_.push_back(dir);
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".so" && entry.is_regular_file(ec))
        files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    size_t first_new = plugins_.size();
    auto crashing = files_that_crash_when_loaded(files, kDlopenMode);
    for (const auto& file : files) {
      auto crash = crashing.find(file);
      std::string reason = crash != crashing.end() ? crash->second : load_file(file, dir);
      if (!reason.empty()) refusals_.push_back({file, reason});
    }
    // Name clashes: within this directory both go; an earlier directory wins.
    std::map<std::string, std::vector<size_t>> by_name;
    for (size_t i = first_new; i < plugins_.size(); ++i) by_name[plugins_[i]->name()].push_back(i);
    std::set<size_t> remove;
    for (const auto& [name, indexes] : by_name) {
      if (indexes.size() > 1) {
        std::string files_text;
        for (size_t i : indexes) files_text += (files_text.empty() ? "" : ", ") + plugins_[i]->file;
        for (size_t i : indexes) {
          refusals_.push_back({plugins_[i]->file, "declares the plugin name '" + name +
                                                      "', which more than one file in " + dir +
                                                      " declares (" + files_text + ")"});
          remove.insert(i);
        }
        continue;
      }
      for (size_t j = 0; j < first_new; ++j) {
        if (plugins_[j]->name() == name) {
          shadowed_.push_back(
              {plugins_[indexes[0]]->file, "is shadowed by " + plugins_[j]->file +
                                               ", which declares the same plugin name '" + name +
                                               "' earlier in the plugin path"});
          remove.insert(indexes[0]);
        }
      }
    }
    for (auto it = remove.rbegin(); it != remove.rend(); ++it)
      plugins_.erase(plugins_.begin() + static_cast<long>(*it));
  }
}

const LoadedPlugin* PluginRegistry::find(const std::string& name) const {
  for (const auto& p : plugins_)
    if (p->name() == name) return p.get();
  return nullptr;
}

}  // namespace sluice::loader
