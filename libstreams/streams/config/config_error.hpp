#pragma once

#include <iosfwd>
#include <string>

namespace streams::config {

/// One thing wrong with a deployment config, found while loading it. Always the user's
/// error (the file, the environment or their fit with the pipeline), so retrying cannot help;
/// the CLI prints each with `to_string`, one per line, and exits with code 2.
struct config_error {
  /// The key concerned, "pipeline.segments[0].steps_config.mysink.topic"; empty when the
  /// error concerns the whole file (it cannot be read, or it is not YAML).
  std::string path;
  /// What was expected and what was found: "expected a string, found a map".
  std::string message;
  /// The file loaded; empty when the config came as text.
  std::string file;
  /// Where in the file, counting from 1; 0 when the error concerns no one place of it (the
  /// file cannot be read).
  int line = 0;
  int column = 0;
};

/// One line: "<path>: <message> (<file>, line L, column C)".
std::string to_string(const config_error& e);
std::ostream& operator<<(std::ostream& out, const config_error& e);

} // namespace streams::config
