#include "polled_document.hpp"

#include <boost/json.hpp>
#include <sluice/common/json_path.hpp>

namespace sluice::http_plugin {

PolledDocument read_document(std::string_view body, const std::string& array_path) {
  PolledDocument out;
  if (array_path.empty()) {
    out.payloads.emplace_back(body);
    return out;
  }
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(body, ec);
  if (ec) {
    out.error = "the response is not JSON: " + ec.message();
    return out;
  }
  const boost::json::value* found = common::JsonPath(array_path).find(root);
  if (!found || !found->is_array()) {
    out.error = "the response has no array at '" + array_path + "'";
    return out;
  }
  for (const auto& item : found->get_array()) out.payloads.push_back(boost::json::serialize(item));
  return out;
}

}  // namespace sluice::http_plugin
