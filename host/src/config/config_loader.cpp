// load_config / load_config_text: parse, read each section, resolve paths
// against the config file's directory, fill defaults.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "config/config_node.hpp"
#include "config/config_sections.hpp"
#include "config/field_reader.hpp"
#include "config/host_settings.hpp"
#include "config/regular_file.hpp"

namespace sluice::config {
namespace {

namespace fs = std::filesystem;

std::string hostname() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "sluice";
  return name;
}

class TopLevelReader {
 public:
  TopLevelReader(Config& config, const fs::path& base_dir, FieldReader& reader)
      : config_(config), base_dir_(base_dir), reader_(reader) {}

  void read(const ConfigNode& root) {
    const SettingsSpec& spec = top_level_settings();
    reader_.reject_unknown_keys(root, setting_names(spec), "", /*allow_extensions=*/true);
    if (auto* e = root.find("node_id")) read_node_id(e->value);
    if (auto* e = root.find("plugin_path")) read_plugin_path(e->value);
    if (auto* e = root.find("state_dir")) {
      if (auto v = reader_.string(e->value, "state_dir")) config_.state_dir = resolve(*v);
    }
    if (auto* e = root.find("workers")) {
      if (auto v = reader_.integer(e->value, "workers", declared(spec, "workers")))
        config_.workers = *v;
    }
    if (auto* e = root.find("queue_capacity")) {
      if (auto v = reader_.integer(e->value, "queue_capacity", declared(spec, "queue_capacity"))) {
        config_.queue_capacity = *v;
      }
    }
    if (auto* e = root.find("shutdown_timeout_ms")) {
      if (auto v = reader_.integer(e->value, "shutdown_timeout_ms",
                                   declared(spec, "shutdown_timeout_ms"))) {
        config_.shutdown_timeout_ms = *v;
      }
    }
    if (auto* e = root.find("script")) read_script(e->value);
    if (auto* e = root.find("script_limits")) read_script_limits(e->value);
    if (auto* e = root.find("admin")) read_admin(*e, config_.admin, reader_);
    if (auto* e = root.find("metrics")) read_metrics(e->value, config_.metrics, reader_);
    if (auto* e = root.find("logging")) read_logging(e->value, config_.logging, reader_);

    if (auto* e = root.find("connectors")) config_.connectors = read_connectors(e->value, reader_);
    ConnectorNames connector_names(config_.connectors);
    if (auto* e = root.find("control_subject")) {
      if (auto v = reader_.string(e->value, "control_subject")) {
        config_.control_subject = *v;
        check_connector_reference({*v, e->value.where}, "control_subject", connector_names,
                                  reader_);
      }
    }
    if (auto* e = root.find("routes")) {
      config_.routes = read_routes(e->value, connector_names, reader_);
    }
  }

 private:
  std::string resolve(const std::string& path) const {
    fs::path p(path);
    return (p.is_absolute() ? p : base_dir_ / p).lexically_normal().string();
  }

  void read_node_id(const ConfigNode& node) {
    auto v = reader_.string(node, "node_id");
    if (!v) return;
    for (unsigned char c : *v) {
      if (c <= ' ' || c == 0x7f) {
        reader_.error(node.where, "node_id: '" + *v +
                                      "' must not hold spaces or control "
                                      "characters (it names this instance in "
                                      "metrics and broker group names)");
        return;
      }
    }
    config_.node_id = *v;
  }

  void read_plugin_path(const ConfigNode& node) {
    auto entries = reader_.string_or_list(node, "plugin_path");
    if (!entries) return;
    config_.plugin_path.clear();
    for (const auto& e : *entries) config_.plugin_path.push_back(resolve(e.value));
  }

  void read_script(const ConfigNode& node) {
    auto v = reader_.string(node, "script", /*allow_empty=*/true);
    if (!v || v->empty()) return;
    std::string script = resolve(*v);
    std::error_code ec;
    // An unusable script is not kept: the runtime would read it (and block
    // on a FIFO) only to report it again.
    if (!fs::exists(script, ec)) {
      reader_.error(node.where, "script: no such file: " + script +
                                    " (a relative path is read from the config file's "
                                    "directory)");
    } else if (auto why = regular_file_problem(script, kMaxScriptFileBytes); !why.empty()) {
      reader_.error(node.where, "script: cannot use " + script + ": " + why);
    } else {
      config_.script = script;
    }
  }

  void read_script_limits(const ConfigNode& node) {
    if (!reader_.mapping_or_null(node, "script_limits")) return;
    const SettingsSpec& spec = script_limits_settings();
    reader_.reject_unknown_keys(node, setting_names(spec), "script_limits");
    if (auto* e = node.find("instructions")) {
      if (auto v = reader_.integer(e->value, "script_limits.instructions",
                                   declared(spec, "instructions")))
        config_.script_limits.instructions = *v;
    }
    if (auto* e = node.find("memory_mb")) {
      if (auto v =
              reader_.integer(e->value, "script_limits.memory_mb", declared(spec, "memory_mb")))
        config_.script_limits.memory_mb = *v;
    }
  }

  Config& config_;
  const fs::path& base_dir_;
  FieldReader& reader_;
};

}  // namespace

std::optional<std::string> process_env(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

Config load_config(const std::string& path, std::vector<Diagnostic>& errors) {
  auto fail = [&](const std::string& why) {
    errors.push_back({{path, 0, 0}, "cannot read the config file: " + why});
    Config config;
    config.path = path;
    return config;
  };
  std::string text;
  if (std::string why = read_regular_file(path, kMaxConfigFileBytes, text); !why.empty()) {
    return fail(why);
  }
  return load_config_text(text, path, errors);
}

Config load_config_text(std::string_view yaml_text, const std::string& display_name,
                        std::vector<Diagnostic>& errors, const EnvLookup& getenv) {
  Config config;
  config.path = display_name;
  config.node_id = hostname();
  std::error_code ec;
  // "sluice.yaml" and "<stdin>" alike live in the working directory.
  fs::path base_dir =
      fs::absolute(fs::path(display_name.empty() ? "." : display_name), ec).parent_path();
  if (ec) base_dir = fs::current_path(ec);
  if (auto dir = getenv("STATE_DIRECTORY"); dir && !dir->empty()) {
    // systemd sets it, colon-separated when the unit lists several.
    config.state_dir = dir->substr(0, dir->find(':'));
  } else {
    config.state_dir = (base_dir / "state").lexically_normal().string();
  }

  std::vector<Diagnostic> found;
  FieldReader reader(found);
  if (auto root = parse_config_yaml(yaml_text, display_name, getenv, found)) {
    if (root->is_mapping()) {
      TopLevelReader(config, base_dir, reader).read(*root);
    } else {
      reader.error(root->where,
                   "the config must be a mapping (node_id:, connectors:, routes:, "
                   "...), got a " +
                       std::string(root->is_sequence() ? "list" : "single value"));
    }
  }
  sort_and_dedupe(found);
  errors.insert(errors.end(), found.begin(), found.end());
  return config;
}

}  // namespace sluice::config
