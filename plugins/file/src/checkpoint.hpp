// Where a file source resumes: the file's identity (device and inode, so a
// rotated-away file is told from its successor) and the byte offset just
// past the last line acked without gaps. Stored as one small JSON object,
// replaced atomically (write a temp file, fsync, rename).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::file {

struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

struct FilePosition {
  FileIdentity file;
  uint64_t offset = 0;
  bool operator==(const FilePosition&) const = default;
};

class CheckpointStore {
 public:
  explicit CheckpointStore(std::string path) : path_(std::move(path)) {}

  // The stored position; nothing when there is no checkpoint yet. Throws
  // std::runtime_error when the file exists but cannot be read or parsed,
  // because silently starting over would re-read or skip a whole file.
  std::optional<FilePosition> load() const;

  // Replaces the checkpoint; returns "" or an error text. `source_path` is
  // stored for people reading the file.
  std::string save(const FilePosition& position, const std::string& source_path) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace sluice::file
