// Sentry Streams' word_counter: events that have a "name" are counted by their "word" ("null_word"
// when they have none), in windows of three messages per word, each written as "WORD COUNT".

#include "examples.hpp"

#include "streams/sources/stream_source.hpp"

namespace streams::examples {

namespace {

/// Sentry's (word, 1) tuple.
struct word_count {
  std::string word;
  std::uint64_t count = 0;
};

json parse_event(const bytes& event) {
  auto doc = json::parse(event);
  if (!doc.doc().IsObject())
    throw invalid_message("event is not a JSON object");
  return doc;
}

bool has_name(const bytes& event) { return parse_event(event).find("name") != nullptr; }

word_count to_word_count(const bytes& event) {
  auto doc = parse_event(event);
  auto word = doc.find("word");
  if (!word)
    return {"null_word", 1};
  if (!word->IsString())
    throw invalid_message("event's 'word' is not a string");
  return {std::string(word->GetString(), word->GetStringLength()), 1};
}

/// Sentry's WordCounter: the word of its window and how often it came, as "WORD COUNT".
class word_tally {
public:
  void add(const word_count& w) {
    word_ = w.word;
    count_ += w.count;
  }
  void merge(const word_tally& other) {
    if (word_.empty())
      word_ = other.word_;
    count_ += other.count_;
  }
  bytes result() const { return word_ + " " + std::to_string(count_); }
  void save(std::string& out) const {
    codec::encode(out, word_);
    codec::encode(out, count_);
  }
  static word_tally load(std::string_view in) {
    word_tally t;
    codec::decode(in, t.word_);
    codec::decode(in, t.count_);
    return t;
  }

private:
  std::string word_;
  std::uint64_t count_ = 0;
};

} // namespace

void word_counter(pipeline& p) {
  p.source("myinput", sources::stream("events"))
      .filter("myfilter", has_name)
      .map("mymap", to_word_count)
      .reduce<word_tally>("myreduce", windows::count(3), [](const word_count& w) { return w.word; })
      // Sentry's reducer hands its sink the string itself; ours emits the window around it.
      .map("serializer", [](const windowed<bytes>& w) { return w.value; })
      .sink("kafkasink", sinks::stream("transformed-events"));
}

} // namespace streams::examples
