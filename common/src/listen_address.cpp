#include "sluice/common/listen_address.hpp"

#include <charconv>

namespace sluice::common {

bool split_listen(const std::string& listen, std::string& host, uint16_t& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const char* first = listen.data() + colon + 1;
  const char* last = listen.data() + listen.size();
  unsigned value = 0;
  auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || end != last || first == last || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace sluice::common
