// A plugin linked into the Lua tests (through the real C ABI): a source the
// test drives by hand (subjects, headers, requests) and a sink that records
// publishes and replies, or fails them.
#pragma once

#include <map>
#include <mutex>
#include <sluice/plugin.hpp>
#include <string>
#include <vector>

namespace sluice::test {

struct LuaRecorded {
  std::string payload;
  std::string subject;
  std::string key;
  std::string reply_to;  // set for replies
  std::map<std::string, std::string> headers;
};

struct LuaEmit {
  std::string payload;
  std::string key;
  std::string subject = "probe";
  std::string reply_to;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct LuaProbeOptions {
  std::string mode;  // record | fail
};

class LuaProbe : public Plugin {
 public:
  LuaProbe(Host host, const LuaProbeOptions& options);
  ~LuaProbe() override;

  Status start(std::string&) override { return Status::kOk; }
  Status publish(const MessageView& message, Completion& completion, std::string& error) override;
  // Answers at once with "reply:<payload>" ("fail" mode: an error).
  Status request(const MessageView& message, uint32_t timeout_ms, Completion& completion,
                 std::string& error) override;
  Status reply(std::string_view reply_to, const MessageView& message, Completion& completion,
               std::string& error) override;
  void ack(uint64_t ack_id, Outcome outcome) override;

  Status emit_message(const LuaEmit& message, uint32_t wait_ms = 1000);
  Status emit(std::string payload, std::string key, std::string subject = "probe",
              std::string reply_to = "") {
    LuaEmit e;
    e.payload = std::move(payload);
    e.key = std::move(key);
    e.subject = std::move(subject);
    e.reply_to = std::move(reply_to);
    return emit_message(e);
  }
  size_t acked() const;
  size_t nacked() const;
  std::vector<LuaRecorded> recorded() const;
  std::vector<LuaRecorded> replies() const;
  static LuaProbe* get(const std::string& connector);

 private:
  mutable std::mutex mutex_;
  std::string mode_;
  uint64_t next_id_ = 1;
  std::vector<std::pair<uint64_t, Outcome>> acks_;
  std::vector<LuaRecorded> recorded_;
  std::vector<LuaRecorded> replies_;
};

}  // namespace sluice::test

const sluice_plugin_descriptor* lua_probe_descriptor();
