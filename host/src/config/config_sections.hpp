// Readers for the parts of a config file, each filling its part of Config
// and reporting what is wrong through the FieldReader. load_config_text
// calls them in order.
#pragma once

#include <string>
#include <string_view>
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

// `connector_names`: every name declared under connectors:, valid or not, so
// that one broken connector does not also fail each route naming it.
std::vector<RouteConfig> read_routes(const ConfigNode& node,
                                     const std::vector<std::string>& connector_names,
                                     FieldReader& reader);

// Checks that "connector" / "connector:subject" names a declared connector.
void check_connector_reference(const LocatedString& target, std::string_view path,
                               const std::vector<std::string>& connector_names,
                               FieldReader& reader);

}  // namespace sluice::config
