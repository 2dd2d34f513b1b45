// NATS subject and URL syntax: `${node_id}` expansion, wildcard coverage
// between patterns (which route patterns a JetStream consumer serves), and
// the checks behind `sluice check`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::nats {

// Replaces every `${node_id}` in `text` with `node_id`.
std::string expand_node_id(std::string_view text, std::string_view node_id);

// Why `subject` is not a valid NATS subject (wildcards `*` and a final `>`
// allowed when `wildcards`), or nullopt when it is valid.
std::optional<std::string> subject_problem(std::string_view subject, bool wildcards);

// True when every subject matched by `pattern` is also matched by `filter`
// (e.g. "orders.>" covers "orders.*.eu"; "orders.*" does not cover "orders.>").
bool pattern_covered_by(std::string_view pattern, std::string_view filter);

// True when a concrete `subject` matches the wildcard `pattern`.
bool subject_matches(std::string_view subject, std::string_view pattern);

// Why `url` is not a usable NATS server URL ("nats://host:port",
// "tls://host:port", optional user:password@, or bare "host:port"), or
// nullopt when it is.
std::optional<std::string> url_problem(std::string_view url);

// `url` with any user:password@ part replaced by "***@", for logs and health.
std::string redact_url(std::string_view url);

// True when `url` asks for TLS (tls:// scheme).
bool url_wants_tls(std::string_view url);

}  // namespace sluice::nats
