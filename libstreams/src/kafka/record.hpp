#pragma once

// Internal to streams_kafka: a consumed Kafka record as a message.

#include "streams/message.hpp"

#include <librdkafka/rdkafka.h>

namespace streams::kafka::detail {

/// The record's value (as bytes), key, headers in order and timestamp (now when it has
/// none); no schema or lineage, which are the reader's to set.
message from_record(const rd_kafka_message_t& m);

} // namespace streams::kafka::detail
