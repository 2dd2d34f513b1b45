#include "runtime/connector_budget.hpp"

#include <boost/json.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "log/logger.hpp"
#include "runtime/connector.hpp"
#include "runtime/route_stats.hpp"
#include "runtime/router.hpp"

namespace sluice::runtime {

namespace {

// How long a throttle decides alone after its store failed to answer, so an
// outage costs one timeout per second per worker, not one per message.
constexpr std::chrono::seconds kLocalAfterFailure{1};

// The reply of one lease request, filled on whatever thread completes it.
struct LeaseWait {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::string error;
  std::string payload;
};

}  // namespace

std::optional<routing::SharedBudget::Grant> parse_take_reply(std::string_view payload,
                                                             uint32_t want) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(payload, ec);
  const auto* object = ec ? nullptr : doc.if_object();
  const auto* value = object ? object->if_contains("value") : nullptr;
  const auto* pair = value ? value->if_array() : nullptr;
  if (!pair || pair->size() != 2 || !(*pair)[0].is_int64() || !(*pair)[1].is_int64())
    return std::nullopt;
  int64_t granted = (*pair)[0].get_int64(), reset_ms = (*pair)[1].get_int64();
  if (granted < 0 || granted > want || reset_ms < 0) return std::nullopt;
  return routing::SharedBudget::Grant{static_cast<uint32_t>(granted),
                                      std::chrono::milliseconds(reset_ms)};
}

ConnectorBudget::ConnectorBudget(Connector& store, const routing::SharedThrottle& settings,
                                 double rate, RouteStats& route)
    : store_(store),
      route_(route),
      prefix_(settings.key_prefix + route.name + ":"),
      limit_(settings.limit(rate)),
      lease_(settings.lease_size(rate)),
      window_(settings.window),
      timeout_(settings.timeout) {}

std::optional<routing::SharedBudget::Grant> ConnectorBudget::take(std::string_view key,
                                                                  uint32_t want) {
  if (!out_) return std::nullopt;
  if (Clock::now() < local_until_) return std::nullopt;

  auto request = std::make_shared<message::Envelope>();
  request->payload = boost::json::serialize(boost::json::object{
      {"op", "take"},
      {"key", prefix_ + std::string(key)},
      {"count", want},
      {"limit", limit_},
      {"window_ms", window_.count()},
  });
  request->headers.push_back({"content-type", "application/json"});
  Output output(OutputKind::kRequest, Target{&store_, "@kv"}, std::move(request));
  output.timeout_ms = static_cast<uint32_t>(timeout_.count());
  auto wait = std::make_shared<LeaseWait>();
  output.on_reply = [wait](sluice_status status, const std::string& error,
                           message::EnvelopePtr reply) {
    std::lock_guard lock(wait->mutex);
    if (status == SLUICE_OK && reply)
      wait->payload = reply->payload;
    else
      wait->error = error.empty() ? "no reply" : error;
    wait->done = true;
    wait->done_cv.notify_one();
  };
  out_->send_unowned(std::move(output));

  std::unique_lock lock(wait->mutex);
  if (!wait->done_cv.wait_for(lock, timeout_, [&] { return wait->done; }))
    return fall_back("no answer within " + std::to_string(timeout_.count()) + " ms");
  if (!wait->error.empty()) return fall_back(wait->error);
  auto grant = parse_take_reply(wait->payload, want);
  if (!grant) return fall_back("unexpected answer " + wait->payload);
  if (warned_) {
    log::info(route_.name,
              "shared throttle: '" + store_.name() + "' answers again; the budget is shared again");
    warned_ = false;
  }
  return grant;
}

std::optional<routing::SharedBudget::Grant> ConnectorBudget::fall_back(const std::string& why) {
  local_until_ = Clock::now() + kLocalAfterFailure;
  route_.shared_fallbacks.inc();
  if (!warned_)
    log::warn(route_.name, "shared throttle: no lease from '" + store_.name() + "' (" + why +
                               "); this node throttles with its own bucket until it answers");
  warned_ = true;
  return std::nullopt;
}

}  // namespace sluice::runtime
