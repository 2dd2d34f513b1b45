// Temporary directories and whole-file reads/writes for tests.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::test {

// A fresh, unique directory under $TMPDIR (or /tmp), removed with everything in
// it on destruction. Set SLUICE_KEEP_TEMP=1 to keep it for a post-mortem (its
// path is then printed to stderr).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, as a string (handy for configs and argv).
  std::string file(std::string_view name) const;

 private:
  void remove() noexcept;
  std::filesystem::path path_;
};

// Creates or truncates `path` (and its parent directories) with `content`.
void write_file(const std::filesystem::path& path, std::string_view content);
// Appends `content` to `path`, creating it if needed.
void append_file(const std::filesystem::path& path, std::string_view content);
// The whole file; throws std::runtime_error naming the path if it cannot be read.
std::string read_file(const std::filesystem::path& path);
// The file's lines without their '\n' (a final line without '\n' is included);
// throws like read_file.
std::vector<std::string> read_lines(const std::filesystem::path& path);
// Number of complete ('\n'-terminated) lines, 0 if the file does not exist yet:
// meant for wait_until predicates that watch a sink's output grow.
std::size_t count_lines(const std::filesystem::path& path);

}  // namespace sluice::test
