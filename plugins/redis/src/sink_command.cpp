// The command each sink mode sends (see sink_command.hpp).
#include "sink_command.hpp"

#include <algorithm>

#include "entry_mapping.hpp"

namespace sluice::redis {

std::vector<std::string> sink_command(const RedisSettings& s, const MessageView& message,
                                      int64_t now_ms, std::string& error) {
  std::string key(message.subject().empty() ? std::string_view(s.target) : message.subject());
  if (key.empty()) {
    error =
        "the message has no subject (channel, stream, list or key) and the connector has no "
        "'target'";
    return {};
  }
  std::string payload(message.payload());
  auto with_fields = [&](std::vector<std::string> args) {
    FieldList headers;
    for (size_t i = 0; i < message.header_count(); ++i)
      headers.emplace_back(message.header_name(i), message.header_value(i));
    for (auto& [f, v] : fields_of(payload, headers, s.payload_field)) {
      args.push_back(std::move(f));
      args.push_back(std::move(v));
    }
    return args;
  };
  switch (s.sink) {
    case SinkMode::kPublish:
      return {"PUBLISH", key, payload};
    case SinkMode::kLpush:
      return {"LPUSH", key, payload};
    case SinkMode::kRpush:
      return {"RPUSH", key, payload};
    case SinkMode::kSet:
      if (s.ttl_ms > 0) return {"SET", key, payload, "PX", std::to_string(s.ttl_ms)};
      return {"SET", key, payload};
    case SinkMode::kHset:
      return with_fields({"HSET", key});
    case SinkMode::kXadd: {
      std::vector<std::string> args = {"XADD", key};
      if (s.stream_maxlen > 0) {
        args.insert(args.end(), {"MAXLEN", "~", std::to_string(s.stream_maxlen)});
      } else if (s.stream_max_age_ms > 0) {
        int64_t min = std::max<int64_t>(0, now_ms - s.stream_max_age_ms);
        args.insert(args.end(), {"MINID", "~", std::to_string(min) + "-0"});
      }
      args.emplace_back("*");
      return with_fields(std::move(args));
    }
  }
  error = "unknown sink mode";
  return {};
}

}  // namespace sluice::redis
