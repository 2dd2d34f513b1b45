// The Kafka connector's settings, declared once, and their translation into
// librdkafka configuration for the consumer and the producer. `sluice check`
// applies every resulting property to a real librdkafka configuration, so a
// misspelt or invalid property is refused with librdkafka's own words.
#pragma once

#include <sluice/settings.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rdkafka_handles.hpp"

namespace sluice::kafka {

const SettingsSpec& settings();

enum class Role { kConsumer, kProducer };

using Properties = std::vector<std::pair<std::string, std::string>>;

// librdkafka properties for one client, derived from the settings, in the
// order they are applied: the user's `properties` map comes last and wins.
// `client_id` falls back to `node_id`.
Properties client_properties(const Config& config, Role role, std::string_view node_id);

// A new rd_kafka_conf_t with `properties` applied. On the first property
// librdkafka refuses, returns nullptr and sets `error` to
// "property 'name': <librdkafka's message>".
ConfPtr make_conf(const Properties& properties, std::string& error);

// Checks what the settings table cannot: combinations, the `properties`
// map, and every property against librdkafka itself (without connecting).
void validate_settings(const Config& config, std::vector<std::string>& errors);

// 'C' consumer, 'P' producer, '*' both, or '\0' when librdkafka does not
// know the property, as librdkafka's own property table says.
char property_role(std::string_view name);

}  // namespace sluice::kafka
