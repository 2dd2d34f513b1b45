// Checks "host:port" listen and peer addresses (127.0.0.1:9600, localhost:8125,
// [::1]:9600) so a typo fails at `sluice check`, not when the socket opens.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::config {

// nullopt when `address` is a valid host:port (port 0-65535), else what is wrong.
std::optional<std::string> host_port_problem(std::string_view address);

}  // namespace sluice::config
