#pragma once

#include "streams/message.hpp"

#include <string>

namespace streams {

/// Turns a message that a step rejected as invalid into the record the dead-letter sink
/// writes: the payload as bytes (bytes as they are, JSON serialized; other types cannot be
/// written and leave it empty), the original key and headers, and headers saying why:
/// `streams-step`, `streams-error`, `streams-origin` ("source/partition/offset", one per
/// origin) and, for payloads that could not be written, `streams-payload-type`.
/// The lineage is kept, so the offsets are committed once the record is written.
message to_dead_letter(message m, const std::string& step, const std::string& reason);

} // namespace streams
