#include <boost/json.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "loader/plugin_registry.hpp"

namespace sluice::cli {

int plugins_command(const Options& options) {
  // The config is optional here: use its plugin_path when it loads.
  std::vector<std::string> from_config;
  std::vector<config::Diagnostic> diagnostics;
  auto cfg = config::load_config(options.config_path, diagnostics);
  if (diagnostics.empty()) from_config = cfg.plugin_path;

  loader::PluginRegistry registry;
  auto path = loader::plugin_search_path(from_config);
  registry.load_directories(path);

  if (options.json) {
    boost::json::array plugins;
    for (const auto& p : registry.plugins()) {
      const auto* d = p->descriptor;
      boost::system::error_code ec;
      auto schema = boost::json::parse(d->config_schema ? d->config_schema : "{}", ec);
      plugins.push_back(boost::json::object{
          {"name", d->name},
          {"version", d->version ? d->version : ""},
          {"description", d->description ? d->description : ""},
          {"abi", std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor)},
          {"capabilities", loader::capabilities_text(d->capabilities)},
          {"subject_syntax", common::subject_syntax_name(p->subject_syntax())},
          {"file", p->file},
          {"directory", p->directory},
          {"config_schema", ec ? boost::json::value(nullptr) : schema}});
    }
    boost::json::array refused;
    for (const auto& r : registry.refusals())
      refused.push_back(boost::json::object{{"file", r.file}, {"reason", r.reason}});
    boost::json::array shadowed;
    for (const auto& r : registry.shadowed())
      shadowed.push_back(boost::json::object{{"file", r.file}, {"reason", r.reason}});
    boost::json::array searched;
    for (const auto& d : path) searched.emplace_back(d);
    std::cout << boost::json::serialize(boost::json::object{{"plugins", plugins},
                                                            {"refused", refused},
                                                            {"shadowed", shadowed},
                                                            {"search_path", searched}})
              << "\n";
  } else {
    std::cout << "plugin path:";
    for (const auto& d : path) std::cout << " " << d;
    std::cout << "\n";
    for (const auto& p : registry.plugins()) {
      const auto* d = p->descriptor;
      std::cout << d->name << " " << (d->version ? d->version : "") << "  ABI " << d->abi_major
                << "." << d->abi_minor << "  [" << loader::capabilities_text(d->capabilities)
                << "]  subjects: " << common::subject_syntax_name(p->subject_syntax()) << "  "
                << p->file << "\n    " << (d->description ? d->description : "") << "\n";
    }
    for (const auto& r : registry.shadowed()) std::cout << "shadowed: " << r.str() << "\n";
    for (const auto& r : registry.refusals()) std::cerr << "refused: " << r.str() << "\n";
  }
  return registry.refusals().empty() ? kExitOk : kExitPluginErrors;
}

}  // namespace sluice::cli
