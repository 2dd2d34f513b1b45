#include <algorithm>
#include <cctype>
#include <sluice/common/did_you_mean.hpp>

namespace sluice::common {
namespace {

std::string folded(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '_' || c == '-') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates) {
  // Names longer than this are not typos of a config key; skip the quadratic work.
  constexpr size_t kMaxLength = 64;
  if (word.size() > kMaxLength) return std::nullopt;
  std::string w = folded(word);
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (auto candidate : candidates) {
    if (candidate.size() > kMaxLength) continue;
    std::string c = folded(candidate);
    size_t allowed = std::max<size_t>(1, std::min(w.size(), c.size()) / 3);
    // The distance is at least the difference in length, and a prefix match
    // differs by at most 3: skip the quadratic work for names that cannot
    // match (thousands of connector names for one unknown reference).
    size_t length_gap = w.size() > c.size() ? w.size() - c.size() : c.size() - w.size();
    if (length_gap > std::max<size_t>(allowed, 3)) continue;
    size_t distance = edit_distance(w, c);
    // A name missing or adding a short suffix ("statsd_interval", "warning") is
    // still that name.
    const std::string& shorter = w.size() < c.size() ? w : c;
    const std::string& longer = w.size() < c.size() ? c : w;
    bool is_prefix = shorter.size() >= 4 && longer.size() - shorter.size() <= 3 &&
                     longer.compare(0, shorter.size(), shorter) == 0;
    if (distance > allowed && !is_prefix) continue;
    if (is_prefix) distance = std::min(distance, allowed);
    if (!best || distance < best_distance) {
      best = std::string(candidate);
      best_distance = distance;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates) {
  auto match = closest_match(word, candidates);
  return match ? "; did you mean '" + *match + "'?" : "";
}

}  // namespace sluice::common
