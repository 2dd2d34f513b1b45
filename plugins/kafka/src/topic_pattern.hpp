// Turns a route's subject pattern (`from: kafka:<pattern>`) into what a
// Kafka subscription takes: a topic name, or a `^regex`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::kafka {

// - "" and the catch-alls "*", ">", "#": nothing (the configured `topics`);
// - "^...": a librdkafka regular expression, unchanged;
// - with wildcards ("orders.*", "tracking.>"): a regex where `*` stands for
//   one dot-separated segment and `>` or `#` for the rest;
// - anything else: a topic name.
std::optional<std::string> subscription_for_pattern(std::string_view pattern);

}  // namespace sluice::kafka
