#pragma once

// The wire form of messages: what crosses a process boundary when the segments of a pipeline
// run on different nodes (docs/concepts.md, "Execution plan"). Inside a process messages are
// never encoded.

#include "streams/message.hpp"
#include "streams/payload_type_name.hpp"
#include "streams/state/codec.hpp"

#include <stdexcept>
#include <string>
#include <string_view>
#include <typeindex>
#include <vector>

namespace streams {

/// Bytes that are not a message's wire form: truncated, or of another version.
class wire_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// How the payloads of one type are encoded. The DSL gives every step whose output type the
/// codec knows (`codec::encodable`) one of these (`step_node::output_codec`); a step without
/// one cannot send to another node.
struct payload_codec {
  std::type_index id;
  std::string type; ///< its readable name
  void (*encode)(const value& payload, std::string& out);
  value (*decode)(std::string_view& in);
};

/// The codec of `T`'s payloads, or null when `T` has none.
template <class T>
const payload_codec* payload_codec_of() {
  if constexpr (codec::encodable<T>::value && std::is_default_constructible_v<T>) {
    static const payload_codec c{typeid(T), type_name<T>::get(),
                                 [](const value& payload, std::string& out) {
                                   using codec::encode;
                                   encode(out, *payload.get_if<T>());
                                 },
                                 [](std::string_view& in) -> value {
                                   using codec::decode;
                                   T x{};
                                   decode(in, x);
                                   return value(std::move(x));
                                 }};
    return &c;
  } else {
    return nullptr;
  }
}

/// Appends the wire form of `m` to `out`: payload (by `c`), key, headers, timestamp, schema
/// and lineage. Throws `wire_error` when the payload is not of `c`'s type.
void encode_message(const message& m, const payload_codec& c, std::string& out);
/// Reads one message from the front of `in`, advancing past it; throws `wire_error` naming
/// what is wrong.
message decode_message(std::string_view& in, const payload_codec& c);

/// A batch in one string: the messages' wire forms one after the other.
std::string encode_messages(const std::vector<message>& batch, const payload_codec& c);
/// Every message of `in`; throws `wire_error` when one is broken.
std::vector<message> decode_messages(std::string_view in, const payload_codec& c);

} // namespace streams
