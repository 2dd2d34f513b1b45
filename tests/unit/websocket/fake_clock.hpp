// A clock the test moves by hand, for throttles and token expiry.
#pragma once

#include "clock.hpp"

namespace sluice::websocket::testing {

class FakeClock final : public Clock {
 public:
  TimePoint now() const override { return now_; }
  int64_t unix_seconds() const override { return unix_; }
  void advance(Duration d) {
    now_ += d;
    unix_ += std::chrono::duration_cast<std::chrono::seconds>(d).count();
  }
  void set_unix(int64_t s) { unix_ = s; }

 private:
  TimePoint now_{std::chrono::hours(1)};
  int64_t unix_ = 1'700'000'000;
};

}  // namespace sluice::websocket::testing
