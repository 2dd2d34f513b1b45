// "Did you mean ...?" for near-miss names: a misspelt key or connector name
// is the most common config mistake, and the fix is usually one letter away.
// The host's config and the SDK's settings tables both suggest through it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::common {

// Optimal string alignment distance: insertions, deletions, substitutions and
// swaps of adjacent letters ("wokrers") each cost one.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a plausible
// typo (a few edits, ignoring case, '_' and '-'); nullopt otherwise.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string_view>& candidates);

// "; did you mean 'workers'?" or "" — ready to append to a message.
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace sluice::common
