// Readers for the parts of a config file, each filling its part of Config
// and reporting what is wrong through the FieldReader. load_config_text
// calls them in order.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "config/config.hpp"
#include "config/config_node.hpp"
#include "config/field_reader.hpp"

namespace sluice::config {

void read_admin(const ConfigNode::Entry& entry, AdminConfig& admin, FieldReader& reader);
void read_metrics(const ConfigNode& node, MetricsConfig& metrics, FieldReader& reader);
void read_logging(const ConfigNode& node, LoggingConfig& logging, FieldReader& reader);

// Every entry of `connectors:`, also the broken ones (their errors reported).
std::vector<ConnectorConfig> read_connectors(const ConfigNode& node, FieldReader& reader);

// Every name declared under connectors:, valid or not, so that one broken
// connector does not also fail each route naming it. Hashed: a config with
// thousands of connectors and routes checks each reference in constant time.
class ConnectorNames {
 public:
  explicit ConnectorNames(const std::vector<ConnectorConfig>& connectors);
  bool contains(const std::string& name) const { return set_.count(name) != 0; }
  bool empty() const { return in_order_.empty(); }
  // In declaration order, for "did you mean".
  std::vector<std::string_view> in_order() const;

 private:
  std::vector<std::string> in_order_;
  std::unordered_set<std::string> set_;
};

std::vector<RouteConfig> read_routes(const ConfigNode& node, const ConnectorNames& connector_names,
                                     FieldReader& reader);

// Checks that "connector" / "connector:subject" names a declared connector.
void check_connector_reference(const LocatedString& target, std::string_view path,
                               const ConnectorNames& connector_names, FieldReader& reader);

}  // namespace sluice::config
