#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace streams {

/// Thrown by a user function (or a built-in step) when one message cannot be processed
/// however often it is retried: malformed JSON, a header that is not an integer, a router
/// key naming no branch. The platform sends the message to the dead-letter sink, commits
/// past it and carries on. Any other exception counts as a failure of the step instead.
class invalid_message : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Thrown when a pipeline is built wrongly; `problems()` holds one line per problem,
/// each naming the steps involved.
class pipeline_error : public std::runtime_error {
public:
  explicit pipeline_error(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

private:
  std::vector<std::string> problems_;
};

} // namespace streams
