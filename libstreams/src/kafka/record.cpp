#include "record.hpp"

namespace streams::kafka::detail {

message from_record(const rd_kafka_message_t& m) {
  message msg(m.payload ? bytes(static_cast<const char*>(m.payload), m.len) : bytes());
  if (m.key)
    msg.set_key(bytes(static_cast<const char*>(m.key), m.key_len));
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(&m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0;
         rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
      msg.add_header(name,
                     value ? std::string(static_cast<const char*>(value), size) : std::string());
  }
  rd_kafka_timestamp_type_t type;
  auto ts = rd_kafka_message_timestamp(&m, &type);
  msg.set_timestamp(ts >= 0 ? ts : now_ms());
  return msg;
}

} // namespace streams::kafka::detail
