#pragma once

#include "streams/step_operator.hpp"

namespace streams {

/// Parses a bytes payload into `streams::json`; malformed JSON is an invalid message.
class json_parser_step : public step_operator {
public:
  void process(message& m, emitter& out) override;
};

/// Serializes a `streams::json` payload, or a batch of them as one JSON array, to bytes.
class json_serializer_step : public step_operator {
public:
  void process(message& m, emitter& out) override;
};

} // namespace streams
