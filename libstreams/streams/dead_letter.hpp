#pragma once

#include "streams/message.hpp"

#include <string>

namespace streams {

struct payload_codec;

/// Turns a message that a step rejected as invalid into the record the dead-letter sink
/// writes: the payload as bytes (bytes as they are, JSON serialized, other types in the binary
/// form of `codec` when it is theirs, with a `streams-payload-codec` header naming the type;
/// otherwise left empty), the original key and headers, and headers saying why:
/// `streams-source` (the source step it derives from), `streams-step`, `streams-error`,
/// `streams-rejected-at` (milliseconds since the epoch), `streams-origin`
/// ("source/partition/offset", one per origin) and, for payloads that could not be written,
/// `streams-payload-type`. The lineage is kept, so the offsets are committed once the record
/// is written. A Kafka dead-letter sink writes the source's original records instead, with
/// these headers (`kafka_dead_letter_sink`).
message to_dead_letter(message m, const std::string& source, const std::string& step,
                       const std::string& reason, const payload_codec* codec = nullptr);

/// The value of the last header called `name` of `m`, or "": dead letters append their
/// headers after the message's own, which may hold earlier ones of the same name.
std::string last_header(const message& m, const std::string& name);

} // namespace streams
