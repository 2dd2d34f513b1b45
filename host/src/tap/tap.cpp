#include "tap/tap.hpp"

#include <sluice/common/line_io/line_format.hpp>
#include <sluice/plugin.hpp>

#include "routing/message_context.hpp"

namespace sluice::tap {

bool Tap::wants(const TappedMessage& m) const {
  if (!filter_.connector.empty() && m.connector != filter_.connector) return false;
  if (!filter_.route.empty() && (m.direction != Direction::kOut || m.route != filter_.route))
    return false;
  if (filter_.subject && !filter_.subject->matches(m.subject)) return false;
  if (filter_.where) {
    std::string_view source = m.direction == Direction::kIn ? m.connector : m.message.origin;
    routing::MessageContext context{m.message, source, filter_.node_id};
    if (!filter_.where->matches(context)) return false;
  }
  return true;
}

void Tap::drop() {
  dropped_since_take_.fetch_add(1, std::memory_order_relaxed);
  dropped_total_.fetch_add(1, std::memory_order_relaxed);
  if (dropped_metric_) dropped_metric_->inc();
}

void Tap::push(std::string line) {
  std::unique_lock lock(mutex_, std::try_to_lock);
  // Busy (the reader is taking lines, or another worker pushing) or full:
  // the line is dropped rather than waited for.
  if (!lock.owns_lock() || lines_.size() >= kMaxLines || bytes_ + line.size() > kMaxBytes)
    return drop();
  bytes_ += line.size();
  lines_.push_back(std::move(line));
}

bool Tap::take(std::string& out) {
  std::vector<std::string> lines;
  uint64_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    lines.swap(lines_);
    bytes_ = 0;
  }
  dropped = dropped_since_take_.exchange(0, std::memory_order_relaxed);
  if (dropped > 0) out += "{\"dropped\":" + std::to_string(dropped) + "}\n";
  for (const auto& line : lines) out += line;
  return dropped > 0 || !lines.empty();
}

std::string render_tap_line(const TappedMessage& m) {
  message::Envelope::CView view;
  m.message.to_c(view);
  view.message.subject = {m.subject.data(), m.subject.size()};
  std::string message_json;
  common::line_io::append_line(message_json, MessageView(&view.message),
                               common::line_io::LineFormat::kJson);
  std::string line = m.direction == Direction::kIn ? "{\"tap\":\"in\"" : "{\"tap\":\"out\"";
  line += ",\"connector\":";
  common::line_io::append_json_string(line, m.connector);
  if (!m.route.empty()) {
    line += ",\"route\":";
    common::line_io::append_json_string(line, m.route);
  }
  // append_line wrote one object: splice its members in after ours.
  line += ',';
  line.append(message_json, 1);
  return line;
}

TapLease::~TapLease() { hub_.close(tap_.get()); }

TapHub::TapHub(metrics::Registry& metrics)
    : dropped_(metrics.counter("sluice_tap_dropped_total",
                               "Messages a `sluice tap` reader did not see: its ring was full "
                               "(the reader was slower than the traffic) or busy")),
      taps_(std::make_shared<const TapList>()),
      metrics_(metrics) {
  metrics_.sampled_gauge(
      "sluice_taps_open", "`sluice tap` streams open now (at most 4)", {},
      [this] { return static_cast<double>(open_count_.load()); }, this);
}

TapHub::~TapHub() { metrics_.detach(this); }

std::unique_ptr<TapLease> TapHub::open(TapFilter filter, std::string& error) {
  std::lock_guard lock(mutex_);
  auto current = taps_.load();
  if (current->size() >= kMaxTaps) {
    error = std::to_string(kMaxTaps) + " taps are open already (the most at once); close one";
    return nullptr;
  }
  auto tap = std::make_shared<Tap>(std::move(filter), &dropped_);
  auto next = std::make_shared<TapList>(*current);
  next->push_back(tap);
  taps_.store(std::move(next));
  open_count_.fetch_add(1);
  return std::make_unique<TapLease>(*this, std::move(tap));
}

void TapHub::close(const Tap* tap) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<TapList>(*taps_.load());
  std::erase_if(*next, [tap](const auto& t) { return t.get() == tap; });
  taps_.store(std::move(next));
  open_count_.fetch_sub(1);
}

TapHub::Pending TapHub::prepare(const TappedMessage& m) const {
  Pending pending;
  pending.taps = taps_.load();
  std::string line;  // rendered once, copied for each further tap
  for (const auto& tap : *pending.taps) {
    if (!tap->wants(m)) continue;
    if (line.empty()) line = render_tap_line(m);
    pending.lines.emplace_back(tap.get(), line);
  }
  return pending;
}

void TapHub::commit(Pending pending) {
  for (auto& [tap, line] : pending.lines) tap->push(std::move(line));
}

}  // namespace sluice::tap
