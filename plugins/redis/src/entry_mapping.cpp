// Stream entry <-> message mapping (see entry_mapping.hpp).
#include "entry_mapping.hpp"

#include <boost/json.hpp>

namespace sluice::redis {

MappedEntry map_entry(const FieldList& fields, EntryFormat format,
                      const std::string& payload_field) {
  MappedEntry out;
  if (format == EntryFormat::kJson) {
    boost::json::object object;
    for (const auto& [name, value] : fields) object[name] = value;
    out.payload = boost::json::serialize(object);
    return out;
  }
  bool have_payload = false;
  for (const auto& [name, value] : fields) {
    if (!have_payload && name == payload_field) {
      out.payload = value;
      have_payload = true;
    } else {
      out.headers.emplace_back(name, value);
    }
  }
  return out;
}

FieldList fields_of(std::string_view payload, const FieldList& headers,
                    const std::string& payload_field) {
  FieldList out;
  out.reserve(headers.size() + 1);
  out.emplace_back(payload_field, std::string(payload));
  for (const auto& [name, value] : headers)
    if (name != payload_field) out.emplace_back(name, value);
  return out;
}

}  // namespace sluice::redis
