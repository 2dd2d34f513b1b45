// How a sink writes one message as one line: the raw payload, or a JSON
// object carrying subject, key, headers, timestamp and payload. Shared by
// the file and stdio plugins.
#pragma once

#include <sluice/plugin.hpp>
#include <string>
#include <string_view>

namespace sluice::common::line_io {

enum class LineFormat { kRaw, kJson };

// "raw" or "json" (the values of the plugins' `format` setting).
LineFormat parse_line_format(std::string_view name);

// Appends `message` as one line, including its final '\n'.
// raw:  the payload bytes as they are (a payload with its own newlines
//       spans several lines).
// json: {"subject":..,"key":..|null,"headers":{..},"timestamp":ms,
//       "payload":..}; the payload is embedded as JSON when it is valid
//       JSON (made single-line), else as a string.
void append_line(std::string& out, const MessageView& message, LineFormat format);

// Appends `text` as a JSON string literal; invalid UTF-8 becomes U+FFFD.
void append_json_string(std::string& out, std::string_view text);

// True when `text` is one complete, valid JSON value.
bool is_valid_json(std::string_view text);

}  // namespace sluice::common::line_io
