#pragma once

// Internal: how errors spell the place of a key, "pipeline.segments[0].steps_config.sink.topic".

#include <cstddef>
#include <string>
#include <string_view>

namespace streams::config::detail {

/// The path of key `key` under `parent`. A key that is not a plain word (librdkafka's
/// "max.poll.interval.ms") is written `parent["max.poll.interval.ms"]`, so that the path
/// stays unambiguous.
std::string child_path(std::string_view parent, std::string_view key);

/// The path of element `index` of the list at `parent`: "parent[index]".
std::string item_path(std::string_view parent, std::size_t index);

} // namespace streams::config::detail
