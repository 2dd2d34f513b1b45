// How a stream entry's fields become a message and a message becomes the
// fields of XADD/HSET: the `payload_field` carries the payload and every
// other field is a header (entry_format `fields`), or the whole entry is one
// JSON object of its fields (entry_format `json`).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "redis_settings.hpp"

namespace sluice::redis {

using FieldList = std::vector<std::pair<std::string, std::string>>;

struct MappedEntry {
  std::string payload;
  FieldList headers;
};

// Reading: an entry's field/value pairs -> payload and headers.
MappedEntry map_entry(const FieldList& fields, EntryFormat format,
                      const std::string& payload_field);

// Writing: the payload under `payload_field`, then each header as a field
// (a header named like the payload field is left out: the payload wins).
FieldList fields_of(std::string_view payload, const FieldList& headers,
                    const std::string& payload_field);

}  // namespace sluice::redis
